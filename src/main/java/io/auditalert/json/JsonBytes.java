package io.auditalert.json;

import io.auditalert.parse.ByteBuf;

/** JSON string and timestamp encoding over raw bytes. */
public final class JsonBytes {
    private static final byte[] HEX = "0123456789abcdef".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private JsonBytes() {}

    /**
     * Appends bytes as a JSON string. Valid UTF-8 passes through; a byte that does not start a valid
     * UTF-8 sequence is written as the Latin-1 character of the same value, so no input is lost.
     */
    public static void string(ByteBuf out, byte[] b, int off, int len) {
        out.put((byte) '"');
        stringBody(out, b, off, len);
        out.put((byte) '"');
    }

    /**
     * Appends bytes as the body of a JSON string (no quotes); true when every byte was written as it
     * is. Eight bytes a step, copied before they are checked: the buffer keeps eight bytes of slack,
     * so the last word may run past the value, and the flags of bytes beyond it are masked off.
     */
    public static boolean stringBody(ByteBuf out, byte[] b, int off, int len) {
        int at = out.length();
        out.ensure(len + 8);
        byte[] a = out.array();
        if (off + len + 7 >= b.length) {
            return stringBodyNearEnd(out, b, off, len);
        }
        for (int i = 0; i < len; i += 8) {
            long x = (long) LONGS.get(b, off + i);
            LONGS.set(a, at + i, x);
            long flags = escapeFlags(x) & lowBytes(len - i);
            if (flags != 0) {
                int plain = i + (Long.numberOfTrailingZeros(flags) >>> 3);
                out.setLength(at + plain);
                escapeFrom(out, b, off + plain, off + len);
                return false;
            }
        }
        out.setLength(at + len);
        return true;
    }

    /** The same for a value whose last word would run past the end of its array. */
    private static boolean stringBodyNearEnd(ByteBuf out, byte[] b, int off, int len) {
        int run = plainRunEnd(b, off, off + len);
        out.put(b, off, run - off);
        if (run == off + len) {
            return true;
        }
        escapeFrom(out, b, run, off + len);
        return false;
    }

    /**
     * The first index in [from, end) of a byte that needs escaping, or end. Reads whole words, so
     * it needs the array to reach seven bytes past end (a {@link ByteBuf} being written to does:
     * see {@link #stringBody}); otherwise it goes a byte at a time.
     */
    public static int plainEnd(byte[] a, int from, int end) {
        if (end + 7 >= a.length) {
            return plainRunEnd(a, from, end);
        }
        for (int i = from; i < end; i += 8) {
            long flags = escapeFlags((long) LONGS.get(a, i)) & lowBytes(end - i);
            if (flags != 0) {
                return i + (Long.numberOfTrailingZeros(flags) >>> 3);
            }
        }
        return end;
    }

    /** The bytes of the first n (of eight) a word holds, as a mask; all of them when n &gt;= 8. */
    static long lowBytes(int n) {
        return n >= 8 ? -1L : (1L << (n << 3)) - 1;
    }

    /**
     * High bit set in each byte that needs escaping (high bit set, below 0x20, a quote or a
     * backslash). Borrows can set false flags, but only above a true one, so the lowest is true.
     */
    private static long escapeFlags(long x) {
        long quote = x ^ 0x2222222222222222L;
        long backslash = x ^ 0x5C5C5C5C5C5C5C5CL;
        return (x
                | ((x - 0x2020202020202020L) & ~x)
                | ((quote - ONES) & ~quote)
                | ((backslash - ONES) & ~backslash)) & HIGHS;
    }

    /** Whether none of the first n bytes of a word needs escaping. */
    static boolean isPlain(long x, int n) {
        return (escapeFlags(x) & lowBytes(n)) == 0;
    }

