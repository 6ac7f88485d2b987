package io.auditalert.rules;

/**
 * A {@link CharSequence} view of a byte range, one char per byte (Latin-1), so a compiled regular
 * expression can scan decoded field bytes without a String. Only ASCII values are matched this way
 * (there a byte is a character); a value with other bytes is decoded as UTF-8 into a
 * {@link Decoded}.
 */
final class ByteChars implements CharSequence {
    /**
     * Reads of one value a regular expression may make: a million, plus for a value of n bytes
     * n × max(2n, 1000), at most 2^29 (a second or two). That lets a pattern that is quadratic by
     * nature (one that scans the rest of the value from every start) finish on values of up to 16 kB
     * (a leading {@code .*}, the usual such case, is dropped at compile time: see
     * {@link RuleCompiler#withoutLeadingDotStar}), and stops catastrophic backtracking
     * ({@code (.*a){20}!} over an argument a user chose: 28 bytes take 18 s, 40 take years) within
     * milliseconds.
     */
    static final long READS_BASE = 1_000_000;
    static final long READS_PER_BYTE = 1_000;
    static final long MAX_READS = 1L << 29;

    static long readBudget(int length) {
        return Math.min(MAX_READS, READS_BASE + (long) length * Math.max(2L * length, READS_PER_BYTE));
    }

    /** Thrown when a match has read its value more often than allowed; no stack, one instance. */
    static final class RunawayMatch extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final RunawayMatch INSTANCE = new RunawayMatch();

        private RunawayMatch() {
            super("regular expression gave up: too many steps", null, false, false);
        }
    }

    private byte[] b;
    private int off;
    private int len;
    private long readsLeft;

    ByteChars wrap(byte[] bytes, int offset, int length) {
        return wrap(bytes, offset, length, readBudget(length));
    }

    private ByteChars wrap(byte[] bytes, int offset, int length, long reads) {
        this.b = bytes;
        this.off = offset;
        this.len = length;
        this.readsLeft = reads;
        return this;
    }

    @Override
    public int length() {
        return len;
    }

    @Override
    public char charAt(int index) {
        if (--readsLeft < 0) {
            throw RunawayMatch.INSTANCE;
        }
        return (char) (b[off + index] & 0xFF);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new ByteChars().wrap(b, off + start, end - start, readsLeft);
    }

    @Override
    public String toString() {
        return new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
    }

    /** Whether every byte of the range is ASCII, so its Latin-1 chars are its UTF-8 characters. */
    static boolean isAscii(byte[] b, int off, int len) {
        for (int i = off, end = off + len; i < end; i++) {
            if (b[i] < 0) {
                return false;
            }
        }
        return true;
    }

    /**
     * A value with non-ASCII bytes decoded as UTF-8 (malformed bytes as U+FFFD), for the patterns that
     * must see characters: {@code .} and {@code ?} one character, {@code [äö]} a class of two, not of
     * their bytes. Reads are budgeted as in {@link ByteChars}.
     */
    static final class Decoded implements CharSequence {
        private String text;
        private int from;
        private int to;
        private long readsLeft;

        Decoded wrap(byte[] bytes, int offset, int length) {
            return wrap(new String(bytes, offset, length, java.nio.charset.StandardCharsets.UTF_8), length);
        }

        /** Text already decoded from {@code length} bytes (the read budget is the bytes'). */
        Decoded wrap(String decoded, int length) {
            text = decoded;
            from = 0;
            to = text.length();
            readsLeft = readBudget(length);
            return this;
        }

        @Override
        public int length() {
            return to - from;
        }

        @Override
        public char charAt(int index) {
            if (--readsLeft < 0) {
                throw RunawayMatch.INSTANCE;
            }
            return text.charAt(from + index);
        }

        @Override
        public CharSequence subSequence(int start, int end) {
            Decoded d = new Decoded();
            d.text = text;
            d.from = from + start;
            d.to = from + end;
            d.readsLeft = readsLeft;
            return d;
        }

        @Override
        public String toString() {
            return text.substring(from, to);
        }
    }
}
