/**
 * Interpretation: turns a raw field value into what libauparse's {@code auparse_interpret_field}
 * returns for it (names for uids, syscalls, errnos, architectures; decoded strings; sockaddrs; modes
 * and permissions). Reads event slots; never changes them.
 */
package io.auditalert.interp;
