package io.auditalert.alert.spool;

import io.auditalert.alert.Alert;
import java.util.List;

/**
 * The items a sink has accepted and not yet delivered, oldest first. {@link #append} may be called
 * by any thread; {@link #peek} and {@link #ackThrough} only by the sink's delivery thread. An item
 * leaves the backlog only through {@link #ackThrough} (the peer accepted it, or rejected it for
 * good) or by being dropped to make room, which the backlog counts itself.
 */
public interface Backlog extends AutoCloseable {
    /** One waiting item and its position; positions grow with every append. */
    record Item(Alert alert, long seq) {}

    /** Adds an item; false when it was dropped (already counted). */
    boolean append(Alert alert);

    /** Up to max items from the head, without removing them; the same items until acknowledged. */
    List<Item> peek(int max);

    /** Removes every item up to and including the one at seq. */
    void ackThrough(long seq);

    /** Items waiting, including those peeked and not yet acknowledged. */
    long size();

    /** Whether waiting items survive a crash (a spool) or not (memory). */
    boolean durable();

    /** Makes everything appended and acknowledged so far durable (fsync); no-op in memory. */
    void sync();

    @Override
    void close();
}
