package io.auditalert.ring;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.metrics.PipelineStats;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.jctools.queues.MpmcArrayQueue;

/**
 * Bounded hand-off of completed events from the reader thread to the workers. {@link #publish}
 * never allocates; when the ring is full (by count or by {@code maxBytes}) it either drops the event
 * ({@link WhenFull#DROP}: the default for live input, since blocking would stall auditd's
 * dispatcher and make auditd drop records for every plugin) or waits ({@link WhenFull#BLOCK}: the
 * default for replay). Every drop and every wait is counted.
 */
public final class EventRing {
    public enum WhenFull {
        DROP, BLOCK
    }

    private final MpmcArrayQueue<AuditEvent> queue;
    private final int capacity;
    private final long maxBytes;
    private final WhenFull whenFull;
    private final PipelineStats stats;
    private final AtomicLong bytes = new AtomicLong();
    /** Events offered successfully so far; with the workers' count of events handled, says when all are done. */
    private final AtomicLong published = new AtomicLong();
    private volatile Thread[] consumers = new Thread[0];
    private volatile boolean[] sleeping = new boolean[0];
    /** {@link #giveUpWaitingAt}: set once a stop begins; a blocked publish waits until then, no longer. */
    private volatile boolean stopping;
    private volatile long giveUpAtNanos;

    public EventRing(int capacity, long maxBytes, WhenFull whenFull, PipelineStats stats) {
        this.queue = new MpmcArrayQueue<>(Math.max(2, capacity));
        this.capacity = queue.capacity();
        this.maxBytes = maxBytes;
        this.whenFull = whenFull;
        this.stats = stats;
    }

    public int capacity() {
        return capacity;
    }

    public int size() {
        return queue.size();
    }

    /** The bound on the bytes of the events in the ring ({@code ring.max_bytes}). */
    public long maxBytes() {
        return maxBytes;
    }

    /** Bytes of the events in the ring now. */
    public long usedBytes() {
        return bytes.get();
    }

    void registerConsumers(Thread[] threads, boolean[] flags) {
        this.sleeping = flags;
        this.consumers = threads;
    }

    /**
     * Offers a completed event; true when a worker will get it. False means the event was dropped
     * and counted, and the caller still owns the slot (it must recycle it).
     */
    public boolean publish(AuditEvent ev) {
        long size = ev.buffer().length;
        boolean waited = false;
        while (bytes.get() + size > maxBytes && bytes.get() > 0 || !queue.relaxedOffer(ev)) {
            if (whenFull == WhenFull.DROP || stopping && System.nanoTime() - giveUpAtNanos >= 0) {
                stats.ringDropped++;
                return false;
            }
            if (!waited) {
                stats.ringBlocked++;
                waited = true;
            }
            wakeConsumers();
            LockSupport.parkNanos(50_000);
        }
        bytes.addAndGet(size);
        published.incrementAndGet();
        wakeConsumers();
        return true;
    }

    /**
     * A stop has begun: from {@code deadlineNanos} ({@link System#nanoTime()}) on, {@link #publish} in
     * block mode drops and counts instead of waiting, so that workers held up by a sink that blocks
     * cannot hold the reader, and through it the stop, for ever.
     */
    public void giveUpWaitingAt(long deadlineNanos) {
        giveUpAtNanos = deadlineNanos;
        stopping = true;
    }

    /** How many events {@link #publish} has handed to the workers so far. */
    long published() {
        return published.get();
    }

    /** Takes the next event, or null when the ring is empty. Called by workers. */
    AuditEvent poll() {
        AuditEvent ev = queue.relaxedPoll();
        if (ev != null) {
            bytes.addAndGet(-ev.buffer().length);
        }
        return ev;
    }

    boolean isEmpty() {
        return queue.isEmpty();
    }

    private void wakeConsumers() {
        boolean[] flags = sleeping;
        Thread[] threads = consumers;
        for (int i = 0; i < threads.length; i++) {
            if (flags[i]) {
                LockSupport.unpark(threads[i]);
                return;
            }
        }
    }
}
