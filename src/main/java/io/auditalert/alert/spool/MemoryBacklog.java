package io.auditalert.alert.spool;

import io.auditalert.alert.Alert;
import io.auditalert.metrics.SinkStats;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A bounded in-memory backlog. When full, a new item is dropped and counted ({@code block=false},
 * the default), or the caller waits for room ({@code block=true}, for {@code replay}, where stalling
 * the pipeline is the right back-pressure). Items are lost on a crash.
 */
public final class MemoryBacklog implements Backlog {
    private final int capacity;
    private final boolean block;
    private final SinkStats stats;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition notFull = lock.newCondition();
    private final ArrayDeque<Item> items = new ArrayDeque<>();
    private long nextSeq;
    private volatile boolean closed;
    /** When true, a full backlog that blocks drops instead (its sink has delivered nothing for long). */
    private volatile java.util.function.BooleanSupplier stalled = () -> false;

    /** Ends the wait for room once {@code stalled} holds: a replay does not wait for ever on a sink that fails. */
    public void stopWaitingWhen(java.util.function.BooleanSupplier stalled) {
        this.stalled = stalled;
    }

    public MemoryBacklog(int capacity, boolean block, SinkStats stats) {
        this.capacity = capacity;
        this.block = block;
        this.stats = stats;
    }

    @Override
    public boolean append(Alert alert) {
        lock.lock();
        try {
            if (closed) { // the sink counted what it held when it closed: a later item would be lost uncounted
                stats.dropped.increment();
                return false;
            }
            while (items.size() >= capacity) {
                if (!block || closed || stalled.getAsBoolean()) {
                    stats.dropped.increment();
                    return false;
                }
                try {
                    notFull.await(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    stats.dropped.increment();
                    return false;
                }
            }
            items.addLast(new Item(alert, nextSeq++));
            return true;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public List<Item> peek(int max) {
        lock.lock();
        try {
            List<Item> out = new ArrayList<>(Math.min(max, items.size()));
            Iterator<Item> it = items.iterator();
            while (it.hasNext() && out.size() < max) {
                out.add(it.next());
            }
            return out;
        } finally {
            lock.unlock();
        }
    }

    @Override
    public void ackThrough(long seq) {
        lock.lock();
        try {
            while (!items.isEmpty() && items.peekFirst().seq() <= seq) {
                items.removeFirst();
            }
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public long size() {
        lock.lock();
        try {
            return items.size();
        } finally {
            lock.unlock();
        }
    }

    @Override
    public boolean durable() {
        return false;
    }

    @Override
    public void sync() {}

    @Override
    public void close() {
        lock.lock();
        try {
            closed = true; // under the lock: no append succeeds after close returns
            notFull.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
