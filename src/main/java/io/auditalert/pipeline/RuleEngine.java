package io.auditalert.pipeline;

import io.auditalert.alert.Severity;
import io.auditalert.assemble.AuditEvent;
import io.auditalert.metrics.RuleStats;
import io.auditalert.parse.ByteBuf;
import java.util.List;

/** What the alert stage needs of a loaded rule set. */
public interface RuleEngine {
    /** One rule that matched an event. */
    interface Match {
        String rule();

        Severity severity();

        List<String> tags();

        /** Throttle window in milliseconds; 0 when the rule has no throttle. */
        long throttleWindowMillis();

        /** Appends the rendered output template. */
        void renderOutput(AuditEvent ev, ByteBuf out);

        /** Appends the throttle key (the values of the rule's throttle key fields). */
        void throttleKey(AuditEvent ev, ByteBuf out);

        /** The rule's counters: the engine counts its matches, the alert stage what it suppresses and alerts. */
        RuleStats stats();
    }

    /** Receives matches; called on the evaluating thread while the event is held. */
    interface Matches {
        void match(Match match, AuditEvent ev);
    }

    /** Evaluates every candidate rule on the event; {@code worker} selects per-thread scratch. */
    void evaluate(AuditEvent ev, int worker, Matches out);

    int ruleCount();

    /** The names of the rules in force (enabled or not). */
    default List<String> ruleNames() {
        return List.of();
    }

    RuleEngine NONE = new RuleEngine() {
        @Override
        public void evaluate(AuditEvent ev, int worker, Matches out) {}

        @Override
        public int ruleCount() {
            return 0;
        }
    };
}
