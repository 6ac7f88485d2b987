package io.auditalert.json;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.interp.Interpreter;
import io.auditalert.parse.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;

/**
 * Writes one event as the JSON object of DESIGN §3.4:
 * {@code {"time":…,"serial":…,"node":…,"records":[{"type":…,"fields":{…},"interp":{…}},…]}}.
 * {@code fields} holds each raw value with surrounding double quotes removed; {@code interp} holds
 * the interpretation of every field; a name repeated within a record is written {@code name#2}, ….
 *
 * <p>A record is written in two passes over its fields. The first writes each {@code "name":} and
 * notes where it went in the output; the second copies those bytes instead of encoding the names
 * again. Interpretations are printed straight into the output and checked for bytes that need
 * escaping afterwards, which they almost never hold. Methods are kept small on purpose: the JIT
 * compiles them one by one instead of one giant inlined record writer.
 */
public final class EventJson {
    private static final byte[] FIELDS_TO_INTERP = ascii("},\"interp\":{");
    private static final byte[] RECORD_END = ascii("}}");
    private static final byte[] NULL = ascii("null");
    /** What libauparse interprets a field without a value as. */
    private static final byte[] NULL_INTERP = ascii("\" \"");
    private static final int TYPE_CACHE = 4096;
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);

    private final Interpreter interpreter;
    private final ByteBuf scratch = new ByteBuf(512);
    private final ByteBuf ttyScratch = new ByteBuf(512);
    /** Per record type number: {@code {"type":"NAME","fields":{}, encoded once. */
    private final byte[][] recordOpen = new byte[TYPE_CACHE][];
    /**
     * Per field of the record being written: where its {@code ,"name":"} (no comma before the
     * first, no quote before a null value) starts and ends in the output.
     */
    private int[] nameStart = new int[64];
    private int[] nameEnd = new int[64];
    /**
     * Per field: where its value's JSON text starts in the output when that is the raw value
     * exactly as written (not quoted, nothing escaped), else -1; an interpretation that is the raw
     * value as written is then a copy of it.
     */
    private int[] verbatimAt = new int[64];
    /**
     * Per field: where its value's text starts in the output when the raw value is a quoted string
     * written without its quotes and with nothing escaped (so no quote inside), else -1; the
     * interpretation of such a string is then a copy of it.
     */
    private int[] unquotedAt = new int[64];
    /** Per field of the record being written: the hash of its name, to find repeated names. */
    private int[] hashes = new int[64];

    public EventJson(Interpreter interpreter) {
        this.interpreter = interpreter;
    }

    /** Appends the event's JSON object (no newline). */
    public void write(AuditEvent ev, ByteBuf out) {
        out.putAscii("{\"time\":");
        JsonBytes.isoTime(out, ev.epochMillis());
        out.putAscii(",\"serial\":").putLong(ev.serial());
        out.putAscii(",\"node\":");
        if (ev.hasNode()) {
            JsonBytes.string(out, ev.buffer(), ev.nodeOff(), ev.nodeLen());
        } else {
            out.putAscii("null");
        }
        if (ev.truncated()) {
            out.putAscii(",\"truncated\":true");
        }
        out.putAscii(",\"records\":[");
        for (int r = 0; r < ev.recordCount(); r++) {
            if (r > 0) {
                out.put((byte) ',');
            }
            writeRecord(ev, r, out);
        }
        out.putAscii("]}");
    }

    private void writeRecord(AuditEvent ev, int r, ByteBuf out) {
        int first = ev.firstField(r);
        int end = ev.endField(r);
        if (end - first > hashes.length) {
            grow(end - first);
        }
        writeRecordOpen(ev, r, out);
        writeFields(ev, first, end, out);
        out.put(FIELDS_TO_INTERP);
        writeInterp(ev, r, first, end, out);
        out.put(RECORD_END);
    }

    private void writeRecordOpen(AuditEvent ev, int r, ByteBuf out) {
        int type = ev.recordType(r);
        if (type < 0 || type >= TYPE_CACHE) {
            out.put(recordOpen(ev.recordTypeName(r)));
            return;
        }
        byte[] open = recordOpen[type];
        if (open == null) {
            open = recordOpen(ev.recordTypeName(r));
            recordOpen[type] = open;
        }
        out.put(open);
    }

    private static byte[] recordOpen(String typeName) {
        ByteBuf b = new ByteBuf(64);
        b.putAscii("{\"type\":");
        JsonBytes.string(b, typeName);
        b.putAscii(",\"fields\":{");
        return b.toByteArray();
    }

    private void writeFields(AuditEvent ev, int first, int end, ByteBuf out) {
        byte[] b = ev.buffer();
        long seen = 0;
        for (int f = first; f < end; f++) {
            int i = f - first;
            nameStart[i] = out.length();
            seen = writeName(ev, b, first, f, seen, out);
            // the copy for interp takes the comma, the name and the value's opening quote at once
            nameEnd[i] = out.length() + (ev.isNullValue(f) ? 0 : 1);
            writeValue(ev, b, f, i, out);
        }
    }

    /**
     * The raw value of field f (the i-th of its record) with one pair of surrounding double quotes
     * removed; notes in verbatimAt or unquotedAt where its text went when nothing needed escaping.
     */
    private void writeValue(AuditEvent ev, byte[] b, int f, int i, ByteBuf out) {
        verbatimAt[i] = -1;
        unquotedAt[i] = -1;
        if (ev.isNullValue(f)) {
            out.put(NULL);
            return;
        }
        int off = ev.valOff(f);
        int len = ev.valLen(f);
        boolean quoted = len >= 2 && b[off] == '"' && b[off + len - 1] == '"';
        if (quoted) {
            off++;
            len -= 2;
        }
        out.put((byte) '"');
        int at = out.length();
        if (JsonBytes.stringBody(out, b, off, len)) {
            if (quoted) {
                unquotedAt[i] = at;
            } else {
                verbatimAt[i] = at;
            }
        }
        out.put((byte) '"');
    }

    private void writeInterp(AuditEvent ev, int r, int first, int end, ByteBuf out) {
        interpreter.beginRecord(ev, r);
        for (int f = first; f < end; f++) {
            int i = f - first;
            out.putOwn(nameStart[i], nameEnd[i] - nameStart[i]); // [,]"name":["]
            if (ev.isNullValue(f)) {
                out.put(NULL_INTERP);
                continue;
            }
            int start = out.length();
            int result = interpreter.interpretField(ev, r, f, out);
            if (result == Interpreter.AS_WRITTEN) {
                if (verbatimAt[i] >= 0) {
                    out.putOwn(verbatimAt[i], ev.valLen(f)).put((byte) '"'); // written and checked in fields
                    continue;
                }
                out.put(ev.buffer(), ev.valOff(f), ev.valLen(f));
            } else if (result == Interpreter.QUOTED) {
                if (unquotedAt[i] >= 0) {
                    // no quote inside, nothing a TTY or JSON would escape: the text of the fields section
                    out.putOwn(unquotedAt[i], ev.valLen(f) - 2).put((byte) '"');
                    continue;
                }
                Interpreter.printQuoted(ev.buffer(), ev.valOff(f), ev.valLen(f), out);
            }
            int plain = JsonBytes.plainEnd(out.array(), start, out.length());
            if (plain < out.length()) {
                escapeInterpretation(out, plain, result != Interpreter.APPENDED_ENRICHED);
            }
            out.put((byte) '"');
        }
    }

    /** The rare interpretation with bytes to escape: auparse's TTY escaping first, then JSON's. */
    private void escapeInterpretation(ByteBuf out, int from, boolean tty) {
        scratch.clear().put(out.array(), from, out.length() - from);
        out.setLength(from);
        ByteBuf text = scratch;
        if (tty) {
            ttyScratch.clear();
            Interpreter.ttyEscape(scratch.array(), 0, scratch.length(), ttyScratch);
            text = ttyScratch;
        }
        JsonBytes.stringBody(out, text.array(), 0, text.length());
    }

    /**
     * Writes {@code "name":}, or {@code "name#k":} for the k-th field of that name in the record,
     * after a comma unless f is the record's first field. {@code seen} has one bit set per name hash
     * met so far in the record: a name whose bit is clear is certainly its first occurrence, so the
     * common record without repeats compares nothing.
     */
    private long writeName(AuditEvent ev, byte[] b, int first, int f, long seen, ByteBuf out) {
        int nOff = ev.nameOff(f);
        int nLen = ev.nameLen(f);
        int h;
        if (nLen <= 8 && nOff + 8 <= b.length) {
            long x = (long) LONGS.get(b, nOff) & JsonBytes.lowBytes(nLen);
            h = (int) ((x * 0x9E3779B97F4A7C15L) >>> 32);
            if (JsonBytes.isPlain(x, nLen)) {
                // comma, quote, the name as one word and the closing quote and colon, at one capacity check
                out.ensure(12);
                byte[] a = out.array();
                int at = out.length();
                a[at] = ',';
                at += f > first ? 1 : 0;
                a[at] = '"';
                LONGS.set(a, at + 1, x);
                at += 1 + nLen;
                a[at] = '"';
                a[at + 1] = ':';
                out.setLength(at + 2);
            } else {
                openName(f > first, b, nOff, nLen, out);
                out.put((byte) '"').put((byte) ':');
            }
        } else {
            h = nameHash(b, nOff, nLen);
            openName(f > first, b, nOff, nLen, out);
            out.put((byte) '"').put((byte) ':');
        }
        hashes[f - first] = h;
        long bit = 1L << (h >>> 26);
        if ((seen & bit) != 0) {
            int occurrence = occurrence(ev, b, first, f, h);
            if (occurrence > 1) {
                out.setLength(out.length() - 2); // the suffix goes before the closing quote and colon
                out.put((byte) '#').putLong(occurrence).put((byte) '"').put((byte) ':');
            }
        }
        return seen | bit;
    }

    /** Writes the comma when asked, the opening quote and the name's bytes escaped. */
    private static void openName(boolean comma, byte[] b, int nOff, int nLen, ByteBuf out) {
        if (comma) {
            out.put((byte) ',');
        }
        out.put((byte) '"');
        JsonBytes.stringBody(out, b, nOff, nLen);
    }

    /** 1 + the number of earlier fields of the record with the same name as field f. */
    private int occurrence(AuditEvent ev, byte[] b, int first, int f, int h) {
        int nOff = ev.nameOff(f);
        int nLen = ev.nameLen(f);
        int occurrence = 1;
        for (int g = first; g < f; g++) {
            if (hashes[g - first] == h && ev.nameLen(g) == nLen
                    && Arrays.equals(b, ev.nameOff(g), ev.nameOff(g) + nLen, b, nOff, nOff + nLen)) {
                occurrence++;
            }
        }
        return occurrence;
    }

    private void grow(int n) {
        int size = Math.max(n, hashes.length * 2);
        hashes = Arrays.copyOf(hashes, size);
        nameStart = Arrays.copyOf(nameStart, size);
        nameEnd = Arrays.copyOf(nameEnd, size);
        verbatimAt = Arrays.copyOf(verbatimAt, size);
        unquotedAt = Arrays.copyOf(unquotedAt, size);
    }

    /**
     * The hash writeName keys a name by, the same wherever the name lies: a name of up to eight bytes
     * hashes as the word writeName reads it in one load (little-endian, the bytes past it zero), so a
     * repeat near the buffer's end, which cannot be read that way, still meets its earlier fields.
     */
    private static int nameHash(byte[] b, int off, int len) {
        if (len <= 8) {
            long x = 0;
            for (int i = off + len - 1; i >= off; i--) {
                x = x << 8 | (b[i] & 0xFFL);
            }
            return (int) ((x * 0x9E3779B97F4A7C15L) >>> 32);
        }
        int h = len;
        for (int i = off; i < off + len; i++) {
            h = 31 * h + b[i];
        }
        return h * 0x9E3779B9;
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.US_ASCII);
    }
}
