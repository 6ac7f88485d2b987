package io.auditalert.pipeline;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Sink;
import io.auditalert.assemble.AuditEvent;
import io.auditalert.interp.Interpreter;
import io.auditalert.json.EventJson;
import io.auditalert.json.JsonBytes;
import io.auditalert.metrics.Telemetry;
import io.auditalert.parse.ByteBuf;
import io.auditalert.parse.Values;
import io.auditalert.ring.WorkerPool;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a worker does with one event: skip it when auditalert itself caused it, evaluate the rules,
 * pass each match through the throttle, render the alert (with the event) and offer it to every sink
 * that wants it; forward the event itself to sinks that take events. The rules and sinks form a
 * {@link Snapshot} swapped atomically on reload, so a worker always sees one consistent set.
 */
public final class AlertStage implements WorkerPool.Handler {
    /** Rules and sinks in force together. */
    public static final class Snapshot {
        /** A stand-in forwarded event, to ask each sink once whether it takes events at all. */
        private static final Alert EVENT_PROBE = new Alert("", 0, null, null, null, List.of(), null, 0, List.of(),
                Map.of(), 0, new byte[0], 0);

        final RuleEngine rules;
        final List<Sink> sinks;
        final boolean forwardsEvents;
        /** Whether any sink reads {@link Alert#fields()}; alerts carry an empty map otherwise. */
        final boolean fields;

        public Snapshot(RuleEngine rules, List<Sink> sinks) {
            this.rules = rules;
            this.sinks = List.copyOf(sinks);
            boolean any = false;
            boolean fields = false;
            for (Sink sink : sinks) {
                any |= sink.accepts(EVENT_PROBE);
                fields |= sink.usesFields();
            }
            this.forwardsEvents = any;
            this.fields = fields;
        }

        public RuleEngine rules() {
            return rules;
        }

        public List<Sink> sinks() {
            return sinks;
        }
    }

