package io.auditalert.rules;

/**
 * A {@link CharSequence} view of a byte range, one char per byte (Latin-1), so a compiled regular
 * expression can scan decoded field bytes without a String. UTF-8 text appears as its bytes; rule
 * patterns are compiled the same way ({@link RuleCompiler#latin1View}) so UTF-8 literals match.
 */
final class ByteChars implements CharSequence {
    private byte[] b;
    private int off;
    private int len;

    ByteChars wrap(byte[] bytes, int offset, int length) {
        this.b = bytes;
        this.off = offset;
        this.len = length;
        return this;
    }

    @Override
    public int length() {
        return len;
    }

    @Override
    public char charAt(int index) {
        return (char) (b[off + index] & 0xFF);
    }

    @Override
    public CharSequence subSequence(int start, int end) {
        return new ByteChars().wrap(b, off + start, end - start);
    }

    @Override
    public String toString() {
        return new String(b, off, len, java.nio.charset.StandardCharsets.ISO_8859_1);
    }
}
