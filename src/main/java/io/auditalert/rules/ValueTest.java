package io.auditalert.rules;

import io.auditalert.parse.Values;
import java.util.regex.Pattern;

/**
 * A compiled comparison against the decoded value in the scratch's register. Literals are UTF-8 bytes
 * prepared at compile time; a test with several literals is true when any of them matches.
 */
abstract class ValueTest {
    abstract boolean test(EvalScratch s);

    int cost() {
        return 1;
    }

    /**
     * Whether this and {@code other} are the same kind of comparison, with other literals, so that an
     * or of them is one test ({@code exit = EACCES or exit = EPERM} becomes one {@code in}).
     */
    boolean mergesWith(ValueTest other) {
        return false;
    }

    /**
     * One test passing exactly when this or any of {@code others} passes, each of which merges with
     * this; built at once, since an or of thousands of comparisons merged pairwise would copy its
     * literals thousands of times.
     */
    ValueTest orAll(java.util.List<ValueTest> others) {
        throw new IllegalArgumentException(getClass().getSimpleName() + " merges with nothing");
    }

    /** Passes every present value: {@code exists}, and fetching a first value for output. */
    static final ValueTest ANY = new ValueTest() {
        @Override
        boolean test(EvalScratch s) {
            return true;
        }
    };

    static boolean regionEquals(byte[] b, int off, byte[] lit, boolean ignoreCase) {
        if (ignoreCase) {
            for (int i = 0; i < lit.length; i++) {
                if (lower(b[off + i]) != lit[i]) {
                    return false;
                }
            }
            return true;
        }
        for (int i = 0; i < lit.length; i++) {
            if (b[off + i] != lit[i]) {
                return false;
            }
        }
        return true;
    }

    /** ASCII lower case; other bytes unchanged (case folding beyond ASCII is not done). */
    static byte lower(byte c) {
        return c >= 'A' && c <= 'Z' ? (byte) (c + 32) : c;
    }

    static byte[] lower(byte[] s) {
        byte[] out = s.clone();
        for (int i = 0; i < out.length; i++) {
            out[i] = lower(out[i]);
        }
        return out;
    }

    enum StringOp { EQUALS, STARTS_WITH, ENDS_WITH, CONTAINS }

    /** =, startswith, endswith, contains, icontains; ignoreCase folds ASCII letters. */
    static final class Strings extends ValueTest {
        private final StringOp op;
        private final byte[][] literals;
        private final boolean ignoreCase;
        /** For contains: which bytes begin some literal (folded when ignoring case). */
        private final boolean[] firstByte = new boolean[256];
        private final int shortest;
        /**
         * For = with more than {@link #HASHED_FROM} literals (an {@code in} of a long list): the index
         * + 1 of each literal at the slot its hash gives, probed linearly, 0 = empty; null otherwise.
         * A value then costs one hash of its bytes and about one comparison, not one per literal.
         */
        private final int[] slots;
        static final int HASHED_FROM = 16;

        Strings(StringOp op, byte[][] literals, boolean ignoreCase) {
            this.op = op;
            this.ignoreCase = ignoreCase;
            this.literals = literals.clone();
            int min = Integer.MAX_VALUE;
            for (int i = 0; i < this.literals.length; i++) {
                if (ignoreCase) {
                    this.literals[i] = lower(this.literals[i]);
                }
                byte[] lit = this.literals[i];
                min = Math.min(min, lit.length);
                if (lit.length > 0) {
                    firstByte[lit[0] & 0xFF] = true;
                }
            }
            this.shortest = min;
            this.slots = op == StringOp.EQUALS && this.literals.length > HASHED_FROM ? slots(this.literals) : null;
        }

        private static int[] slots(byte[][] literals) {
            int[] table = new int[Integer.highestOneBit(literals.length * 2 - 1) << 1];
            int mask = table.length - 1;
            for (int i = 0; i < literals.length; i++) {
                byte[] lit = literals[i];
                int at = hash(lit, 0, lit.length, false) & mask;
                while (table[at] != 0) {
                    at = (at + 1) & mask;
                }
                table[at] = i + 1;
            }
            return table;
        }

