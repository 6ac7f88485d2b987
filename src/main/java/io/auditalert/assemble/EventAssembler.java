package io.auditalert.assemble;

import io.auditalert.metrics.PipelineStats;
import io.auditalert.parse.RecordHeader;
import io.auditalert.parse.RecordTokenizer;
import io.auditalert.parse.RecordTypes;
import java.util.Arrays;
import org.jctools.queues.MpscArrayQueue;

/**
 * Groups record lines into events with libauparse's semantics: records with the same node,
 * timestamp and serial form one event, whatever else is interleaved between them; an event completes
 * on EOE, on a last-record type ({@link RecordTypes#isLastRecord}), after a timeout, when too many
 * events or bytes are in flight (oldest first), and at end of input. An EOE that finds no open event
 * (its event already completed at PROCTITLE) is swallowed, as libauparse does.
 *
 * <p>Timeouts are driven by record timestamps in replay (an event is complete once a record at least
 * {@code timeout} newer arrives, as libauparse compares them) and by the wall clock in live mode (an
 * event idle for {@code timeout} completes on the next {@link #tick}, even when no record follows).
 *
 * <p>Single-threaded: only the reader thread calls {@link #onLine}, {@link #tick} and {@link #finish}.
 * Completed events go to the {@link Output}, which owns them until it hands them back through
 * {@link #recycle}, from any thread.
 */
public final class EventAssembler {
    /** Receives each completed event; must eventually pass it to {@link #recycle}. */
    public interface Output {
        void accept(AuditEvent event);
    }

    /**
     * Sees each new event's first record, in arrival order, before it is appended (an event can
     * complete, and its slot go to a worker, on its first record). {@code b[nodeOff, +nodeLen)} is the
     * record's node name, {@code nodeLen} 0 without one.
     */
    public interface Opened {
        void opened(long serial, int type, byte[] b, int nodeOff, int nodeLen);
    }

    /** Assembly limits and clock; the defaults follow DESIGN §3.2. */
    public static final class Settings {
        public long timeoutMillis = 2000;
        public int maxInflight = 20_000;
        public long maxInflightBytes = 64L << 20;
        public int maxRecordsPerEvent = 4096;
        public int maxBytesPerEvent = 1 << 20;
        /** true: idle timeout by arrival time (run); false: by record timestamps (replay, events). */
        public boolean wallClock;
        /** Slots that can be outside the assembler at once (ring capacity plus workers). */
        public int outstandingSlots = 70_000;
    }

    private final Settings settings;
    private final PipelineStats stats;
    private final Output output;
    private final RecordHeader header = new RecordHeader();
    private final MpscArrayQueue<AuditEvent> free;
    private final AuditEvent[] table;
    private final int mask;
    private final long timeoutNanos;
    private final long timeoutSeconds;

    private AuditEvent oldest;
    private AuditEvent newest;
    private AuditEvent last;
    private int inflight;
    private long inflightBytes;
    private long slotsAllocated;
    private long minOpenSec = Long.MAX_VALUE;
    private long previousSec;
    private Opened opened = (serial, type, b, nodeOff, nodeLen) -> { };

    /** Sets the listener of opened events (reader thread; one at a time). */
    public void onOpen(Opened listener) {
        this.opened = listener;
    }

    public EventAssembler(Settings settings, PipelineStats stats, Output output) {
        this.settings = settings;
        this.stats = stats;
        this.output = output;
        int size = Integer.highestOneBit(Math.max(16, settings.maxInflight * 2 - 1)) << 1;
        this.table = new AuditEvent[size];
        this.mask = size - 1;
        this.free = new MpscArrayQueue<>(Math.max(64, settings.maxInflight + settings.outstandingSlots + 64));
        this.timeoutNanos = settings.timeoutMillis * 1_000_000L;
        this.timeoutSeconds = Math.max(1, (settings.timeoutMillis + 999) / 1000);
    }

    /**
     * A record this many seconds older than the one before it is a step back in time
     * ({@link PipelineStats#noteStepBack}): auditd writes records a few seconds out of order at most
     * (the corpus's single-machine logs: 13 s), so a larger step is logs read newest first or a clock
     * that was set back.
     */
    static final long STEP_BACK_SECONDS = 60;

    private static final byte[] DASHES = {'-', '-', '-', '-'};
    private static final byte[] TIME_ARROW = {'t', 'i', 'm', 'e', '-', '>'};

    /**
     * The lines ausearch puts between the events it prints ({@code ----} and
     * {@code time->Tue Nov 10 08:19:44 2020}): counted apart from malformed lines, so that replay
     * can say what was given instead of a count of errors.
     */
    static boolean isAusearchSeparator(byte[] b, int off, int len) {
        return len == DASHES.length && Arrays.equals(b, off, off + len, DASHES, 0, DASHES.length)
                || len >= TIME_ARROW.length && Arrays.equals(b, off, off + TIME_ARROW.length, TIME_ARROW, 0, TIME_ARROW.length);
    }

