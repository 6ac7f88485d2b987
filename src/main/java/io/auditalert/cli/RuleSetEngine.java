package io.auditalert.cli;

import io.auditalert.alert.Severity;
import io.auditalert.assemble.AuditEvent;
import io.auditalert.parse.ByteBuf;
import io.auditalert.pipeline.RuleEngine;
import io.auditalert.rules.CompiledRule;
import io.auditalert.rules.EvalScratch;
import io.auditalert.rules.MatchConsumer;
import io.auditalert.rules.RuleSet;
import java.util.List;

/**
 * Presents a loaded {@link RuleSet} to the alert stage. Everything per worker (scratch, the match
 * callback, one {@link RuleEngine.Match} per rule) is built once here, so evaluating allocates
 * nothing.
 */
final class RuleSetEngine implements RuleEngine {
    private final RuleSet set;
    private final PerWorker[] workers;

    RuleSetEngine(RuleSet set, int threads) {
        this.set = set;
        this.workers = new PerWorker[Math.max(1, threads)];
        for (int i = 0; i < workers.length; i++) {
            workers[i] = new PerWorker(set.rules());
        }
    }

    @Override
    public void evaluate(AuditEvent ev, int worker, Matches out) {
        PerWorker w = workers[worker];
        w.out = out;
        set.evaluate(ev, w.scratch, w);
        w.out = null;
    }

    @Override
    public int ruleCount() {
        return set.activeCount();
    }

    @Override
    public List<String> ruleNames() {
        return set.rules().stream().map(io.auditalert.rules.CompiledRule::name).toList();
    }

    /** One worker's scratch and its view of each rule. */
    private static final class PerWorker implements MatchConsumer {
        final EvalScratch scratch = new EvalScratch();
        final RuleMatch[] byIndex;
        Matches out;

        PerWorker(List<CompiledRule> rules) {
            int max = 0;
            for (CompiledRule r : rules) {
                max = Math.max(max, r.index() + 1);
            }
            byIndex = new RuleMatch[max];
            for (CompiledRule r : rules) {
                byIndex[r.index()] = new RuleMatch(r, scratch);
            }
        }

        @Override
        public void match(CompiledRule rule, AuditEvent ev) {
            out.match(byIndex[rule.index()], ev);
        }
    }

    private static final class RuleMatch implements Match {
        private final CompiledRule rule;
        private final EvalScratch scratch;

        RuleMatch(CompiledRule rule, EvalScratch scratch) {
            this.rule = rule;
            this.scratch = scratch;
        }

        @Override
        public String rule() {
            return rule.name();
        }

        @Override
        public Severity severity() {
            return rule.severity();
        }

        @Override
        public List<String> tags() {
            return rule.tags();
        }

        @Override
        public long throttleWindowMillis() {
            return rule.throttleWindowMillis();
        }

        @Override
        public void renderOutput(AuditEvent ev, ByteBuf out) {
            rule.renderOutput(ev, scratch, out);
        }

        @Override
        public void throttleKey(AuditEvent ev, ByteBuf out) {
            rule.throttleKey(ev, scratch, out);
        }

        @Override
        public io.auditalert.metrics.RuleStats stats() {
            return rule.stats();
        }
    }
}
