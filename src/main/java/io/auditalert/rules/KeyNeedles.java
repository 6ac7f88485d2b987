package io.auditalert.rules;

import io.auditalert.assemble.AuditEvent;
import java.nio.charset.StandardCharsets;
import java.util.Collection;

/**
 * Rules out audit keys without splitting records. Every {@code key} field of a record lies after
 * the first {@code " key="} of its line ({@link AuditEvent#keyAt}); a key is written there as it is
 * (quoted) or, when it holds unsafe bytes or when a rule has several keys, hex-encoded in upper
 * case. So when neither form of a key's bytes occurs after {@code " key="} in any record, the event
 * does not have that key. The converse does not hold ({@code key="shadow2"} contains
 * {@code shadow}): a hit is confirmed on the split fields.
 *
 * <pre>
 *   type=SYSCALL ... comm="cat" exe="/usr/bin/cat" key="shadow"          written as is
 *   type=SYSCALL ... comm="cat" exe="/usr/bin/cat" key=736861646F77016964 two keys: hex, 0x01 between
 *                                                  ^keyAt: searched from here to the end of the line
 * </pre>
 *
 * The search stops at the ENRICHED separator (0x1D): a key holding that byte is written in hex, and
 * the names after it are upper case.
 */
final class KeyNeedles {
    private final byte[][] plain;
    private final byte[][] hex;

    KeyNeedles(Collection<String> keys) {
        plain = new byte[keys.size()][];
        hex = new byte[keys.size()][];
        int i = 0;
        for (String k : keys) {
            plain[i] = k.getBytes(StandardCharsets.UTF_8);
            hex[i] = hex(plain[i]);
            i++;
        }
    }

    int size() {
        return plain.length;
    }

    /** Whether key number {@code k} may be among the event's keys (searched up to {@link AuditEvent#keyEnd}). */
    boolean possible(AuditEvent ev, int k) {
        byte[] b = ev.buffer();
        for (int r = 0, n = ev.recordCount(); r < n; r++) {
            int at = ev.keyAt(r);
            if (at >= 0) {
                int end = ev.keyEnd(r);
                if (contains(b, at, end, plain[k], false) || contains(b, at, end, hex[k], true)) {
                    return true;
                }
            }
        }
        return false;
    }

    /** Whether any of the keys may be among the event's keys. */
    boolean anyPossible(AuditEvent ev) {
        for (int k = 0; k < plain.length; k++) {
            if (possible(ev, k)) {
                return true;
            }
        }
        return false;
    }

    /** The literal bytes of key number {@code k}. */
    byte[] literal(int k) {
        return plain[k];
    }

    static byte[] hex(byte[] lit) {
        byte[] out = new byte[lit.length * 2];
        for (int i = 0; i < lit.length; i++) {
            out[2 * i] = (byte) "0123456789ABCDEF".charAt((lit[i] >> 4) & 0xF);
            out[2 * i + 1] = (byte) "0123456789ABCDEF".charAt(lit[i] & 0xF);
        }
        return out;
    }

    /** Whether {@code needle} occurs in {@code b[from, end)}; with {@code hexFold}, a-f match A-F. */
    static boolean contains(byte[] b, int from, int end, byte[] needle, boolean hexFold) {
        int n = needle.length;
        if (n == 0) {
            return true;
        }
        byte first = needle[0];
        for (int i = from, last = end - n; i <= last; i++) {
            if (fold(b[i], hexFold) != first) {
                continue;
            }
            int j = 1;
            while (j < n && fold(b[i + j], hexFold) == needle[j]) {
                j++;
            }
            if (j == n) {
                return true;
            }
        }
        return false;
    }

    private static byte fold(byte c, boolean hexFold) {
        return hexFold && c >= 'a' && c <= 'f' ? (byte) (c - ('a' - 'A')) : c;
    }
}