    /** Takes one record line (no newline). {@code nowNanos} is {@link System#nanoTime()} in live mode. */
    public void onLine(byte[] b, int off, int len, long nowNanos) {
        onLine(b, off, len, nowNanos, nowNanos);
    }

    /**
     * As {@link #onLine(byte[], int, int, long)}, for a line that came in before it is handed over (read
     * ahead while the JVM started): {@code arrivalNanos} starts its event's latency, while {@code
     * nowNanos} stays the clock of the idle timeout, so held lines framed late do not expire the events
     * they belong to.
     */
    public void onLine(byte[] b, int off, int len, long nowNanos, long arrivalNanos) {
        arrival = arrivalNanos;
        int status = header.parse(b, off, len);
        if (status != RecordHeader.OK && len > 0 && b[off] == 0) {
            // a crash leaves NULs where a block was not written; the record after them is intact
            int nuls = 0;
            while (nuls < len && b[off + nuls] == 0) {
                nuls++;
            }
            if (nuls < len) {
                stats.nulRunsSkipped++;
                onLine(b, off + nuls, len - nuls, nowNanos, arrivalNanos);
                return;
            }
        }
        if (status != RecordHeader.OK) {
            if (status == RecordHeader.NO_TYPE && isAusearchSeparator(b, off, len)) {
                stats.ausearchSeparators++;
            } else {
                stats.parseErrors[status]++;
                stats.noteMalformed();
            }
            return;
        }
        long sec = header.sec();
        if (sec < previousSec - STEP_BACK_SECONDS) {
            stats.noteStepBack(previousSec - sec);
        }
        previousSec = sec;
        if (settings.wallClock) {
            expireIdle(nowNanos);
        } else {
            expireOlderThan(sec);
        }
        long hash = hash(header.sec(), header.milli(), header.serial(), header.nodeHash());
        AuditEvent ev = last != null && last.open && matches(last, hash) ? last : inflight == 0 ? null : lookup(hash);
        if (ev == null) {
            if (header.type() == RecordTypes.EOE) {
                stats.eoeSwallowed++;
                stats.countRecord(RecordTypes.EOE);
                return;
            }
            opened.opened(header.serial(), header.type(), b, header.hasNode() ? header.nodeOff() : 0,
                    header.hasNode() ? header.nodeLen() : 0);
            ev = open(hash, nowNanos);
        }
        append(ev, b, off, len, nowNanos);
    }

    /** Completes events idle for longer than the timeout (live mode); call it from a timer. */
    public void tick(long nowNanos) {
        if (settings.wallClock) {
            expireIdle(nowNanos);
        }
    }

    /** End of input: completes every open event, oldest first. */
    public void finish() {
        while (oldest != null) {
            stats.completedAtEnd++;
            complete(oldest);
        }
    }

    /** Returns a slot once its consumer is done with it. Safe from any thread. */
    public void recycle(AuditEvent ev) {
        ev.reset();
        free.offer(ev);
    }

    public int inflight() {
        return inflight;
    }

    public long slotsAllocated() {
        return slotsAllocated;
    }

    // ---- internals ----

    /** The arrival of the line being taken (see the five-argument onLine). */
    private long arrival;

    private AuditEvent open(long hash, long nowNanos) {
        if (inflight >= settings.maxInflight) {
            stats.evictedInflight++;
            complete(oldest);
        }
        AuditEvent ev = free.relaxedPoll();
        if (ev == null) {
            ev = new AuditEvent();
            ev.tokenizer = new RecordTokenizer(settings.maxBytesPerEvent);
            slotsAllocated++;
        }
        ev.key = hash;
        ev.sec = header.sec();
        ev.milli = header.milli();
        ev.serial = header.serial();
        ev.firstArrivalNanos = arrival;
        ev.open = true;
        if (ev.sec < minOpenSec) {
            minOpenSec = ev.sec;
        }
        insert(ev);
        linkNewest(ev);
        inflight++;
        stats.inflight = inflight;
        return ev;
    }

