package io.auditalert.parse;

import io.auditalert.assemble.AuditEvent;

/**
 * Splits one record line, already copied into its event slot, into fields the way libauparse's
 * {@code parse_up_record} does, so that field names, order and values agree with it:
 * <ul>
 *   <li>the line is cut at the first 0x1D; what follows is the ENRICHED section, kept apart;
 *   <li>tokens are separated by runs of spaces and kept only when they hold {@code =};
 *       {@code msg=audit(...)} is dropped and {@code msg='} is peeled off the first nested field;
 *   <li>a leading {@code (} is dropped from a name; trailing {@code :}, {@code ,}, {@code '} and
 *       {@code )} are trimmed from a value (the last one except for {@code (null)} and {@code (none)});
 *   <li>a {@code key} holding several keys (hex, joined by 0x01) becomes one field per key, each
 *       quoted or hex-encoded again ("virtual keys");
 *   <li>in AVC and USER_AVC records the bare words after {@code avc:} become {@code seresult} and
 *       the {@code { perm perm }} list becomes {@code seperms=perm,perm}.
 * </ul>
 * Runs lazily, on the first access to a record's fields, on the thread that holds the event.
 * Nothing is allocated and the slot's buffer never moves: synthesized names live in the buffer's
 * constant preamble and synthesized values are written over the bytes they were made from.
 */
public final class RecordTokenizer {
    private static final byte SEPARATOR = 0x1D;
    private static final byte KEY_SEPARATOR = 0x01;
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final int maxBytes;
    private byte[] keyScratch = new byte[256];

    public RecordTokenizer(int maxBytesPerEvent) {
        this.maxBytes = maxBytesPerEvent;
    }

    /**
     * Splits record r of the event into its raw fields (up to the 0x1D separator) and its enriched
     * fields. One method for the whole line on purpose: every accessor of {@link AuditEvent} that
     * may tokenize calls it, and a small method would be inlined, loops and all, into each of them.
     */
    public void tokenize(AuditEvent ev, int r) {
        ev.beginFields(r);
        int p = ev.recordOff(r);
        int end = p + ev.recordLen(r);
        byte[] b = ev.buffer();
        int type = ev.recordType(r);
        boolean avc = type == RecordTypes.AVC || type == RecordTypes.USER_AVC;
        int header = 0;
        while (true) {
            while (p < end && b[p] == ' ') {
                p++;
            }
            if (p >= end || b[p] == SEPARATOR) {
                break;
            }
            int ts = p;
            long token = scanToken(b, p, end);
            int eq = (int) (token >> 32);
            int te = (int) token;
            p = te;
            if (eq >= 0) {
                if (te - ts >= 5 && b[ts] == 'm' && b[ts + 1] == 's' && b[ts + 2] == 'g' && b[ts + 3] == '=') {
                    if (b[ts + 4] == 'a') {
                        continue;
                    }
                    if (b[ts + 4] == '\'') {
                        ts += 5;
                        eq = Values.indexOf(b, ts, te, (byte) '=');
                        if (eq < 0) {
                            continue;
                        }
                    }
                }
                int ns = ts;
                if (b[ns] == '(' && ns < eq) {
                    ns++;
                }
                int nameLen = eq - ns;
                int vs = eq + 1;
                if (vs == te) {
                    continue; // libauparse keeps no field for "name=" with nothing after it
                }
                int ve = trimValue(b, vs, te);
                int count = ev.fieldsInRecord(r);
                if (count == 0 && nameLen == 4 && b[ns] == 'n' && b[ns + 1] == 'o' && b[ns + 2] == 'd' && b[ns + 3] == 'e') {
                    header = 1;
                    ev.setHeaderFields(r, header);
                    ev.addField(ns, nameLen, vs, ve - vs);
                    continue;
                }
                if (count == header && nameLen == 4 && b[ns] == 't' && b[ns + 1] == 'y' && b[ns + 2] == 'p' && b[ns + 3] == 'e') {
                    ev.setHeaderFields(r, header + 1);
                    ev.addField(ns, nameLen, vs, ve - vs);
                    continue;
                }
                if (nameLen == 3 && b[ns] == 'k' && b[ns + 1] == 'e' && b[ns + 2] == 'y') {
                    addKeys(ev, ns, vs, ve);
                    b = ev.buffer();
                    continue;
                }
                ev.addField(ns, nameLen, vs, ve - vs);
            } else if (avc) {
                int count = ev.fieldsInRecord(r);
                int headerCount = header + 1;
                if (count == headerCount) {
                    if (te - ts >= 3 && b[ts] == 'a' && b[ts + 1] == 'v' && b[ts + 2] == 'c') {
                        continue;
                    }
                    ev.addField(AuditEvent.SERESULT_OFF, AuditEvent.SERESULT_LEN, ts, te - ts);
                } else if (count == headerCount + 1 && b[ts] == '{') {
                    p = addPermissions(ev, p, end);
                }
            }
        }
        ev.endRawFields(r);
        if (p < end) {
            tokenizeEnriched(ev, p + 1, end);
        }
        ev.endFields(r);
    }

