package io.auditalert.parse;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.Map;

/**
 * Audit record type numbers and names, from libaudit's own table (generated into
 * {@code tables/record-types.tsv} by {@code tools/gen-record-types.py}).
 */
public final class RecordTypes {
    public static final int UNKNOWN = -1;
    public static final int LOGIN = 1006;
    public static final int USER = 1005;
    public static final int USER_AVC = 1107;
    public static final int SYSCALL = 1300;
    public static final int PATH = 1302;
    public static final int CONFIG_CHANGE = 1305;
    public static final int SOCKADDR = 1306;
    public static final int CWD = 1307;
    public static final int EXECVE = 1309;
    public static final int EOE = 1320;
    public static final int BPRM_FCAPS = 1321;
    public static final int PROCTITLE = 1327;
    public static final int URINGOP = 1336;
    public static final int AVC = 1400;
    public static final int KERNEL = 2000;
    public static final int FIRST_ANOM = 2100;

    private static final int MAX = 3000;
    private static final String[] NAMES = new String[MAX];
    private static final Map<String, Integer> NUMBERS = new HashMap<>();

    static {
        try (InputStream in = RecordTypes.class.getResourceAsStream("/io/auditalert/tables/record-types.tsv")) {
            if (in == null) {
                throw new IllegalStateException("record-types.tsv missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.US_ASCII));
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isEmpty() || line.charAt(0) == '#') {
                    continue;
                }
                int tab = line.indexOf('\t');
                int number = Integer.parseInt(line.substring(0, tab));
                String name = line.substring(tab + 1).intern();
                NAMES[number] = name;
                NUMBERS.put(name, number);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private RecordTypes() {}

    /** The libaudit name of a type number, or null when libaudit has none. */
    public static String name(int type) {
        return type >= 0 && type < MAX ? NAMES[type] : null;
    }

    /** The libaudit number of a type name, or {@link #UNKNOWN}. */
    public static int number(String name) {
        Integer n = NUMBERS.get(name);
        return n == null ? UNKNOWN : n;
    }

    /**
     * Resolves the value of a {@code type=} token as {@code audit_name_to_msg_type} does: a known
     * name, {@code UNKNOWN[n]}, or a bare number.
     */
    public static int resolve(byte[] b, int off, int len) {
        if (len <= 0) {
            return UNKNOWN;
        }
        if (len > 9 && b[off] == 'U' && startsWith(b, off, len, UNKNOWN_BRACKET) && b[off + len - 1] == ']') {
            return parseSmall(b, off + 8, len - 9);
        }
        if (b[off] >= '0' && b[off] <= '9') {
            return parseSmall(b, off, len);
        }
        return NameTable.lookup(b, off, len);
    }

    private static final byte[] UNKNOWN_BRACKET = "UNKNOWN[".getBytes(StandardCharsets.US_ASCII);

    private static boolean startsWith(byte[] b, int off, int len, byte[] prefix) {
        if (len < prefix.length) {
            return false;
        }
        for (int i = 0; i < prefix.length; i++) {
            if (b[off + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static int parseSmall(byte[] b, int off, int len) {
        if (len <= 0 || len > 9) {
            return UNKNOWN;
        }
        int v = 0;
        for (int i = 0; i < len; i++) {
            int d = b[off + i] - '0';
            if (d < 0 || d > 9) {
                return UNKNOWN;
            }
            v = v * 10 + d;
        }
        return v;
    }

    /**
     * Whether a record of this type ends its event, by audit-userspace 4.x's {@code
     * audit_is_last_record}: PROCTITLE, EOE, USER, the userspace range above LOGIN (USER_*, DAEMON_*),
     * KERNEL, anomalies from 2100 on, and the labelled-networking range. Unlike libauparse 3.0.9, LOGIN
     * does not end an event: the kernel logs it inside a syscall whose SYSCALL and PROCTITLE follow
     * with the same serial.
     */
    public static boolean isLastRecord(int type) {
        return type == PROCTITLE || type == EOE || (type > LOGIN && type < 1300) || type == USER
                || type == KERNEL || type >= FIRST_ANOM || (type >= 1406 && type <= 1419);
    }

    /** Allocation-free lookup of a type name given as bytes: open addressing over the name hashes. */
    private static final class NameTable {
        private static final int SIZE = 1024;
        private static final byte[][] KEYS = new byte[SIZE][];
        private static final int[] VALUES = new int[SIZE];

        static {
            for (int t = 0; t < MAX; t++) {
                if (NAMES[t] != null) {
                    byte[] k = NAMES[t].getBytes(StandardCharsets.US_ASCII);
                    int slot = hash(k, 0, k.length) & (SIZE - 1);
                    while (KEYS[slot] != null) {
                        slot = (slot + 1) & (SIZE - 1);
                    }
                    KEYS[slot] = k;
                    VALUES[slot] = t;
                }
            }
        }

        static int hash(byte[] b, int off, int len) {
            int h = 0;
            for (int i = 0; i < len; i++) {
                h = 31 * h + b[off + i];
            }
            return h ^ (h >>> 16);
        }

        static int lookup(byte[] b, int off, int len) {
            int slot = hash(b, off, len) & (SIZE - 1);
            for (byte[] k; (k = KEYS[slot]) != null; slot = (slot + 1) & (SIZE - 1)) {
                if (k.length == len && java.util.Arrays.equals(k, 0, len, b, off, off + len)) {
                    return VALUES[slot];
                }
            }
            return UNKNOWN;
        }
    }
}
