package io.auditalert.alert;

import java.util.List;
import java.util.Map;

/**
 * One item for the sinks: an alert rendered from a matching event, or (for sinks with {@code what:
 * events}) a forwarded event. Immutable; built by a worker while the event slot is still held.
 *
 * @param id stable unique id (same across retries and restarts), so receivers can deduplicate
 * @param eventTimeMillis the event's timestamp, epoch milliseconds
 * @param rule the rule's name; null for a forwarded event
 * @param severity the rule's severity; null for a forwarded event
 * @param output the rendered output text; null for a forwarded event
 * @param tags the rule's tags
 * @param node the event's node, or null
 * @param serial the event's serial
 * @param keys the audit rule keys of the event
 * @param fields selected event values for sinks that structure them (auid, exe, comm, pid, ...)
 * @param suppressedBefore how many matches of this rule and throttle key were suppressed since the
 *     previous alert for it ("N more suppressed")
 * @param json the complete JSON object of the alert (or of the event), UTF-8, no newline
 * @param arrivalNanos {@link System#nanoTime()} when the event's first record was read (0: unknown, as for
 *     an alert read back from a spool an earlier process wrote)
 */
public record Alert(
        String id,
        long eventTimeMillis,
        String rule,
        Severity severity,
        String output,
        List<String> tags,
        String node,
        long serial,
        List<String> keys,
        Map<String, String> fields,
        long suppressedBefore,
        byte[] json,
        long arrivalNanos) {

    public boolean isEvent() {
        return rule == null;
    }

    /** This alert with another arrival time. */
    public Alert withArrivalNanos(long nanos) {
        return new Alert(id, eventTimeMillis, rule, severity, output, tags, node, serial, keys, fields,
                suppressedBefore, json, nanos);
    }
}