    private static final byte[] PID = "pid".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] PPID = "ppid".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] KEY = "key".getBytes(StandardCharsets.US_ASCII);
    private static final String[] ALERT_FIELDS = {"auid", "uid", "euid", "pid", "ppid", "comm", "exe", "syscall",
        "success", "exit", "tty", "ses", "hostname", "addr", "terminal", "acct", "res"};
    private static final byte[][] ALERT_FIELD_BYTES = new byte[ALERT_FIELDS.length][];

    static {
        for (int i = 0; i < ALERT_FIELDS.length; i++) {
            ALERT_FIELD_BYTES[i] = ALERT_FIELDS[i].getBytes(StandardCharsets.US_ASCII);
        }
    }

    private static final Logger LOG = LoggerFactory.getLogger(AlertStage.class);

    private final Telemetry telemetry;
    private final ThrottleGate throttle;
    private final boolean live;
    private final io.auditalert.sys.SelfProcesses selves = io.auditalert.sys.SelfProcesses.INSTANCE;
    private final AtomicReference<Snapshot> snapshot;
    private final Worker[] workers;

    /** @param threads the number of threads that call {@link #handle} (worker ids 0..threads-1) */
    public AlertStage(Snapshot initial, ThrottleGate throttle, Telemetry telemetry, int threads, boolean live) {
        this.snapshot = new AtomicReference<>(initial);
        this.throttle = throttle;
        this.telemetry = telemetry;
        this.live = live;
        this.workers = new Worker[Math.max(1, threads)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new Worker();
        }
    }

    public Snapshot snapshot() {
        return snapshot.get();
    }

    /**
     * Puts a new snapshot in force; returns the old one (its sinks are the caller's to close, after
     * {@link #awaitRelease}).
     */
    public Snapshot swap(Snapshot next) {
        return snapshot.getAndSet(next);
    }

    /**
     * Waits, up to the timeout, until no thread is still handling an event under {@code old} (one it
     * took before the {@link #swap}); a sink only the old snapshot had can then be closed without an
     * alert reaching it after. False when the timeout passed first.
     */
    public boolean awaitRelease(Snapshot old, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        for (Worker w : workers) {
            while (w.snap == old) {
                if (System.nanoTime() - deadline > 0) {
                    return false;
                }
                LockSupport.parkNanos(1_000_000);
            }
        }
        return true;
    }

    @Override
    public void handle(AuditEvent ev, int worker) {
        if (live && isSelf(ev)) {
            telemetry.pipeline.selfEvents.increment();
            return;
        }
        Worker w = workers[worker];
        w.event = ev;
        Snapshot snap;
        do { // published before it is used, so awaitRelease sees every thread still on an old one
            snap = snapshot.get();
            w.snap = snap;
        } while (snap != snapshot.get());
        try {
            try {
                snap.rules.evaluate(ev, worker, w);
            } catch (RuntimeException | Error e) {
                // one event that breaks a rule or a sink must not end the worker (in replay, the reader):
                // the events after it still get their alerts, and this one its other rules' and forwarding
                failed(ev, e);
            }
            if (snap.forwardsEvents) {
                w.forward(ev, snap);
            }
        } catch (RuntimeException | Error e) {
            failed(ev, e);
        } finally {
            w.event = null;
            w.snap = null;
        }
        Telemetry.LatencyRecorder latency = telemetry.latency;
        if (latency != Telemetry.NO_LATENCY && ev.firstArrivalNanos() != 0) {
            latency.record(System.nanoTime() - ev.firstArrivalNanos());
        }
    }

    private final java.util.concurrent.atomic.AtomicLong renderFailures = new java.util.concurrent.atomic.AtomicLong();

    /** Logs an output that could not be rendered: the first time and every 1000th after it. */
    private void renderFailed(String rule, AuditEvent ev, Throwable e) {
        long n = renderFailures.incrementAndGet();
        if (n == 1 || n % 1000 == 0) {
            LOG.error("rule '{}': the output for event {} could not be rendered; alerted without it ({} so far)",
                    rule, ev.serial(), n, e);
        }
    }

    /** Counts an event whose evaluation threw; logs the first failure and every 1000th after it. */
    private void failed(AuditEvent ev, Throwable e) {
        LongAdder failures = telemetry.pipeline.evaluationFailures;
        failures.increment();
        long n = failures.sum();
        if (n == 1 || n % 1000 == 0) {
            LOG.error("event {} could not be evaluated fully: the alert of a rule that failed on it is lost ({} so far;"
                    + " counted in auditalert_dropped_total{stage=\"evaluation\"}); going on", ev.serial(), n, e);
        }
    }

    /**
     * Live input only: events of auditalert's own process, of the commands its exec sinks start and of
     * what those start ({@link io.auditalert.sys.SelfProcesses}) are not evaluated. In a replayed log a pid equal to ours is a coincidence.
     */
    private boolean isSelf(AuditEvent ev) {
        // the SYSCALL record's process and parent; an event without one (a user-space message such as
        // sudo's USER_CMD from a sink's command) by its first record's pid
        int r = ev.findRecord(io.auditalert.parse.RecordTypes.SYSCALL);
        boolean syscall = r >= 0;
        if (!syscall) {
            if (ev.recordCount() == 0) {
                return false;
            }
            r = 0;
        }
        byte[] b = ev.buffer();
        int pid = ev.find(r, PID);
        int ppid = syscall ? ev.find(r, PPID) : -1;
        return selves.isOwn(pid < 0 ? -1 : Values.parseDecimal(b, ev.valOff(pid), ev.valLen(pid)),
                ppid < 0 ? -1 : Values.parseDecimal(b, ev.valOff(ppid), ev.valLen(ppid)), ev.sec() * 1000 + ev.milli());
    }

    /** Per-thread scratch and the match callback. */
    private final class Worker implements RuleEngine.Matches {
        final ByteBuf out = new ByteBuf(256);
        final ByteBuf key = new ByteBuf(128);
        final ByteBuf json = new ByteBuf(4096);
        final ByteBuf value = new ByteBuf(256);
        final EventJson eventJson = new EventJson(new Interpreter());
        AuditEvent event;
        /** The snapshot this thread evaluates an event under, null between events. */
        volatile Snapshot snap;

        @Override
        public void match(RuleEngine.Match m, AuditEvent ev) {
            // the rule engine counts matches; this stage counts what its throttle suppresses
            long suppressedBefore = 0;
            if (m.throttleWindowMillis() > 0) {
                key.clear();
                m.throttleKey(ev, key);
                suppressedBefore = throttle.admit(m.rule(), key.toLatin1String(), ev.epochMillis(), m.throttleWindowMillis());
                if (suppressedBefore == ThrottleGate.SUPPRESSED) {
                    m.stats().suppressed.increment();
                    return;
                }
            }
            m.stats().alerted.increment();
            String output;
            try {
                out.clear();
                m.renderOutput(ev, out);
                output = out.toUtf8String();
            } catch (RuntimeException | StackOverflowError e) {
                // the alert goes out without its output rather than not at all (no value of it is shown)
                output = "(the output of rule " + m.rule() + " could not be rendered: " + e.getClass().getSimpleName() + ")";
                renderFailed(m.rule(), ev, e);
            }
            Alert alert = buildAlert(m, ev, output, suppressedBefore);
            for (Sink sink : snap.sinks) {
                if (sink.accepts(alert)) {
                    sink.offer(alert);
                }
            }
        }

        void forward(AuditEvent ev, Snapshot s) {
            json.clear();
            eventJson.write(ev, json);
            Alert item = new Alert(eventId(ev), ev.epochMillis(), null, null, null, List.of(), ev.nodeString(),
                    ev.serial(), keys(ev), Map.of(), 0, json.toByteArray(), ev.firstArrivalNanos());
            for (Sink sink : s.sinks) {
                if (sink.accepts(item)) {
                    sink.offer(item);
                }
            }
        }

        private Alert buildAlert(RuleEngine.Match m, AuditEvent ev, String output, long suppressedBefore) {
            String id = alertId(ev, m.rule());
            List<String> keys = keys(ev);
            json.clear();
            json.putLatin1("{\"id\":");
            JsonBytes.string(json, id);
            json.putLatin1(",\"time\":");
            JsonBytes.isoTime(json, ev.epochMillis());
            json.putLatin1(",\"rule\":");
            JsonBytes.string(json, m.rule());
            json.putLatin1(",\"severity\":");
            JsonBytes.string(json, m.severity().label());
            json.putLatin1(",\"output\":");
            JsonBytes.string(json, output);
            json.putLatin1(",\"tags\":");
            stringArray(json, m.tags());
            json.putLatin1(",\"node\":");
            if (ev.hasNode()) {
                JsonBytes.string(json, ev.buffer(), ev.nodeOff(), ev.nodeLen());
            } else {
                json.putLatin1("null");
            }
            json.putLatin1(",\"serial\":").putLong(ev.serial());
            json.putLatin1(",\"keys\":");
            stringArray(json, keys);
            if (suppressedBefore > 0) {
                json.putLatin1(",\"suppressed\":").putLong(suppressedBefore);
            }
            json.putLatin1(",\"event\":");
            eventJson.write(ev, json);
            json.put((byte) '}');
            return new Alert(id, ev.epochMillis(), m.rule(), m.severity(), output, m.tags(), ev.nodeString(),
                    ev.serial(), keys, snap.fields ? alertFields(ev) : Map.of(), suppressedBefore, json.toByteArray(),
                    ev.firstArrivalNanos());
        }

        /** Decoded values of the fields sinks may structure (syslog SD, Alertmanager labels). */
        private Map<String, String> alertFields(AuditEvent ev) {
            Map<String, String> fields = new LinkedHashMap<>();
            byte[] b = ev.buffer();
            for (int i = 0; i < ALERT_FIELDS.length; i++) {
                String name = ALERT_FIELDS[i];
                int f = ev.find(ALERT_FIELD_BYTES[i]);
                if (f < 0) {
                    continue;
                }
                int off = ev.valOff(f);
                int len = ev.valLen(f);
                if (name.equals("comm") || name.equals("exe") || name.equals("acct") || name.equals("hostname")) {
                    Values.decodeEscaped(b, off, len, value);
                    fields.put(name, value.toUtf8String());
                } else {
                    fields.put(name, new String(b, Values.unquotedOff(b, off, len), Values.unquotedLen(b, off, len),
                            StandardCharsets.ISO_8859_1));
                }
            }
            return Collections.unmodifiableMap(fields);
        }

        private List<String> keys(AuditEvent ev) {
            List<String> keys = null;
            byte[] b = ev.buffer();
            for (int r = 0; r < ev.recordCount(); r++) {
                if (!ev.mayHaveKey(r)) {
                    continue;
                }
                for (int f = ev.firstField(r); f < ev.endField(r); f++) {
                    if (ev.nameIs(f, KEY) && !Values.isAbsent(b, ev.valOff(f), ev.valLen(f))) {
                        Values.decodeEscaped(b, ev.valOff(f), ev.valLen(f), value);
                        String k = value.toUtf8String();
                        if (keys == null) {
                            keys = new ArrayList<>(2);
                        }
                        if (!keys.contains(k)) {
                            keys.add(k);
                        }
                    }
                }
            }
            return keys == null ? List.of() : List.copyOf(keys);
        }
    }

    private static void stringArray(ByteBuf json, List<String> items) {
        json.put((byte) '[');
        for (int i = 0; i < items.size(); i++) {
            if (i > 0) {
                json.put((byte) ',');
            }
            JsonBytes.string(json, items.get(i));
        }
        json.put((byte) ']');
    }

    /**
     * A stable id from the event's identity and the rule: the same alert gets the same id on every
     * retry, after a restart from the spool, and when the same log is replayed again.
     */
    static String alertId(AuditEvent ev, String rule) {
        long h1 = 0x243F6A8885A308D3L;
        long h2 = 0x13198A2E03707344L;
        h1 = mix(h1, ev.sec());
        h2 = mix(h2, ev.milli());
        h1 = mix(h1, ev.serial());
        if (ev.hasNode()) {
            byte[] b = ev.buffer();
            for (int i = ev.nodeOff(); i < ev.nodeOff() + ev.nodeLen(); i++) {
                h2 = mix(h2, b[i]);
            }
        }
        for (int i = 0; i < rule.length(); i++) {
            h1 = mix(h1, rule.charAt(i));
            h2 = mix(h2, rule.charAt(i) * 31L);
        }
        h1 = mix(h1, h2);
        h2 = mix(h2, h1);
        char[] id = new char[32];
        for (int i = 0; i < 16; i++) {
            id[i] = HEX[(int) (h1 >>> (60 - 4 * i)) & 0xF];
            id[16 + i] = HEX[(int) (h2 >>> (60 - 4 * i)) & 0xF];
        }
        return new String(id);
    }

    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private static String eventId(AuditEvent ev) {
        return alertId(ev, "");
    }

    private static long mix(long h, long v) {
        h ^= v + 0x9E3779B97F4A7C15L + (h << 6) + (h >>> 2);
        h *= 0xBF58476D1CE4E5B9L;
        return h ^ (h >>> 31);
    }
}
