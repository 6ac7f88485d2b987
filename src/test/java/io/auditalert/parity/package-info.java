/**
 * Parity with libauparse: the reference dumper (Debian's python3-audit, {@code auparse_dump.py}),
 * the comparison engine that sets {@code auditalert events} output beside it, and the tests that run
 * it over ../shared/corpus and over a fresh capture from a real auditd.
 *
 * <p>Test code only. It runs the command line and the reference as separate processes and reads
 * their JSON; it must not reach into the parser or assembler classes, so it checks the contract of
 * DESIGN.md section 3.4 and nothing else.
 */
package io.auditalert.parity;