        /** A hash of the bytes (ASCII-folded when asked), the same for a value and its literal. */
        private static int hash(byte[] b, int off, int len, boolean fold) {
            int h = len;
            for (int i = off, end = off + len; i < end; i++) {
                h = 31 * h + (fold ? lower(b[i]) : b[i]);
            }
            return h ^ (h >>> 15) ^ (h >>> 7);
        }

        private boolean equalsAny(byte[] b, int off, int len) {
            int[] table = slots;
            int mask = table.length - 1;
            for (int at = hash(b, off, len, ignoreCase) & mask; table[at] != 0; at = (at + 1) & mask) {
                byte[] lit = literals[table[at] - 1];
                if (lit.length == len && regionEquals(b, off, lit, ignoreCase)) {
                    return true;
                }
            }
            return false;
        }

        @Override
        boolean mergesWith(ValueTest other) {
            return other instanceof Strings o && o.op == op && o.ignoreCase == ignoreCase;
        }

        @Override
        ValueTest orAll(java.util.List<ValueTest> others) {
            int n = literals.length;
            for (ValueTest o : others) {
                n += ((Strings) o).literals.length;
            }
            byte[][] all = java.util.Arrays.copyOf(literals, n);
            int at = literals.length;
            for (ValueTest o : others) {
                byte[][] more = ((Strings) o).literals;
                System.arraycopy(more, 0, all, at, more.length);
                at += more.length;
            }
            return new Strings(op, all, ignoreCase);
        }

        /**
         * contains: one pass over the value; at a byte that begins some literal, the literals are
         * compared there. An empty literal is contained in every value.
         */
        boolean containsAny(byte[] b, int off, int len) {
            if (shortest == 0) {
                return true;
            }
            boolean[] starts = firstByte;
            for (int i = off, last = off + len - shortest; i <= last; i++) {
                byte c = ignoreCase ? lower(b[i]) : b[i];
                if (!starts[c & 0xFF]) {
                    continue;
                }
                int room = off + len - i;
                for (byte[] lit : literals) {
                    if (lit.length <= room && lit[0] == c && regionEquals(b, i, lit, ignoreCase)) {
                        return true;
                    }
                }
            }
            return false;
        }

        @Override
        boolean test(EvalScratch s) {
            byte[] b = s.vb;
            int off = s.voff;
            int len = s.vlen;
            if (op == StringOp.CONTAINS) {
                return containsAny(b, off, len);
            }
            if (slots != null) {
                return equalsAny(b, off, len);
            }
            for (byte[] lit : literals) {
                int n = lit.length;
                if (n > len) {
                    continue;
                }
                switch (op) {
                    case EQUALS -> {
                        if (n == len && regionEquals(b, off, lit, ignoreCase)) {
                            return true;
                        }
                    }
                    case STARTS_WITH -> {
                        if (regionEquals(b, off, lit, ignoreCase)) {
                            return true;
                        }
                    }
                    case ENDS_WITH -> {
                        if (regionEquals(b, off + len - n, lit, ignoreCase)) {
                            return true;
                        }
                    }
                    case CONTAINS -> throw new AssertionError("contains is tested by containsAny");
                }
            }
            return false;
        }

        @Override
        int cost() {
            return op == StringOp.CONTAINS ? 3 : 1;
        }
    }

    /**
     * matches and glob (alternatives joined into one pattern; found anywhere for matches), compiled
     * twice: over an ASCII value's bytes as chars (no decoding), and over characters for a value with
     * other bytes, decoded as UTF-8 (so {@code .} is one character). The two use matcher slots
     * {@code id} and {@code id + 1}.
     */
    static final class Regex extends ValueTest {
        private final Pattern bytes;
        private final Pattern chars;
        private final int id;
        private final boolean whole;

