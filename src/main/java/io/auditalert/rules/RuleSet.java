package io.auditalert.rules;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.parse.RecordTypes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An immutable set of compiled rules, evaluated per event by any number of worker threads (each with
 * its own {@link EvalScratch}).
 *
 * <p>The index: every record type and every key that some rule's condition requires gets one bit. Per
 * event the types of its records are OR-ed into a 64-bit mask (one array load per record), and a rule
 * is evaluated only when its mask meets the event's; the key mask is built lazily, only when a rule
 * that requires keys has passed its type check. A rule whose condition requires nothing (or more than
 * 64 distinct types or keys are in use) is evaluated on every event.
 *
 * <p>Evaluation allocates nothing: values are read in place or decoded into the scratch's buffers.
 */
public final class RuleSet {
    private static final Logger LOG = LoggerFactory.getLogger(RuleSet.class);
    /**
     * Rule evaluation time is measured on one event in this many per worker (two clock reads per rule
     * cost as much as a cheap rule) and scaled up, so {@code evaluationNanos} is an unbiased estimate;
     * {@code evaluations}, {@code matches} and {@code excepted} are exact.
     */
    static final int TIMING_SAMPLE = 16;

    private final List<CompiledRule> all;
    private final CompiledRule[] active;
    private final long[] typeBits;
    private final KeyNeedles keys;