    /**
     * Collects the words up to {@code }} into one {@code seperms} value joined by commas, written
     * over the words themselves (the result is never longer than the words and the spaces between).
     */
    private static int addPermissions(AuditEvent ev, int p, int end) {
        byte[] b = ev.buffer();
        int out = -1;
        int valueStart = -1;
        while (true) {
            while (p < end && b[p] == ' ') {
                p++;
            }
            if (p >= end || b[p] == SEPARATOR) {
                break;
            }
            int ts = p;
            while (p < end && b[p] != ' ' && b[p] != SEPARATOR) {
                p++;
            }
            if (b[ts] == '}') {
                break;
            }
            if (out < 0) {
                out = ts;
                valueStart = ts;
            } else {
                b[out++] = ',';
            }
            System.arraycopy(b, ts, b, out, p - ts);
            out += p - ts;
        }
        if (valueStart < 0) {
            ev.addField(AuditEvent.SEPERMS_OFF, AuditEvent.SEPERMS_LEN, AuditEvent.SEPERMS_OFF, 0);
        } else {
            ev.addField(AuditEvent.SEPERMS_OFF, AuditEvent.SEPERMS_LEN, valueStart, out - valueStart);
        }
        return p;
    }

    /**
     * Adds one {@code key} field per key: {@code (null)} and a plain quoted key stay as written; a
     * hex value is decoded, split at 0x01, and each key encoded again as libauparse does, over the
     * hex it came from (or, in the rare case that is too short, appended to the slot).
     */
    private void addKeys(AuditEvent ev, int nameOff, int vs, int ve) {
        byte[] b = ev.buffer();
        int len = ve - vs;
        if (len > 0 && (b[vs] == '(' || b[vs] == '"')) {
            ev.addField(nameOff, 3, vs, len);
            return;
        }
        // libauparse decodes an unquoted key as hex up to the first non-hex byte, an odd last digit
        // as its high nibble, and has no value at all when fewer than two digits remain
        int hexEnd = vs;
        while (hexEnd < ve && isHexDigit(b[hexEnd])) {
            hexEnd++;
        }
        int digits = hexEnd - vs;
        if (digits < 2) {
            ev.addField(nameOff, 3, AuditEvent.NULL_VALUE_OFF, 0);
            return;
        }
        int n = (digits + 1) / 2;
        if (keyScratch.length < n) {
            keyScratch = new byte[Math.max(n, keyScratch.length * 2)];
        }
        byte[] decoded = keyScratch;
        for (int i = 0; i < n; i++) {
            int lo = vs + 2 * i + 1 < hexEnd ? hexValue(b[vs + 2 * i + 1]) : 0;
            decoded[i] = (byte) ((hexValue(b[vs + 2 * i]) << 4) | lo);
        }
        int needed = 0;
        for (int i = 0; i < n; ) {
            while (i < n && decoded[i] == KEY_SEPARATOR) {
                i++;
            }
            int from = i;
            while (i < n && decoded[i] != KEY_SEPARATOR) {
                i++;
            }
            if (i > from) {
                needed += encodedLength(decoded, from, i);
            }
        }
        int at = vs;
        if (needed > len) {
            at = ev.reserve(needed, maxBytes);
            if (at < 0) {
                return;
            }
        }
        for (int i = 0; i < n; ) {
            while (i < n && decoded[i] == KEY_SEPARATOR) {
                i++;
            }
            if (i >= n) {
                break;
            }
            int from = i;
            while (i < n && decoded[i] != KEY_SEPARATOR) {
                i++;
            }
            int written = encodeKey(ev.buffer(), at, decoded, from, i);
            ev.addField(nameOff, 3, at, written);
            at += written;
        }
    }

