package io.auditalert.metrics;

import io.auditalert.parse.RecordHeader;
import io.auditalert.parse.RecordTypes;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

/**
 * Exports a {@link Telemetry} as the meters of DESIGN §3.5. Fixed meters are registered in the
 * constructor; meters whose label values appear at run time (record types, rules, sinks, kernel status
 * once known) are registered by {@link #refresh()}, which the server calls before each scrape, and
 * which {@link Telemetry#sinkAdded} calls as soon as a sink's counters are made. Counters are {@link
 * FunctionCounter}s reading the pipeline's own fields: nothing here runs on the hot path except {@link
 * Telemetry#latency} and each sink's {@link SinkStats#deliveryLatency}.
 */
public final class TelemetryMeters {
    /** Latency buckets, 100 µs to 10 s. */
    static final Duration[] LATENCY_BUCKETS = {
        Duration.ofNanos(100_000), Duration.ofNanos(250_000), Duration.ofNanos(500_000),
        Duration.ofMillis(1), Duration.ofNanos(2_500_000), Duration.ofMillis(5), Duration.ofMillis(10),
        Duration.ofMillis(25), Duration.ofMillis(50), Duration.ofMillis(100), Duration.ofMillis(250),
        Duration.ofMillis(500), Duration.ofSeconds(1), Duration.ofMillis(2500), Duration.ofSeconds(5),
        Duration.ofSeconds(10)
    };
    /**
     * Delivery latency buckets: the same, and up to 5 minutes, since a delivery also waits out a
     * peer's outage, retries and an email sink's interval.
     */
    static final Duration[] DELIVERY_BUCKETS =
            appended(LATENCY_BUCKETS, Duration.ofSeconds(30), Duration.ofMinutes(1), Duration.ofMinutes(5));

    static final String OTHER_TYPE = "other";

    private final MeterRegistry registry;
    private final Telemetry t;
    private final PipelineStats p;
    private final boolean[] typeRegistered = new boolean[PipelineStats.MAX_TYPE + 1];
    /** The meters of each rule's and sink's counters, to remove once a reload retired it. */
    private final Map<Object, List<Meter>> metersOf = new IdentityHashMap<>();
    /** Where {@link #counter} and {@link #gauge} put the meters they register, while registering a rule's or sink's. */
    private List<Meter> collecting;
    private boolean kernelRegistered;
    private final Timer latency;
    /** What this exporter installed in the telemetry, for {@link #detach}. */
    private final Telemetry.LatencyRecorder eventLatency;
    private final Runnable sinkAdded;
    private final Map<SinkStats, Telemetry.LatencyRecorder> deliveryLatency = new IdentityHashMap<>();

    public TelemetryMeters(MeterRegistry registry, Telemetry telemetry) {
        this.registry = registry;
        this.t = telemetry;
        this.p = telemetry.pipeline;
        registerPipeline();
        registerEngine();
        latency = latencyTimer("auditalert.event.latency",
                "Time from the arrival of an event's first record to the rules' verdict on it", LATENCY_BUCKETS)
                .register(registry);
        Timer timer = latency;
        telemetry.latency = eventLatency = nanos -> timer.record(nanos, TimeUnit.NANOSECONDS);
        telemetry.sinkAdded = sinkAdded = this::refresh;
        refresh();
    }

    /**
     * The exporter closes: nothing reads its timers any more, so the hot path stops timing (unless
     * another exporter installed its own recorders since).
     */
    public synchronized void detach() {
        if (t.latency == eventLatency) {
            t.latency = Telemetry.NO_LATENCY;
        }
        if (t.sinkAdded == sinkAdded) {
            t.sinkAdded = () -> {};
        }
        deliveryLatency.forEach((s, recorder) -> {
            if (s.deliveryLatency == recorder) {
                s.deliveryLatency = Telemetry.NO_LATENCY;
            }
        });
        deliveryLatency.clear();
    }

