package io.auditalert.ring;

import io.auditalert.assemble.AuditEvent;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * N worker threads ("worker-0", ...) that take events from the ring, hand each to the handler, then
 * return the slot. An idle worker parks (up to 100 ms, woken by the publisher), never spins. A
 * handler that throws (an Error too) is logged, and the worker goes on.
 */
public final class WorkerPool {
    /** Handles one event on a worker thread; the slot is recycled right after it returns. */
    public interface Handler {
        void handle(AuditEvent ev, int worker);
    }

    private static final Logger LOG = LoggerFactory.getLogger(WorkerPool.class);

    private final EventRing ring;
    private final Handler handler;
    private final Consumer<AuditEvent> recycle;
    private final Thread[] threads;
    private final boolean[] sleeping;
    /**
     * Events handled (and recycled) so far. Idle means this caught up with {@link EventRing#published}:
     * an empty ring alone is not, since a worker may have taken the last event and not handled it yet.
     */
    private final AtomicLong handled = new AtomicLong();
    private volatile boolean stopping;

    public WorkerPool(int workers, EventRing ring, Handler handler, Consumer<AuditEvent> recycle) {
        this.ring = ring;
        this.handler = handler;
        this.recycle = recycle;
        this.threads = new Thread[workers];
        this.sleeping = new boolean[workers];
        for (int i = 0; i < workers; i++) {
            int id = i;
            threads[i] = new Thread(() -> loop(id), "worker-" + i);
            threads[i].setDaemon(true);
        }
        ring.registerConsumers(threads, sleeping);
    }

    public void start() {
        for (Thread t : threads) {
            t.start();
        }
    }

    private void loop(int id) {
        while (true) {
            if (stopping) {
                return; // what is left in the ring was given up by the stop (which waited for it as long as it could)
            }
            AuditEvent ev = ring.poll();
            if (ev == null) {
                ev = spinPoll();
            }
            if (ev == null) {
                sleeping[id] = true;
                if (ring.isEmpty() && !stopping) {
                    LockSupport.parkNanos(100_000_000L);
                }
                sleeping[id] = false;
                continue;
            }
            try {
                handler.handle(ev, id);
            } catch (RuntimeException | Error e) {
                LOG.error("worker-{}: handler failed on event {}; going on", id, ev.serial(), e);
            } finally {
                recycle.accept(ev);
                handled.incrementAndGet();
            }
        }
    }

    /**
     * Polls a little longer (about 20 µs) before parking: in a steady stream the next event is that
     * close, and a park/unpark pair costs two system calls. Past that the worker parks.
     */
    private AuditEvent spinPoll() {
        for (int i = 0; i < SPIN_POLLS; i++) {
            Thread.onSpinWait();
            AuditEvent ev = ring.poll();
            if (ev != null) {
                return ev;
            }
        }
        return null;
    }

    private static final int SPIN_POLLS = 200;

    /** Waits until every event published so far has been handled, up to the timeout. */
    public boolean awaitIdle(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (handled.get() < ring.published()) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            for (Thread t : threads) {
                LockSupport.unpark(t);
            }
            LockSupport.parkNanos(200_000);
        }
        return true;
    }

    /** Drains the ring (bounded by the timeout) and stops the threads; events still in the ring are not handled. */
    public boolean stop(Duration timeout) {
        boolean drained = awaitIdle(timeout);
        stopping = true;
        for (Thread t : threads) {
            LockSupport.unpark(t);
        }
        for (Thread t : threads) {
            try {
                t.join(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        return drained;
    }
}
