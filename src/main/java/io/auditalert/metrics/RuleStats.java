package io.auditalert.metrics;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one rule, updated by every worker; exported as auditalert_alerts_total and friends. */
public final class RuleStats {
    public final String rule;
    public final String severity;
    /** Events that satisfied the condition and no exception. */
    public final LongAdder matches = new LongAdder();
    /** Matches not alerted because the rule's throttle window already had an alert for the key. */
    public final LongAdder suppressed = new LongAdder();
    /**
     * Alerts raised: matches the throttle let through. Counted on its own, not as matches less
     * suppressed: a scrape between a match and its throttle decision read one too many, and the
     * counter then went down (Prometheus takes that for a reset).
     */
    public final LongAdder alerted = new LongAdder();
    /** Matches cancelled by one of the rule's exceptions. */
    public final LongAdder excepted = new LongAdder();
    /** Evaluations cut short because a regular expression of the rule took too many steps or overflowed the stack (alerted). */
    public final LongAdder regexRunaways = new LongAdder();
    /** Events on which the rule was evaluated, and the nanoseconds spent. */
    public final LongAdder evaluations = new LongAdder();
    public final LongAdder evaluationNanos = new LongAdder();

    public RuleStats(String rule, String severity) {
        this.rule = rule;
        this.severity = severity;
    }
}
