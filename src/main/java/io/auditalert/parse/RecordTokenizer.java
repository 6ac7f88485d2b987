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
 * Nothing is allocated: fields are offsets into the slot; the few synthesized values are appended to
 * the slot's buffer.
 */
public final class RecordTokenizer {
    private static final byte SEPARATOR = 0x1D;
    private static final byte KEY_SEPARATOR = 0x01;
    private static final byte[] NODE = {'n', 'o', 'd', 'e'};
    private static final byte[] TYPE = {'t', 'y', 'p', 'e'};
    private static final byte[] KEY = {'k', 'e', 'y'};
    private static final byte[] SERESULT = "seresult".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] SEPERMS = "seperms".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(java.nio.charset.StandardCharsets.US_ASCII);

    private final int maxBytes;
    private byte[] scratch = new byte[256];

    public RecordTokenizer(int maxBytesPerEvent) {
        this.maxBytes = maxBytesPerEvent;
    }

    /**
     * Tokenizes the record that {@link AuditEvent#beginRecord} just started at {@code [off, off+len)}
     * of the event's buffer, then closes it.
     */
    public void tokenize(AuditEvent ev, int off, int len) {
        byte[] b = ev.buffer();
        int end = off + len;
        int rawEnd = end;
        for (int i = off; i < end; i++) {
            if (b[i] == SEPARATOR) {
                rawEnd = i;
                break;
            }
        }
        tokenizeRaw(ev, off, rawEnd);
        ev.endRawFields();
        if (rawEnd < end) {
            tokenizeEnriched(ev, rawEnd + 1, end);
        }
        ev.endRecord();
    }

    private void tokenizeRaw(AuditEvent ev, int p, int end) {
        byte[] b = ev.buffer();
        int header = 0;
        while (true) {
            while (p < end && b[p] == ' ') {
                p++;
            }
            if (p >= end) {
                break;
            }
            int ts = p;
            while (p < end && b[p] != ' ') {
                p++;
            }
            int te = p;
            int eq = indexOf(b, ts, te, (byte) '=');
            if (eq >= 0) {
                if (te - ts >= 5 && b[ts] == 'm' && b[ts + 1] == 's' && b[ts + 2] == 'g' && b[ts + 3] == '=') {
                    if (b[ts + 4] == 'a') {
                        continue;
                    }
                    if (b[ts + 4] == '\'') {
                        ts += 5;
                        eq = indexOf(b, ts, te, (byte) '=');
                        if (eq < 0) {
                            continue;
                        }
                    }
                }
                int ns = ts;
                if (b[ns] == '(' && ns < eq) {
                    ns++;
                }
                int vs = eq + 1;
                int ve = trimValue(b, vs, te);
                int count = ev.fieldsInRecord();
                if (count == 0 && eq - ns == 4 && equals(b, ns, NODE)) {
                    header = 1;
                    ev.setHeaderFields(header);
                    ev.addField(ns, eq - ns, vs, ve - vs);
                    continue;
                }
                if (count == header && eq - ns == 4 && equals(b, ns, TYPE)) {
                    ev.setType(RecordTypes.resolve(b, vs, ve - vs), vs, ve - vs);
                    ev.setHeaderFields(header + 1);
                    ev.addField(ns, eq - ns, vs, ve - vs);
                    continue;
                }
                if (eq - ns == 3 && equals(b, ns, KEY)) {
                    addKeys(ev, ns, vs, ve);
                    b = ev.buffer();
                    continue;
                }
                ev.addField(ns, eq - ns, vs, ve - vs);
            } else {
                int type = ev.buildingType();
                if (type != RecordTypes.AVC && type != RecordTypes.USER_AVC) {
                    continue;
                }
                int count = ev.fieldsInRecord();
                int headerCount = header + 1;
                if (count == headerCount) {
                    if (te - ts >= 3 && b[ts] == 'a' && b[ts + 1] == 'v' && b[ts + 2] == 'c') {
                        continue;
                    }
                    int nameAt = synth(ev, SERESULT, 0, SERESULT.length);
                    b = ev.buffer();
                    if (nameAt >= 0) {
                        ev.addField(nameAt, SERESULT.length, ts, te - ts);
                    }
                } else if (count == headerCount + 1 && b[ts] == '{') {
                    p = addPermissions(ev, p, end);
                    b = ev.buffer();
                }
            }
        }
    }

    /** Collects the words up to {@code }} into one {@code seperms} value joined by commas. */
    private int addPermissions(AuditEvent ev, int p, int end) {
        byte[] b = ev.buffer();
        int n = 0;
        while (true) {
            while (p < end && b[p] == ' ') {
                p++;
            }
            if (p >= end) {
                break;
            }
            int ts = p;
            while (p < end && b[p] != ' ') {
                p++;
            }
            if (b[ts] == '}') {
                break;
            }
            int wordLen = p - ts;
            ensureScratch(n + wordLen + 1);
            if (n > 0) {
                scratch[n++] = ',';
            }
            System.arraycopy(b, ts, scratch, n, wordLen);
            n += wordLen;
        }
        int nameAt = synth(ev, SEPERMS, 0, SEPERMS.length);
        int valAt = synth(ev, scratch, 0, n);
        if (nameAt >= 0 && valAt >= 0) {
            ev.addField(nameAt, SEPERMS.length, valAt, n);
        }
        return p;
    }

    /**
     * Adds one {@code key} field per key: {@code (null)} and a plain quoted key stay as written; a
     * hex value is decoded, split at 0x01, and each key encoded again as libauparse does.
     */
    private void addKeys(AuditEvent ev, int nameOff, int vs, int ve) {
        byte[] b = ev.buffer();
        int len = ve - vs;
        int hexEnd = vs;
        while (hexEnd < ve && isHexDigit(b[hexEnd])) {
            hexEnd++;
        }
        int n = (hexEnd - vs) / 2;
        if (len == 0 || b[vs] == '(' || b[vs] == '"' || n == 0) {
            ev.addField(nameOff, 3, vs, len);
            return;
        }
        if (keyScratch.length < n) {
            keyScratch = new byte[Math.max(n, keyScratch.length * 2)];
        }
        byte[] decoded = keyScratch;
        for (int i = 0; i < n; i++) {
            decoded[i] = (byte) ((hexValue(b[vs + 2 * i]) << 4) | hexValue(b[vs + 2 * i + 1]));
        }
        int i = 0;
        while (i < n) {
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
            int at = encodeKey(ev, decoded, from, i);
            if (at < 0) {
                return;
            }
            ev.addField(nameOff, 3, at, encodedLength(decoded, from, i));
        }
    }

    private byte[] keyScratch = new byte[256];

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

    /** Appends a key quoted, or hex-encoded when it holds a quote, a space, a control or a high byte. */
    private int encodeKey(AuditEvent ev, byte[] src, int from, int to) {
        boolean hex = needsHex(src, from, to);
        int n = to - from;
        int at = ev.reserve(encodedLength(src, from, to), maxBytes);
        if (at < 0) {
            return -1;
        }
        byte[] b = ev.buffer();
        if (hex) {
            for (int i = 0; i < n; i++) {
                int c = src[from + i] & 0xFF;
                b[at + 2 * i] = HEX[c >>> 4];
                b[at + 2 * i + 1] = HEX[c & 0xF];
            }
        } else {
            b[at] = '"';
            System.arraycopy(src, from, b, at + 1, n);
            b[at + n + 1] = '"';
        }
        return at;
    }

    private void tokenizeEnriched(AuditEvent ev, int p, int end) {
        byte[] b = ev.buffer();
        while (true) {
            while (p < end && b[p] == ' ') {
                p++;
            }
            if (p >= end) {
                return;
            }
            int ts = p;
            while (p < end && b[p] != ' ' && b[p] != '=') {
                p++;
            }
            if (p >= end || b[p] != '=') {
                while (p < end && b[p] != ' ') {
                    p++;
                }
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
                while (p < end && b[p] != ' ') {
                    p++;
                }
            }
            ev.addField(ts, eq - ts, vs, p - vs);
        }
    }

    private int synth(AuditEvent ev, byte[] src, int off, int len) {
        return ev.appendBytes(src, off, len, maxBytes);
    }

    private void ensureScratch(int n) {
        if (scratch.length < n) {
            scratch = java.util.Arrays.copyOf(scratch, Math.max(n, scratch.length * 2));
        }
    }

    /** Trims trailing {@code :} then {@code ,} then {@code '} then {@code )} (unless the value is (null)/(none)). */
    static int trimValue(byte[] b, int vs, int ve) {
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

    static int indexOf(byte[] b, int from, int to, byte c) {
        for (int i = from; i < to; i++) {
            if (b[i] == c) {
                return i;
            }
        }
        return -1;
    }

    private static boolean equals(byte[] b, int off, byte[] word) {
        for (int i = 0; i < word.length; i++) {
            if (b[off + i] != word[i]) {
                return false;
            }
        }
        return true;
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