    /** Registers meters for record types, rules, sinks and kernel status that appeared since the last call. */
    public synchronized void refresh() {
        long[] byType = p.recordsByType;
        for (int i = 0; i < byType.length; i++) {
            if (!typeRegistered[i] && byType[i] != 0) {
                typeRegistered[i] = true;
                int index = i;
                counter("auditalert.records", "Audit records read, by record type", null,
                        p, s -> s.recordsByType[index], "type", typeLabel(i));
            }
        }
        List<RuleStats> rules = new ArrayList<>(t.rules());
        List<SinkStats> sinks = new ArrayList<>(t.sinks());
        Set<Object> current = Collections.newSetFromMap(new IdentityHashMap<>());
        current.addAll(rules);
        current.addAll(sinks);
        // rules and sinks a reload retired: their series end. Removed before the new ones are registered: a
        // rule or sink that a reload removed and a later one brought back, with no scrape between them, has new
        // counters under the same names and labels, and the registry would hand back the retired meters
        // (reading the old counters), which this loop would then remove.
        for (java.util.Iterator<Map.Entry<Object, List<Meter>>> it = metersOf.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<Object, List<Meter>> e = it.next();
            if (!current.contains(e.getKey())) {
                e.getValue().forEach(registry::remove);
                deliveryLatency.remove(e.getKey());
                it.remove();
            }
        }
        for (RuleStats r : rules) {
            registerOnce(r, () -> registerRule(r));
        }
        for (SinkStats s : sinks) {
            registerOnce(s, () -> registerSink(s));
        }
        if (!kernelRegistered && p.kernelLost >= 0) {
            kernelRegistered = true;
            counter("auditalert.kernel.lost", "Records the kernel's audit subsystem lost (auditctl -s: lost)",
                    null, p, s -> Math.max(0, s.kernelLost));
            gauge("auditalert.kernel.backlog", "Records queued in the kernel for the audit daemon (auditctl -s: backlog)",
                    null, p, s -> s.kernelBacklog < 0 ? Double.NaN : s.kernelBacklog);
            gauge("auditalert.kernel.backlog.limit",
                    "The kernel's audit backlog limit (auditctl -s: backlog_limit)",
                    null, p, s -> s.kernelBacklogLimit < 0 ? Double.NaN : s.kernelBacklogLimit);
        }
    }

    /** Registers the meters of a rule's or sink's counters unless they are, keeping them to remove later. */
    private void registerOnce(Object stats, Runnable register) {
        if (!metersOf.containsKey(stats)) {
            collecting = new ArrayList<>();
            register.run();
            metersOf.put(stats, collecting);
            collecting = null;
        }
    }

    static String typeLabel(int type) {
        if (type >= PipelineStats.MAX_TYPE) {
            return OTHER_TYPE;
        }
        String name = RecordTypes.name(type);
        return name != null ? name : Integer.toString(type);
    }

