package io.auditalert.metrics;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Counters of one sink; exported as auditalert_sink_* with labels {sink, type}. */
public final class SinkStats {
    public final String sink;
    public final String type;
    /** Items the peer accepted. */
    public final LongAdder delivered = new LongAdder();
    /** Attempts that failed (each retry that fails counts once). */
    public final LongAdder failures = new LongAdder();
    /** Failures that will not be retried (for example HTTP 4xx). */
    public final LongAdder permanentFailures = new LongAdder();
    public final LongAdder retries = new LongAdder();
    /** Items dropped: queue or spool full, or given up. Never silent. */
    public final LongAdder dropped = new LongAdder();
    /** Items held back by the sink's rate limit (delivered later or counted as dropped). */
    public final LongAdder rateLimited = new LongAdder();
    /** Items waiting (queue plus spool); set by the sink. */
    public volatile LongSupplier pending = () -> 0;

    public SinkStats(String sink, String type) {
        this.sink = sink;
        this.type = type;
    }
}
