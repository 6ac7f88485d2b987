package io.auditalert.metrics;

import java.util.Collection;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;

/**
 * Everything the pipeline counts, in one place, created once per process and handed to every stage.
 * The exporter reads it; the pipeline never depends on the exporter.
 */
public final class Telemetry {
    /** Records latencies in nanoseconds; the exporter installs one. */
    public interface LatencyRecorder {
        void record(long nanos);
    }

    /** The recorder in place while nothing exports latencies: callers may skip timing when they see it. */
    public static final LatencyRecorder NO_LATENCY = nanos -> {};

    public final PipelineStats pipeline = new PipelineStats();
    private final Map<String, RuleStats> rules = new ConcurrentHashMap<>();
    private final Map<String, SinkStats> sinks = new ConcurrentHashMap<>();
    /** Successful reloads (failed ones count in {@link #reloadFailures} only). */
    public final LongAdder reloads = new LongAdder();
    public final LongAdder reloadFailures = new LongAdder();
    public volatile boolean lastReloadOk = true;
    public volatile int rulesLoaded;
    /** Record arrival to rule verdict (auditalert_event_latency_seconds). */
    public volatile LatencyRecorder latency = NO_LATENCY;
    /** Ring occupancy, set by the ring's owner. */
    public volatile java.util.function.LongSupplier ringUsed = () -> 0;
    public volatile long ringCapacity;
    /** Bytes of the events in the ring, and the ring's bound on them ({@code ring.max_bytes}). */
    public volatile java.util.function.LongSupplier ringUsedBytes = () -> 0;
    public volatile long ringMaxBytes;
    /** Kernel serials that never arrived; the reader feeds it each completed kernel event's serial. */
    public final SerialGaps serialGaps = new SerialGaps();
    /** Set by the pipeline once it reads input; the metrics server's /-/ready answers 200 from then on. */
    public volatile boolean started;

    /** The rules a reload in progress asked for ({@link #startRuleLoad}); null when none is. */
    private java.util.Set<RuleStats> loading;
    /**
     * For {@link #alertsSinceStart}: the alerts of the rules {@link #keepOnlyRulesLoaded} retired before
     * the last reload, and the rules the last reload retired, still read (workers evaluating with the
     * old rules may add to them for a moment after the reload).
     */
    private long retiredRulesAlerted;
    private java.util.List<RuleStats> lastRetired = java.util.List.of();
    /** What the sinks {@link #retireSink retired} had lost: auditalert_dropped_total{stage="sink"} never goes down. */
    public final LongAdder retiredSinksLost = new LongAdder();

    public RuleStats rule(String name, String severity) {
        RuleStats r = rules.computeIfAbsent(name + '\u0000' + severity, k -> new RuleStats(name, severity));
        synchronized (this) {
            if (loading != null) {
                loading.add(r);
            }
        }
        return r;
    }

    /** A reload starts loading rules: {@link #keepOnlyRulesLoaded} then drops the counters of the others. */
    public synchronized void startRuleLoad() {
        loading = java.util.Collections.newSetFromMap(new java.util.IdentityHashMap<>());
    }

    /**
     * The reload put its rules in force: the counters of rules it did not load (removed, renamed, or with
     * another severity) stop being exported, instead of staying frozen for the life of the process.
     */
    public synchronized void keepOnlyRulesLoaded() {
        if (loading != null) {
            java.util.Set<RuleStats> keep = loading;
            for (RuleStats r : lastRetired) { // the reload before this one is long over: their counts are final
                retiredRulesAlerted += r.alerted.sum();
            }
            java.util.List<RuleStats> retired = new java.util.ArrayList<>();
            rules.values().removeIf(r -> !keep.contains(r) && retired.add(r));
            lastRetired = retired;
            loading = null;
        }
    }

    /** The reload failed: the rules in force stay, and so do their counters. */
    public synchronized void abandonRuleLoad() {
        loading = null;
    }

    /**
     * A sink a reload removed has stopped, and no running sink has its name and type: its counters stop
     * being exported; what it lost stays in the total of auditalert_dropped_total{stage="sink"}.
     */
    public void retireSink(SinkStats stats) {
        synchronized (retiredSinksLost) { // with sinksLost: a scrape never sees the sink in neither place
            if (sinks.values().remove(stats)) {
                retiredSinksLost.add(stats.lost());
            }
        }
    }

    /** Alerts since the start: those of the rules in force and of the rules reloads retired. */
    public long alertsSinceStart() {
        synchronized (this) { // with keepOnlyRulesLoaded: a rule is never counted in both places or neither
            long n = retiredRulesAlerted;
            for (RuleStats r : lastRetired) {
                n += r.alerted.sum();
            }
            for (RuleStats r : rules.values()) {
                n += r.alerted.sum();
            }
            return n;
        }
    }

    /** What every sink, running or retired, has lost: the value of auditalert_dropped_total{stage="sink"}. */
    public long sinksLost() {
        synchronized (retiredSinksLost) {
            long n = retiredSinksLost.sum();
            for (SinkStats s : sinks.values()) {
                n += s.lost();
            }
            return n;
        }
    }

    public Collection<RuleStats> rules() {
        return rules.values();
    }

    /**
     * The counters of the sink with this name and type: a sink a reload replaces by one of the same name
     * and type continues its series; one whose type changed starts a series of its own (its type label
     * would otherwise stay the old one's).
     */
    public SinkStats sink(String name, String type) {
        String key = name + '\0' + type;
        SinkStats s = sinks.get(key);
        if (s != null) {
            return s;
        }
        SinkStats made = new SinkStats(name, type);
        s = sinks.putIfAbsent(key, made);
        if (s != null) {
            return s;
        }
        sinkAdded.run();
        return made;
    }

    /**
     * Told when a sink's counters are first made, so the exporter registers its meters at once: its
     * delivery latency is timed from its first alert, not from the next scrape.
     */
    public volatile Runnable sinkAdded = () -> {};

    /**
     * The counters of a sink with this name, whatever its type (the only ones unless a reload changed
     * the type), or null: for tests and tools that know a sink by name.
     */
    public SinkStats sinkNamed(String name) {
        for (SinkStats s : sinks.values()) {
            if (s.sink.equals(name)) {
                return s;
            }
        }
        return null;
    }

    public Collection<SinkStats> sinks() {
        return sinks.values();
    }
}
