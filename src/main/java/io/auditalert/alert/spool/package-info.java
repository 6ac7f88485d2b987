/**
 * Where a sink's undelivered items wait: a bounded in-memory queue, or a bounded on-disk spool of
 * append-only segment files and an acknowledged-position file that survives kill -9 and restart.
 * Owns the item encoding on disk. Knows nothing about transports; never drops without counting.
 */
package io.auditalert.alert.spool;
