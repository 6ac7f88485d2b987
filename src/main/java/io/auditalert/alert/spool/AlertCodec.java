package io.auditalert.alert.spool;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Severity;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The on-disk form of an {@link Alert} in a spool: every field but {@code arrivalNanos} (meaningless
 * after a restart).
 *
 * <pre>
 *   u8 version(1) | str id | i64 eventTimeMillis | str rule | i8 severity (-1 none) | str output
 *   | list tags | str node | i64 serial | list keys | i32 n, n x (str, str) fields
 *   | i64 suppressedBefore | i32 len, len bytes json
 *   str  = i32 length (-1 = null), UTF-8 bytes;   list = i32 n (-1 = null), n x str
 * </pre>
 */
public final class AlertCodec {
    static final int VERSION = 1;

    private AlertCodec() {}

    public static byte[] encode(Alert a) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(256 + (a.json() == null ? 0 : a.json().length));
        try (DataOutputStream out = new DataOutputStream(bytes)) {
            out.writeByte(VERSION);
            str(out, a.id());
            out.writeLong(a.eventTimeMillis());
            str(out, a.rule());
            out.writeByte(a.severity() == null ? -1 : a.severity().ordinal());
            str(out, a.output());
            list(out, a.tags());
            str(out, a.node());
            out.writeLong(a.serial());
            list(out, a.keys());
            Map<String, String> f = a.fields() == null ? Map.of() : a.fields();
            out.writeInt(f.size());
            for (Map.Entry<String, String> e : f.entrySet()) {
                str(out, e.getKey());
                str(out, e.getValue());
            }
            out.writeLong(a.suppressedBefore());
            byte[] json = a.json() == null ? new byte[0] : a.json();
            out.writeInt(json.length);
            out.write(json);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return bytes.toByteArray();
    }

    /** Decodes an item; throws IOException when the bytes are not one. */
    public static Alert decode(byte[] b, int off, int len) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(b, off, len));
        int v = in.readUnsignedByte();
        if (v != VERSION) {
            throw new IOException("unknown spool item version " + v);
        }
        String id = str(in);
        long time = in.readLong();
        String rule = str(in);
        int sev = in.readByte();
        Severity severity = sev < 0 || sev >= Severity.values().length ? null : Severity.values()[sev];
        String output = str(in);
        List<String> tags = list(in);
        String node = str(in);
        long serial = in.readLong();
        List<String> keys = list(in);
        int nf = in.readInt();
        if (nf < 0 || nf > len) {
            throw new IOException("bad field count");
        }
        Map<String, String> fields = new LinkedHashMap<>();
        for (int i = 0; i < nf; i++) {
            fields.put(str(in), str(in));
        }
        long suppressed = in.readLong();
        int jl = in.readInt();
        if (jl < 0 || jl > len) {
            throw new IOException("bad json length");
        }
        byte[] json = new byte[jl];
        in.readFully(json);
        return new Alert(id, time, rule, severity, output, tags, node, serial, keys,
                Collections.unmodifiableMap(fields), suppressed, json, 0);
    }

    private static void str(DataOutputStream out, String s) throws IOException {
        if (s == null) {
            out.writeInt(-1);
            return;
        }
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        out.writeInt(b.length);
        out.write(b);
    }

    private static String str(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.available()) {
            throw new IOException("bad string length " + n);
        }
        byte[] b = new byte[n];
        in.readFully(b);
        return new String(b, StandardCharsets.UTF_8);
    }

    private static void list(DataOutputStream out, List<String> l) throws IOException {
        if (l == null) {
            out.writeInt(-1);
            return;
        }
        out.writeInt(l.size());
        for (String s : l) {
            str(out, s);
        }
    }

    private static List<String> list(DataInputStream in) throws IOException {
        int n = in.readInt();
        if (n == -1) {
            return null;
        }
        if (n < 0 || n > in.available()) {
            throw new IOException("bad list length " + n);
        }
        List<String> l = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            l.add(str(in));
        }
        return Collections.unmodifiableList(l);
    }
}
