package io.auditalert.pipeline;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.assemble.EventAssembler;
import io.auditalert.ingest.LineFramer;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.metrics.Telemetry;
import io.auditalert.parse.Values;
import io.auditalert.ring.EventRing;
import io.auditalert.ring.WorkerPool;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The running pipeline: reader → assembler → ring → workers → {@link AlertStage}. The reader thread
 * is the caller of {@link #pump}; in live mode a timer thread ("assembly-timer") completes idle
 * events under the same lock the reader holds per read batch, so the assembler stays
 * single-threaded. With zero workers the alert stage runs on the reader thread and there is no ring.
 *
 * <p>Shutdown order: {@link #finishInput} (complete every open event), {@link #drain} (ring and
 * workers), then the caller drains the sinks.
 */
public final class Pipeline implements AutoCloseable {
    /** How to build a pipeline. */
    public static final class Options {
        public boolean live;
        public int workers = 2;
        public int ringCapacity = 65_536;
        public long ringMaxBytes = 64L << 20;
        public EventRing.WhenFull whenFull = EventRing.WhenFull.DROP;
        public EventAssembler.Settings assembly = new EventAssembler.Settings();
        public int maxLine = LineFramer.DEFAULT_MAX_LINE;
        /** Events outside it are assembled but not evaluated. */
        public TimeRange range = TimeRange.ALL;
        /** Called when the relay forwards a reload (auditd's SIGHUP reaching the native wrapper). */
        public Runnable onRelayReload = () -> {};
    }

    /** The in-band status line the native wrapper sends in relay mode; never an audit record. */
    static final byte[] RELAY_PREFIX = "auditalert-relay:".getBytes(StandardCharsets.US_ASCII);

    private final Options options;
    private final Telemetry telemetry;
    private final PipelineStats stats;
    private final AlertStage stage;
    private final EventAssembler assembler;
    private final EventRing ring;
    private final WorkerPool pool;
    private final LineFramer framer;
    private final ReentrantLock lock = new ReentrantLock();
    private final LineFramer.BatchLock batchLock = new LineFramer.BatchLock() {
        @Override
        public void lock() {
            lock.lock();
        }

        @Override
        public void unlock() {
            lock.unlock();
        }
    };
    private Thread timer;
    private volatile boolean closed;
    /** The relay's last reported totals of dropped records and bytes (reader thread only). */
    private long relayRecordsSeen;
    private long relayBytesSeen;

    public Pipeline(Options options, Telemetry telemetry, AlertStage stage) {
        this.options = options;
        this.telemetry = telemetry;
        this.stats = telemetry.pipeline;
        this.stage = stage;
        options.assembly.wallClock = options.live;
        options.assembly.outstandingSlots = options.ringCapacity + options.workers + 16;
        this.framer = new LineFramer(options.maxLine, stats);
        if (options.workers > 0) {
            EventAssembler[] self = new EventAssembler[1];
            this.ring = new EventRing(options.ringCapacity, options.ringMaxBytes, options.whenFull, stats);
            this.assembler = new EventAssembler(options.assembly, stats, ev -> {
                if (!options.range.admits(ev, stats) || !ring.publish(ev)) {
                    self[0].recycle(ev);
                }
            });
            self[0] = assembler;
            this.pool = new WorkerPool(options.workers, ring, stage, assembler::recycle);
            telemetry.ringCapacity = ring.capacity();
            telemetry.ringUsed = ring::size;
            telemetry.ringMaxBytes = ring.maxBytes();
            telemetry.ringUsedBytes = ring::usedBytes;
        } else {
            EventAssembler[] self = new EventAssembler[1];
            this.ring = null;
            this.pool = null;
            this.assembler = new EventAssembler(options.assembly, stats, ev -> inline(self[0], ev));
            self[0] = assembler;
        }
        assembler.onOpen(this::observeSerial);
    }

    private void inline(EventAssembler owner, AuditEvent ev) {
        try {
            if (options.range.admits(ev, stats)) {
                stage.handle(ev, 0);
            }
        } finally {
            owner.recycle(ev);
        }
    }

    /**
     * Feeds the serial-gap detector (reader thread) as each event's first record arrives: records come
     * in the kernel's serial order, events complete in another (one without an EOE waits for the
     * assembly timeout, thousands of serials later at a few thousand events/s, and was taken for a
     * restart of the sequence: tens of thousands of "lost" serials that had all arrived). auditd's own
     * DAEMON_* events carry auditd's serials, not the kernel's, and are left out.
     */
    private void observeSerial(long serial, int type, byte[] b, int nodeOff, int nodeLen) {
        if (type >= 1200 && type < 1300) {
            return;
        }
        long nodeKey = 0;
        if (nodeLen > 0) {
            nodeKey = 1;
            for (int i = nodeOff; i < nodeOff + nodeLen; i++) {
                nodeKey = 31 * nodeKey + b[i];
            }
        }
        telemetry.serialGaps.observe(nodeKey, serial);
    }

    public AlertStage stage() {
        return stage;
    }

    public void start() {
        if (pool != null) {
            pool.start();
        }
        telemetry.started = true;
        if (options.live) {
            timer = new Thread(this::tickLoop, "assembly-timer");
            timer.setDaemon(true);
            timer.start();
        }
    }

    private void tickLoop() {
        while (!closed) {
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
            lock.lock();
            try {
                assembler.tick(System.nanoTime());
            } finally {
                lock.unlock();
            }
        }
    }

    /** Reads the source to its end on the calling thread (the reader). */
    public void pump(LineFramer.ByteSource source) throws IOException {
        pump(source, true);
    }

    /** Reads one relay connection: an unterminated last line is dropped (the relay resends it). */
    public void pumpRelayConnection(LineFramer.ByteSource source) throws IOException {
        pump(source, false);
    }

    private void pump(LineFramer.ByteSource source, boolean deliverUnterminated) throws IOException {
        boolean live = options.live;
        // a record's arrival: in live mode when its line is framed (or, for bytes read ahead while the JVM
        // started, when they were read); in a replay, where lines come 64 KiB at a time as fast as they
        // are taken, when the read that brought it returned
        framer.pump(source, (b, off, len) -> {
            if (len > RELAY_PREFIX.length && b[off] == 'a' && startsWith(b, off, RELAY_PREFIX)) {
                relayStatus(b, off + RELAY_PREFIX.length, off + len);
                return;
            }
            if (live) {
                long now = System.nanoTime();
                long held = framer.heldSinceNanos();
                assembler.onLine(b, off, len, now, held != 0 ? held : now);
            } else {
                assembler.onLine(b, off, len, framer.lastReadNanos());
            }
        }, batchLock, deliverUnterminated);
    }

    /** End of input: completes every open event and hands it on. */
    public void finishInput() {
        lock.lock();
        try {
            assembler.finish();
        } finally {
            lock.unlock();
        }
    }

    /**
     * A stop's end of input: the same, but a reader that a full ring or a sink that blocks still holds
     * is waited for only until {@code deadlineNanos} ({@link System#nanoTime()}); from halfway there
     * the ring drops and counts what it cannot take. False: the reader held on past the deadline, and
     * the open events were not completed.
     */
    public boolean finishInput(long deadlineNanos) {
        if (ring != null) { // half the time: a reader freed then still leaves this the lock before the deadline
            long now = System.nanoTime();
            ring.giveUpWaitingAt(now + Math.max(0, deadlineNanos - now) / 2);
        }
        try {
            if (!lock.tryLock(Math.max(0, deadlineNanos - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
        try {
            assembler.finish();
            return true;
        } finally {
            lock.unlock();
        }
    }

    /** Waits until the workers have handled everything published, up to the timeout. */
    public boolean drain(Duration timeout) {
        return pool == null || pool.awaitIdle(timeout);
    }

    /** Events published to the ring and not yet taken by a worker (0 when rules run on the reader). */
    public int queued() {
        return ring == null ? 0 : ring.size();
    }

    @Override
    public void close() {
        close(Duration.ofMillis(500));
    }

    /** Stops the timer and the workers, letting them handle what the ring holds for {@code drainFirst} at most. */
    public void close(Duration drainFirst) {
        closed = true;
        if (timer != null) {
            timer.interrupt();
        }
        if (pool != null) {
            pool.stop(drainFirst);
        }
    }

    private static final byte[] RELOAD = " reload".getBytes(StandardCharsets.US_ASCII);

    /** Parses {@code key=N} pairs of a relay status line into the loss ledger, or acts on {@code reload}. */
    private void relayStatus(byte[] b, int p, int end) {
        if (end - p == RELOAD.length && java.util.Arrays.equals(b, p, end, RELOAD, 0, RELOAD.length)) {
            options.onRelayReload.run();
            return;
        }
        while (p < end) {
            while (p < end && b[p] == ' ') {
                p++;
            }
            int ks = p;
            while (p < end && b[p] != '=' && b[p] != ' ') {
                p++;
            }
            if (p >= end || b[p] != '=') {
                continue;
            }
            int ke = p++;
            int vs = p;
            while (p < end && b[p] != ' ') {
                p++;
            }
            long v = Values.parseDecimal(b, vs, p - vs);
            if (v < 0) {
                continue;
            }
            String k = new String(b, ks, ke - ks, StandardCharsets.US_ASCII);
            switch (k) {
                case "dropped_records":
                    stats.relayDroppedRecords += relayIncrease(v, relayRecordsSeen);
                    relayRecordsSeen = v;
                    break;
                case "dropped_bytes":
                    stats.relayDroppedBytes += relayIncrease(v, relayBytesSeen);
                    relayBytesSeen = v;
                    break;
                case "kernel_lost":
                    stats.kernelFromRelay = true;
                    stats.kernelLost = v;
                    break;
                case "kernel_backlog":
                    stats.kernelFromRelay = true;
                    stats.kernelBacklog = v;
                    break;
                case "kernel_backlog_limit":
                    stats.kernelFromRelay = true;
                    stats.kernelBacklogLimit = v;
                    break;
                default:
                    break;
            }
        }
    }

    /**
     * What a relay's total since its start adds to ours. A relay that reports less than before is a
     * new one (auditd restarted the plugin: after a crash, an upgrade, on every reload from 4.2), whose
     * total started again at 0, so our counter never goes backwards.
     */
    static long relayIncrease(long reported, long seen) {
        return reported >= seen ? reported - seen : reported;
    }

    private static boolean startsWith(byte[] b, int off, byte[] prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if (b[off + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
