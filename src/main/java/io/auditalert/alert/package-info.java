/**
 * Alerts and their delivery: the immutable {@link io.auditalert.alert.Alert} a worker renders from
 * a matching event, throttling, and the sinks (stdout, file, syslog, Alertmanager, webhook, email,
 * exec) that deliver alerts or events asynchronously, bounded, retrying and counted. Never sees
 * event slots: everything a sink needs is copied into the alert before the slot is recycled.
 */
package io.auditalert.alert;
