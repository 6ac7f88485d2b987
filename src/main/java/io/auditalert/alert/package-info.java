/**
 * Alerts and their delivery: the immutable {@link io.auditalert.alert.Alert} a worker renders from
 * a matching event, the {@link io.auditalert.alert.Sink} contract, the {@link
 * io.auditalert.alert.Throttler} (per rule and key, on event time), and {@link
 * io.auditalert.alert.SinkFactory}, which reads and validates the config's {@code sinks} entries.
 * The sinks themselves live in {@code alert.sink}, their backlogs (memory queue, disk spool) in
 * {@code alert.spool}. Never sees event slots: everything a sink needs is copied into the alert
 * before the slot is recycled; never writes to stdout except through the stdout sink.
 */
package io.auditalert.alert;
