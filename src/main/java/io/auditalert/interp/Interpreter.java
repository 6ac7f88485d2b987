package io.auditalert.interp;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.parse.ByteBuf;
import io.auditalert.parse.RecordTypes;
import io.auditalert.sys.UserDb;
import java.nio.charset.StandardCharsets;

/**
 * Appends what libauparse 3.0.9's {@code auparse_interpret_field} returns for one field.
 *
 * <p>The steps mirror auparse: the field's type comes from its name (typetab) with per-record-type
 * overrides; a value in the record's ENRICHED section (after 0x1D) under the upper-cased name wins and
 * is returned as written, except that uid and gid fields get it unquoted or hex-decoded; otherwise the
 * type's printer runs and control bytes of its output are escaped as {@code \ooo} (auparse's default
 * TTY escape mode). Lookup tables are generated from libauparse itself (tools/gen-auparse-tables.py).
 *
 * <p>One instance per thread: it keeps a scratch buffer. Nothing is allocated per field except the
 * Strings the user database caches once per id.
 */
public final class Interpreter {
    // AUPARSE_TYPE_* numbers (auparse-defs.h)
    static final int T_UNCLASSIFIED = 0;
    static final int T_UID = 1;
    static final int T_GID = 2;
    static final int T_SYSCALL = 3;
    static final int T_ARCH = 4;
    static final int T_EXIT = 5;
    static final int T_ESCAPED = 6;
    static final int T_PERM = 7;
    static final int T_MODE = 8;
    static final int T_SOCKADDR = 9;
    static final int T_FLAGS = 10;
    static final int T_PROMISC = 11;
    static final int T_CAPABILITY = 12;
    static final int T_SUCCESS = 13;
    static final int T_A0 = 14;
    static final int T_A3 = 17;
    static final int T_SIGNAL = 18;
    static final int T_LIST = 19;
    static final int T_TTY_DATA = 20;
    static final int T_SESSION = 21;
    static final int T_CAP_BITMAP = 22;
    static final int T_NFPROTO = 23;
    static final int T_ICMPTYPE = 24;
    static final int T_PROTOCOL = 25;
    static final int T_ADDR = 26;
    static final int T_PERSONALITY = 27;
    static final int T_SECCOMP = 28;
    static final int T_OFLAG = 29;
    static final int T_MMAP = 30;
    static final int T_MODE_SHORT = 31;
    static final int T_MAC_LABEL = 32;
    static final int T_PROCTITLE = 33;
    static final int T_HOOK = 34;
    static final int T_NETACTION = 35;
    static final int T_IOCTL_REQ = 37;
    static final int T_ESCAPED_KEY = 38;
    static final int T_ESCAPED_FILE = 39;
    static final int T_FANOTIFY = 40;
    static final int T_NLMCGRP = 41;
    static final int T_RESOLVE = 42;

    private static final int USER_TTY = 1124;
    private static final byte[] ARCH = {'a', 'r', 'c', 'h'};
    private static final byte[] SYSCALL = {'s', 'y', 's', 'c', 'a', 'l', 'l'};
    private static final byte[] ARGC = {'a', 'r', 'g', 'c'};
    private static final byte[] ACCT = {'a', 'c', 'c', 't'};
    private static final byte[] MSG = {'m', 's', 'g'};
    private static final byte[] UNSET_SESSION = "4294967295".getBytes(StandardCharsets.US_ASCII);
    private static final String[] PERMS = {"read", "write", "exec", "attr"};

    private final UserDb users;
    private final ByteBuf scratch = new ByteBuf(256);
    private final ByteBuf decoded = new ByteBuf(256);

    public Interpreter() {
        this(UserDb.SYSTEM);
    }

    public Interpreter(UserDb users) {
        this.users = users;
    }