    private static boolean needsHex(byte[] src, int from, int to) {
        for (int i = from; i < to; i++) {
            int c = src[i] & 0xFF;
            if (c == '"' || c < 0x21 || c > 0x7F) {
                return true;
            }
        }
        return false;
    }

    private static int encodedLength(byte[] src, int from, int to) {
        return needsHex(src, from, to) ? 2 * (to - from) : to - from + 2;
    }

    /** Writes a key quoted, or hex-encoded when it holds a quote, a space, a control or a high byte. */
    private static int encodeKey(byte[] b, int at, byte[] src, int from, int to) {
        int n = to - from;
        if (needsHex(src, from, to)) {
            for (int i = 0; i < n; i++) {
                int c = src[from + i] & 0xFF;
                b[at + 2 * i] = HEX[c >>> 4];
                b[at + 2 * i + 1] = HEX[c & 0xF];
            }
            return 2 * n;
        }
        b[at] = '"';
        System.arraycopy(src, from, b, at + 1, n);
        b[at + n + 1] = '"';
        return n + 2;
    }

    private static void tokenizeEnriched(AuditEvent ev, int p, int end) {
        byte[] b = ev.buffer();
        while (true) {
            while (p < end && b[p] == ' ') {
                p++;
            }
            if (p >= end) {
                return;
            }
            int ts = p;
            p = indexOfAny(b, p, end, SPACES, EQUALS, EQUALS);
            if (p >= end || b[p] != '=') {
                p = indexOfAny(b, p, end, SPACES, SPACES, SPACES);
                continue;
            }
            int eq = p;
            int vs = eq + 1;
            if (vs < end && b[vs] == '{') {
                p = vs;
                while (p < end && b[p] != '}') {
                    p++;
                }
                if (p < end) {
                    p++;
                }
            } else {
                p = indexOfAny(b, vs, end, SPACES, SPACES, SPACES);
            }
            ev.addField(ts, eq - ts, vs, p - vs);
        }
    }

    /** Trims trailing {@code :} then {@code ,} then {@code '} then {@code )} (unless the value is (null)/(none)). */
    public static int trimValue(byte[] b, int vs, int ve) {
        if (ve > vs && b[ve - 1] == ':') {
            ve--;
        }
        if (ve > vs && b[ve - 1] == ',') {
            ve--;
        }
        if (ve > vs && b[ve - 1] == '\'') {
            ve--;
        }
        if (ve > vs && b[ve - 1] == ')' && !isNullMarker(b, vs, ve)) {
            ve--;
        }
        return ve;
    }

    private static boolean isNullMarker(byte[] b, int vs, int ve) {
        return ve - vs == 6 && b[vs] == '(' && b[vs + 5] == ')'
                && ((b[vs + 1] == 'n' && b[vs + 2] == 'u' && b[vs + 3] == 'l' && b[vs + 4] == 'l')
                        || (b[vs + 1] == 'n' && b[vs + 2] == 'o' && b[vs + 3] == 'n' && b[vs + 4] == 'e'));
    }

    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    private static final long ONES = 0x0101010101010101L;
    private static final long HIGHS = 0x8080808080808080L;
    /** A byte repeated in all eight bytes of a word, for {@link #indexOfAny}. */
    public static final long SPACES = 0x2020202020202020L;
    public static final long SEPARATORS = 0x1D1D1D1D1D1D1D1DL;
    public static final long EQUALS = 0x3D3D3D3D3D3D3D3DL;

