/**
 * Interpretation: turns a raw field value into exactly what libauparse 3.0.9's
 * {@code auparse_interpret_field} returns for it (names for uids, syscalls, errnos, architectures;
 * decoded strings; sockaddrs; modes, flags and permissions), preferring the ENRICHED section as auparse
 * does. Every lookup table is generated, not typed: {@code tools/gen-syscalls.py} (ausyscall),
 * {@code tools/gen-errno.py} (kernel headers, glibc strerror) and {@code tools/gen-auparse-tables.py}
 * (probes of libauparse itself). Reads event slots and never changes them; runs lazily, after assembly.
 */
package io.auditalert.interp;