        Regex(Pattern bytes, Pattern chars, int id, boolean whole) {
            this.bytes = bytes;
            this.chars = chars;
            this.id = id;
            this.whole = whole;
        }

        @Override
        boolean test(EvalScratch s) {
            java.util.regex.Matcher m = ByteChars.isAscii(s.vb, s.voff, s.vlen)
                    ? s.matcher(id, bytes, false) : s.matcher(id + 1, chars, true);
            return whole ? m.matches() : m.find();
        }

        @Override
        int cost() {
            return 6;
        }
    }

    enum NumOp { EQ, LT, LE, GT, GE }

    /** How a {@link Numbers} test reads the record's value. */
    enum Reading {
        DECIMAL,
        /**
         * Decimal, and -1 is the unset identity 4294967295 (libauparse reads both as "unset"), which
         * only {@code =} matches: it is neither less nor greater than any id.
         */
        IDENTITY,
        /** Hex (arch). */
        HEX,
        /** Octal (a file mode), with or without a leading 0. */
        OCTAL,
        /** Hex of up to 64 bits, compared unsigned (a syscall's argument registers). */
        REGISTER
    }

    /** Numeric comparison of a record's value, read as {@link Reading} says; a value that is no number fails. */
    static final class Numbers extends ValueTest {
        private final NumOp op;
        private final long[] literals;
        private final Reading reading;

        Numbers(NumOp op, long[] literals, Reading reading) {
            this.op = op;
            this.literals = literals;
            this.reading = reading;
        }

        @Override
        boolean mergesWith(ValueTest other) {
            return op == NumOp.EQ && other instanceof Numbers o && o.op == NumOp.EQ && o.reading == reading;
        }

        @Override
        ValueTest orAll(java.util.List<ValueTest> others) {
            int n = literals.length;
            for (ValueTest o : others) {
                n += ((Numbers) o).literals.length;
            }
            long[] all = java.util.Arrays.copyOf(literals, n);
            int at = literals.length;
            for (ValueTest o : others) {
                long[] more = ((Numbers) o).literals;
                System.arraycopy(more, 0, all, at, more.length);
                at += more.length;
            }
            return new Numbers(op, all, reading);
        }

        @Override
        boolean test(EvalScratch s) {
            long v;
            switch (reading) {
                case HEX -> {
                    v = Values.parseHex(s.vb, s.voff, s.vlen);
                    if (v < 0) {
                        return false;
                    }
                }
                case OCTAL -> {
                    v = Values.parseOctal(s.vb, s.voff, s.vlen);
                    if (v < 0) {
                        return false;
                    }
                }
                case REGISTER -> {
                    if (!Values.isHexNumber(s.vb, s.voff, s.vlen)) {
                        return false;
                    }
                    return compare(Values.parseHex(s.vb, s.voff, s.vlen), true);
                }
                default -> {
                    v = Values.parseSignedDecimal(s.vb, s.voff, s.vlen);
                    if (v == Long.MIN_VALUE) {
                        return false;
                    }
                    if (reading == Reading.IDENTITY && (v == -1 || v == RuleCompiler.UNSET_ID)) {
                        if (op != NumOp.EQ) {
                            return false; // unset is no number: auid >= 1000 means users, not daemons without a login
                        }
                        v = RuleCompiler.UNSET_ID;
                    }
                }
            }
            return compare(v, false);
        }

        /** The value against the literals; registers compare as unsigned 64-bit numbers. */
        private boolean compare(long v, boolean unsigned) {
            if (op == NumOp.EQ) {
                for (long l : literals) {
                    if (v == l) {
                        return true;
                    }
                }
                return false;
            }
            int c = unsigned ? Long.compareUnsigned(v, literals[0]) : Long.compare(v, literals[0]);
            return switch (op) {
                case LT -> c < 0;
                case LE -> c <= 0;
                case GT -> c > 0;
                default -> c >= 0;
            };
        }
    }
}