    /** The general case, from the first byte that may need escaping. */
    private static void escapeFrom(ByteBuf out, byte[] b, int i, int end) {
        while (i < end) {
            // copy the longest run of bytes that need no escaping in one go
            int run = plainRunEnd(b, i, end);
            if (run > i) {
                out.put(b, i, run - i);
                i = run;
                if (i >= end) {
                    return;
                }
            }
            int c = b[i] & 0xFF;
            if (c == '"' || c == '\\') {
                out.put((byte) '\\').put((byte) c);
                i++;
            } else if (c < 0x20) {
                escapeControl(out, c);
                i++;
            } else {
                int n = utf8Length(b, i, end);
                if (n > 0) {
                    out.put(b, i, n);
                    i += n;
                } else {
                    escapeUnicode(out, c);
                    i++;
                }
            }
        }
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;

    /**
     * The end of the run of plain bytes starting at i. Eight bytes a step: a byte needs escaping when
     * its high bit is set, it is below 0x20, or it is a quote or a backslash; each test flags the
     * byte's high bit, and the lowest flag is always a true one.
     */
    static int plainRunEnd(byte[] b, int i, int end) {
        if (end - i < 24) {
            // short values (most of them): a table lookup a byte beats setting up the word scan
            while (i < end && PLAIN[b[i] & 0xFF]) {
                i++;
            }
            return i;
        }
        for (; i + 8 <= end; i += 8) {
            long flags = escapeFlags((long) LONGS.get(b, i));
            if (flags != 0) {
                return i + (Long.numberOfTrailingZeros(flags) >>> 3);
            }
        }
        while (i < end && PLAIN[b[i] & 0xFF]) {
            i++;
        }
        return i;
    }

    /** Bytes written as they are: printable ASCII other than the quote and the backslash. */
    private static final boolean[] PLAIN = new boolean[256];

    static {
        for (int c = 0x20; c < 0x80; c++) {
            PLAIN[c] = c != '"' && c != '\\';
        }
    }

    public static void string(ByteBuf out, String s) {
        byte[] bytes = s.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        string(out, bytes, 0, bytes.length);
    }

    private static void escapeControl(ByteBuf out, int c) {
        switch (c) {
            case '\n':
                out.put((byte) '\\').put((byte) 'n');
                break;
            case '\r':
                out.put((byte) '\\').put((byte) 'r');
                break;
            case '\t':
                out.put((byte) '\\').put((byte) 't');
                break;
            default:
                escapeUnicode(out, c);
        }
    }

    private static void escapeUnicode(ByteBuf out, int c) {
        out.put((byte) '\\').put((byte) 'u').put((byte) '0').put((byte) '0');
        out.put(HEX[(c >>> 4) & 0xF]).put(HEX[c & 0xF]);
    }

    /** Length of the valid UTF-8 sequence starting at i, or 0. */
    static int utf8Length(byte[] b, int i, int end) {
        int c = b[i] & 0xFF;
        int n;
        int min;
        if (c >= 0xC2 && c <= 0xDF) {
            n = 2;
            min = 0x80;
        } else if (c >= 0xE0 && c <= 0xEF) {
            n = 3;
            min = 0x800;
        } else if (c >= 0xF0 && c <= 0xF4) {
            n = 4;
            min = 0x10000;
        } else {
            return 0;
        }
        if (i + n > end) {
            return 0;
        }
        int cp = c & (0x7F >> n);
        for (int k = 1; k < n; k++) {
            int cc = b[i + k] & 0xFF;
            if ((cc & 0xC0) != 0x80) {
                return 0;
            }
            cp = (cp << 6) | (cc & 0x3F);
        }
        if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
            return 0;
        }
        return n;
    }

    /** Appends epoch milliseconds as {@code "2026-11-26T13:52:13.301Z"} (with quotes). */
    public static void isoTime(ByteBuf out, long epochMillis) {
        long days = Math.floorDiv(epochMillis, 86_400_000L);
        long msOfDay = Math.floorMod(epochMillis, 86_400_000L);
        // civil-from-days (proleptic Gregorian), after Howard Hinnant's public-domain algorithm
        long z = days + 719_468;
        long era = Math.floorDiv(z, 146_097);
        long doe = z - era * 146_097;
        long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        long y = yoe + era * 400;
        long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        long mp = (5 * doy + 2) / 153;
        long d = doy - (153 * mp + 2) / 5 + 1;
        long m = mp < 10 ? mp + 3 : mp - 9;
        if (m <= 2) {
            y++;
        }
        out.put((byte) '"');
        out.putPadded(y, 4).put((byte) '-').putPadded(m, 2).put((byte) '-').putPadded(d, 2).put((byte) 'T');
        out.putPadded(msOfDay / 3_600_000, 2).put((byte) ':').putPadded(msOfDay / 60_000 % 60, 2).put((byte) ':');
        out.putPadded(msOfDay / 1000 % 60, 2).put((byte) '.').putPadded(msOfDay % 1000, 3).put((byte) 'Z');
        out.put((byte) '"');
    }
}
