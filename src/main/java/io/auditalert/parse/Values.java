package io.auditalert.parse;

/**
 * Decoding of field values as the kernel and libaudit encode them: {@code "text"} when the string is
 * safe, upper-case hex (two digits a byte) when it holds a quote, a space, a control or a high byte,
 * and the literal markers {@code (null)}, {@code (none)} and {@code ?}. All methods work on byte
 * ranges and write into caller-owned scratch buffers.
 */
public final class Values {
    private Values() {}

    /** The first position of byte {@code c} in {@code b[from, to)}, or -1. */
    public static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    public static boolean isQuoted(byte[] b, int off, int len) {
        return len >= 2 && b[off] == '"' && b[off + len - 1] == '"';
    }

    /** Start of the value with one pair of surrounding double quotes removed. */
    public static int unquotedOff(byte[] b, int off, int len) {
        return isQuoted(b, off, len) ? off + 1 : off;
    }

    /** Length of the value with one pair of surrounding double quotes removed. */
    public static int unquotedLen(byte[] b, int off, int len) {
        return isQuoted(b, off, len) ? len - 2 : len;
    }

    /** Whether the value is one of the markers for "absent": {@code (null)}, {@code (none)}, {@code ?}. */
    public static boolean isAbsent(byte[] b, int off, int len) {
        if (len == 1) {
            return b[off] == '?';
        }
        return len == 6 && b[off] == '(' && b[off + 5] == ')'
                && ((b[off + 1] == 'n' && b[off + 2] == 'u' && b[off + 3] == 'l' && b[off + 4] == 'l')
                        || (b[off + 1] == 'n' && b[off + 2] == 'o' && b[off + 3] == 'n' && b[off + 4] == 'e'));
    }

    public static boolean isHexDigit(byte c) {
        return RecordTokenizer.isHexDigit(c);
    }

    public static boolean isAllHex(byte[] b, int off, int len) {
        if (len == 0) {
            return false;
        }
        for (int i = off; i < off + len; i++) {
            if (!isHexDigit(b[i])) {
                return false;
            }
        }
        return true;
    }

    /**
     * Decodes an "untrusted string" value into {@code out} (cleared first): the inside of a quoted
     * value, the bytes of a hex value, or a marker such as {@code (null)} as written.
     */
    public static ByteBuf decodeEscaped(byte[] b, int off, int len, ByteBuf out) {
        out.clear();
        if (len > 0 && b[off] == '"') {
            int end = off + len;
            int inner = end - 1 > off && b[end - 1] == '"' ? len - 2 : len - 1;
            return out.put(b, off + 1, inner);
        }
        if (len > 0 && b[off] == '(') {
            return out.put(b, off, len);
        }
        return decodeHex(b, off, len, out);
    }

    /** Appends the bytes of a hex string (an odd trailing digit and anything after a non-hex is ignored). */
    public static ByteBuf decodeHex(byte[] b, int off, int len, ByteBuf out) {
        int n = len / 2;
        out.ensure(n);
        for (int i = 0; i < n; i++) {
            byte hi = b[off + 2 * i];
            byte lo = b[off + 2 * i + 1];
            if (!isHexDigit(hi) || !isHexDigit(lo)) {
                break;
            }
            out.put((byte) ((RecordTokenizer.hexValue(hi) << 4) | RecordTokenizer.hexValue(lo)));
        }
        return out;
    }

    /** Parses an unsigned decimal; -1 when the range is empty or not all digits. */
    public static long parseDecimal(byte[] b, int off, int len) {
        if (len <= 0 || len > 19) {
            return -1;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 9) {
                return -1;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /** Parses a signed decimal; {@link Long#MIN_VALUE} when not a number. */
    public static long parseSignedDecimal(byte[] b, int off, int len) {
        if (len > 0 && b[off] == '-') {
            long v = parseDecimal(b, off + 1, len - 1);
            return v < 0 ? Long.MIN_VALUE : -v;
        }
        long v = parseDecimal(b, off, len);
        return v < 0 ? Long.MIN_VALUE : v;
    }

    /** Whether the bytes are 1 to 16 hex digits: a 64-bit value {@link #parseHex} reads (-1 included). */
    public static boolean isHexNumber(byte[] b, int off, int len) {
        if (len <= 0 || len > 16) {
            return false;
        }
        for (int i = off; i < off + len; i++) {
            if (!isHexDigit(b[i])) {
                return false;
            }
        }
        return true;
    }

    /** Parses unsigned hex (no 0x); -1 when empty, too long or not hex. */
    public static long parseHex(byte[] b, int off, int len) {
        if (len <= 0 || len > 16) {
            return -1;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            if (!isHexDigit(b[i])) {
                return -1;
            }
            v = (v << 4) | RecordTokenizer.hexValue(b[i]);
        }
        return v;
    }

    /** Parses unsigned octal (a file mode: {@code 0100755}); -1 when empty, too long or not octal. */
    public static long parseOctal(byte[] b, int off, int len) {
        if (len <= 0 || len > 21) {
            return -1;
        }
        long v = 0;
        for (int i = off; i < off + len; i++) {
            int d = b[i] - '0';
            if (d < 0 || d > 7) {
                return -1;
            }
            v = v << 3 | d;
        }
        return v;
    }

    /**
     * Writes the control characters of a value from offset from on (a decoded newline in a file name or
     * an argument, say) byte by byte as {@code \ooo}, as ausearch -i does: no value can start a line of
     * its own in a log, a mail or a terminal. Controls are C0 and DEL, the C1 range (U+0080 to U+009F:
     * U+009B is a terminal's CSI) and the Unicode line and paragraph separators (U+2028, U+2029).
     */
    public static void escapeControls(ByteBuf out, int from) {
        byte[] a = out.array();
        int end = out.length();
        int i = from;
        while (i < end && controlLength(a, i, end) == 0) {
            i++;
        }
        if (i == end) {
            return;
        }
        byte[] tail = java.util.Arrays.copyOfRange(a, i, end);
        out.setLength(i);
        for (int j = 0; j < tail.length; ) {
            int n = controlLength(tail, j, tail.length);
            if (n == 0) {
                out.put(tail[j++]);
                continue;
            }
            for (int k = 0; k < n; k++, j++) {
                int b = tail[j] & 0xFF;
                out.put((byte) '\\').put((byte) ('0' + (b >> 6))).put((byte) ('0' + ((b >> 3) & 7)))
                        .put((byte) ('0' + (b & 7)));
            }
        }
    }

    /** The text with its control characters escaped as {@link #escapeControls(ByteBuf, int)} escapes them. */
    public static String escapeControls(String text) {
        ByteBuf b = new ByteBuf(text.length() + 16);
        b.putUtf8(text);
        escapeControls(b, 0);
        return b.toUtf8String();
    }

    /** The bytes of the control character at a[i] in UTF-8 (see {@link #escapeControls}), 0 when none starts there. */
    static int controlLength(byte[] a, int i, int end) {
        byte b = a[i];
        if (b >= 0) {
            return b < 0x20 || b == 0x7f ? 1 : 0;
        }
        if (b == (byte) 0xC2 && i + 1 < end && (a[i + 1] & 0xFF) >= 0x80 && (a[i + 1] & 0xFF) <= 0x9F) {
            return 2;
        }
        if (b == (byte) 0xE2 && i + 2 < end && a[i + 1] == (byte) 0x80 && (a[i + 2] == (byte) 0xA8 || a[i + 2] == (byte) 0xA9)) {
            return 3;
        }
        return 0;
    }
}
