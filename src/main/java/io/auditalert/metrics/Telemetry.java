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
    /** Records latencies (record arrival to rule verdict) in nanoseconds; the exporter installs one. */
    public interface LatencyRecorder {
        void record(long nanos);
    }

    public final PipelineStats pipeline = new PipelineStats();
    private final Map<String, RuleStats> rules = new ConcurrentHashMap<>();
    private final Map<String, SinkStats> sinks = new ConcurrentHashMap<>();
    /** Successful reloads (failed ones count in {@link #reloadFailures} only). */
    public final LongAdder reloads = new LongAdder();
    public final LongAdder reloadFailures = new LongAdder();
    public volatile boolean lastReloadOk = true;
    public volatile int rulesLoaded;
    public volatile LatencyRecorder latency = nanos -> {};
    /** Ring occupancy, set by the ring's owner. */
    public volatile java.util.function.LongSupplier ringUsed = () -> 0;
    public volatile long ringCapacity;
    /** Kernel serials that never arrived; the reader feeds it each completed kernel event's serial. */
    public final SerialGaps serialGaps = new SerialGaps();
    /** Set by the pipeline once it reads input; the metrics server's /-/ready answers 200 from then on. */
    public volatile boolean started;

    public RuleStats rule(String name, String severity) {
        return rules.computeIfAbsent(name + '\u0000' + severity, k -> new RuleStats(name, severity));
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
        return sinks.computeIfAbsent(name + '\0' + type, k -> new SinkStats(name, type));
    }

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