    RuleSet(List<CompiledRule> rules) {
        this.all = List.copyOf(rules);
        List<CompiledRule> on = new ArrayList<>();
        Map<Integer, Integer> typeIds = new HashMap<>();
        Map<String, Integer> keyIds = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            rules.get(i).index = i;
        }
        for (CompiledRule r : rules) {
            if (!r.enabled()) {
                continue;
            }
            on.add(r);
            r.typeMask = mask(r.condition.requiredTypes(), typeIds);
            r.keyMask = mask(r.condition.requiredKeys(), keyIds);
        }
        this.active = on.toArray(new CompiledRule[0]);
        int maxType = 0;
        for (int t : typeIds.keySet()) {
            maxType = Math.max(maxType, t);
        }
        this.typeBits = new long[maxType + 1];
        for (Map.Entry<Integer, Integer> e : typeIds.entrySet()) {
            typeBits[e.getKey()] = 1L << e.getValue();
        }
        String[] byId = new String[keyIds.size()];
        for (Map.Entry<String, Integer> e : keyIds.entrySet()) {
            byId[e.getValue()] = e.getKey();
        }
        this.keys = new KeyNeedles(List.of(byId));
    }

    private static <T> long mask(Set<T> required, Map<T, Integer> ids) {
        if (required == null || required.isEmpty()) {
            return 0;
        }
        long m = 0;
        for (T t : required) {
            Integer id = ids.get(t);
            if (id == null) {
                if (ids.size() >= 64 || (t instanceof Integer i && i < 0)) {
                    return 0;
                }
                id = ids.size();
                ids.put(t, id);
            }
            m |= 1L << id;
        }
        return m;
    }

    /** Every rule, enabled or not, in definition order. */
    public List<CompiledRule> rules() {
        return all;
    }

    /** The rule with this name, or null. */
    public CompiledRule rule(String name) {
        for (CompiledRule r : all) {
            if (r.name().equals(name)) {
                return r;
            }
        }
        return null;
    }

    /** Number of enabled rules. */
    public int activeCount() {
        return active.length;
    }

    /**
     * Evaluates every candidate rule on the event and calls {@code out.match} for each that matched and
     * was not excepted, in rule order. Counts evaluations, time, matches and exceptions per rule.
     */
    public void evaluate(AuditEvent ev, EvalScratch scratch, MatchConsumer out) {
        scratch.begin(ev);
        scratch.evaluating = true;
        try {
            evaluateRules(ev, scratch, out);
        } finally {
            scratch.evaluating = false;
        }
    }

    private void evaluateRules(AuditEvent ev, EvalScratch scratch, MatchConsumer out) {
        boolean timed = (scratch.generation & (TIMING_SAMPLE - 1)) == 0;
        long types = 0;
        long[] bits = typeBits;
        for (int r = 0, n = ev.recordCount(); r < n; r++) {
            int t = ev.recordType(r);
            if (t >= 0 && t < bits.length) {
                types |= bits[t];
            }
        }
        RuntimeException failure = null;
        for (CompiledRule rule : active) {
            if (rule.typeMask != 0 && (rule.typeMask & types) == 0) {
                continue;
            }
            if (rule.keyMask != 0 && (rule.keyMask & keyMask(scratch)) == 0) {
                continue;
            }
            long t0 = timed ? System.nanoTime() : 0;
            boolean matched;
            boolean excepted = false;
            try {
                matched = rule.condition.test(scratch);
                if (matched) {
                    for (Condition e : rule.exceptions) {
                        if (e.test(scratch)) {
                            excepted = true;
                            break;
                        }
                    }
                }
            } catch (ByteChars.RunawayMatch | StackOverflowError e) {
                // a value made a regular expression of the rule backtrack without end, or recurse
                // deeper than the stack ((a|b)+ over a few kB of a's): alert rather than let a
                // crafted argument hide the event, hold this thread or end it
                matched = true;
                excepted = false;
                runaway(rule, e instanceof StackOverflowError);
            }
            if (timed) {
                rule.stats.evaluationNanos.add((System.nanoTime() - t0) * TIMING_SAMPLE);
            }
            rule.stats.evaluations.increment();
            if (matched) {
                if (excepted) {
                    rule.stats.excepted.increment();
                } else {
                    rule.stats.matches.increment();
                    try {
                        out.match(rule, ev);
                    } catch (RuntimeException | StackOverflowError e) {
                        // one rule's alert that cannot be built must not cost the later rules theirs;
                        // the caller counts and logs the failure once the event's rules have run
                        if (failure == null) {
                            failure = e instanceof RuntimeException re ? re
                                    : new IllegalStateException("rule '" + rule.name() + "': " + e, e);
                        }
                    }
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    private static void runaway(CompiledRule rule, boolean stackOverflow) {
        rule.stats.regexRunaways.increment();
        long n = rule.stats.regexRunaways.sum();
        if (n == 1 || n % 1000 == 0) {
            LOG.warn("rule '{}': a regular expression gave up on an event ({}; {} time(s) so far); the event is"
                    + " alerted as a match. Simplify the pattern: a repeated group of wildcards such as (.*a){20}"
                    + " tries every way to cut a value, and a repeated alternation such as (a|b)+ recurses once"
                    + " per byte", rule.name(), stackOverflow ? "too deep for the stack" : "too many steps", n);
        }
    }

    private static final byte[] KEY = {'k', 'e', 'y'};

    /** Bits of the required keys present in the event, computed once per event. */
    private long keyMask(EvalScratch s) {
        if (s.keyMaskGeneration == s.generation) {
            return s.keyMask;
        }
        long m = 0;
        long possible = possibleKeys(s.ev);
        if (possible != 0) {
            m = exactKeys(s, possible);
        }
        s.keyMask = m;
        s.keyMaskGeneration = s.generation;
        return m;
    }

    /**
     * Bits of the keys whose bytes (as written, or hex-encoded as a multi-key or unsafe value is)
     * appear after a record's {@code " key="}: a superset of the keys present, found without
     * splitting any record. Events of no rule's key, the common case, stop here.
     */
    private long possibleKeys(AuditEvent ev) {
        long m = 0;
        for (int k = 0; k < keys.size(); k++) {
            if (keys.possible(ev, k)) {
                m |= 1L << k;
            }
        }
        return m;
    }

    /** Of the {@code candidates}, the keys some record's {@code key} field really holds. */
    private long exactKeys(EvalScratch s, long candidates) {
        long m = 0;
        AuditEvent ev = s.ev;
        for (int r = 0, n = ev.recordCount(); r < n; r++) {
            if (!ev.mayHaveKey(r)) {
                continue; // no key in this record: don't split it just to find out
            }
            for (int f = ev.firstField(r), to = ev.endField(r); f < to; f++) {
                if (!Field.named(ev, f, KEY) || !Field.load(s, f, true)) {
                    continue;
                }
                for (int k = 0; k < keys.size(); k++) {
                    byte[] lit = keys.literal(k);
                    if ((candidates & (1L << k)) != 0 && lit.length == s.vlen
                            && Arrays.equals(lit, 0, lit.length, s.vb, s.voff, s.voff + s.vlen)) {
                        m |= 1L << k;
                    }
                }
            }
        }
        return m;
    }

    /** For tests and diagnostics: the record types a rule is indexed under, by name. */
    List<String> indexedTypes(CompiledRule rule) {
        List<String> out = new ArrayList<>();
        for (int t = 0; t < typeBits.length; t++) {
            if ((typeBits[t] & rule.typeMask) != 0) {
                String n = RecordTypes.name(t);
                out.add(n == null ? String.valueOf(t) : n);
            }
        }
        return out;
    }
}
