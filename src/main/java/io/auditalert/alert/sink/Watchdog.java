package io.auditalert.alert.sink;

import java.io.IOException;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.TimeUnit;

/**
 * Ends a network step that outlives its time, by running the sink's abort (which closes the socket
 * under the blocked call). A socket's read timeout bounds each read, not a reply that trickles in a
 * byte a second or never ends, and nothing bounds a write to a peer that stopped reading.
 *
 * <pre>
 *   Watchdog.Armed w = Watchdog.arm(timeoutMillis, client::abort);
 *   try { step(); } catch (IOException e) { throw w.fired() ? timedOut(e) : e; } finally { w.disarm(); }
 * </pre>
 */
final class Watchdog {
    private static final ScheduledThreadPoolExecutor TIMER = timer();
    /**
     * Where expired watches run their abort: not on the timer thread, which one abort blocked in a
     * close (a TLS socket's close waits for the writer it should end) would stop for every sink.
     */
    private static final java.util.concurrent.ExecutorService ABORTS =
            java.util.concurrent.Executors.newCachedThreadPool(r -> {
                Thread th = new Thread(r, "auditalert-sink-abort");
                th.setDaemon(true);
                return th;
            });

    private static ScheduledThreadPoolExecutor timer() {
        ScheduledThreadPoolExecutor t = new ScheduledThreadPoolExecutor(1, r -> {
            Thread th = new Thread(r, "auditalert-sink-watchdog");
            th.setDaemon(true);
            return th;
        });
        t.setRemoveOnCancelPolicy(true); // a disarmed watch leaves nothing queued
        return t;
    }

    /** One armed watch: {@link #disarm} it when the step ends. */
    static final class Armed {
        private final ScheduledFuture<?> future;
        private volatile boolean fired;

        private Armed(long millis, Runnable onExpiry) {
            this.future = TIMER.schedule(() -> {
                fired = true;
                ABORTS.execute(onExpiry);
            }, millis, TimeUnit.MILLISECONDS);
        }

        /** Whether the time ran out and the abort ran. */
        boolean fired() {
            return fired;
        }

        void disarm() {
            future.cancel(false);
        }
    }

    private Watchdog() {}

    /** One step of an exchange. */
    interface Step<T> {
        T run() throws IOException;
    }

    /**
     * Runs the step; past {@code millis} the abort runs, and the step's failure becomes a
     * SocketTimeoutException saying "{@code what} within N ms".
     */
    static <T> T within(long millis, Runnable abort, String what, Step<T> step) throws IOException {
        Armed w = arm(millis, abort);
        try {
            return step.run();
        } catch (IOException e) {
            if (w.fired()) {
                throw new java.net.SocketTimeoutException(what + " within " + millis + " ms");
            }
            throw e;
        } finally {
            w.disarm();
        }
    }

    /** Runs {@code onExpiry} after {@code millis} unless disarmed first. */
    static Armed arm(long millis, Runnable onExpiry) {
        return new Armed(Math.max(1, millis), onExpiry);
    }
}
