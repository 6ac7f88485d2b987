package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Sink;
import io.auditalert.alert.TokenBucket;
import io.auditalert.alert.spool.Backlog;
import io.auditalert.alert.spool.MemoryBacklog;
import io.auditalert.alert.spool.Spool;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The part every sink shares: a backlog (memory or spool), one named delivery thread ({@code
 * sink-NAME}) that takes batches from the head, holds them back for the rate limit, hands them to
 * {@link #deliver}, acknowledges what the peer took or refused for good, and retries the rest with
 * exponential back-off. The thread parks when there is nothing to do and never dies of an
 * exception. Items leave only through delivery, a permanent refusal (counted) or a counted drop.
 */
public abstract class DeliverySink implements Sink {
    private static final long SYNC_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(1);
    private static final long IDLE_PARK_NANOS = TimeUnit.SECONDS.toNanos(1);
    /** How long a sink may deliver nothing while failing before a blocking queue stops waiting for it. */
    static final long STALLED_NANOS = TimeUnit.SECONDS.toNanos(60);
    /** When the failures without any delivery began (0: delivering). */
    private volatile long failingSince;
    /** While lingering, how often the backlog is looked at (offers do not wake a lingering thread). */
    private static final long LINGER_CHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(5);
    /** True while the delivery thread parks for want of items: only then does an offer wake it. */
    private volatile boolean idle;
    private volatile long lingerNanos;

    /** What one call of {@link #deliver} did with the head of its batch, in order. */
    public static final class Outcome {
        int accepted;
        int rejected;
        String lastRejection;
        /** Positions in the batch of the items refused for good; null while none was. */
        private BitSet refused;

        /** The next n items were accepted by the peer. */
        public void accept(int n) {
            accepted += n;
        }

        /** The next n items were refused for good (no retry); counted as permanent failures. */
        public void reject(int n, String reason) {
            if (refused == null) {
                refused = new BitSet();
            }
            refused.set(done(), done() + n);
            rejected += n;
            lastRejection = reason;
        }

        int done() {
            return accepted + rejected;
        }

        /** Whether the item at this position of the batch was reported accepted. */
        boolean acceptedAt(int i) {
            return i < done() && (refused == null || !refused.get(i));
        }

        /** Of the first n items (n at most {@link #done}), those refused for good. */
        int refusedWithin(int n) {
            return refused == null ? 0 : refused.get(0, n).cardinality();
        }
    }

    protected final Logger log;
    protected final SinkOptions options;
    protected final SinkStats stats;
    private final Backlog backlog;
    private final Thread thread;
    private final TokenBucket bucket;
    private final Object progress = new Object();
    private volatile boolean running = true;
    private volatile boolean flushing;
    private boolean started;
    private long lastRateLimitedSeq = -1;
    private int failureStreak;
    private String lastRejectionLogged;
    /** When the last refusal was logged (nanoTime), and the items refused since then, unlogged. */
    private long lastRejectionLoggedAt;
    private long rejectedSinceLogged;
    private static final long REJECTION_LOG_INTERVAL_NANOS = TimeUnit.MINUTES.toNanos(1);
    /** Whether the command says at the end what each sink lost (replay's summary), or only the log does (run). */
    private volatile boolean callerReports;

    protected DeliverySink(SinkOptions options, Telemetry telemetry) {
        this.log = LoggerFactory.getLogger(getClass());
        this.options = options;
        this.stats = telemetry.sink(options.name(), options.type());
        if (options.spoolDir() != null) {
            try {
                this.backlog = new Spool(options.spoolDir(), options.spoolMaxBytes(), options.spoolFsyncAlways(), stats);
            } catch (IOException e) {
                throw new UncheckedIOException("sink " + options.name() + ": cannot open spool " + options.spoolDir(),
                        new IOException(Spool.describe(e), e));
            }
        } else {
            MemoryBacklog memory = new MemoryBacklog(options.queueCapacity(), options.blockWhenFull(), stats);
            // replay waits for room (back-pressure), but not for a sink that has failed for a minute, the
            // drain's own limit (a file sink whose rotation always fails held the replay for ever)
            memory.stopWaitingWhen(() -> {
                long since = failingSince;
                return since != 0 && System.nanoTime() - since > STALLED_NANOS;
            });
            this.backlog = memory;
        }
        this.pendingGauge = backlog::size;
        this.stats.pending = pendingGauge;
        this.bucket = options.ratePerSecond() > 0
                ? new TokenBucket(options.ratePerSecond(), options.rateBurst(), System.nanoTime())
                : null;
        this.thread = new Thread(this::loop, "sink-" + options.name());
        this.thread.setDaemon(true);
    }

    /** Starts the delivery thread; called once the subclass is fully built. */
    public final synchronized DeliverySink start() {
        if (!started) {
            started = true;
            thread.start();
        }
        return this;
    }

    /**
     * Delivers the head of a batch (never empty). Report each item, in order, through {@code out};
     * items not reported are offered again at once. Throwing means: the items not yet reported
     * failed and will be retried after a back-off.
     */
    protected abstract void deliver(List<Alert> batch, Outcome out) throws Exception;

    /**
     * How long to wait before delivering this batch (email collects alerts for an interval); 0
     * delivers now. Never consulted while draining or closing.
     */
    protected long holdNanos(List<Alert> batch) {
        return 0;
    }

    /** Releases the transport (sockets, files); called on the delivery thread's way out. */
    protected void closeTransport() {}

    /**
     * The caller says at the end what each sink lost (replay's summary): no tally at close of the
     * refusals the once-a-minute logging held back, and a sink may leave expected refusals unlogged.
     */
    public void callerReportsLosses() {
        callerReports = true;
    }

    protected boolean callerReports() {
        return callerReports;
    }

    /** Whether the refusals of now on are what the user asked for (nobody reads stdout), not worth a warning. */
    protected boolean refusalExpected() {
        return false;
    }

    @Override
    public String name() {
        return options.name();
    }

    @Override
    public boolean accepts(Alert alert) {
        return options.accepts(alert);
    }

    @Override
    public boolean offer(Alert alert) {
        if (!running) {
            stats.dropped.increment();
            return false;
        }
        if (!backlog.append(alert)) {
            if (!running) {
                return false; // closed meanwhile: the backlog refused and counted it
            }
            long n = backlog.durable() ? 0 : queueDrops.incrementAndGet(); // a spool says why itself
            if (n == 1 || n > 0 && n % 1000 == 0) { // counted in every case; said once, then every thousandth
                log.warn("sink {}: its queue is full (the peer is down or slower than the alerts): {} alert(s)"
                        + " dropped so far (auditalert_sink_dropped_total; a spool keeps them instead)", name(), n);
            }
            return false;
        }
        if (idle) {
            LockSupport.unpark(thread);
        }
        return true;
    }

    /**
     * Lets the delivery thread, once woken by an item, wait this long for more before it delivers,
     * so a busy producer's items go out in batches rather than one wake-up and one write each. For
     * {@code replay}, where no one waits for an alert; live sinks deliver at once (the default, 0).
     */
    public DeliverySink lingerForBatches(Duration linger) {
        this.lingerNanos = linger.toNanos();
        return this;
    }

    /** What the pending gauge reads while this sink runs. */
    private final java.util.function.LongSupplier pendingGauge;

    /** Alerts {@link #offer} dropped because the queue was full, for the log. */
    private final java.util.concurrent.atomic.AtomicLong queueDrops = new java.util.concurrent.atomic.AtomicLong();

    /** Items waiting for delivery. */
    @Override
    public long pending() {
        return backlog.size();
    }

    @Override
    public SinkStats stats() {
        return stats;
    }

    @Override
    public boolean spooled() {
        return backlog.durable();
    }

    /** The delivery thread (tests check its name and that it ends). */
    public Thread thread() {
        return thread;
    }

    @Override
    public boolean drain(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        flushing = true;
        try {
            LockSupport.unpark(thread);
            synchronized (progress) {
                while (backlog.size() > 0 && thread.isAlive()) {
                    long left = deadline - System.nanoTime();
                    if (left <= 0) {
                        break;
                    }
                    progress.wait(Math.max(1, Math.min(TimeUnit.NANOSECONDS.toMillis(left), 50)));
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            flushing = false;
        }
        backlog.sync();
        return backlog.size() == 0 || backlog.durable();
    }

    @Override
    public void close() {
        running = false;
        abortDelivery();
        LockSupport.unpark(thread);
        try {
            if (thread.isAlive()) {
                // the caller's drain had its time and abortDelivery ended what it can; a write that nothing
                // ends (a stdout nobody reads) must not hold a stop for long: 1.5 s at most, then it is left
                thread.join(1000);
                if (thread.isAlive()) {
                    thread.interrupt();
                    thread.join(500);
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (!started) {
            closeTransport();
        }
        if (rejectedSinceLogged > 0 && !callerReports) { // held back by the once-a-minute logging
            log.warn("sink {}: {} more item(s) refused for good since the last report ({} in all): {}", name(),
                    rejectedSinceLogged, stats.permanentFailures.sum(), lastRejectionLogged);
            rejectedSinceLogged = 0;
        }
        // closed first: an offer that saw the sink running and appends now is refused and counted by the
        // backlog, so what it holds below is final (appended after the count, it was lost uncounted)
        backlog.close();
        if (!backlog.durable()) {
            long lost = backlog.size();
            if (lost > 0) {
                stats.dropped.add(lost);
                log.warn("sink {}: {} undelivered item(s) dropped at close (no spool)", name(), lost);
            }
        }
        if (stats.pending == pendingGauge) { // unless a sink of the same name took the gauge over
            stats.pending = () -> 0; // a sink that is gone holds nothing (what it held is counted above)
        }
    }

    /**
     * Called first by {@link #close}, after the caller's drain had its time: ends a delivery still in
     * progress that would otherwise hold the close (a child process that hangs). Does nothing by default.
     */
    protected void abortDelivery() {}

    /** A transient failure whose peer asked to be tried again no sooner than this (HTTP Retry-After). */
    public static final class RetryAfter extends IOException {
        private static final long serialVersionUID = 1L;
        final long millis;

        public RetryAfter(String message, long millis) {
            super(message);
            this.millis = millis;
        }
    }

    private void loop() {
        long backoff = TimeUnit.MILLISECONDS.toNanos(options.retryInitialMillis());
        long lastSync = System.nanoTime();
        try {
            while (running) {
                try {
                    List<Backlog.Item> items = backlog.peek(options.batch());
                    long now = System.nanoTime();
                    if (backlog.durable() && now - lastSync >= SYNC_INTERVAL_NANOS) {
                        backlog.sync();
                        lastSync = now;
                    }
                    if (items.isEmpty()) {
                        idle = true;
                        if (running) {
                            // nothing readable though items are counted (a spool that lost some to
                            // damage it met while reading) must not make this loop spin
                            LockSupport.parkNanos(this, backlog.size() == 0 ? IDLE_PARK_NANOS : IDLE_PARK_NANOS / 20);
                        }
                        idle = false;
                        linger();
                        continue;
                    }
                    List<Alert> alerts = alerts(items);
                    if (!flushing) {
                        long hold = holdNanos(alerts);
                        if (hold > 0) {
                            LockSupport.parkNanos(this, hold);
                            continue;
                        }
                    }
                    if (bucket != null) {
                        int n = bucket.take(items.size(), now);
                        if (n < items.size()) {
                            countRateLimited(items, n);
                        }
                        if (n == 0) {
                            parkUntil(now + bucket.nanosUntilToken(now));
                            continue;
                        }
                        items = items.subList(0, n);
                        alerts = alerts.subList(0, n);
                    }
                    Outcome out = new Outcome();
                    Exception failure = null;
                    try {
                        deliver(alerts, out);
                    } catch (Exception e) {
                        failure = e;
                    }
                    int done = Math.min(out.done(), items.size());
                    if (done > 0) {
                        recordDeliveryLatency(alerts, out, done); // before the acknowledgement's own writes
                        backlog.ackThrough(items.get(done - 1).seq());
                        // a sink that reported more items than its batch held: only the batch's are counted
                        int refused = out.refusedWithin(done);
                        stats.delivered.add(done - refused);
                        if (refused > 0) {
                            stats.permanentFailures.add(refused);
                            // the same refusal again (a closed stdout, a peer rejecting every alert) is
                            // logged at most once a minute, with what it refused since: not once per batch
                            rejectedSinceLogged += refused;
                            long loggedNow = System.nanoTime();
                            if (!refusalExpected() && (!Objects.equals(out.lastRejection, lastRejectionLogged)
                                    || loggedNow - lastRejectionLoggedAt >= REJECTION_LOG_INTERVAL_NANOS)) {
                                lastRejectionLogged = out.lastRejection;
                                lastRejectionLoggedAt = loggedNow;
                                log.warn("sink {}: {} item(s) refused for good, not retried ({} in all): {}", name(),
                                        rejectedSinceLogged, stats.permanentFailures.sum(), out.lastRejection);
                                rejectedSinceLogged = 0;
                            }
                        }
                        synchronized (progress) {
                            progress.notifyAll();
                        }
                    }
                    if (done > 0) {
                        failingSince = 0;
                    } else if (failingSince == 0) {
                        failingSince = System.nanoTime();
                    }
                    if (failure != null || done == 0) {
                        stats.failedTransiently();
                        stats.retries.increment();
                        if (failureStreak++ == 0 || failureStreak % 100 == 0) {
                            log.warn("sink {}: delivery failed ({} in a row), retrying with back-off: {}", name(),
                                    failureStreak, failure == null ? "nothing delivered" : failure.toString());
                        }
                        if (done > 0) {
                            // the peer took part of the batch: it is up, so the back-off starts over (a peer
                            // that fails one request in two, behind a balancer with a bad backend, is then
                            // served at half speed instead of once every retry.max)
                            backoff = TimeUnit.MILLISECONDS.toNanos(options.retryInitialMillis());
                        }
                        long wait = backoff;
                        if (failure instanceof RetryAfter r) {
                            // the peer said when (429, 503): asking sooner only meets the same refusal
                            wait = Math.max(wait, TimeUnit.MILLISECONDS.toNanos(r.millis));
                        }
                        parkUntil(System.nanoTime() + wait);
                        backoff = Math.min(backoff * 2, TimeUnit.MILLISECONDS.toNanos(options.retryMaxMillis()));
                    } else {
                        if (failureStreak > 0) {
                            log.info("sink {}: delivering again after {} attempt(s) in a row that ended in an error",
                                    name(), failureStreak);
                            failureStreak = 0;
                        }
                        backoff = TimeUnit.MILLISECONDS.toNanos(options.retryInitialMillis());
                    }
                } catch (RuntimeException | Error e) {
                    stats.failedTransiently();
                    log.error("sink {}: unexpected error in the delivery loop", name(), e);
                    parkUntil(System.nanoTime() + backoff);
                }
            }
        } finally {
            try {
                closeTransport();
            } finally {
                synchronized (progress) {
                    progress.notifyAll();
                }
            }
        }
    }

    /**
     * The time from each accepted alert's first record to now. Alerts read back from a spool an
     * earlier process wrote carry no arrival time (their wait spans a restart) and are not timed.
     */
    private void recordDeliveryLatency(List<Alert> alerts, Outcome out, int done) {
        Telemetry.LatencyRecorder recorder = stats.deliveryLatency;
        if (recorder == Telemetry.NO_LATENCY) {
            return;
        }
        long now = System.nanoTime();
        for (int i = 0; i < done; i++) {
            long arrived = alerts.get(i).arrivalNanos();
            if (arrived != 0 && out.acceptedAt(i)) {
                recorder.record(now - arrived);
            }
        }
    }

    private void countRateLimited(List<Backlog.Item> items, int taken) {
        for (int i = taken; i < items.size(); i++) {
            long seq = items.get(i).seq();
            if (seq > lastRateLimitedSeq) {
                stats.rateLimited.increment();
                lastRateLimitedSeq = seq;
            }
        }
    }

    /** After an idle wake-up: waits {@link #lingerNanos} for a batch to gather, unless flushing or closing. */
    private void linger() {
        long linger = lingerNanos;
        if (linger <= 0) {
            return;
        }
        long deadline = System.nanoTime() + linger;
        for (long left = linger; left > 0 && running && !flushing && backlog.size() < options.batch();
                left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(this, Math.min(left, LINGER_CHECK_NANOS));
        }
    }

    /** Parks until the deadline; offers wake the thread, so park again until it is reached. */
    private void parkUntil(long deadline) {
        for (long left = deadline - System.nanoTime(); left > 0 && running; left = deadline - System.nanoTime()) {
            LockSupport.parkNanos(this, left);
        }
    }

    private static List<Alert> alerts(List<Backlog.Item> items) {
        List<Alert> out = new ArrayList<>(items.size());
        for (Backlog.Item it : items) {
            out.add(it.alert());
        }
        return out;
    }
}
