package io.auditalert.rules;

/**
 * A {@link CharSequence} view of a byte range, one char per byte (Latin-1), so a compiled regular
 * expression can scan decoded field bytes without a String. UTF-8 text appears as its bytes; rule
 * patterns are compiled the same way ({@link RuleCompiler#latin1View}) so UTF-8 literals match.
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
}
