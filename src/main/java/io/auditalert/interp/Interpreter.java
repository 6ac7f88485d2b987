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
    static final int T_MACPROTO = 36;
    static final int T_IOCTL_REQ = 37;
    static final int T_ESCAPED_KEY = 38;
    static final int T_ESCAPED_FILE = 39;
    static final int T_FANOTIFY = 40;
    static final int T_NLMCGRP = 41;
    static final int T_RESOLVE = 42;

    private static final int USER_TTY = 1124;
    private static final byte[] ARCH = {'a', 'r', 'c', 'h'};
    private static final byte[] SYSCALL = {'s', 'y', 's', 'c', 'a', 'l', 'l'};
    private static final byte[] A0 = {'a', '0'};
    private static final byte[] A1 = {'a', '1'};
    private static final byte[] ARGC = {'a', 'r', 'g', 'c'};
    private static final byte[] ACCT = {'a', 'c', 'c', 't'};
    private static final byte[] MSG = {'m', 's', 'g'};
    private static final byte[] UNSET_SESSION = "4294967295".getBytes(StandardCharsets.US_ASCII);
    /** AUDIT_PERM_READ 4, WRITE 2, EXEC 1, ATTR 8, in auparse's print order. */
    private static final int[] PERM_BITS = {4, 2, 1, 8};
    private static final String[] PERMS = {"read", "write", "exec", "attr"};

    private static final int NAME_CACHE = 64;
    /** Name lookups between two questions to the user database about a change (a power of two). */
    public static final int GENERATION_CHECK = 256;
    private int nameLookups;
    private long usersGeneration;
    private static final int TYPE_CACHE_BITS = 10;
    private static final int TYPE_SLOTS = 1 << TYPE_CACHE_BITS;
    private static final int SHAPE_BITS = 6;
    /** Fields per record type whose position is remembered; later ones use the type cache alone. */
    private static final int SHAPE_FIELDS = 64;
    /** An empty slot of the type cache: its (record type, name length) half matches no key. */
    private static final long NO_TYPE = Long.MIN_VALUE;
    /** The name acct as a little-endian word: its type depends on its value, so it is not cached. */
    private static final long ACCT_WORD = 0x74636361L;
    private static final java.lang.invoke.VarHandle LONGS =
            java.lang.invoke.MethodHandles.byteArrayViewVarHandle(long[].class, java.nio.ByteOrder.LITTLE_ENDIAN);
    /** A cached lookup that found no name; compared by identity. */
    private static final byte[] NO_NAME = new byte[0];
    /** auparse's file type names by the top four bits of a mode (S_IFMT >> 12). */
    private static final String[] FILE_TYPES = new String[16];
    /** Capability names by bit number, null where auparse has none. */
    private static final byte[][] CAP_NAMES = new byte[64][];

    static {
        for (int i = 0; i < 16; i++) {
            FILE_TYPES[i] = LookupTables.FILETYPES.get((long) i << 12);
        }
        for (int i = 0; i < 64; i++) {
            String name = LookupTables.CAPBITS.get(i);
            CAP_NAMES[i] = name == null ? null : name.getBytes(StandardCharsets.US_ASCII);
        }
    }

    private final UserDb users;
    private final ByteBuf scratch = new ByteBuf(256);
    private final ByteBuf decoded = new ByteBuf(256);

    /*
     * The record being interpreted (see beginRecord): its raw and ENRICHED fields. The syscall
     * context is read on first use.
     */
    private int recordFirst;
    private int recordEnd;
    private int enrichedFirst;
    private int enrichedEnd;
    /** Per enriched field of the record: its name as a word (when at most eight bytes) and length. */
    private long[] enrichedWords = new long[16];
    private int[] enrichedLens = new int[16];
    /** A bit per enriched name word of the record (see bloomBit): a name whose bit is clear has none. */
    private long enrichedBloom;
    private boolean contextRead;
    private long contextArch;
    private int contextSyscall;
    /** The syscall's name on the record's arch (null when unknown or no arch); its argument printers. */
    private String contextName;
    private byte[] contextPrinters;

    /** Direct-mapped caches of user and group names as UTF-8 (the user database caches them too). */
    private final long[] userIds = newIdCache();
    private final byte[][] userNames = new byte[NAME_CACHE][];
    private final long[] groupIds = newIdCache();
    private final byte[][] groupNames = new byte[NAME_CACHE][];

    /**
     * The field-type cache of interpretField, open addressing with linear probing, three longs a slot:
     * the name's two words, then (record type, name length) in the high half and the type in the
     * low half, or {@link #NO_TYPE}. A stream holds a few hundred such pairs; the table is emptied
     * when half full, so names made up by user-space records cannot grow it.
     */
    private final long[] typeCache = newTypeCache();
    private int typesCached;
    /**
     * In front of the type cache, per record type (hashed to one of 64 tables): per field position,
     * an entry like the type cache's for the field last seen at that position. Records of a type
     * nearly always list the same names in the same order, so the lookups of a record read one
     * small table in order instead of probing the large one at random.
     */
    private final long[][] shapes = new long[1 << SHAPE_BITS][];
    /** The table of the record given to beginRecord. */
    private long[] shape = new long[0];

    /**
     * The last few capability sets and their names: a BPRM_FCAPS record holds several (the full set,
     * none, the inherited one) that come back in every execve event.
     */
    private final long[] capSets = new long[4];
    private final ByteBuf[] capTexts = {new ByteBuf(64), new ByteBuf(64), new ByteBuf(64), new ByteBuf(64)};
    private int capNext;

    public Interpreter() {
        this(UserDb.SYSTEM);
    }

    public Interpreter(UserDb users) {
        this.users = users;
    }

    /** Appends the interpretation of field f of record r of the event to out. */
    public void interpret(AuditEvent ev, int r, int f, ByteBuf out) {
        beginRecord(ev, r);
        int start = out.length();
        int result = interpretField(ev, r, f, out);
        if (result == AS_WRITTEN) {
            out.put(ev.buffer(), ev.valOff(f), ev.valLen(f));
        } else if (result == QUOTED) {
            printQuoted(ev.buffer(), ev.valOff(f), ev.valLen(f), out);
        }
        if (result != APPENDED_ENRICHED) {
            ttyEscape(out, start);
        }
    }

    /**
     * Prepares for {@link #interpretField} on the fields of record r: notes the names of its
     * ENRICHED fields, once for the record instead of once per field.
     */
    public void beginRecord(AuditEvent ev, int r) {
        int first = ev.firstField(r);
        int end = ev.endField(r);
        int e0 = ev.firstEnriched(r);
        int e1 = ev.endEnriched(r);
        recordFirst = first;
        recordEnd = end;
        int s = (int) ((ev.recordType(r) * 0x9E3779B97F4A7C15L) >>> (64 - SHAPE_BITS));
        if (shapes[s] == null) {
            shapes[s] = new long[3 * SHAPE_FIELDS];
        }
        shape = shapes[s];
        enrichedFirst = e0;
        enrichedEnd = e1;
        contextRead = false;
        if (e0 < e1) {
            noteEnrichedNames(ev, e0, e1);
        }
    }

    /** {@link #interpretField}: appended, and auparse's TTY escaping applies. */
    public static final int APPENDED = 1;
    /** {@link #interpretField}: appended a value from the ENRICHED section, not to be escaped. */
    public static final int APPENDED_ENRICHED = 2;
    /** {@link #interpretField}: nothing appended; the interpretation is the raw value as written. */
    public static final int AS_WRITTEN = 3;
    /**
     * {@link #interpretField}: nothing appended; the value is a quoted string, whose interpretation
     * is the text inside the quotes (up to the first quote within, see {@link #printQuoted}), with
     * auparse's TTY escaping as for {@link #APPENDED}.
     */
    public static final int QUOTED = 4;

    /**
     * Appends the interpretation of field f of the record given to {@link #beginRecord} before
     * auparse's TTY escaping of control bytes; returns {@link #APPENDED} when that escaping applies
     * to it and {@link #APPENDED_ENRICHED} when it does not (values taken from the ENRICHED section
     * are returned as written). Writers that scan the text anyway (JSON) escape it themselves, see
     * {@link #ttyEscape(byte[], int, int, ByteBuf)}. When the interpretation is the raw value exactly
     * as written (unclassified fields, the most common), it appends nothing and returns
     * {@link #AS_WRITTEN}: the writer has those bytes at hand already. Likewise it returns
     * {@link #QUOTED} for a quoted string, whose interpretation is its text without the quotes, which
     * a writer of the raw value has often written already; otherwise {@link #printQuoted} gives it.
     */
    public int interpretField(AuditEvent ev, int r, int f, ByteBuf out) {
        // One method on purpose, the field-type cache written out in it: large enough that the JIT
        // compiles it once, on its own, rather than again inside every writer loop that calls it.
        byte[] b = ev.buffer();
        int nOff = ev.nameOff(f);
        int nLen = ev.nameLen(f);
        int off = ev.valOff(f);
        int len = ev.valLen(f);
        int rtype = ev.recordType(r);
        int type;
        // the type of a field is a function of record type and name, except for acct: cached
        // for names of up to sixteen bytes (nearly all), read as two words
        if (nLen == 0 || nLen > 16 || nOff + 16 > b.length) {
            type = fieldType(rtype, b, nOff, nLen, off, len);
        } else {
            long low = (long) LONGS.get(b, nOff);
            long high = 0;
            if (nLen < 8) {
                low &= (1L << (nLen << 3)) - 1;
            } else if (nLen > 8) {
                high = (long) LONGS.get(b, nOff + 8) & (nLen == 16 ? -1L : (1L << ((nLen - 8) << 3)) - 1);
            }
            int key = (rtype << 5) | nLen;
            // first the field seen last at this position in a record of this type, read in order
            int at = 3 * (f - recordFirst);
            long[] sh = shape;
            if (f >= recordFirst && f < recordEnd && at < sh.length) {
                if (holdsType(sh, at, low, high, key)) {
                    type = (int) sh[at + 2];
                } else {
                    type = cachedType(rtype, b, nOff, nLen, off, len, low, high, key);
                    if (low != ACCT_WORD) {
                        putType(sh, at, low, high, key, type);
                    }
                }
            } else {
                type = cachedType(rtype, b, nOff, nLen, off, len, low, high, key);
            }
        }
        int enriched = -1;
        if (enrichedFirst < enrichedEnd) {
            enriched = nLen <= 8 && f >= recordFirst && f < recordEnd
                    ? enrichedOfShort(b, nOff, nLen, enrichedFirst, enrichedEnd)
                    : findEnriched(ev, enrichedFirst, enrichedEnd, b, nOff, nLen);
        }
        if (enriched >= 0 && printEnriched(ev, r, type, b, enriched, out)) {
            return APPENDED_ENRICHED;
        }
        if (type == T_UNCLASSIFIED) {
            return AS_WRITTEN;
        }
        if (len > 0 && b[off] == '"' && (type == T_ESCAPED || type == T_ESCAPED_FILE || type == T_ESCAPED_KEY)) {
            return QUOTED; // comm, exe, name, cwd, ...: the writer may have the text inside the quotes at hand
        }
        print(ev, r, type, b, off, len, out);
        return APPENDED;
    }

    /**
     * Notes the record's enriched names of up to eight bytes (all that auparse enriches) as words,
     * for {@link #enrichedOfShort}: a raw name is then upper-cased eight bytes at a time and compared
     * with each word when it is interpreted; longer ones go through findEnriched.
     */
    private void noteEnrichedNames(AuditEvent ev, int e0, int e1) {
        byte[] b = ev.buffer();
        if (e1 - e0 > enrichedWords.length) {
            enrichedWords = new long[Math.max(e1 - e0, enrichedWords.length * 2)];
            enrichedLens = new int[enrichedWords.length];
        }
        long bloom = 0;
        for (int e = e0; e < e1; e++) {
            int len = ev.nameLen(e);
            long word = len <= 8 ? nameWord(b, ev.nameOff(e), len) : 0;
            enrichedLens[e - e0] = len;
            enrichedWords[e - e0] = word;
            bloom |= bloomBit(word);
        }
        enrichedBloom = bloom;
    }

    /** findEnriched for a name of at most eight bytes, against the words noteEnrichedNames noted. */
    private int enrichedOfShort(byte[] b, int nOff, int len, int e0, int e1) {
        long w = nameWord(b, nOff, len);
        long h = w & 0x7F7F7F7F7F7F7F7FL;
        long lower = (h + 0x1F1F1F1F1F1F1F1FL) & ~(h + 0x0505050505050505L) & ~w & 0x8080808080808080L; // 'a'..'z'
        if (lower == 0) {
            return -1; // a raw name that is already upper case is not looked up
        }
        long upper = w - (lower >>> 2);
        if ((enrichedBloom & bloomBit(upper)) == 0) {
            return -1; // most raw names (a0, exit, pid, ...) have no enriched twin: one test, no search
        }
        for (int e = e0; e < e1; e++) {
            if (enrichedWords[e - e0] == upper && enrichedLens[e - e0] == len) {
                return e;
            }
        }
        return -1;
    }

    /** One of 64 bits picked by a name word, for the record's filter of enriched names. */
    private static long bloomBit(long word) {
        return 1L << ((word * 0x9E3779B97F4A7C15L) >>> 58);
    }

    /** Up to eight bytes of a name as a little-endian word, zero above them. */
    private static long nameWord(byte[] b, int off, int len) {
        if (off + 8 <= b.length) {
            return (long) LONGS.get(b, off) & (len == 8 ? -1L : (1L << (len << 3)) - 1);
        }
        long w = 0;
        for (int i = len - 1; i >= 0; i--) {
            w = (w << 8) | (b[off + i] & 0xFF);
        }
        return w;
    }

    /** Appends the enriched value that stands for a field; false when auparse would not take it. */
    private boolean printEnriched(AuditEvent ev, int r, int type, byte[] b, int enriched, ByteBuf out) {
        int eOff = ev.valOff(enriched);
        int eLen = ev.valLen(enriched);
        if (type == T_SOCKADDR) {
            eLen = enrichedSockaddr(ev, r, b, eOff);
        }
        if (eLen < 0) {
            return false; // not a usable SADDR={ … }: auparse prints the address itself
        } else if (type == T_UID || type == T_GID) {
            printEscaped(b, eOff, eLen, out);
        } else {
            out.put(b, eOff, eLen);
        }
        return true;
    }

    /**
     * auparse takes an enriched {@code SADDR=} only when it opens with '{' and holds a '}', and then
     * takes the whole rest of the line (a path may contain '}'). The length to use, or -1.
     */
    private static int enrichedSockaddr(AuditEvent ev, int r, byte[] b, int eOff) {
        int end = ev.recordOff(r) + ev.recordLen(r);
        while (end > eOff && (b[end - 1] == '\n' || b[end - 1] == '\r')) {
            end--;
        }
        if (eOff >= end || b[eOff] != '{') {
            return -1;
        }
        for (int i = eOff; i < end; i++) {
            if (b[i] == '}') {
                return end - eOff;
            }
        }
        return -1;
    }

    /**
     * Whether libauparse types this field of a record of this type as a group id by the record's own
     * rule, whatever its name alone says: {@code id} of ADD_GROUP, DEL_GROUP and GRP_MGMT.
     */
    public static boolean isGroupIdIn(int recordType, String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        return LookupTables.override(recordType, b, 0, b.length) == T_GID;
    }

    /**
     * Whether libauparse's table types a field of this name as an untrusted string (quoted, or hex when it
     * holds unsafe bytes), whatever its record: {@code profile}, {@code device}, {@code info} and the like.
     */
    public static boolean isEscapedName(String name) {
        byte[] b = name.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        int t = LookupTables.baseType(b, 0, b.length);
        return t == T_ESCAPED || t == T_ESCAPED_KEY || t == T_ESCAPED_FILE;
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
    private static int findEnriched(AuditEvent ev, int e0, int e1, byte[] b, int nOff, int nLen) {
        for (int e = e0; e < e1; e++) {
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
            case T_PROMISC -> out.putAscii(parseSigned(b, off, len) == 0 ? "no" : "yes");
            case T_CAPABILITY -> lookup(LookupTables.CAPABILITIES, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_SUCCESS -> printSuccess(b, off, len, out);
            case 14, 15, 16, 17 -> printArg(ev, r, type - T_A0, b, off, len, out);
            case T_SIGNAL -> lookup(LookupTables.SIGNALS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_LIST -> lookup(LookupTables.LISTS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_SESSION -> {
                if (equals(b, off, len, UNSET_SESSION)) {
                    out.putAscii("unset");
                } else {
                    out.put(b, off, len);
                }
            }
            case T_CAP_BITMAP -> printCapBitmap(parseUnsigned(b, off, len, 16), out);
            case T_NFPROTO -> lookup(LookupTables.NFPROTOS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_ICMPTYPE -> lookup(LookupTables.ICMPTYPES, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_PROTOCOL -> {
                String p = LookupTables.PROTOCOLS.get(parseUnsigned(b, off, len, 10));
                out.putAscii(p != null ? p : "undefined protocol");
            }
            case T_PERSONALITY -> printPersonality(b, off, len, out);
            case T_SECCOMP -> lookup(LookupTables.SECCOMP, parseUnsigned(b, off, len, 16) & 0x7fff0000L, b, off, len, out);
            case T_OFLAG -> printOpenFlags(b, off, len, out);
            case T_MMAP -> printMmap(b, off, len, out);
            case T_HOOK -> lookup(LookupTables.HOOKS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_NETACTION -> lookup(LookupTables.NETACTIONS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_IOCTL_REQ -> {
                String name = LookupTables.IOCTLS.get(parseUnsigned(b, off, len, 16));
                if (name != null) {
                    out.putAscii(name);
                } else {
                    if (len < 2 || b[off] != '0' || (b[off + 1] != 'x' && b[off + 1] != 'X')) {
                        out.putAscii("0x"); // the value as hex, written with one 0x
                    }
                    out.put(b, off, len);
                }
            }
            case T_FANOTIFY -> lookup(LookupTables.FANOTIFY, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_NLMCGRP -> lookup(LookupTables.NLMCGRPS, parseUnsigned(b, off, len, 10), b, off, len, out);
            case T_RESOLVE -> printFlags(LookupTables.RESOLVE, "|", b, off, len, null, out);
            case T_TTY_DATA -> printTtyData(b, off, len, out);
            case T_MACPROTO -> lookup(LookupTables.MACPROTOS, parseUnsigned(b, off, len, 16), b, off, len, out);
            default -> out.put(b, off, len); // unclassified, MAC labels, addresses, ...
        }
    }

    // ---- users, syscalls, errors ----

    private void printUser(long v, boolean user, ByteBuf out) {
        int id = (int) v;
        if (id == -1) {
            out.putAscii("unset");
            return;
        }
        long key = id & 0xFFFFFFFFL;
        byte[] name = user ? cachedName(key, userIds, userNames, true) : cachedName(key, groupIds, groupNames, false);
        if (name != NO_NAME) {
            out.put(name);
        } else {
            out.putAscii("unknown(").putLong(id).put((byte) ')');
        }
    }

    /**
     * A user or group name as UTF-8, or NO_NAME; looked up in the user database on a cache miss. Every
     * {@link #GENERATION_CHECK} lookups the database is asked whether its files changed, and the
     * cache is emptied if they did (a user added while a plugin runs).
     */
    private byte[] cachedName(long key, long[] ids, byte[][] names, boolean user) {
        if ((++nameLookups & (GENERATION_CHECK - 1)) == 0) {
            long g = users.generation();
            if (g != usersGeneration) {
                usersGeneration = g;
                java.util.Arrays.fill(userIds, -1L);
                java.util.Arrays.fill(groupIds, -1L);
            }
        }
        int slot = (int) (key ^ (key >>> 6)) & (NAME_CACHE - 1);
        if (ids[slot] == key) {
            return names[slot];
        }
        String name = user ? users.userName(key) : users.groupName(key);
        byte[] bytes = name == null ? NO_NAME : name.getBytes(StandardCharsets.UTF_8);
        ids[slot] = key;
        names[slot] = bytes;
        return bytes;
    }

    private static long[] newTypeCache() {
        long[] cache = new long[3 * TYPE_SLOTS];
        for (int slot = 0; slot < TYPE_SLOTS; slot++) {
            cache[3 * slot + 2] = NO_TYPE;
        }
        return cache;
    }

    /**
     * Whether the entry at {@code at} of a type table (the type cache or a per-position table: three
     * longs, the name's two words, then (record type, name length) and the type) is that field's.
     */
    private static boolean holdsType(long[] table, int at, long low, long high, int key) {
        return (int) (table[at + 2] >>> 32) == key && table[at] == low && table[at + 1] == high;
    }

    private static void putType(long[] table, int at, long low, long high, int key, int type) {
        table[at] = low;
        table[at + 1] = high;
        table[at + 2] = ((long) key << 32) | (type & 0xFFFFFFFFL);
    }

    /** Where a field's probe in the type cache starts. */
    private static int typeSlot(long low, long high, int key) {
        return (int) (((low * 31 + high + key) * 0x9E3779B97F4A7C15L) >>> (64 - TYPE_CACHE_BITS));
    }

    /** The type of a field from the type cache, found and noted there when missing. */
    private int cachedType(int rtype, byte[] b, int nOff, int nLen, int off, int len, long low, long high, int key) {
        int slot = typeSlot(low, high, key);
        while (true) {
            if (holdsType(typeCache, 3 * slot, low, high, key)) {
                return (int) typeCache[3 * slot + 2];
            }
            if (typeCache[3 * slot + 2] == NO_TYPE) {
                int type = fieldType(rtype, b, nOff, nLen, off, len);
                if (low != ACCT_WORD) {
                    cacheType(slot, low, high, key, type);
                }
                return type;
            }
            slot = (slot + 1) & (TYPE_SLOTS - 1);
        }
    }

    /** Notes a field type in the empty slot cachedType's probe ended at. */
    private void cacheType(int slot, long low, long high, int key, int type) {
        if (typesCached >= TYPE_SLOTS / 2) {
            for (int s = 0; s < TYPE_SLOTS; s++) {
                typeCache[3 * s + 2] = NO_TYPE;
            }
            typesCached = 0;
            slot = typeSlot(low, high, key);
        }
        putType(typeCache, 3 * slot, low, high, key, type);
        typesCached++;
    }

    private static long[] newIdCache() {
        long[] ids = new long[NAME_CACHE];
        java.util.Arrays.fill(ids, -1L); // no id: keys are 0..2^32-1
        return ids;
    }

    /*
     * libauparse reads a record's syscall context by position, where the kernel writes it:
     *   type=SYSCALL msg=...: arch=.. syscall=.. success=.. exit=.. a0=.. a1=.. ...
     *                         F0      F1         F2         F3      F4    F5
     * (F counts the fields after node= and type=); a field elsewhere or under another name is not
     * context. Unset, arch is "none" (-1), the syscall -1 and a0/a1 zero.
     */

    /** The record's arch code (field F0 named arch), or -1. */
    private long recordArch(AuditEvent ev) {
        int f = positional(ev, 0, ARCH);
        return f < 0 ? -1 : parseUnsigned(ev.buffer(), ev.valOff(f), ev.valLen(f), 16) & 0xFFFFFFFFL;
    }

    /** The record's syscall number (field F1 named syscall), or -1. */
    private int recordSyscall(AuditEvent ev) {
        int f = positional(ev, 1, SYSCALL);
        return f < 0 ? -1 : (int) parseUnsigned(ev.buffer(), ev.valOff(f), ev.valLen(f), 10);
    }

    /** a0 (F4) or a1 (F5) as context for another argument's printer; 0 when not there. */
    private long recordArgContext(AuditEvent ev, int i) {
        int f = positional(ev, 4 + i, i == 0 ? A0 : A1);
        return f < 0 ? 0 : parseUnsigned(ev.buffer(), ev.valOff(f), ev.valLen(f), 16);
    }

    private int positional(AuditEvent ev, int index, byte[] name) {
        int f = recordFirst + index;
        return f < recordEnd && ev.nameIs(f, name) ? f : -1;
    }

    /** Reads the record's syscall context (once per record). */
    private void readContext(AuditEvent ev, int r) {
        if (contextRead) {
            return;
        }
        contextRead = true;
        contextArch = recordArch(ev);
        contextSyscall = recordSyscall(ev);
        contextName = contextArch < 0 ? null : Syscalls.name(contextArch, contextSyscall);
        contextPrinters = contextArch < 0 ? null : LookupTables.argPrinters(contextArch, contextSyscall);
    }

    private void printSyscall(AuditEvent ev, int r, ByteBuf out) {
        readContext(ev, r);
        long arch = contextArch;
        int nr = contextSyscall;
        String name = Syscalls.name(arch < 0 || Syscalls.archName(arch) == null ? Syscalls.X86_64 : arch, nr);
        if (name != null) {
            out.putAscii(name);
            long a0 = recordArgContext(ev, 0);
            String call = null;
            if (a0 == (int) a0) {
                if (name.equals("socketcall")) {
                    call = LookupTables.SOCKETCALL_NAMES.get(a0);
                } else if (name.equals("ipc")) {
                    call = LookupTables.IPC_NAMES.get(a0);
                }
            }
            if (call != null) {
                out.put((byte) '(').putAscii(call).put((byte) ')');
            }
        } else {
            out.putAscii("unknown-syscall(").putLong(nr).put((byte) ')');
        }
    }

    private static void printArch(byte[] b, int off, int len, ByteBuf out) {
        String name = Syscalls.archName(parseUnsigned(b, off, len, 16) & 0xFFFFFFFFL);
        if (name != null) {
            out.putAscii(name);
        } else {
            out.putAscii("unknown-elf-type(").put(b, off, len).put((byte) ')');
        }
    }

    private static void printExit(byte[] b, int off, int len, ByteBuf out) {
        long v = parseSigned(b, off, len);
        if (v < 0) {
            String name = v > Integer.MIN_VALUE ? Errno.name((int) -v) : null;
            out.putAscii(name != null ? name : "(null)").put((byte) '(').putAscii(Errno.message(-v)).put((byte) ')');
        } else {
            out.put(b, off, len);
        }
    }

    // ---- strings ----

    /** print_escaped: the inside of a quoted value; else hex decoded (after a "00" abstract-name prefix). */
    private void printEscaped(byte[] b, int off, int len, ByteBuf out) {
        if (len > 0 && b[off] == '"') {
            printQuoted(b, off, len, out);
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
     * Appends the interpretation of a value that opens with a double quote: the bytes up to the next
     * quote, or a single space when there is none (libauparse 3.0.9).
     */
    public static void printQuoted(byte[] b, int off, int len, ByteBuf out) {
        int end = off + 1;
        while (end < off + len && b[end] != '"') {
            end++;
        }
        if (end == off + len) {
            out.put((byte) ' ');
        } else {
            out.put(b, off + 1, end - off - 1);
        }
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
        if (len > 0 && b[off] == '(') {
            printProctitleMarker(b, off, len, out);
            return;
        }
        int n = 0;
        while (n < len && isHex(b[off + n])) {
            n++;
        }
        if (n < 2) {
            out.put(b, off, len); // au_unescape gives NULL
            return;
        }
        // decoded straight into out: NULs within the first len/2 bytes are the argument breaks,
        // shown as spaces; a NUL after them ends the C string
        int bytes = (n + 1) / 2;
        int args = len / 2;
        out.ensure(bytes);
        byte[] a = out.array();
        int at = out.length();
        for (int i = 0; i < bytes; i++) {
            int lo = 2 * i + 1 < n ? digit(b[off + 2 * i + 1]) : 0;
            int v = (digit(b[off + 2 * i]) << 4) | lo;
            if (v == 0) {
                if (i >= args) {
                    break;
                }
                v = ' ';
            }
            a[at++] = (byte) v;
        }
        out.setLength(at);
    }

    /** A proctitle written as a marker such as {@code (null)}. */
    private void printProctitleMarker(byte[] b, int off, int len, ByteBuf out) {
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

    /** auparse's TTY escape mode: appends src with every byte below 0x20 written as {@code \ooo}. */
    public static void ttyEscape(byte[] src, int off, int len, ByteBuf out) {
        for (int k = off; k < off + len; k++) {
            int c = src[k] & 0xFF;
            if (c < 32) {
                out.put((byte) '\\').put((byte) ('0' + (c >> 6))).put((byte) ('0' + ((c >> 3) & 7)))
                        .put((byte) ('0' + (c & 7)));
            } else {
                out.put((byte) c);
            }
        }
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
        ttyEscape(scratch.array(), 0, scratch.length(), out);
    }

    /**
     * TTY data as auparse shows keystrokes: printable runs in double quotes (backslash before \ and ",
     * \ooo for other bytes), named keys as {@code <ret>}, {@code <up>}, …, all joined by commas. A
     * value that is not all hex is shown as written.
     */
    private void printTtyData(byte[] b, int off, int len, ByteBuf out) {
        if (!allHex(b, off, len)) {
            out.put(b, off, len);
            return;
        }
        if (!unescape(b, off, len, decoded)) {
            out.put(b, off, len);
            return;
        }
        byte[] d = decoded.array();
        int end = Math.min(decoded.length(), len / 2);
        int start = out.length();
        boolean inPrintable = false;
        int i = 0;
        while (i < end) {
            int c = d[i] & 0xFF;
            int key = -1;
            if (!(c >= ' ' && (c < 0x7F || c >= 0xA0))) {
                for (int k = 0; k < LookupTables.TTY_KEYS.length; k++) {
                    byte[] seq = LookupTables.TTY_KEYS[k];
                    if (seq.length <= end - i && java.util.Arrays.equals(seq, 0, seq.length, d, i, i + seq.length)) {
                        key = k;
                        break;
                    }
                }
            }
            if (key >= 0) {
                if (inPrintable) {
                    out.put((byte) '"');
                    inPrintable = false;
                }
                if (out.length() > start) {
                    out.put((byte) ',');
                }
                out.put((byte) '<').putAscii(LookupTables.TTY_KEY_NAMES[key]).put((byte) '>');
                i += LookupTables.TTY_KEYS[key].length;
                continue;
            }
            if (!inPrintable) {
                if (out.length() > start) {
                    out.put((byte) ',');
                }
                out.put((byte) '"');
                inPrintable = true;
            }
            if (c < 0x20 || c > 0x7E) {
                out.put((byte) '\\').put((byte) ('0' + ((c >> 6) & 7))).put((byte) ('0' + ((c >> 3) & 7)))
                        .put((byte) ('0' + (c & 7)));
            } else {
                if (c == '\\' || c == '"') {
                    out.put((byte) '\\');
                }
                out.put((byte) c);
            }
            i++;
        }
        if (inPrintable) {
            out.put((byte) '"');
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
            if ((v & PERM_BITS[i]) != 0) {
                if (!first) {
                    out.put((byte) ',');
                }
                out.putAscii(PERMS[i]);
                first = false;
            }
        }
    }

    private static void printMode(long v, ByteBuf out) {
        String ftype = FILE_TYPES[(int) (v >> 12) & 0xF];
        out.putAscii(ftype != null ? ftype : "???");
        if ((v & 04000) != 0) {
            out.putAscii(",suid");
        }
        if ((v & 02000) != 0) {
            out.putAscii(",sgid");
        }
        if ((v & 01000) != 0) {
            out.putAscii(",sticky");
        }
        out.put((byte) ',');
        putOctal3(v & 0777, out);
    }

    private static void printModeShort(long v, ByteBuf out) {
        int start = out.length();
        if ((v & 04000) != 0) {
            out.putAscii("suid");
        }
        if ((v & 02000) != 0) {
            out.putAscii(out.length() > start ? ",sgid" : "sgid");
        }
        if ((v & 01000) != 0) {
            out.putAscii(out.length() > start ? ",sticky" : "sticky");
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
            out.putAscii(v == 0 ? "no" : v == 1 ? "yes" : "unset");
        } else {
            out.put(b, off, len);
        }
    }

    private void printCapBitmap(long v, ByteBuf out) {
        for (int i = 0; i < capSets.length; i++) {
            if (capSets[i] == v && capTexts[i].length() > 0) {
                out.put(capTexts[i].array(), 0, capTexts[i].length());
                return;
            }
        }
        int i = capNext;
        capNext = (i + 1) & (capSets.length - 1);
        capSets[i] = v;
        capNames(v, capTexts[i].clear());
        out.put(capTexts[i].array(), 0, capTexts[i].length());
    }

    private static void capNames(long v, ByteBuf out) {
        boolean found = false;
        for (long bits = v; bits != 0; bits &= bits - 1) {
            byte[] name = CAP_NAMES[Long.numberOfTrailingZeros(bits)];
            if (name == null) {
                continue;
            }
            if (found) {
                out.put((byte) ',');
            }
            out.put(name);
            found = true;
        }
        if (!found) {
            out.putAscii("none");
        }
    }

    private static void printPersonality(byte[] b, int off, int len, ByteBuf out) {
        long v = parseUnsigned(b, off, len, 16);
        String name = LookupTables.PERSONALITIES.get(v & 0xFF); // PER_MASK: the flag bits do not name it
        if (name != null) {
            out.putAscii(name);
            if ((v & 0x0040000L) != 0) {
                out.putAscii("|~ADDR_NO_RANDOMIZE");
            }
        } else {
            unknown(LookupTables.PERSONALITIES.unknown(), v, b, off, len, out);
        }
    }

    /** A value table lookup, or the table's unknown text. */
    private static void lookup(LookupTables.Values table, long v, byte[] b, int off, int len, ByteBuf out) {
        String name = table.get(v);
        if (name != null) {
            out.putAscii(name);
        } else {
            unknown(table.unknown(), v, b, off, len, out);
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
            out.putAscii(none);
            return;
        }
        if (!joinFlags(table, v, joiner, out, false)) {
            out.putAscii("0x").put(b, off, len);
        }
    }

    private static boolean joinFlags(LookupTables.Flags flags, long v, String joiner, ByteBuf out, boolean any) {
        LookupTables.Flags.Loaded table = flags.loaded();
        for (int i = 0; i < table.masks.length; i++) {
            if ((table.masks[i] & v) != 0) {
                if (any) {
                    out.putAscii(joiner);
                }
                out.putAscii(table.names[i]);
                any = true;
            }
        }
        return any;
    }

    private static void printOpenFlags(byte[] b, int off, int len, ByteBuf out) {
        long v = parseUnsigned(b, off, len, 16) & 0xFFFFFFFFL;
        boolean any = false;
        if ((v & 3) == 0) {
            out.putAscii("O_RDONLY");
            any = true;
        }
        if (!joinFlags(LookupTables.OPEN, v, "|", out, any)) {
            out.putAscii("0x").put(b, off, len);
        }
    }

    private static void printMmap(byte[] b, int off, int len, ByteBuf out) {
        long v = parseUnsigned(b, off, len, 16) & 0xFFFFFFFFL;
        boolean any = false;
        if ((v & 0xF) == 0) {
            out.putAscii("MAP_FILE");
            any = true;
        }
        if (!joinFlags(LookupTables.MMAP, v, "|", out, any)) {
            out.putAscii("0x").put(b, off, len);
        }
    }

    // ---- syscall arguments ----

    private void printArg(AuditEvent ev, int r, int i, byte[] b, int off, int len, ByteBuf out) {
        readContext(ev, r);
        int printer = contextPrinters == null ? 0 : contextPrinters[i];
        long v = parseUnsigned(b, off, len, 16);
        if ((i == 1 || i == 2) && contextArch >= 0 && printContextual(ev, r, i, contextName, v, b, off, len, out)) {
            return;
        }
        if (printer == LookupTables.P_HEX) {
            out.putAscii("0x").put(b, off, len);
            return;
        }
        printArgAs(printer, v, b, off, len, out);
    }

    private void printArgAs(int printer, long v, byte[] b, int off, int len, ByteBuf out) {
        switch (printer) {
            case LookupTables.P_DIRFD -> {
                if ((int) v == -100) {
                    out.putAscii("AT_FDCWD");
                } else {
                    out.putAscii("0x").put(b, off, len);
                }
            }
            case LookupTables.P_OPEN -> printOpenFlags(b, off, len, out);
            case LookupTables.P_MODE_SHORT -> printModeShort(v, out);
            case LookupTables.P_MODE -> printMode(v, out);
            case LookupTables.P_UID -> printUser(v, true, out);
            case LookupTables.P_GID -> printUser(v, false, out);
            case LookupTables.P_SIGNAL -> lookupHex(LookupTables.SIGNALS, v, b, off, len, out);
            case LookupTables.P_CLONE -> {
                long flags = v & 0xFFFFFFFFL;
                boolean any = joinFlags(LookupTables.CLONE, flags, "|", out, false);
                int sig = (int) (flags & 0xFF);
                String name = sig > 0 && sig < 32 ? LookupTables.SIGNALS.get(sig) : null;
                if (name != null) {
                    if (any) {
                        out.put((byte) '|');
                    }
                    out.putAscii(name);
                    any = true;
                }
                if (!any) {
                    out.putAscii("0x").putAscii(Long.toHexString(flags));
                }
            }
            case LookupTables.P_FAMILY -> lookup(LookupTables.FAMILIES, v, b, off, len, out);
            case LookupTables.P_SOCKTYPE -> lookup(LookupTables.SOCKTYPES, v & 0xFF, b, off, len, out);
            case LookupTables.P_PROTOCOL -> lookup(LookupTables.PROTOCOLS, v, b, off, len, out);
            case LookupTables.P_FCNTL -> lookup(LookupTables.FCNTL, v, b, off, len, out);
            case LookupTables.P_ACCESS -> {
                if ((v & 0xF) == 0) {
                    out.putAscii("F_OK");
                } else if (!joinFlags(LookupTables.ACCESS, v, "|", out, false)) {
                    out.putAscii("0x").put(b, off, len);
                }
            }
            case LookupTables.P_PROT, LookupTables.P_MPROTECT -> {
                if ((v & 7) == 0) {
                    out.putAscii("PROT_NONE");
                } else if (!joinFlags(printer == LookupTables.P_PROT ? LookupTables.PROT : LookupTables.MPROTECT, v, "|", out, false)) {
                    out.putAscii("0x").put(b, off, len);
                }
            }
            case LookupTables.P_MMAP -> printMmap(b, off, len, out);
            case LookupTables.P_MOUNT -> printFlags(LookupTables.MOUNT, "|", b, off, len, null, out);
            case LookupTables.P_RECV -> printFlags(LookupTables.RECV, "|", b, off, len, null, out);
            case LookupTables.P_UMOUNT -> printFlags(LookupTables.UMOUNT, "|", b, off, len, null, out);
            case LookupTables.P_SCHED -> {
                String name = LookupTables.SCHEDULERS.get(v & 0x0F);
                if (name != null) {
                    out.putAscii(name);
                    if ((v & 0x40000000L) != 0) {
                        out.putAscii("|SCHED_RESET_ON_FORK");
                    }
                } else {
                    unknown(LookupTables.SCHEDULERS.unknown(), v, b, off, len, out);
                }
            }
            case LookupTables.P_SEEK -> lookup(LookupTables.SEEKS, v & 0xFF, b, off, len, out);
            case LookupTables.P_RLIMIT -> lookup(LookupTables.RLIMITS, v, b, off, len, out);
            case LookupTables.P_PTRACE -> lookup(LookupTables.PTRACE, v, b, off, len, out);
            case LookupTables.P_PRCTL -> lookup(LookupTables.PRCTL, v, b, off, len, out);
            case LookupTables.P_PERSONALITY -> printPersonality(b, off, len, out);
            case LookupTables.P_CLOCK -> lookup(LookupTables.CLOCKS, v, b, off, len, out);
            case LookupTables.P_EPOLL -> lookup(LookupTables.EPOLL, v, b, off, len, out);
            case LookupTables.P_IOCTL -> lookup(LookupTables.IOCTLS, v, b, off, len, out);
            case LookupTables.P_SOCKLEVEL -> lookup(LookupTables.SOCKLEVELS, v, b, off, len, out);
            case LookupTables.P_IPOPTNAME -> lookup(LookupTables.IPOPTNAMES, v, b, off, len, out);
            case LookupTables.P_EXIT -> lookup(LookupTables.EXIT_CODES, v, b, off, len, out);
            case LookupTables.P_BPF -> lookup(LookupTables.BPF, v, b, off, len, out);
            case LookupTables.P_SOCKETCALL -> lookup(LookupTables.SOCKETCALLS, v, b, off, len, out);
            case LookupTables.P_IPCCALL -> lookup(LookupTables.IPCCALLS, v, b, off, len, out);
            case LookupTables.P_SHM -> {
                if (joinFlags(LookupTables.SHM, v, "|", out, false)) {
                    out.put((byte) '|');
                }
                printModeShort(v & 0777, out);
            }
            default -> out.putAscii("0x").put(b, off, len);
        }
    }

    /**
     * The printers that depend on another argument (a0 or a1 read by position, see above); false
     * when the context selects none, and the argument's own printer applies.
     */
    private boolean printContextual(AuditEvent ev, int r, int i, String sys, long v, byte[] b, int off, int len,
            ByteBuf out) {
        if (sys == null) {
            return false;
        }
        if (i == 1 && sys.equals("prctl")) {
            long a0 = recordArgContext(ev, 0);
            if (a0 == 23 || a0 == 24) { // PR_CAPBSET_READ, PR_CAPBSET_DROP
                lookupHex(LookupTables.CAPABILITIES, v, b, off, len, out);
                return true;
            }
            if (a0 == 1) { // PR_SET_PDEATHSIG
                lookupHex(LookupTables.SIGNALS, v, b, off, len, out);
                return true;
            }
            return false;
        }
        if (i != 2) {
            return false;
        }
        long a1 = recordArgContext(ev, 1);
        if (sys.startsWith("fcntl")) {
            if (a1 == 8) { // F_SETOWN
                printUser(v, true, out);
                return true;
            }
            if (a1 == 2 && (int) v == 1) { // F_SETFD FD_CLOEXEC
                out.putAscii("FD_CLOEXEC");
                return true;
            }
            return false;
        }
        if (sys.equals("setsockopt") || sys.equals("getsockopt")) {
            LookupTables.Values t = switch ((int) a1) {
                case 0 -> LookupTables.IPOPTNAMES;
                case 1 -> LookupTables.SOCKOPTNAMES;
                case 6 -> LookupTables.TCPOPTNAMES;
                case 17 -> LookupTables.UDPOPTNAMES;
                case 41 -> LookupTables.IP6OPTNAMES;
                case 263 -> LookupTables.PKTOPTNAMES;
                default -> null;
            };
            if (t == null) {
                out.putAscii("0x").put(b, off, len);
            } else {
                lookup(t, v, b, off, len, out);
            }
            return true;
        }
        if ((sys.equals("open") || sys.equals("mq_open")) && (a1 & 0x40) != 0) { // O_CREAT
            printModeShort(v, out);
            return true;
        }
        return false;
    }

    /** A lookup whose unknown text shows the value as hex with its 0x (the printers given base 16). */
    private static void lookupHex(LookupTables.Values table, long v, byte[] b, int off, int len, ByteBuf out) {
        String name = table.get(v);
        if (name != null) {
            out.putAscii(name);
            return;
        }
        String t = table.unknown();
        int at = t == null ? -1 : t.indexOf("%s");
        if (at < 0) {
            unknown(t, v, b, off, len, out);
            return;
        }
        out.putAscii(t.substring(0, at)).putAscii("0x").put(b, off, len).putAscii(t.substring(at + 2));
    }

    // ---- socket addresses ----

    /**
     * Appends libauparse's text for a {@code saddr} value as the kernel writes it (hex), such as
     * {@code { saddr_fam=inet laddr=127.0.0.1 lport=47001 }}: what alert output prints for it.
     */
    public void sockaddr(byte[] b, int off, int len, ByteBuf out) {
        printSockaddr(b, off, len, out);
    }

    private void printSockaddr(byte[] b, int off, int len, ByteBuf out) {
        if (!unescape(b, off, len, decoded) || decoded.length() < 1) {
            out.putAscii("malformed-host(").put(b, off, len).put((byte) ')');
            return;
        }
        byte[] a = decoded.array();
        int slen = len / 2;
        int fam = (a[0] & 0xFF) | (decoded.length() > 1 ? (a[1] & 0xFF) << 8 : 0);
        String famName = LookupTables.FAMILIES.get(fam);
        if (famName == null) {
            out.putAscii("unknown-family(").putLong(fam).put((byte) ')');
            return;
        }
        out.putAscii("{ saddr_fam=").putAscii(famName).put((byte) ' ');
        switch (fam) {
            case 1 -> { // AF_LOCAL
                if (slen <= 2) {
                    out.putAscii("sockaddr len too short");
                } else if (a[2] != 0) {
                    out.putAscii("path=");
                    putZeroTerminated(a, 2, decoded.length(), out);
                } else {
                    out.putAscii("path=");
                    putZeroTerminated(a, 3, Math.min(decoded.length(), 3 + 108), out);
                }
            }
            case 2 -> { // AF_INET
                if (slen < 16) {
                    out.putAscii("sockaddr len too short");
                } else {
                    out.putAscii("laddr=");
                    for (int i = 0; i < 4; i++) {
                        if (i > 0) {
                            out.put((byte) '.');
                        }
                        out.putLong(a[4 + i] & 0xFF);
                    }
                    out.putAscii(" lport=").putLong(((a[2] & 0xFF) << 8) | (a[3] & 0xFF));
                }
            }
            case 10 -> { // AF_INET6
                if (slen < 28) {
                    out.putAscii("sockaddr6 len too short");
                } else {
                    out.putAscii("laddr=");
                    putIpv6(a, 8, out);
                    long scope = le32(a, 24);
                    if (scope != 0) {
                        out.put((byte) '%').putLong(scope);
                    }
                    out.putAscii(" lport=").putLong(((a[2] & 0xFF) << 8) | (a[3] & 0xFF));
                }
            }
            case 16 -> { // AF_NETLINK
                if (slen < 12) {
                    out.putAscii("len too short");
                } else {
                    out.putAscii("nlnk-fam=").putLong(fam).putAscii(" nlnk-pid=").putLong(le32(a, 4));
                }
            }
            default -> out.putAscii("(unsupported)");
        }
        out.putAscii(" }");
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

    /** glibc inet_ntop's text for an IPv6 address (longest zero run as "::", IPv4 tails dotted). */
    private static void putIpv6(byte[] a, int at, ByteBuf out) {
        int bestBase = -1;
        int bestLen = 0;
        int curBase = -1;
        int curLen = 0;
        for (int i = 0; i < 8; i++) {
            if (word(a, at, i) == 0) {
                if (curBase == -1) {
                    curBase = i;
                    curLen = 1;
                } else {
                    curLen++;
                }
            } else if (curBase != -1) {
                if (bestBase == -1 || curLen > bestLen) {
                    bestBase = curBase;
                    bestLen = curLen;
                }
                curBase = -1;
            }
        }
        if (curBase != -1 && (bestBase == -1 || curLen > bestLen)) {
            bestBase = curBase;
            bestLen = curLen;
        }
        if (bestBase != -1 && bestLen < 2) {
            bestBase = -1;
        }
        for (int i = 0; i < 8; i++) {
            if (bestBase != -1 && i >= bestBase && i < bestBase + bestLen) {
                if (i == bestBase) {
                    out.put((byte) ':');
                }
                continue;
            }
            if (i != 0) {
                out.put((byte) ':');
            }
            if (i == 6 && bestBase == 0 && (bestLen == 6 || (bestLen == 5 && word(a, at, 5) == 0xffff))) {
                for (int k = 12; k < 16; k++) {
                    if (k > 12) {
                        out.put((byte) '.');
                    }
                    out.putLong(a[at + k] & 0xFF);
                }
                return;
            }
            putHex(word(a, at, i), out);
        }
        if (bestBase != -1 && bestBase + bestLen == 8) {
            out.put((byte) ':');
        }
    }

    private static int word(byte[] a, int at, int i) {
        return ((a[at + 2 * i] & 0xFF) << 8) | (a[at + 2 * i + 1] & 0xFF);
    }

    private static void putHex(int v, ByteBuf out) {
        boolean started = false;
        for (int shift = 12; shift >= 0; shift -= 4) {
            int d = (v >> shift) & 0xF;
            if (d != 0 || started || shift == 0) {
                out.put((byte) (d < 10 ? '0' + d : 'a' + d - 10));
                started = true;
            }
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

    /** The value of each byte as a hex digit, or -1. */
    private static final byte[] DIGITS = new byte[256];

    static {
        java.util.Arrays.fill(DIGITS, (byte) -1);
        for (int c = '0'; c <= '9'; c++) {
            DIGITS[c] = (byte) (c - '0');
        }
        for (int c = 'a'; c <= 'f'; c++) {
            DIGITS[c] = (byte) (c - 'a' + 10);
            DIGITS[c - 32] = (byte) (c - 'a' + 10);
        }
    }

    private static int digit(byte c) {
        return DIGITS[c & 0xFF];
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
