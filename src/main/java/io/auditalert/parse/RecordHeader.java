package io.auditalert.parse;

/**
 * Flyweight over the header of one record line: the optional node, and the event stamp. Parsing
 * follows libauparse's {@code extract_timestamp}: an optional first token starting with {@code n}
 * names the node, the next token is the type, and the token after it holds {@code (SEC.MSEC:SERIAL)}.
 *
 * <pre>
 *   [node=web01 ]type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e ... [0x1D ARCH=x86_64 ...]
 *         ^nodeOff           ^stamp token   ^sec       ^milli ^serial
 * </pre>
 */
public final class RecordHeader {
    /** Parse outcomes; every one but OK names a parse-error counter. */
    public static final int OK = 0;
    public static final int EMPTY = 1;
    public static final int NO_STAMP = 2;
    public static final int BAD_STAMP = 3;
    /** The token where the type belongs is not {@code type=…} (syslog or JSON wrapping, say). */
    public static final int NO_TYPE = 4;
    public static final String[] REASONS = {"ok", "empty_line", "no_timestamp", "bad_timestamp", "no_type"};

    private byte[] buf;
    private int nodeOff;
    private int nodeLen;
    private long sec;
    private int milli;
    private long serial;
    private int type;
    private int typeOff;
    private int typeLen;
    /**
     * The text of the last stamp parsed, {@code SEC.MSEC:SERIAL)}, and its values: every record of
     * an event repeats it, so most records compare it instead of parsing it again.
     */
    private final byte[] lastStamp = new byte[48];
    private int lastStampLen;
    private long lastSec;
    private int lastMilli;
    private long lastSerial;

    /** Parses the header of {@code buf[off, off+len)} (no trailing newline); returns a status. */
    public int parse(byte[] b, int off, int len) {
        this.buf = b;
        nodeOff = -1;
        nodeLen = 0;
        int end = off + len;
        int p = skipSpaces(b, off, end);
        if (p >= end) {
            return EMPTY;
        }
        int tokEnd = tokenEnd(b, p, end);
        if (b[p] == 'n') {
            // libauparse takes everything after the first five bytes ("node=") as the node name
            nodeOff = Math.min(p + 5, tokEnd);
            nodeLen = tokEnd - nodeOff;
            p = skipSpaces(b, tokEnd, end);
            if (p >= end) {
                return NO_STAMP;
            }
            tokEnd = tokenEnd(b, p, end);
        }
        // the type token
        type = RecordTypes.UNKNOWN;
        typeOff = p;
        typeLen = 0;
        if (tokEnd - p > 5 && b[p] == 't' && b[p + 1] == 'y' && b[p + 2] == 'p' && b[p + 3] == 'e' && b[p + 4] == '=') {
            typeOff = p + 5;
            typeLen = tokEnd - typeOff;
            type = RecordTypes.resolve(b, typeOff, typeLen);
        } else {
            return NO_TYPE;
        }
        p = skipSpaces(b, tokEnd, end);
        if (p >= end) {
            return NO_STAMP;
        }
        if (p + MSG_AUDIT.length < end && startsWithMsgAudit(b, p)) {
            // the usual "msg=audit(": the stamp follows at once; parseStamp stops at a space, as
            // the token scan below would
            return parseStamp(b, p + MSG_AUDIT.length, end);
        }
        tokEnd = tokenEnd(b, p, end);
        int paren = Values.indexOf(b, p, tokEnd, (byte) '(');
        if (paren < 0) {
            return NO_STAMP;
        }
        return parseStamp(b, paren + 1, tokEnd);
    }

    private static final byte[] MSG_AUDIT = {'m', 's', 'g', '=', 'a', 'u', 'd', 'i', 't', '('};

    private static boolean startsWithMsgAudit(byte[] b, int p) {
        for (int i = 0; i < MSG_AUDIT.length; i++) {
            if (b[p + i] != MSG_AUDIT[i]) {
                return false;
            }
        }
        return true;
    }

    private int parseStamp(byte[] b, int p, int end) {
        int n = lastStampLen;
        if (n > 0 && p + n <= end && java.util.Arrays.equals(b, p, p + n, lastStamp, 0, n)) {
            sec = lastSec; // the same bytes up to the ')' the parse below stops at: the same stamp
            milli = lastMilli;
            serial = lastSerial;
            return OK;
        }
        int stampStart = p;
        long s = 0;
        int start = p;
        while (p < end && isDigit(b[p])) {
            s = s * 10 + (b[p++] - '0');
            if (s > 0xFFFF_FFFF_FFFFL) {
                return BAD_STAMP;
            }
        }
        if (p == start || p >= end || b[p] != '.') {
            return BAD_STAMP;
        }
        p++;
        int ms = 0;
        start = p;
        while (p < end && isDigit(b[p])) {
            ms = ms * 10 + (b[p++] - '0');
            if (ms > 999_999) {
                return BAD_STAMP;
            }
        }
        if (p == start || p >= end || b[p] != ':') {
            return BAD_STAMP;
        }
        p++;
        long ser = 0;
        start = p;
        while (p < end && isDigit(b[p])) {
            ser = ser * 10 + (b[p++] - '0');
            if (ser > 0xFFFF_FFFFL) {
                return BAD_STAMP;
            }
        }
        if (p == start || p >= end || b[p] != ')') {
            return BAD_STAMP;
        }
        sec = s;
        milli = ms;
        serial = ser;
        int len = p + 1 - stampStart;
        if (len <= lastStamp.length) {
            System.arraycopy(b, stampStart, lastStamp, 0, len);
            lastStampLen = len;
            lastSec = s;
            lastMilli = ms;
            lastSerial = ser;
        }
        return OK;
    }

    static boolean isDigit(byte c) {
        return c >= '0' && c <= '9';
    }

    static int skipSpaces(byte[] b, int p, int end) {
        while (p < end && b[p] == ' ') {
            p++;
        }
        return p;
    }

    static int tokenEnd(byte[] b, int p, int end) {
        while (p < end && b[p] != ' ') {
            p++;
        }
        return p;
    }

    public boolean hasNode() {
        return nodeOff >= 0;
    }

    /** Offset of the node name in the parsed buffer, or -1. */
    public int nodeOff() {
        return nodeOff;
    }

    public int nodeLen() {
        return nodeLen;
    }

    public long sec() {
        return sec;
    }

    public int milli() {
        return milli;
    }

    public long serial() {
        return serial;
    }

    /** The type number from the {@code type=} token, or {@link RecordTypes#UNKNOWN}. */
    public int type() {
        return type;
    }

    /** Offset of the {@code type=} value in the parsed buffer (its length is {@link #typeLen}). */
    public int typeOff() {
        return typeOff;
    }

    public int typeLen() {
        return typeLen;
    }

    /** Whether the node of this header equals {@code other[off, off+len)}; both absent counts as equal. */
    public boolean sameNode(byte[] other, int off, int len) {
        if (nodeOff < 0 || off < 0) {
            return nodeOff < 0 && off < 0;
        }
        return len == nodeLen && java.util.Arrays.equals(buf, nodeOff, nodeOff + nodeLen, other, off, off + len);
    }

    /** A hash of the node name (0 when absent) for keying open events. */
    public int nodeHash() {
        if (nodeOff < 0) {
            return 0;
        }
        int h = 1;
        for (int i = nodeOff; i < nodeOff + nodeLen; i++) {
            h = 31 * h + buf[i];
        }
        return h;
    }
}