    private void registerPipeline() {
        counter("auditalert.read", "Bytes read from the audit stream", "bytes", p, s -> s.bytesRead);
        counter("auditalert.lines", "Lines read from the audit stream", null, p, s -> s.lines);
        counter("auditalert.events", "Events assembled (those a full ring dropped included: auditalert_dropped_total{stage=\"ring\"})",
                null, p, s -> s.events);
        for (int i = 1; i < RecordHeader.REASONS.length; i++) {
            int index = i;
            counter("auditalert.parse.errors", "Lines skipped because they could not be parsed, by reason", null,
                    p, s -> s.parseErrors[index], "reason", RecordHeader.REASONS[i]);
        }
        String completed = "Events completed by the assembler, by what completed them "
                + "(evicted_* are forced early flushes)";
        counter("auditalert.events.completed", completed, null, p, s -> s.completedByEoe, "reason", "eoe");
        counter("auditalert.events.completed", completed, null, p, s -> s.completedByType, "reason", "last_type");
        counter("auditalert.events.completed", completed, null, p, s -> s.completedByTimeout, "reason", "timeout");
        counter("auditalert.events.completed", completed, null, p, s -> s.completedAtEnd, "reason", "end_of_input");
        counter("auditalert.events.completed", completed, null, p, s -> s.evictedInflight,
                "reason", "evicted_inflight");
        counter("auditalert.events.completed", completed, null, p, s -> s.evictedBytes, "reason", "evicted_bytes");
        counter("auditalert.eoe.swallowed", "EOE records that arrived after their event was complete", null,
                p, s -> s.eoeSwallowed);
        counter("auditalert.self.events", "Events caused by auditalert's own processes, not evaluated", null,
                p, s -> s.selfEvents.sum());
        gauge("auditalert.inflight.events", "Events being assembled (records seen, not yet complete)", null,
                p, s -> s.inflight);

        String dropped = "Items lost or cut short between the kernel and the sinks, by stage: syscall_record (events "
                + "that arrived without their SYSCALL record: auditd's dispatcher dropped it, or the kernel's backlog did), relay (records), "
                + "held_no_config (records read while a configuration that failed at start-up held the plugin), "
                + "line_too_long (lines), assembly_evicted and assembly_truncated (events), ring (events), "
                + "evaluation (events whose rules failed to run), sink (alerts)";
        counter("auditalert.dropped", dropped, null, p, s -> s.eventsWithoutSyscall, "stage", "syscall_record");
        counter("auditalert.dropped", dropped, null, p, s -> s.relayDroppedRecords, "stage", "relay");
        counter("auditalert.dropped", dropped, null, p, s -> s.heldDroppedRecords, "stage", "held_no_config");
        counter("auditalert.dropped", dropped, null, p, s -> s.linesTooLong, "stage", "line_too_long");
        counter("auditalert.dropped", dropped, null, p, s -> s.evictedInflight + s.evictedBytes,
                "stage", "assembly_evicted");
        counter("auditalert.dropped", dropped, null, p, s -> s.truncatedEvents, "stage", "assembly_truncated");
        counter("auditalert.dropped", dropped, null, p, s -> s.ringDropped, "stage", "ring");
        counter("auditalert.dropped", dropped, null, p, s -> s.evaluationFailures.sum(), "stage", "evaluation");
        counter("auditalert.dropped", dropped, null, t, Telemetry::sinksLost, "stage", "sink");
        counter("auditalert.serial.gaps", "Kernel event serial numbers that never arrived (lost upstream of the "
                + "plugin: kernel, auditd or its dispatcher), counted once out of the reorder window", null,
                t, x -> x.serialGaps.total());
        counter("auditalert.relay.dropped", "Bytes the native relay dropped because the JVM did not keep up",
                "bytes", p, s -> s.relayDroppedBytes);
        counter("auditalert.ring.blocked", "Times the reader waited for room in the ring", null,
                p, s -> s.ringBlocked);
    }

    private void registerEngine() {
        gauge("auditalert.ring.capacity", "Slots in the ring between the reader and the rule workers", null,
                t, x -> x.ringCapacity);
        gauge("auditalert.ring.used", "Slots in the ring holding events not yet taken by a worker", null,
                t, x -> x.ringUsed.getAsLong());
        // the ring is full at either bound: large events (long command lines) fill ring.max_bytes first
        // named whole: a base unit would give the slots' gauge auditalert.ring.used a twin of the same id
        gauge("auditalert.ring.max.bytes", "The ring's bound on the bytes of the events it holds (ring.max_bytes)",
                null, t, x -> x.ringMaxBytes);
        gauge("auditalert.ring.used.bytes", "Bytes of the events in the ring not yet taken by a worker", null,
                t, x -> x.ringUsedBytes.getAsLong());
        counter("auditalert.reloads", "Rule and configuration reloads, by result", null,
                t, x -> x.reloads.sum(), "result", "success");
        counter("auditalert.reloads", "Rule and configuration reloads, by result", null,
                t, x -> x.reloadFailures.sum(), "result", "failure");
        gauge("auditalert.config.last.reload.successful", "1 if the last reload succeeded, 0 if it failed", null,
                t, x -> x.lastReloadOk ? 1 : 0);
        gauge("auditalert.rules.loaded", "Rules in the running rule set", null, t, x -> x.rulesLoaded);
    }

