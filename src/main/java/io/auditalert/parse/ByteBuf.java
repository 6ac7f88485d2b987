package io.auditalert.parse;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/** A reusable, growable byte array: scratch space for decoded values and for output lines. */
public final class ByteBuf {
    private byte[] a;
    private int len;

    public ByteBuf(int capacity) {
        a = new byte[capacity];
    }

    public byte[] array() {
        return a;
    }

    public int length() {
        return len;
    }

    public ByteBuf clear() {
        len = 0;
        return this;
    }

    public void setLength(int n) {
        len = n;
    }

    public void ensure(int extra) {
        if (len + extra > a.length) {
            a = Arrays.copyOf(a, Math.max(len + extra, a.length * 2));
        }
    }

    public ByteBuf put(byte c) {
        if (len == a.length) {
            ensure(1);
        }
        a[len++] = c;
        return this;
    }

    public ByteBuf put(byte[] src, int off, int n) {
        ensure(n);
        System.arraycopy(src, off, a, len, n);
        len += n;
        return this;
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    /**
     * Appends a copy of n bytes already in the buffer, from offset from. Up to sixteen bytes (a
     * field name with its quotes, a short value) go as two words: both read before either is
     * written, and the bytes past n are written over by whatever comes next.
     */
    public ByteBuf putOwn(int from, int n) {
        if (n <= 16 && len + 16 <= a.length && from + 16 <= a.length) {
            long x = (long) LONGS.get(a, from);
            long y = (long) LONGS.get(a, from + 8);
            LONGS.set(a, len, x);
            LONGS.set(a, len + 8, y);
            len += n;
            return this;
        }
        ensure(n);
        System.arraycopy(a, from, a, len, n);
        len += n;
        return this;
    }

    public ByteBuf put(byte[] src) {
        return put(src, 0, src.length);
    }

    /** Appends the characters of an ASCII or Latin-1 string, one byte each. */
    public ByteBuf putLatin1(CharSequence s) {
        int n = s.length();
        ensure(n);
        for (int i = 0; i < n; i++) {
            a[len++] = (byte) s.charAt(i);
        }
        return this;
    }

    /**
     * Appends the low byte of each char, exactly as {@link #putLatin1} does, but as one bulk copy:
     * no per-char loop for the JIT to compile into every caller that writes a constant.
     */
    @SuppressWarnings("deprecation")
    public ByteBuf putAscii(String s) {
        int n = s.length();
        ensure(n);
        s.getBytes(0, n, a, len);
        len += n;
        return this;
    }

    public ByteBuf putUtf8(String s) {
        return put(s.getBytes(StandardCharsets.UTF_8));
    }

    public ByteBuf putLong(long v) {
        if (v == Long.MIN_VALUE) {
            return putLatin1("-9223372036854775808");
        }
        if (v < 0) {
            put((byte) '-');
            v = -v;
        }
        ensure(20);
        int start = len;
        do {
            a[len++] = (byte) ('0' + (v % 10));
            v /= 10;
        } while (v != 0);
        for (int i = start, j = len - 1; i < j; i++, j--) {
            byte t = a[i];
            a[i] = a[j];
            a[j] = t;
        }
        return this;
    }

    /** Appends v as exactly {@code digits} decimal digits, zero-padded. */
    public ByteBuf putPadded(long v, int digits) {
        ensure(digits);
        for (int i = digits - 1; i >= 0; i--) {
            a[len + i] = (byte) ('0' + (v % 10));
            v /= 10;
        }
        len += digits;
        return this;
    }

    public String toLatin1String() {
        return new String(a, 0, len, StandardCharsets.ISO_8859_1);
    }

    public String toUtf8String() {
        return new String(a, 0, len, StandardCharsets.UTF_8);
    }

    public byte[] toByteArray() {
        return Arrays.copyOf(a, len);
    }
}