    private void append(AuditEvent ev, byte[] b, int off, int len, long nowNanos) {
        ev.lastArrivalNanos = nowNanos;
        last = ev;
        if (ev != newest) {
            unlink(ev);
            linkNewest(ev);
        }
        int before = ev.used;
        int at = ev.reserve(len, settings.maxBytesPerEvent);
        if (at < 0 || !ev.beginRecord(at, len, settings.maxRecordsPerEvent)) {
            if (at >= 0) {
                ev.used = before;
            }
            if (!ev.truncated) {
                ev.truncated = true;
                stats.truncatedEvents++;
            }
            return;
        }
        System.arraycopy(b, off, ev.buf, at, len);
        if (ev.recordCount == 0 && header.hasNode()) {
            ev.nodeOff = at + (header.nodeOff() - off);
            ev.nodeLen = header.nodeLen();
        }
        int type = header.type();
        ev.setType(type, header.typeLen() > 0 ? at + (header.typeOff() - off) : at, header.typeLen());
        ev.endRecord();
        stats.countRecord(type);
        inflightBytes += ev.used - before;
        if (type == RecordTypes.EOE) {
            stats.completedByEoe++;
            complete(ev);
        } else if (RecordTypes.isLastRecord(type)) {
            stats.completedByType++;
            complete(ev);
        } else {
            while (inflightBytes > settings.maxInflightBytes && oldest != null) {
                stats.evictedBytes++;
                complete(oldest);
            }
        }
    }

    /**
     * Replay: completes every open event whose timestamp is at least the timeout older than the
     * record just read, as libauparse compares each open event with each new record. The open list
     * is in arrival order, not timestamp order, so the whole list is scanned; {@link #minOpenSec}
     * (a lower bound of the open events' seconds, exact after each scan) keeps scans to the times
     * something can have expired.
     */
    private void expireOlderThan(long recordSec) {
        if (oldest == null || minOpenSec + timeoutSeconds > recordSec) {
            return;
        }
        long min = Long.MAX_VALUE;
        for (AuditEvent ev = oldest; ev != null; ) {
            AuditEvent next = ev.newer;
            if (ev.sec + timeoutSeconds <= recordSec) {
                stats.completedByTimeout++;
                complete(ev);
            } else if (ev.sec < min) {
                min = ev.sec;
            }
            ev = next;
        }
        minOpenSec = min;
    }

    private void expireIdle(long nowNanos) {
        while (oldest != null && nowNanos - oldest.lastArrivalNanos >= timeoutNanos) {
            stats.completedByTimeout++;
            complete(oldest);
        }
    }

    private void complete(AuditEvent ev) {
        remove(ev);
        unlink(ev);
        ev.open = false;
        if (last == ev) {
            last = null;
        }
        inflight--;
        inflightBytes -= ev.used;
        stats.inflight = inflight;
        stats.events++;
        if (ev.lacksItsSyscall()) {
            stats.eventsWithoutSyscall++;
        }
        output.accept(ev);
    }

    private boolean matches(AuditEvent ev, long hash) {
        return ev.key == hash && ev.sec == header.sec() && ev.milli == header.milli()
                && ev.serial == header.serial() && header.sameNode(ev.buf, ev.nodeOff, ev.nodeLen);
    }

    static long hash(long sec, int milli, long serial, int nodeHash) {
        long h = (sec * 1000 + milli) * 0x9E3779B97F4A7C15L;
        h ^= serial * 0xC2B2AE3D27D4EB4FL;
        h ^= nodeHash * 0x165667B19E3779F9L;
        return h ^ (h >>> 29);
    }

    private AuditEvent lookup(long hash) {
        for (int i = (int) hash & mask; table[i] != null; i = (i + 1) & mask) {
            if (matches(table[i], hash)) {
                return table[i];
            }
        }
        return null;
    }

    private void insert(AuditEvent ev) {
        int i = (int) ev.key & mask;
        while (table[i] != null) {
            i = (i + 1) & mask;
        }
        table[i] = ev;
    }

    /** Removes by identity, then shifts the following cluster back so lookups stay correct. */
    private void remove(AuditEvent ev) {
        int i = (int) ev.key & mask;
        while (table[i] != ev) {
            i = (i + 1) & mask;
        }
        table[i] = null;
        for (int j = (i + 1) & mask; table[j] != null; j = (j + 1) & mask) {
            int home = (int) table[j].key & mask;
            // move table[j] into the hole at i unless its home lies cyclically in (i, j]
            boolean homeBetween = i <= j ? (home > i && home <= j) : (home > i || home <= j);
            if (!homeBetween) {
                table[i] = table[j];
                table[j] = null;
                i = j;
            }
        }
    }

    private void linkNewest(AuditEvent ev) {
        ev.older = newest;
        ev.newer = null;
        if (newest != null) {
            newest.newer = ev;
        } else {
            oldest = ev;
        }
        newest = ev;
    }

    private void unlink(AuditEvent ev) {
        if (ev.older != null) {
            ev.older.newer = ev.newer;
        } else if (oldest == ev) {
            oldest = ev.newer;
        }
        if (ev.newer != null) {
            ev.newer.older = ev.older;
        } else if (newest == ev) {
            newest = ev.older;
        }
        ev.older = null;
        ev.newer = null;
    }
}