    /**
     * The first index in [p, end) of a byte equal to any of three bytes (each given repeated eight
     * times in a word), or end. Eight bytes a step while the array has them; bytes past end may be
     * read, and a hit there is cut back to end.
     */
    public static int indexOfAny(byte[] b, int p, int end, long c1, long c2, long c3) {
        for (; p < end && p + 8 <= b.length; p += 8) {
            long x = (long) LONGS.get(b, p);
            long hits = zeroBytes(x ^ c1) | zeroBytes(x ^ c2) | zeroBytes(x ^ c3);
            if (hits != 0) {
                return Math.min(end, p + (Long.numberOfTrailingZeros(hits) >>> 3));
            }
        }
        for (; p < end; p++) {
            byte c = b[p];
            if (c == (byte) c1 || c == (byte) c2 || c == (byte) c3) {
                return p;
            }
        }
        return end;
    }

    /**
     * Where the token starting at p ends: its first {@code '='} (or -1 when a space, 0x1D or end
     * comes first) in the high half, and the first space or 0x1D after that {@code '='} (after p
     * when there is none), or end, in the low half. One pass, eight bytes a step: a field such as
     * {@code uid=0} is found in one word.
     */
    static long scanToken(byte[] b, int p, int end) {
        int eq = -1;
        for (; p < end && p + 8 <= b.length; p += 8) {
            long x = (long) LONGS.get(b, p);
            long stops = zeroBytes(x ^ SPACES) | zeroBytes(x ^ SEPARATORS);
            if (eq < 0) {
                long any = stops | zeroBytes(x ^ EQUALS);
                if (any == 0) {
                    continue;
                }
                int k = Long.numberOfTrailingZeros(any) >>> 3;
                if (p + k >= end) {
                    return (-1L << 32) | end;
                }
                if (b[p + k] != '=') {
                    return (-1L << 32) | (p + k);
                }
                eq = p + k;
                // stops above the '=': the lowest of them is exact, no stop lies below it
                stops &= (-1L << (k << 3)) << 8;
            }
            if (stops != 0) {
                int at = p + (Long.numberOfTrailingZeros(stops) >>> 3);
                return ((long) eq << 32) | Math.min(at, end);
            }
        }
        for (; p < end; p++) {
            byte c = b[p];
            if (c == ' ' || c == SEPARATOR) {
                break;
            }
            if (c == '=' && eq < 0) {
                eq = p;
            }
        }
        return ((long) eq << 32) | Math.min(p, end);
    }

    /**
     * The first index i in [p, end) where {@code b[i]} is {@code c} and {@code b[i - 1]} is
     * {@code prev}, or where {@code b[i]} is {@code stop} (each byte given repeated eight times in a
     * word), or end; p must be at least 1. Looking for a field's {@code '='} this way passes over the
     * other fields' {@code '='} bytes eight at a time instead of stopping at each: only the bytes that
     * end in the name's last byte are looked at.
     */
    public static int indexOfPairOrStop(byte[] b, int p, int end, long prev, long c, long stop) {
        for (; p < end && p + 8 <= b.length; p += 8) {
            long x = (long) LONGS.get(b, p);
            long y = (long) LONGS.get(b, p - 1);
            // each mask may flag bytes above a true hit, never miss one: every flag is checked
            long hits = (zeroBytes(x ^ c) & zeroBytes(y ^ prev)) | zeroBytes(x ^ stop);
            while (hits != 0) {
                int at = p + (Long.numberOfTrailingZeros(hits) >>> 3);
                if (at >= end) {
                    return end;
                }
                byte v = b[at];
                if (v == (byte) stop || (v == (byte) c && b[at - 1] == (byte) prev)) {
                    return at;
                }
                hits &= hits - 1;
            }
        }
        for (; p < end; p++) {
            byte v = b[p];
            if (v == (byte) stop || (v == (byte) c && b[p - 1] == (byte) prev)) {
                return p;
            }
        }
        return end;
    }

    /** High bit set in each zero byte (and maybe in bytes above one: the lowest is exact). */
    private static long zeroBytes(long v) {
        return (v - ONES) & ~v & HIGHS;
    }

    static boolean isHexDigit(byte c) {
        return (c >= '0' && c <= '9') || (c >= 'A' && c <= 'F') || (c >= 'a' && c <= 'f');
    }

    static int hexValue(byte c) {
        if (c <= '9') {
            return c - '0';
        }
        return (c | 0x20) - 'a' + 10;
    }
}
