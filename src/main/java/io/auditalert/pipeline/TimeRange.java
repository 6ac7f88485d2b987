package io.auditalert.pipeline;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.metrics.PipelineStats;

/**
 * {@code [since, until)} in epoch milliseconds: the events {@code replay} and {@code events} keep
 * under {@code --since/--until}. {@link #ALL} keeps every event.
 */
public record TimeRange(long sinceMillis, long untilMillis) {
    public static final TimeRange ALL = new TimeRange(Long.MIN_VALUE, Long.MAX_VALUE);

    public boolean isAll() {
        return sinceMillis == Long.MIN_VALUE && untilMillis == Long.MAX_VALUE;
    }

    public boolean hasSince() {
        return sinceMillis != Long.MIN_VALUE;
    }

    public boolean contains(long millis) {
        return millis >= sinceMillis && millis < untilMillis;
    }

    /** Whether the event falls in the range; one that does not is counted (reader thread). */
    public boolean admits(AuditEvent ev, PipelineStats stats) {
        if (contains(ev.epochMillis())) {
            return true;
        }
        stats.outsideTimeRange++;
        return false;
    }
}
