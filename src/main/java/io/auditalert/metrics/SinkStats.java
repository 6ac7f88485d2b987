package io.auditalert.metrics;

import java.util.concurrent.atomic.LongAdder;
import java.util.function.LongSupplier;

/** Counters of one sink; exported as auditalert_sink_* with labels {sink, type}. */
public final class SinkStats {
    public final String sink;
    public final String type;
    /** Items the peer accepted. */
    public final LongAdder delivered = new LongAdder();
    /**
     * Items refused for good (for example HTTP 4xx): not retried, so lost; exported as failures of kind
     * permanent and, being lost, in auditalert_sink_dropped_total too.
     */
    public final LongAdder permanentFailures = new LongAdder();
    /**
     * Attempts that failed and are retried, or whose alerts another peer took; exported as failures of
     * kind transient. Counted on their own, not as failures less permanent ones: a scrape between the
     * two additions of a refusal would read one too many, and the counter would then go down.
     */
    public final LongAdder transientFailures = new LongAdder();
    public final LongAdder retries = new LongAdder();
    /** Items dropped: queue or spool full, or undelivered at close. Never silent. */
    public final LongAdder dropped = new LongAdder();
    /** Items held back by the sink's rate limit (delivered later or counted as dropped). */
    public final LongAdder rateLimited = new LongAdder();
    /**
     * Arrival of an alert's first record to the peer's acceptance of the alert
     * (auditalert_sink_delivery_latency_seconds); set by the exporter.
     */
    public volatile Telemetry.LatencyRecorder deliveryLatency = Telemetry.NO_LATENCY;
    /** Items waiting (queue plus spool); set by the sink. */
    public volatile LongSupplier pending = () -> 0;

    /** One failed attempt whose items are kept for a retry, or were taken by another peer. */
    public void failedTransiently() {
        transientFailures.increment();
    }

    /** Failed attempts of both kinds (each retry that fails counts once, each item refused for good once). */
    public long failures() {
        return transientFailures.sum() + permanentFailures.sum();
    }

    /** Items lost: refused for good, or given up (queue or spool full, undelivered at close). */
    public long lost() {
        return dropped.sum() + permanentFailures.sum();
    }

    public SinkStats(String sink, String type) {
        this.sink = sink;
        this.type = type;
    }
}