    /** Appends the interpretation of field f of record r of the event to out. */
    public void interpret(AuditEvent ev, int r, int f, ByteBuf out) {
        byte[] b = ev.buffer();
        int nOff = ev.nameOff(f);
        int nLen = ev.nameLen(f);
        int off = ev.valOff(f);
        int len = ev.valLen(f);
        int rtype = ev.recordType(r);
        int type = fieldType(rtype, b, nOff, nLen, off, len);

        int enriched = findEnriched(ev, r, b, nOff, nLen);
        if (enriched >= 0) {
            int eOff = ev.valOff(enriched);
            int eLen = ev.valLen(enriched);
            if (type == T_UID || type == T_GID) {
                printEscaped(b, eOff, eLen, out);
            } else {
                out.put(b, eOff, eLen);
            }
            return;
        }
        int start = out.length();
        print(ev, r, type, b, off, len, out);
        ttyEscape(out, start);
    }

    /** auparse_interp_adjust_type: the record-specific rules, then the per-name table. */
    static int fieldType(int rtype, byte[] b, int nOff, int nLen, int off, int len) {
        if (rtype == RecordTypes.EXECVE && nLen > 0 && b[nOff] == 'a' && !equals(b, nOff, nLen, ARGC)
                && !contains(b, nOff, nLen, (byte) '_', (byte) 'l', (byte) 'e', (byte) 'n')) {
            return T_ESCAPED;
        }
        if (rtype == USER_TTY && equals(b, nOff, nLen, MSG)) {
            return T_ESCAPED;
        }
        if (equals(b, nOff, nLen, ACCT)) {
            return (len > 0 && b[off] == '"') || allHex(b, off, len) ? T_ESCAPED : T_UNCLASSIFIED;
        }
        int o = LookupTables.override(rtype, b, nOff, nLen);
        return o >= 0 ? o : LookupTables.baseType(b, nOff, nLen);
    }

    /** The enriched field of record r named like the raw name upper-cased, or -1. */
    private static int findEnriched(AuditEvent ev, int r, byte[] b, int nOff, int nLen) {
        for (int e = ev.firstEnriched(r), end = ev.endEnriched(r); e < end; e++) {
            if (ev.nameLen(e) != nLen) {
                continue;
            }
            int eOff = ev.nameOff(e);
            boolean same = true;
            boolean anyLower = false;
            for (int i = 0; i < nLen; i++) {
                byte c = b[nOff + i];
                if (c >= 'a' && c <= 'z') {
                    anyLower = true;
                    c -= 32;
                }
                if (b[eOff + i] != c) {
                    same = false;
                    break;
                }
            }
            // a raw name that is already upper case is not looked up (seen with libauparse 3.0.9)
            if (same && anyLower) {
                return e;
            }
        }
        return -1;
    }

