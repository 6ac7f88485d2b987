/**
 * Ingest: reads raw bytes from stdin (a socket under auditd, a pipe or file in tests), files and a
 * unix socket in 64 KiB reads, frames them into lines with partial lines carried across reads and a
 * length cap, and hands each line to the assembler. Never decodes a charset; never parses fields.
 */
package io.auditalert.ingest;
