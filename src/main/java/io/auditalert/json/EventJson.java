package io.auditalert.json;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.interp.Interpreter;
import io.auditalert.parse.ByteBuf;
import io.auditalert.parse.Values;

/**
 * Writes one event as the JSON object of DESIGN §3.4:
 * {@code {"time":…,"serial":…,"node":…,"records":[{"type":…,"fields":{…},"interp":{…}},…]}}.
 * {@code fields} holds each raw value with surrounding double quotes removed; {@code interp} holds
 * the interpretation of every field; a name repeated within a record is written {@code name#2}, ….
 */
public final class EventJson {
    private final Interpreter interpreter;
    private final ByteBuf value = new ByteBuf(512);

    public EventJson(Interpreter interpreter) {
        this.interpreter = interpreter;
    }

    /** Appends the event's JSON object (no newline). */
    public void write(AuditEvent ev, ByteBuf out) {
        out.putLatin1("{\"time\":");
        JsonBytes.isoTime(out, ev.epochMillis());
        out.putLatin1(",\"serial\":").putLong(ev.serial());
        out.putLatin1(",\"node\":");
        if (ev.hasNode()) {
            JsonBytes.string(out, ev.buffer(), ev.nodeOff(), ev.nodeLen());
        } else {
            out.putLatin1("null");
        }
        if (ev.truncated()) {
            out.putLatin1(",\"truncated\":true");
        }
        out.putLatin1(",\"records\":[");
        for (int r = 0; r < ev.recordCount(); r++) {
            if (r > 0) {
                out.put((byte) ',');
            }
            writeRecord(ev, r, out);
        }
        out.putLatin1("]}");
    }

    private void writeRecord(AuditEvent ev, int r, ByteBuf out) {
        byte[] b = ev.buffer();
        out.putLatin1("{\"type\":");
        JsonBytes.string(out, ev.recordTypeName(r));
        out.putLatin1(",\"fields\":{");
        int first = ev.firstField(r);
        int end = ev.endField(r);
        for (int f = first; f < end; f++) {
            if (f > first) {
                out.put((byte) ',');
            }
            writeName(ev, first, f, out);
            int off = ev.valOff(f);
            int len = ev.valLen(f);
            JsonBytes.string(out, b, Values.unquotedOff(b, off, len), Values.unquotedLen(b, off, len));
        }
        out.putLatin1("},\"interp\":{");
        for (int f = first; f < end; f++) {
            if (f > first) {
                out.put((byte) ',');
            }
            writeName(ev, first, f, out);
            value.clear();
            interpreter.interpret(ev, r, f, value);
            JsonBytes.string(out, value.array(), 0, value.length());
        }
        out.putLatin1("}}");
    }

    /**
     * Writes {@code "name":}, or {@code "name#k":} for the k-th field of that name in the record.
     * Names are compared by a precomputed hash first, so the common record without repeats costs
     * one int comparison per earlier field.
     */
    private void writeName(AuditEvent ev, int first, int f, ByteBuf out) {
        byte[] b = ev.buffer();
        int nOff = ev.nameOff(f);
        int nLen = ev.nameLen(f);
        int h = nameHash(b, nOff, nLen);
        int idx = f - first;
        if (idx >= hashes.length) {
            hashes = java.util.Arrays.copyOf(hashes, Math.max(idx + 1, hashes.length * 2));
        }
        hashes[idx] = h;
        int occurrence = 1;
        for (int g = first; g < f; g++) {
            if (hashes[g - first] == h && ev.nameLen(g) == nLen
                    && java.util.Arrays.equals(b, ev.nameOff(g), ev.nameOff(g) + nLen, b, nOff, nOff + nLen)) {
                occurrence++;
            }
        }
        out.put((byte) '"');
        JsonBytes.stringBody(out, b, nOff, nLen);
        if (occurrence > 1) {
            out.put((byte) '#').putLong(occurrence);
        }
        out.put((byte) '"').put((byte) ':');
    }

    private int[] hashes = new int[64];

    private static int nameHash(byte[] b, int off, int len) {
        int h = len;
        for (int i = off; i < off + len; i++) {
            h = 31 * h + b[i];
        }
        return h;
    }
}
