/**
 * The sink implementations: {@link io.auditalert.alert.sink.DeliverySink} (the delivery thread,
 * retries with back-off, rate limit, drain) and one class per destination (stdout, file, syslog,
 * Alertmanager, webhook, email, exec) that only knows its transport. Sinks see immutable alerts,
 * never event slots, and write nothing to stdout except the stdout sink's JSON lines.
 */
package io.auditalert.alert.sink;
