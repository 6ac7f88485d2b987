package io.auditalert.alert;

import java.time.Duration;

/**
 * A destination for alerts (or events). Implementations deliver asynchronously on their own named
 * thread: {@link #offer} never blocks the caller; it queues (bounded, or spooled to disk) and
 * returns false only when the item had to be dropped, which the sink has already counted in its
 * {@link io.auditalert.metrics.SinkStats}.
 */
public interface Sink extends AutoCloseable {
    /** The sink's name (from config, or its type and index), used as the metrics label. */
    String name();

    /** Whether this sink wants this item (its {@code what}, {@code min_severity} and {@code rules}). */
    boolean accepts(Alert alert);

    /**
     * Whether delivery reads {@link Alert#fields()} (syslog structured data, Alertmanager labels).
     * When no sink does, alerts are built without them: decoding them was a fifth of the cost of an
     * alert in a replay to a file.
     */
    default boolean usesFields() {
        return false;
    }

    /**
     * Whether the sink can never deliver again: its reader went away (stdout closed under {@code
     * replay | head}). A replay whose every sink is gone stops reading its input.
     */
    default boolean gone() {
        return false;
    }

    /**
     * Whether this sink is {@link #gone} only because the program reading it went away on purpose
     * ({@code replay | head} closed the pipe): nothing to report, as for a program killed by SIGPIPE.
     */
    default boolean readerLeft() {
        return false;
    }

    /** Queues the item for delivery; false when it was dropped (already counted). */
    boolean offer(Alert alert);

    /**
     * Waits up to the timeout for everything queued so far to be delivered (or spooled durably);
     * returns whether all of it was.
     */
    boolean drain(Duration timeout);

    /** Items queued or spooled and not delivered yet. */
    default long pending() {
        return 0;
    }

    /** Stops the delivery thread after {@link #drain}; items still pending stay in the spool if any. */
    @Override
    void close();

    /** Whether what it holds survives a restart (a spool). */
    default boolean spooled() {
        return false;
    }

    /** Its counters (null for a sink that keeps none). */
    default io.auditalert.metrics.SinkStats stats() {
        return null;
    }
}
