package io.auditalert.rules;

import io.auditalert.alert.Severity;
import io.auditalert.assemble.AuditEvent;
import io.auditalert.metrics.RuleStats;
import io.auditalert.parse.ByteBuf;
import java.util.List;

/**
 * One loaded rule: its metadata for alerts (name, severity, tags, throttle), its compiled condition
 * and exceptions, and its output template. Immutable and shared by all workers.
 */
public final class CompiledRule {
    private static final ThreadLocal<EvalScratch> RENDER_SCRATCH = ThreadLocal.withInitial(EvalScratch::new);

    private final String name;
    private final String description;
    private final Severity severity;
    private final List<String> tags;
    private final boolean enabled;
    final Condition condition;
    final Condition[] exceptions;
    private final OutputTemplate output;
    private final List<String> throttleKeyNames;
    private final Field[] throttleKeyFields;
    private final long throttleWindowMillis;
    final RuleStats stats;
    private final Redactor redactor;
    private final String source;
    /** Position in the rule set, set by {@link RuleSet}. */
    int index = -1;
    /** Index masks set by {@link RuleSet}: 0 means "no requirement". */
    long typeMask;
    long keyMask;

    CompiledRule(String name, String description, Severity severity, List<String> tags, boolean enabled,
            Condition condition, Condition[] exceptions, OutputTemplate output, List<String> throttleKeyNames,
            Field[] throttleKeyFields, long throttleWindowMillis, RuleStats stats, Redactor redactor,
            String source) {
        this.name = name;
        this.description = description;
        this.severity = severity;
        this.tags = List.copyOf(tags);
        this.enabled = enabled;
        this.condition = condition;
        this.exceptions = exceptions;
        this.output = output;
        this.throttleKeyNames = List.copyOf(throttleKeyNames);
        this.throttleKeyFields = throttleKeyFields;
        this.throttleWindowMillis = throttleWindowMillis;
        this.stats = stats;
        this.redactor = redactor;
        this.source = source;
    }

    public String name() {
        return name;
    }

    /** The same as {@link #name()}, under the name the alert stage's {@code RuleEngine.Match} uses. */
    public String rule() {
        return name;
    }

    /**
     * The rule's position in {@link RuleSet#rules()}: lets an adapter keep one pre-built wrapper per
     * rule in an array instead of allocating per match.
     */
    public int index() {
        return index;
    }

    /** The {@code desc}, or an empty string. */
    public String description() {
        return description;
    }

    public Severity severity() {
        return severity;
    }

    public List<String> tags() {
        return tags;
    }

    public boolean enabled() {
        return enabled;
    }

    /** Where the rule was defined, {@code FILE:LINE}. */
    public String source() {
        return source;
    }

    /** Whether the rule has a {@code throttle}. */
    public boolean throttled() {
        return throttleWindowMillis > 0;
    }

    /** The throttle's key fields as written (may be empty: one bucket for the whole rule). */
    public List<String> throttleKeyFields() {
        return throttleKeyNames;
    }

    /** The throttle window in milliseconds of event time; 0 when the rule has no throttle. */
    public long throttleWindowMillis() {
        return throttleWindowMillis;
    }

    /** The rule's counters (matches, excepted, evaluations; the alert stage counts suppressed). */
    public RuleStats stats() {
        return stats;
    }

    /** Appends the rendered output (template expanded with decoded values, secrets masked) to out. */
    public void renderOutput(AuditEvent ev, ByteBuf out) {
        renderOutput(ev, RENDER_SCRATCH.get(), out);
    }

    /** As {@link #renderOutput(AuditEvent, ByteBuf)}, with the caller's scratch. */
    public void renderOutput(AuditEvent ev, EvalScratch scratch, ByteBuf out) {
        scratch.resume(ev);
        output.render(scratch, out, redactor);
    }

    /** Appends the throttle key: the key fields' decoded values separated by 0x1F ({@code ?} when absent). */
    public void throttleKey(AuditEvent ev, ByteBuf out) {
        throttleKey(ev, RENDER_SCRATCH.get(), out);
    }

    public void throttleKey(AuditEvent ev, EvalScratch scratch, ByteBuf out) {
        scratch.resume(ev);
        OutputTemplate.appendKey(throttleKeyFields, scratch, out);
    }

    /** Evaluates condition and exceptions alone, without counters: for tests and {@code check}-style tools. */
    public boolean matches(AuditEvent ev, EvalScratch scratch) {
        scratch.begin(ev);
        if (!condition.test(scratch)) {
            return false;
        }
        for (Condition e : exceptions) {
            if (e.test(scratch)) {
                return false;
            }
        }
        return true;
    }

    @Override
    public String toString() {
        return "rule " + name + " (" + source + ")";
    }
}