    private void print(AuditEvent ev, int r, int type, byte[] b, int off, int len, ByteBuf out) {
        switch (type) {
            case T_UID -> printUser(parseUnsigned(b, off, len, 10), true, out);
            case T_GID -> printUser(parseUnsigned(b, off, len, 10), false, out);
            case T_SYSCALL -> printSyscall(ev, r, out);
            case T_ARCH -> printArch(b, off, len, out);
            case T_EXIT -> printExit(b, off, len, out);
            case T_ESCAPED, T_ESCAPED_KEY, T_ESCAPED_FILE -> printEscaped(b, off, len, out);
            case T_PROCTITLE -> printProctitle(b, off, len, out);
            case T_PERM -> printPerm(b, off, len, out);
            case T_MODE -> printMode(parseUnsigned(b, off, len, 8), out);
            case T_MODE_SHORT -> printModeShort(parseUnsigned(b, off, len, 8), out);
            case T_SOCKADDR -> printSockaddr(b, off, len, out);
            case T_FLAGS -> printFlags(LookupTables.PATHFLAGS, ",", b, off, len, "none", out);
            case T_PROMISC -> out.putLatin1(parseSigned(b, off, len) == 0 ? "no" : "yes");
            case T_CAPABILITY -> lookup(LookupTables.CAPABILITIES, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_SUCCESS -> printSuccess(b, off, len, out);
            case 14, 15, 16, 17 -> printArg(ev, r, type - T_A0, b, off, len, out);
            case T_SIGNAL -> lookup(LookupTables.SIGNALS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_LIST -> lookup(LookupTables.LISTS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_SESSION -> {
                if (equals(b, off, len, UNSET_SESSION)) {
                    out.putLatin1("unset");
                } else {
                    out.put(b, off, len);
                }
            }
            case T_CAP_BITMAP -> printCapBitmap(parseUnsigned(b, off, len, 16), out);
            case T_NFPROTO -> lookup(LookupTables.NFPROTOS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_ICMPTYPE -> lookup(LookupTables.ICMPTYPES, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_PROTOCOL -> {
                String p = LookupTables.PROTOCOLS.get(parseUnsigned(b, off, len, 10));
                out.putLatin1(p != null ? p : "undefined protocol");
            }
            case T_PERSONALITY -> printPersonality(b, off, len, out);
            case T_SECCOMP -> lookup(LookupTables.SECCOMP, parseUnsigned(b, off, len, 16) & 0x7fff0000L, b, off, len, out);
            case T_OFLAG -> printOpenFlags(b, off, len, out);
            case T_MMAP -> printMmap(b, off, len, out);
            case T_HOOK -> lookup(LookupTables.HOOKS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_NETACTION -> lookup(LookupTables.NETACTIONS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_IOCTL_REQ -> lookup(LookupTables.IOCTLS, parseUnsigned(b, off, len, 16), b, off, len, out);
            case T_FANOTIFY -> lookup(LookupTables.FANOTIFY, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_NLMCGRP -> lookup(LookupTables.NLMCGRPS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_RESOLVE -> printFlags(LookupTables.RESOLVE, "|", b, off, len, null, out);
            default -> out.put(b, off, len); // unclassified, MAC labels, addresses, tty data, ...
        }
    }

    // ---- users, syscalls, errors ----

    private void printUser(long v, boolean user, ByteBuf out) {
        int id = (int) v;
        if (id == -1) {
            out.putLatin1("unset");
            return;
        }
        long key = id & 0xFFFFFFFFL;
        String name = user ? users.userName(key) : users.groupName(key);
        if (name != null) {
            out.putUtf8(name);
        } else {
            out.putLatin1("unknown(").putLong(id).put((byte) ')');
        }
    }

    /** The record's arch code, or -1 when it has no arch field. */
    private static long recordArch(AuditEvent ev, int r) {
        int f = ev.find(r, ARCH);
        if (f < 0) {
            return -1;
        }
        return parseUnsigned(ev.buffer(), ev.valOff(f), ev.valLen(f), 16) & 0xFFFFFFFFL;
    }

    /** The record's syscall number; auparse only reads it when the record also has an arch. */
    private static int recordSyscall(AuditEvent ev, int r, long arch) {
        int f = ev.find(r, SYSCALL);
        if (arch < 0 || f < 0) {
            return -1;
        }
        return (int) parseUnsigned(ev.buffer(), ev.valOff(f), ev.valLen(f), 10);
    }

    private static void printSyscall(AuditEvent ev, int r, ByteBuf out) {
        long arch = recordArch(ev, r);
        int nr = recordSyscall(ev, r, arch);
        String name = Syscalls.name(arch < 0 ? Syscalls.X86_64 : arch, nr);
        if (name != null) {
            out.putLatin1(name);
        } else {
            out.putLatin1("unknown-syscall(").putLong(nr).put((byte) ')');
        }
    }

    private static void printArch(byte[] b, int off, int len, ByteBuf out) {
        String name = Syscalls.archName(parseUnsigned(b, off, len, 16) & 0xFFFFFFFFL);
        if (name != null) {
            out.putLatin1(name);
        } else {
            out.putLatin1("unknown-elf-type(").put(b, off, len).put((byte) ')');
        }
    }

    private static void printExit(byte[] b, int off, int len, ByteBuf out) {
        long v = parseSigned(b, off, len);
        if (v < 0) {
            String name = v > Integer.MIN_VALUE ? Errno.name((int) -v) : null;
            out.putLatin1(name != null ? name : "(null)").put((byte) '(').putLatin1(Errno.message(-v)).put((byte) ')');
        } else {
            out.put(b, off, len);
        }
    }

    // ---- strings ----

    /** print_escaped: the inside of a quoted value; else hex decoded (after a "00" abstract-name prefix). */
    private void printEscaped(byte[] b, int off, int len, ByteBuf out) {
        if (len > 0 && b[off] == '"') {
            int end = off + 1;
            while (end < off + len && b[end] != '"') {
                end++;
            }
            if (end == off + len) {
                out.put((byte) ' ');
            } else {
                out.put(b, off + 1, end - off - 1);
            }
            return;
        }
        int s = off;
        int l = len;
        if (len >= 2 && b[off] == '0' && b[off + 1] == '0') {
            s += 2;
            l -= 2;
        }
        if (!unescape(b, s, l, decoded)) {
            out.put(b, off, len);
            return;
        }
        putCString(decoded, out);
    }

    /**
     * au_unescape into dst: a {@code (…)} marker as written, else the leading run of hex digits
     * decoded two by two (an odd last digit pairs with a zero). False where auparse gets NULL.
     */
    private static boolean unescape(byte[] b, int off, int len, ByteBuf dst) {
        dst.clear();
        if (len > 0 && b[off] == '(') {
            for (int i = off; i < off + len; i++) {
                if (b[i] == ')') {
                    dst.put(b, off, i + 1 - off);
                    return true;
                }
            }
            return false;
        }
        int n = 0;
        while (n < len && isHex(b[off + n])) {
            n++;
        }
        if (n < 2) {
            return false;
        }
        for (int i = 0; i < n; i += 2) {
            int hi = hexValue(b[off + i]);
            int lo = i + 1 < n ? hexValue(b[off + i + 1]) : 0;
            dst.put((byte) ((hi << 4) | lo));
        }
        return true;
    }

    /** Appends the buffer up to its first NUL, as a C string would end. */
    private static void putCString(ByteBuf src, ByteBuf out) {
        byte[] a = src.array();
        int n = 0;
        while (n < src.length() && a[n] != 0) {
            n++;
        }
        out.put(a, 0, n);
    }

    private void printProctitle(byte[] b, int off, int len, ByteBuf out) {
        if (len > 0 && b[off] == '"') {
            printEscaped(b, off, len, out);
            return;
        }
        if (!unescape(b, off, len, decoded)) {
            out.put(b, off, len);
            return;
        }
        byte[] a = decoded.array();
        int n = Math.min(decoded.length(), len / 2);
        for (int i = 0; i < n; i++) {
            if (a[i] == 0) {
                a[i] = ' ';
            }
        }
        putCString(decoded, out);
    }

    /** TTY escape mode: every byte below 0x20 written from start on becomes {@code \ooo}. */
    private void ttyEscape(ByteBuf out, int start) {
        byte[] a = out.array();
        int end = out.length();
        int i = start;
        while (i < end && (a[i] & 0xFF) >= 32) {
            i++;
        }
        if (i == end) {
            return;
        }
        scratch.clear();
        scratch.put(a, i, end - i);
        out.setLength(i);
        byte[] s = scratch.array();
        for (int k = 0; k < scratch.length(); k++) {
            int c = s[k] & 0xFF;
            if (c < 32) {
                out.put((byte) '\\').put((byte) ('0' + (c >> 6))).put((byte) ('0' + ((c >> 3) & 7)))
                        .put((byte) ('0' + (c & 7)));
            } else {
                out.put((byte) c);
            }
        }
    }

    // ---- numbers, modes, flags ----

    private static void printPerm(byte[] b, int off, int len, ByteBuf out) {
        long v = parseSigned(b, off, len);
        if (v == 0) {
            v = 0x0F;
        }
        boolean first = true;
        for (int i = 0; i < 4; i++) {
            if ((v & (1L << i)) != 0) {
                if (!first) {
                    out.put((byte) ',');
                }
                out.putLatin1(PERMS[i]);
                first = false;
            }
        }
    }

    private static void printMode(long v, ByteBuf out) {
        String ftype = LookupTables.FILETYPES.get(v & 0170000);
        out.putLatin1(ftype != null ? ftype : "???");
        if ((v & 04000) != 0) {
            out.putLatin1(",suid");
        }
        if ((v & 02000) != 0) {
            out.putLatin1(",sgid");
        }
        if ((v & 01000) != 0) {
            out.putLatin1(",sticky");
        }
        out.put((byte) ',');
        putOctal3(v & 0777, out);
    }

    private static void printModeShort(long v, ByteBuf out) {
        int start = out.length();
        if ((v & 04000) != 0) {
            out.putLatin1("suid");
        }
        if ((v & 02000) != 0) {
            out.putLatin1(out.length() > start ? ",sgid" : "sgid");
        }
        if ((v & 01000) != 0) {
            out.putLatin1(out.length() > start ? ",sticky" : "sticky");
        }
        if (out.length() > start) {
            out.put((byte) ',');
        }
        out.put((byte) '0');
        putOctal3(v & 0777, out);
    }

    private static void putOctal3(long v, ByteBuf out) {
        out.put((byte) ('0' + ((v >> 6) & 7))).put((byte) ('0' + ((v >> 3) & 7))).put((byte) ('0' + (v & 7)));
    }

    private static void printSuccess(byte[] b, int off, int len, ByteBuf out) {
        if (len > 0 && b[off] >= '0' && b[off] <= '9') {
            long v = parseUnsigned(b, off, len, 10);
            out.putLatin1(v == 0 ? "no" : v == 1 ? "yes" : "unset");
        } else {
            out.put(b, off, len);
        }
    }

    private static void printCapBitmap(long v, ByteBuf out) {
        boolean found = false;
        for (int i = 0; i < 64; i++) {
            if ((v & (1L << i)) != 0) {
                String name = LookupTables.CAPBITS.get(i);
                if (name == null) {
                    continue;
                }
                if (found) {
                    out.put((byte) ',');
                }
                out.putLatin1(name);
                found = true;
            }
        }
        if (!found) {
            out.putLatin1("none");
        }
    }

    private static void printPersonality(byte[] b, int off, int len, ByteBuf out) {
        long v = parseUnsigned(b, off, len, 16);
        String name = LookupTables.PERSONALITIES.get(v & ~0x0040000L);
        if (name != null) {
            out.putLatin1(name);
            if ((v & 0x0040000L) != 0) {
                out.putLatin1("|~ADDR_NO_RANDOMIZE");
            }
        } else {
            unknown(LookupTables.PERSONALITIES.unknown, v, b, off, len, out);
        }
    }

    /** A value table lookup, or the table's unknown text. */
    private static void lookup(LookupTables.Values table, long v, byte[] b, int off, int len, ByteBuf out) {
        String name = table.get(v);
        if (name != null) {
            out.putLatin1(name);
        } else {
            unknown(table.unknown, v, b, off, len, out);
        }
    }

    private static void unknown(String template, long v, byte[] b, int off, int len, ByteBuf out) {
        if (template == null) {
            out.put(b, off, len);
            return;
        }
        for (int i = 0; i < template.length(); i++) {
            char c = template.charAt(i);
            if (c == '%' && i + 1 < template.length()) {
                char k = template.charAt(i + 1);
                if (k == 's') {
                    out.put(b, off, len);
                    i++;
                    continue;
                }
                if (k == 'd') {
                    out.putLong((int) v);
                    i++;
                    continue;
                }
            }
            out.put((byte) c);
        }
    }

    /** Flag names joined; {@code none} (or 0x&lt;value&gt; when null) when no flag is set. */
    private static void printFlags(LookupTables.Flags table, String joiner, byte[] b, int off, int len, String none,
            ByteBuf out) {
        long v = parseUnsigned(b, off, len, 16);
        if (v == 0 && none != null) {
            out.putLatin1(none);
            return;
        }
        if (!joinFlags(table, v, joiner, out, false)) {
            out.putLatin1("0x").put(b, off, len);
        }
    }

    private static boolean joinFlags(LookupTables.Flags table, long v, String joiner, ByteBuf out, boolean any) {
        for (int i = 0; i < table.masks.length; i++) {
            if ((table.masks[i] & v) != 0) {
                if (any) {
                    out.putLatin1(joiner);
                }
                out.putLatin1(table.names[i]);
                any = true;
            }
        }
        return any;
    }

    private static void printOpenFlags(byte[] b, int off, int len, ByteBuf out) {
        long v = parseUnsigned(b, off, len, 16) & 0xFFFFFFFFL;
        boolean any = false;
        if ((v & 3) == 0) {
            out.putLatin1("O_RDONLY");
            any = true;
        }
        if (!joinFlags(LookupTables.OPEN, v, "|", out, any)) {
            out.putLatin1("0x").put(b, off, len);
        }
    }

    private static void printMmap(byte[] b, int off, int len, ByteBuf out) {
        long v = parseUnsigned(b, off, len, 16) & 0xFFFFFFFFL;
        boolean any = false;
        if ((v & 0xF) == 0) {
            out.putLatin1("MAP_FILE");
            any = true;
        }
        if (!joinFlags(LookupTables.MMAP, v, "|", out, any)) {
            out.putLatin1("0x").put(b, off, len);
        }
    }

    // ---- syscall arguments ----

    private void printArg(AuditEvent ev, int r, int i, byte[] b, int off, int len, ByteBuf out) {
        long arch = recordArch(ev, r);
        int nr = recordSyscall(ev, r, arch);
        int printer = arch < 0 ? 0 : LookupTables.argPrinter(arch, nr, i);
        long v = parseUnsigned(b, off, len, 16);
        switch (LookupTables.ARG_PRINTERS[printer]) {
            case "dirfd" -> {
                if ((int) v == -100) {
                    out.putLatin1("AT_FDCWD");
                } else {
                    out.putLatin1("0x").put(b, off, len);
                }
            }
            case "open" -> printOpenFlags(b, off, len, out);
            case "mode_short" -> printModeShort(v, out);
            case "mode" -> printMode(v, out);
            case "uid" -> printUser(v, true, out);
            case "gid" -> printUser(v, false, out);
            case "signal" -> lookup(LookupTables.SIGNALS, v, b, off, len, out);
            case "clone" -> {
                long flags = v & 0xFFFFFFFFL;
                boolean any = joinFlags(LookupTables.CLONE, flags, "|", out, false);
                int sig = (int) (flags & 0xFF);
                String name = sig > 0 && sig < 32 ? LookupTables.SIGNALS.get(sig) : null;
                if (name != null) {
                    if (any) {
                        out.put((byte) '|');
                    }
                    out.putLatin1(name);
                    any = true;
                }
                if (!any) {
                    out.putLatin1("0x").putLatin1(Long.toHexString(flags));
                }
            }
            case "family" -> lookup(LookupTables.FAMILIES, v, b, off, len, out);
            case "socktype" -> lookup(LookupTables.SOCKTYPES, v & 0xFF, b, off, len, out);
            case "protocol" -> lookup(LookupTables.PROTOCOLS, v, b, off, len, out);
            case "fcntl" -> lookup(LookupTables.FCNTL, v, b, off, len, out);
            case "access" -> {
                if ((v & 0xF) == 0) {
                    out.putLatin1("F_OK");
                } else if (!joinFlags(LookupTables.ACCESS, v, "|", out, false)) {
                    out.putLatin1("0x").put(b, off, len);
                }
            }
            case "prot", "mprotect" -> {
                if ((v & 7) == 0) {
                    out.putLatin1("PROT_NONE");
                } else if (!joinFlags(printer == 14 ? LookupTables.PROT : LookupTables.MPROTECT, v, "|", out, false)) {
                    out.putLatin1("0x").put(b, off, len);
                }
            }
            case "mmap" -> printMmap(b, off, len, out);
            case "mount" -> printFlags(LookupTables.MOUNT, "|", b, off, len, null, out);
            case "recv" -> printFlags(LookupTables.RECV, "|", b, off, len, null, out);
            case "umount" -> printFlags(LookupTables.UMOUNT, "|", b, off, len, null, out);
            case "sched" -> {
                String name = LookupTables.SCHEDULERS.get(v & 0x0F);
                if (name != null) {
                    out.putLatin1(name);
                    if ((v & 0x40000000L) != 0) {
                        out.putLatin1("|SCHED_RESET_ON_FORK");
                    }
                } else {
                    unknown(LookupTables.SCHEDULERS.unknown, v, b, off, len, out);
                }
            }
            case "seek" -> lookup(LookupTables.SEEKS, v & 0xFF, b, off, len, out);
            case "rlimit" -> lookup(LookupTables.RLIMITS, v, b, off, len, out);
            case "ptrace" -> lookup(LookupTables.PTRACE, v, b, off, len, out);
            case "prctl" -> lookup(LookupTables.PRCTL, v, b, off, len, out);
            case "personality" -> printPersonality(b, off, len, out);
            case "clock" -> lookup(LookupTables.CLOCKS, v, b, off, len, out);
            case "epoll" -> lookup(LookupTables.EPOLL, v, b, off, len, out);
            case "ioctl" -> lookup(LookupTables.IOCTLS, v, b, off, len, out);
            case "socklevel" -> lookup(LookupTables.SOCKLEVELS, v, b, off, len, out);
            case "ipoptname" -> lookup(LookupTables.IPOPTNAMES, v, b, off, len, out);
            case "exit" -> lookup(LookupTables.EXIT_CODES, v, b, off, len, out);
            case "bpf" -> lookup(LookupTables.BPF, v, b, off, len, out);
            case "socketcall" -> lookup(LookupTables.SOCKETCALLS, v, b, off, len, out);
            case "ipccall" -> lookup(LookupTables.IPCCALLS, v, b, off, len, out);
            default -> out.putLatin1("0x").put(b, off, len);
        }
    }

    // ---- socket addresses ----

    private void printSockaddr(byte[] b, int off, int len, ByteBuf out) {
        if (!unescape(b, off, len, decoded) || decoded.length() < 1) {
            out.putLatin1("malformed-host(").put(b, off, len).put((byte) ')');
            return;
        }
        byte[] a = decoded.array();
        int slen = len / 2;
        int fam = (a[0] & 0xFF) | (decoded.length() > 1 ? (a[1] & 0xFF) << 8 : 0);
        String famName = LookupTables.FAMILIES.get(fam);
        if (famName == null) {
            out.putLatin1("unknown-family(").putLong(fam).put((byte) ')');
            return;
        }
        out.putLatin1("{ saddr_fam=").putLatin1(famName).put((byte) ' ');
        switch (fam) {
            case 1 -> { // AF_LOCAL
                if (slen <= 2) {
                    out.putLatin1("sockaddr len too short");
                } else if (a[2] != 0) {
                    out.putLatin1("path=");
                    putZeroTerminated(a, 2, decoded.length(), out);
                } else {
                    out.putLatin1("path=");
                    putZeroTerminated(a, 3, Math.min(decoded.length(), 3 + 108), out);
                }
            }
            case 2 -> { // AF_INET
                if (slen < 16) {
                    out.putLatin1("sockaddr len too short");
                } else {
                    out.putLatin1("laddr=");
                    for (int i = 0; i < 4; i++) {
                        if (i > 0) {
                            out.put((byte) '.');
                        }
                        out.putLong(a[4 + i] & 0xFF);
                    }
                    out.putLatin1(" lport=").putLong(((a[2] & 0xFF) << 8) | (a[3] & 0xFF));
                }
            }
            case 10 -> { // AF_INET6
                if (slen < 28) {
                    out.putLatin1("sockaddr6 len too short");
                } else {
                    out.putLatin1("laddr=");
                    putIpv6(a, 8, out);
                    out.putLatin1(" lport=").putLong(((a[2] & 0xFF) << 8) | (a[3] & 0xFF));
                }
            }
            case 16 -> { // AF_NETLINK
                if (slen < 12) {
                    out.putLatin1("len too short");
                } else {
                    out.putLatin1("nlnk-fam=").putLong(fam).putLatin1(" nlnk-pid=").putLong(le32(a, 4));
                }
            }
            default -> out.putLatin1("(unsupported)");
        }
        out.putLatin1(" }");
    }

    private static long le32(byte[] a, int i) {
        return (a[i] & 0xFFL) | (a[i + 1] & 0xFFL) << 8 | (a[i + 2] & 0xFFL) << 16 | (a[i + 3] & 0xFFL) << 24;
    }

    private static void putZeroTerminated(byte[] a, int from, int to, ByteBuf out) {
        int i = from;
        while (i < to && a[i] != 0) {
            i++;
        }
        out.put(a, from, i - from);
    }

    /** inet_ntop's text for an IPv6 address: longest run (≥ 2) of zero groups as "::", v4-mapped dotted. */
    private static void putIpv6(byte[] a, int at, ByteBuf out) {
        int[] g = new int[8];
        for (int i = 0; i < 8; i++) {
            g[i] = ((a[at + 2 * i] & 0xFF) << 8) | (a[at + 2 * i + 1] & 0xFF);
        }
        boolean v4 = g[0] == 0 && g[1] == 0 && g[2] == 0 && g[3] == 0 && g[4] == 0
                && (g[5] == 0xFFFF || (g[5] == 0 && (g[6] != 0 || g[7] > 1)));
        if (v4) {
            out.putLatin1(g[5] == 0xFFFF ? "::ffff:" : "::");
            for (int i = 12; i < 16; i++) {
                if (i > 12) {
                    out.put((byte) '.');
                }
                out.putLong(a[at + i] & 0xFF);
            }
            return;
        }
        int bestStart = -1;
        int bestLen = 0;
        for (int i = 0; i < 8; ) {
            if (g[i] != 0) {
                i++;
                continue;
            }
            int j = i;
            while (j < 8 && g[j] == 0) {
                j++;
            }
            if (j - i > bestLen) {
                bestStart = i;
                bestLen = j - i;
            }
            i = j;
        }
        if (bestLen < 2) {
            bestStart = -1;
        }
        for (int i = 0; i < 8; i++) {
            if (i == bestStart) {
                out.putLatin1("::");
                i += bestLen - 1;
                continue;
            }
            if (i > 0 && i != bestStart + bestLen) {
                out.put((byte) ':');
            }
            out.putLatin1(Integer.toHexString(g[i]));
        }
    }

    // ---- C-like number parsing ----

    /** strtoul: leading digits of the base (an optional 0x for 16, a sign), 0 when none. */
    static long parseUnsigned(byte[] b, int off, int len, int base) {
        int i = off;
        int end = off + len;
        boolean neg = false;
        if (i < end && (b[i] == '-' || b[i] == '+')) {
            neg = b[i] == '-';
            i++;
        }
        if (base == 16 && i + 1 < end && b[i] == '0' && (b[i + 1] == 'x' || b[i + 1] == 'X')) {
            i += 2;
        }
        long v = 0;
        for (; i < end; i++) {
            int d = digit(b[i]);
            if (d < 0 || d >= base) {
                break;
            }
            v = v * base + d;
        }
        return neg ? -v : v;
    }

    /** strtol base 10. */
    static long parseSigned(byte[] b, int off, int len) {
        return parseUnsigned(b, off, len, 10);
    }

    private static int digit(byte c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }

    private static boolean isHex(byte c) {
        return digit(c) >= 0;
    }

    private static int hexValue(byte c) {
        return digit(c);
    }

    private static boolean allHex(byte[] b, int off, int len) {
        for (int i = off; i < off + len; i++) {
            if (!isHex(b[i])) {
                return false;
            }
        }
        return true;
    }

    private static boolean equals(byte[] b, int off, int len, byte[] word) {
        if (len != word.length) {
            return false;
        }
        for (int i = 0; i < len; i++) {
            if (b[off + i] != word[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean contains(byte[] b, int off, int len, byte c0, byte c1, byte c2, byte c3) {
        for (int i = off; i + 3 < off + len; i++) {
            if (b[i] == c0 && b[i + 1] == c1 && b[i + 2] == c2 && b[i + 3] == c3) {
                return true;
            }
        }
        return false;
    }
}
