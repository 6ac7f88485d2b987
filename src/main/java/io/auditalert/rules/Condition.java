package io.auditalert.rules;

import io.auditalert.assemble.AuditEvent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A compiled condition: a tree of small predicate objects built once by {@link RuleCompiler} and
 * shared by all worker threads (they hold no per-event state; that lives in {@link EvalScratch}).
 *
 * <p>Besides testing an event, a condition states what an event must contain to possibly satisfy it
 * ({@link #requiredTypes()}, {@link #requiredKeys()}), which {@link RuleSet} uses to skip rules
 * cheaply. The IR is deliberately open for the Sigma follow-up: a per-record scope is another
 * {@link Field} kind, case-insensitive matching is the {@code ignoreCase} flag of
 * {@link ValueTest.Strings}, and a raw keyword search is a condition over the event's bytes.
 */
abstract class Condition {
    abstract boolean test(EvalScratch s);

    /** Record types of which an event must have at least one to satisfy this, or null when none. */
    Set<Integer> requiredTypes() {
        return null;
    }

    /** Keys of which an event must have at least one to satisfy this, or null when none. */
    Set<String> requiredKeys() {
        return null;
    }

    /** Relative cost; and/or test cheaper parts first. */
    int cost() {
        return 3;
    }

    static final class Const extends Condition {
        private final boolean value;

        Const(boolean value) {
            this.value = value;
        }

        @Override
        boolean test(EvalScratch s) {
            return value;
        }

        @Override
        int cost() {
            return 0;
        }
    }

    /** A comparison: true when any value of the field passes the test. */
    static final class FieldTest extends Condition {
        final Field field;
        final ValueTest valueTest;
        private final Set<String> keys;

        /**
         * For {@code key = …} with at most {@link #MAX_NEEDLES} keys: rules the keys out before any
         * record is split; null otherwise (each key is searched in each record, so a long list of keys
         * costs more than the split it saves: the value test then finds the key by its hash).
         */
        private final KeyNeedles keyNeedles;
        static final int MAX_NEEDLES = 16;

        FieldTest(Field field, ValueTest valueTest, Set<String> keys) {
            this.field = field;
            this.valueTest = valueTest;
            this.keys = keys;
            this.keyNeedles = keys == null || keys.isEmpty() || keys.size() > MAX_NEEDLES ? null : new KeyNeedles(keys);
        }

        @Override
        boolean test(EvalScratch s) {
            if (keyNeedles != null && !keyNeedles.anyPossible(s.ev)) {
                return false;
            }
            return field.any(s, valueTest);
        }

        @Override
        Set<Integer> requiredTypes() {
            return field.recordType() >= 0 ? Set.of(field.recordType()) : null;
        }

        @Override
        Set<String> requiredKeys() {
            return keys;
        }

        /** Whether this and {@code other} compare the same field the same way, so an or of them is one test. */
        boolean mergesWith(FieldTest other) {
            return other.field.getClass() == field.getClass() && other.field.label.equals(field.label)
                    && valueTest.mergesWith(other.valueTest);
        }

        /** The or of {@code group} (each merging with the first) as one test. */
        static FieldTest orAll(List<FieldTest> group) {
            FieldTest first = group.get(0);
            List<ValueTest> others = new ArrayList<>(group.size() - 1);
            Set<String> k = new HashSet<>();
            for (FieldTest f : group) {
                if (f != first) {
                    others.add(f.valueTest);
                }
                if (k != null && f.keys != null) {
                    k.addAll(f.keys);
                } else {
                    k = null; // one alternative without a key: the or cannot rule keys out
                }
            }
            return new FieldTest(first.field, first.valueTest.orAll(others), k);
        }

        @Override
        int cost() {
            return field.cost() + valueTest.cost();
        }
    }

    static final class Exists extends Condition {
        private final Field field;

        Exists(Field field) {
            this.field = field;
        }

        @Override
        boolean test(EvalScratch s) {
            return field.first(s);
        }

        @Override
        Set<Integer> requiredTypes() {
            return field.recordType() >= 0 ? Set.of(field.recordType()) : null;
        }

        @Override
        int cost() {
            return field.cost();
        }
    }

    /** {@code type = X}, {@code type in (...)}: any record of one of the types. */
    static final class TypeIn extends Condition {
        private final int[] types;

        TypeIn(int[] types) {
            this.types = types;
        }

        @Override
        boolean test(EvalScratch s) {
            AuditEvent ev = s.ev;
            for (int r = 0, n = ev.recordCount(); r < n; r++) {
                int t = ev.recordType(r);
                for (int x : types) {
                    if (t == x) {
                        return true;
                    }
                }
            }
            return false;
        }

        @Override
        Set<Integer> requiredTypes() {
            Set<Integer> out = new HashSet<>();
            for (int t : types) {
                out.add(t);
            }
            return out;
        }

        @Override
        int cost() {
            return 1;
        }
    }

    /**
     * {@code syscall = name} / {@code in (...)}: the first record with a {@code syscall} field, its
     * number compared with the numbers the names have on that record's arch (resolved at compile time
     * for the common arches, looked up otherwise).
     */
    static final class SyscallIn extends Condition {
        private final long[] archCodes;
        private final int[] numbers;
        private final long[] anyArchNumbers;
        private final String[] names;
        private final Names table;

        SyscallIn(long[] archCodes, int[] numbers, long[] anyArchNumbers, String[] names, Names table) {
            this.archCodes = archCodes;
            this.numbers = numbers;
            this.anyArchNumbers = anyArchNumbers;
            this.names = names;
            this.table = table;
        }

        @Override
        boolean test(EvalScratch s) {
            if (!s.syscall() || s.syscallNr < 0) {
                return false;
            }
            long nr = s.syscallNr;
            for (long x : anyArchNumbers) {
                if (nr == x) {
                    return true;
                }
            }
            long arch = s.syscallArch;
            if (names.length == 0 || arch < 0) {
                return false;
            }
            boolean knownArch = false;
            for (int i = 0; i < archCodes.length; i++) {
                if (archCodes[i] == arch) {
                    knownArch = true;
                    if (numbers[i] == nr) {
                        return true;
                    }
                }
            }
            if (!knownArch) {
                for (String name : names) {
                    if (table.syscallNumber(arch, name) == nr) {
                        return true;
                    }
                }
            }
            return false;
        }

        @Override
        int cost() {
            return 1;
        }
    }

    static final class Not extends Condition {
        final Condition inner;

        Not(Condition inner) {
            this.inner = inner;
        }

        @Override
        boolean test(EvalScratch s) {
            return !inner.test(s);
        }

        @Override
        int cost() {
            return inner.cost();
        }
    }

    static final class And extends Condition {
        private final Condition[] parts;

        And(List<Condition> parts) {
            this.parts = parts.toArray(new Condition[0]);
            Arrays.sort(this.parts, Comparator.comparingInt(Condition::cost));
        }

        @Override
        boolean test(EvalScratch s) {
            for (Condition c : parts) {
                if (!c.test(s)) {
                    return false;
                }
            }
            return true;
        }

        /** The smallest requirement of any part: each part must hold, so each one's is necessary. */
        @Override
        Set<Integer> requiredTypes() {
            Set<Integer> best = null;
            for (Condition c : parts) {
                Set<Integer> t = c.requiredTypes();
                if (t != null && (best == null || t.size() < best.size())) {
                    best = t;
                }
            }
            return best;
        }

        @Override
        Set<String> requiredKeys() {
            Set<String> best = null;
            for (Condition c : parts) {
                Set<String> t = c.requiredKeys();
                if (t != null && (best == null || t.size() < best.size())) {
                    best = t;
                }
            }
            return best;
        }

        @Override
        int cost() {
            int sum = 0;
            for (Condition c : parts) {
                sum += c.cost();
            }
            return sum;
        }
    }

    static final class Or extends Condition {
        private final Condition[] parts;

        /**
         * An or of these parts, with comparisons of one field merged into one test (each value of
         * the field is then read once, not once per alternative); a single part stands alone.
         */
        static Condition of(List<Condition> parts) {
            List<Condition> out = new ArrayList<>();
            // per place in out: the field tests merged into it, the first being the one placed there
            Map<Integer, List<FieldTest>> groups = new HashMap<>();
            for (Condition c : parts) {
                boolean merged = false;
                if (c instanceof FieldTest f) {
                    for (int i = 0; i < out.size() && !merged; i++) {
                        if (out.get(i) instanceof FieldTest g && g.mergesWith(f)) {
                            groups.computeIfAbsent(i, x -> new ArrayList<>(List.of(g))).add(f);
                            merged = true;
                        }
                    }
                }
                if (!merged) {
                    out.add(c);
                }
            }
            groups.forEach((i, group) -> out.set(i, FieldTest.orAll(group)));
            return out.size() == 1 ? out.get(0) : new Or(out);
        }

        Or(List<Condition> parts) {
            this.parts = parts.toArray(new Condition[0]);
            Arrays.sort(this.parts, Comparator.comparingInt(Condition::cost));
        }

        @Override
        boolean test(EvalScratch s) {
            for (Condition c : parts) {
                if (c.test(s)) {
                    return true;
                }
            }
            return false;
        }

        /** The union of the parts' requirements, when every part has one. */
        @Override
        Set<Integer> requiredTypes() {
            Set<Integer> all = new HashSet<>();
            for (Condition c : parts) {
                Set<Integer> t = c.requiredTypes();
                if (t == null) {
                    return null;
                }
                all.addAll(t);
            }
            return all;
        }

        @Override
        Set<String> requiredKeys() {
            Set<String> all = new HashSet<>();
            for (Condition c : parts) {
                Set<String> t = c.requiredKeys();
                if (t == null) {
                    return null;
                }
                all.addAll(t);
            }
            return all;
        }

        @Override
        int cost() {
            int sum = 0;
            for (Condition c : parts) {
                sum += c.cost();
            }
            return sum;
        }
    }
}