    private void registerRule(RuleStats r) {
        String[] tags = {"rule", r.rule, "severity", r.severity};
        counter("auditalert.alerts", "Alerts raised, by rule and severity (matches less throttled ones)", null,
                r, x -> x.alerted.sum(), tags);
        counter("auditalert.rule.matches", "Events that satisfied a rule and none of its exceptions", null,
                r, x -> x.matches.sum(), tags);
        counter("auditalert.rule.suppressed", "Matches not alerted because the rule's throttle was closed", null,
                r, x -> x.suppressed.sum(), tags);
        counter("auditalert.rule.excepted", "Matches cancelled by one of the rule's exceptions", null,
                r, x -> x.excepted.sum(), tags);
        counter("auditalert.rule.regex.runaways", "Evaluations whose regular expression gave up (too many steps, or"
                + " recursion too deep); the event is alerted", null, r, x -> x.regexRunaways.sum(), tags);
        counter("auditalert.rule.evaluations", "Events a rule was evaluated on", null,
                r, x -> x.evaluations.sum(), tags);
        counter("auditalert.rule.evaluation", "Time spent evaluating a rule", "seconds",
                r, x -> x.evaluationNanos.sum() / 1e9, tags);
    }

    private void registerSink(SinkStats s) {
        String[] tags = {"sink", s.sink, "type", s.type};
        counter("auditalert.sink.deliveries", "Alerts a sink's peer accepted", null, s, x -> x.delivered.sum(), tags);
        String failures = "Failed delivery attempts, by kind: transient (retried) or permanent (given up)";
        counter("auditalert.sink.failures", failures, null, s,
                x -> x.transientFailures.sum(),
                "sink", s.sink, "type", s.type, "kind", "transient");
        counter("auditalert.sink.failures", failures, null, s, x -> x.permanentFailures.sum(),
                "sink", s.sink, "type", s.type, "kind", "permanent");
        counter("auditalert.sink.retries", "Delivery retries", null, s, x -> x.retries.sum(), tags);
        counter("auditalert.sink.dropped", "Alerts a sink lost: refused for good by its peer, or dropped (queue or "
                + "spool full, undelivered at close)", null, s, SinkStats::lost, tags);
        counter("auditalert.sink.rate.limited", "Alerts held back by a sink's rate limit", null,
                s, x -> x.rateLimited.sum(), tags);
        gauge("auditalert.sink.pending", "Alerts waiting in a sink's queue and spool", null,
                s, x -> x.pending.getAsLong(), tags);
        Timer delivery = latencyTimer("auditalert.sink.delivery.latency", "Time from the arrival of the first "
                + "record of an alert's event to the sink's peer accepting the alert (or the forwarded event); alerts "
                + "read back from a spool an earlier process wrote are not timed", DELIVERY_BUCKETS)
                .tags(tags).register(registry);
        collecting.add(delivery);
        Telemetry.LatencyRecorder recorder = nanos -> delivery.record(nanos, TimeUnit.NANOSECONDS);
        s.deliveryLatency = recorder;
        deliveryLatency.put(s, recorder);
    }

    private static Duration[] appended(Duration[] buckets, Duration... more) {
        Duration[] out = Arrays.copyOf(buckets, buckets.length + more.length);
        System.arraycopy(more, 0, out, buckets.length, more.length);
        return out;
    }

    private static Timer.Builder latencyTimer(String name, String help, Duration[] buckets) {
        return Timer.builder(name)
                .description(help)
                .serviceLevelObjectives(buckets)
                .minimumExpectedValue(buckets[0])
                .maximumExpectedValue(buckets[buckets.length - 1]);
    }

    private <T> void counter(String name, String help, String unit, T obj, ToDoubleFunction<T> f, String... tags) {
        Meter m = FunctionCounter.builder(name, obj, f).description(help).baseUnit(unit).tags(tags).register(registry);
        if (collecting != null) {
            collecting.add(m);
        }
    }

    private <T> void gauge(String name, String help, String unit, T obj, ToDoubleFunction<T> f, String... tags) {
        Meter m = Gauge.builder(name, obj, f).description(help).baseUnit(unit).tags(tags).strongReference(true)
                .register(registry);
        if (collecting != null) {
            collecting.add(m);
        }
    }
}
