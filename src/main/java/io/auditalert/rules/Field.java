package io.auditalert.rules;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.parse.ByteBuf;
import io.auditalert.parse.RecordTypes;
import io.auditalert.parse.Values;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Set;

/**
 * A resolved field reference: knows where its values live in an event and hands them, decoded, to a
 * {@link ValueTest} through the scratch's value register, one at a time, until one passes. Nothing is
 * decoded before a rule asks, and nothing is allocated: quoted values are sliced in place, hex values
 * decoded into the scratch buffer, derived values (argv, proctitle) built once per event.
 *
 * <p>Absent markers ({@code (null)}, {@code (none)}, {@code ?}) are never handed to a test, so every
 * comparison on them is false and {@code exists} is false.
 */
abstract class Field {
    /** How literals compared with this field are read at compile time. */
    enum Kind { STRING, NUMBER, UID, GID, EXIT, SYSCALL, TYPE, ARCH, MODE }

    /** Fields libauparse treats as untrusted strings: quoted, or hex when they hold unsafe bytes. */
    static final Set<String> ESCAPED = Set.of("name", "path", "comm", "exe", "cwd", "key", "acct", "cmd",
            "proctitle", "data", "dir", "file", "old-disk", "new-disk", "vm", "root_dir", "ocomm", "sw",
            "watch", "grp", "new_group", "old_group", "cgroup", "new-chardev", "old-chardev", "new-fs",
            "old-fs", "argv", "cmdline");

    /** In {@link #ESCAPED}, or typed so by libauparse's table ({@code profile}, {@code device}, {@code info}, …). */
    static boolean isEscapedName(String name) {
        return ESCAPED.contains(name) || io.auditalert.interp.Interpreter.isEscapedName(name);
    }

    static final Set<String> UID_FIELDS = Set.of("uid", "auid", "euid", "suid", "fsuid", "ouid", "iuid",
            "sauid", "old-auid", "old_auid", "inode_uid", "obj_uid", "new-uid", "old-uid", "loginuid", "id");
    static final Set<String> GID_FIELDS = Set.of("gid", "egid", "sgid", "fsgid", "ogid", "igid",
            "inode_gid", "obj_gid", "new-gid", "old-gid");
    static final Set<String> NUMBER_FIELDS = Set.of("pid", "ppid", "ses", "old-ses", "items", "argc", "item",
            "inode", "tpid", "opid", "oses", "spid", "list", "entries", "res_code", "lport", "rport",
            "fport", "sig", "nargs", "fd", "ino", "per");

    final String label;
    final Kind kind;

    Field(String label, Kind kind) {
        this.label = label;
        this.kind = kind;
    }

    /** Tests each present value in turn; true as soon as one passes (the register then holds it). */
    abstract boolean any(EvalScratch s, ValueTest test);

    /** Whether the field has a present value; the register then holds the first one. */
    boolean first(EvalScratch s) {
        return any(s, ValueTest.ANY);
    }

    /** The record type every value of this field comes from, or -1. Drives the rule index. */
    int recordType() {
        return -1;
    }

    boolean isKey() {
        return false;
    }

    /**
     * For an identity field, the field that holds the name auditd recorded for it when it wrote the
     * record (the ENRICHED suffix's {@code AUID} for {@code auid}), which output prints in preference
     * to a lookup on this machine; null for other fields.
     */
    Field recordedName() {
        return null;
    }

    /** Whether the values are a syscall argument register as SYSCALL records write it: hex digits, no 0x. */
    boolean isRegister() {
        return false;
    }

    /**
     * For {@code EXECVE.aN} and its chunks {@code EXECVE.aN[k]}, N: the argument's place in
     * {@code argv}; -1 for other fields.
     */
    int execveArgument() {
        return -1;
    }

    /** For a chunk {@code EXECVE.aN[k]} of a long argument, its name {@code aN[k]}; null for other fields. */
    byte[] execveChunk() {
        return null;
    }

    /** Relative cost of producing values, for ordering the parts of and/or. */
    int cost() {
        return 2;
    }

    /**
     * The kernel's field order in SYSCALL and PATH records, the records rules read most: a field is
     * read by scanning its record's line up to it, so one late in the line costs more to read (exe is
     * 350 bytes into a SYSCALL line, nametype 170 into a PATH line), and an and/or tests it after
     * the early ones.
     */
    private static final java.util.Map<String, Integer> KERNEL_ORDER = kernelOrder(
            "arch syscall success exit a0 a1 a2 a3 items ppid pid auid uid gid euid suid fsuid egid sgid fsgid tty ses comm exe subj key",
            "item name inode dev mode ouid ogid rdev nametype cap_fp cap_fi cap_fe cap_fver cap_frootid");

    private static java.util.Map<String, Integer> kernelOrder(String... records) {
        java.util.Map<String, Integer> order = new java.util.HashMap<>();
        for (String record : records) {
            String[] names = record.split(" ");
            for (int i = 0; i < names.length; i++) {
                order.putIfAbsent(names[i], i);
            }
        }
        return order;
    }

    /** 0 to 3: how far into its kernel record a raw field usually is, in steps of eight fields. */
    static int lateness(String rawName) {
        return KERNEL_ORDER.getOrDefault(rawName, 0) / 8;
    }

    /**
     * The kind of a field of a record of this type: as {@link #kindOf(String)}, but a field that
     * libauparse's per-record rules type as a group id is one ({@code id} of ADD_GROUP, DEL_GROUP,
     * GRP_MGMT), as {@code events} interprets it.
     */
    static Kind kindOf(int recordType, String fieldName) {
        return io.auditalert.interp.Interpreter.isGroupIdIn(recordType, fieldName) ? Kind.GID : kindOf(fieldName);
    }

    static Kind kindOf(String fieldName) {
        if (UID_FIELDS.contains(fieldName)) {
            return Kind.UID;
        }
        if (GID_FIELDS.contains(fieldName)) {
            return Kind.GID;
        }
        if (fieldName.equals("exit")) {
            return Kind.EXIT;
        }
        if (fieldName.equals("arch")) {
            return Kind.ARCH;
        }
        if (fieldName.equals("mode")) {
            return Kind.MODE; // a file's type and permissions, in octal: 0100755
        }
        if (NUMBER_FIELDS.contains(fieldName)) {
            return Kind.NUMBER;
        }
        return Kind.STRING;
    }

    /**
     * Whether a field of this name in a record of this type holds an untrusted string (quoted, or hex
     * when it has unsafe bytes). {@code a0}, {@code a1}, … are such strings only in EXECVE records:
     * in SYSCALL (and SECCOMP) records they are the syscall's arguments, register values in hex.
     */
    static boolean isEscaped(int recordType, String fieldName) {
        return isEscapedName(fieldName)
                || recordType == RecordTypes.EXECVE && (isExecveArg(fieldName) || isExecveChunk(fieldName));
    }

    /** N of {@code aN} or {@code aN[k]}; -1 when the number is too large to be an argument's. */
    static int argumentNumber(String name) {
        int end = name.indexOf('[');
        try {
            return Integer.parseInt(name, 1, end < 0 ? name.length() : end, 10);
        } catch (NumberFormatException e) {
            return -1; // a999999999999: no such argument
        }
    }

    /** Whether n names a chunk of a long EXECVE argument: {@code a2[0]}. */
    static boolean isExecveChunk(String n) {
        int open = n.indexOf('[');
        if (open < 0 || !n.endsWith("]") || !isExecveArg(n.substring(0, open)) || open + 2 >= n.length()) {
            return false;
        }
        for (int i = open + 1; i < n.length() - 1; i++) {
            if (!Character.isDigit(n.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    static boolean isExecveArg(String n) {
        if (n.length() < 2 || n.charAt(0) != 'a') {
            return false;
        }
        for (int i = 1; i < n.length(); i++) {
            if (!Character.isDigit(n.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    /** Loads field f, decoded, into the register; false when its value is absent. */
    static boolean load(EvalScratch s, int f, boolean escaped) {
        return loadValue(s, ref(s.ev, f), escaped);
    }

    /** Loads the value at {@code ref} ({@link AuditEvent#valueRef}), decoded, into the register; false when absent. */
    static boolean loadValue(EvalScratch s, long ref, boolean escaped) {
        if (ref < 0) {
            return false;
        }
        byte[] b = s.ev.buffer();
        int off = AuditEvent.refOff(ref);
        int len = AuditEvent.refLen(ref);
        if (Values.isAbsent(b, off, len)) {
            return false;
        }
        if (Values.isQuoted(b, off, len)) {
            s.value(b, off + 1, len - 2);
        } else if (escaped && (len & 1) == 0 && Values.isAllHex(b, off, len)) {
            Values.decodeHex(b, off, len, s.decode.clear());
            s.value(s.decode.array(), 0, s.decode.length());
        } else {
            s.value(b, off, len);
        }
        return true;
    }

    /** Field f's value as a {@link AuditEvent#valueRef}. */
    static long ref(AuditEvent ev, int f) {
        return AuditEvent.valueRef(ev.valOff(f), ev.valLen(f));
    }

    /** Appends field f decoded (quotes and hex removed) to out. */
    static void appendDecoded(AuditEvent ev, int f, boolean escaped, ByteBuf out) {
        appendDecodedValue(ev, ref(ev, f), escaped, out);
    }

    /** Appends the value at {@code ref} decoded (quotes and hex removed) to out. */
    static void appendDecodedValue(AuditEvent ev, long ref, boolean escaped, ByteBuf out) {
        byte[] b = ev.buffer();
        int off = AuditEvent.refOff(ref);
        int len = AuditEvent.refLen(ref);
        if (Values.isQuoted(b, off, len)) {
            out.put(b, off + 1, len - 2);
        } else if (escaped && (len & 1) == 0 && Values.isAllHex(b, off, len)) {
            Values.decodeHex(b, off, len, out);
        } else {
            out.put(b, off, len);
        }
    }

    static byte[] bytes(String s) {
        return s.getBytes(StandardCharsets.UTF_8);
    }

    // ---- implementations ----

    /** A bare name: the first record, in arrival order, that has the field (auparse_find_field). */
    static final class First extends Field {
        private final byte[] name;
        private final boolean escaped;
        private final boolean enriched;

        First(String name, Kind kind) {
            super(name, kind);
            this.name = bytes(name);
            // aN[k] is only ever a chunk of an EXECVE argument: quoted or hex, as the argument is
            this.chunk = isExecveChunk(name);
            this.escaped = isEscapedName(name) || chunk;
            this.argument = isExecveArg(name);
            this.enriched = !name.isEmpty() && name.equals(name.toUpperCase(java.util.Locale.ROOT))
                    && Character.isLetter(name.charAt(0));
        }

        /** {@code aN}: a register in hex in a SYSCALL record, an escaped string in an EXECVE record. */
        private final boolean argument;
        /** {@code aN[k]}: a chunk of a long EXECVE argument, masked in outputs as the argument is. */
        private final boolean chunk;

        @Override
        int execveArgument() {
            // a4 and later are EXECVE arguments only (a SYSCALL record has a0-a3): masked as EXECVE.a4 is
            return chunk || argument && argumentNumber(label) >= 4 ? argumentNumber(label) : -1;
        }

        @Override
        byte[] execveChunk() {
            return chunk ? name : null;
        }

        /** Where this name's field index is cached per event in the scratch; -1: not cached. */
        int slot = -1;

        @Override
        int cost() {
            return 2 + lateness(label);
        }

        @Override
        boolean any(EvalScratch s, ValueTest test) {
            if (argument) {
                return anyArgument(s, test);
            }
            long v = slot >= 0 ? s.cachedValue(slot) : EvalScratch.UNKNOWN;
            if (v == EvalScratch.UNKNOWN) {
                v = locate(s.ev);
                if (slot >= 0) {
                    s.cacheValue(slot, v);
                }
            }
            return v >= 0 && loadValue(s, v, escaped) && test.test(s);
        }

        @Override
        Field recordedName() {
            return (kind == Kind.UID || kind == Kind.GID) && !enriched
                    ? new First(label.toUpperCase(java.util.Locale.ROOT), Kind.STRING) : null;
        }

        @Override
        boolean isRegister() {
            return argument; // the first record with a0 is the SYSCALL, before any EXECVE
        }

        /** Like the cached path, but decoding the value only when its record is an EXECVE. */
        private boolean anyArgument(EvalScratch s, ValueTest test) {
            AuditEvent ev = s.ev;
            for (int r = 0, n = ev.recordCount(); r < n; r++) {
                long v = ev.rawValue(r, name);
                if (v >= 0) {
                    return loadValue(s, v, ev.recordType(r) == RecordTypes.EXECVE) && test.test(s);
                }
            }
            return false;
        }

        private long locate(AuditEvent ev) {
            for (int r = 0, n = ev.recordCount(); r < n; r++) {
                if (enriched) {
                    int f = findEnriched(ev, r, name);
                    if (f >= 0) {
                        return ref(ev, f);
                    }
                } else {
                    long v = ev.rawValue(r, name);
                    if (v >= 0) {
                        return v;
                    }
                }
            }
            return AuditEvent.NO_VALUE;
        }
    }

    /** {@code TYPE.field}: the field in every record of that type (the first occurrence per record, every key). */
    static final class OfType extends Field {
        private final int type;
        private final byte[] name;
        private final byte[] chunkPrefix;
        /** {@link Field#lateness} of the name. */
        private final int lateness;
        private final boolean escaped;
        private final boolean enriched;

        OfType(String label, int type, String name, Kind kind) {
            super(label, kind);
            this.type = type;
            this.name = bytes(name);
            this.lateness = lateness(name);
            this.escaped = isEscaped(type, name);
            this.enriched = !name.isEmpty() && name.equals(name.toUpperCase(java.util.Locale.ROOT))
                    && Character.isLetter(name.charAt(0));
            this.chunkPrefix = type == RecordTypes.EXECVE && isExecveArg(name) ? bytes(name + "[") : null;
            this.chunk = type == RecordTypes.EXECVE && isExecveChunk(name);
            this.allOccurrences = name.equals("key");
        }

        /** Cache slot of this TYPE.field in the scratch; -1: not cached (chunked EXECVE arguments). */
        int slot = -1;
        private final boolean allOccurrences;

        /** Whether this is a chunk {@code aN[k]} of a long argument. */
        private final boolean chunk;

        @Override
        int execveArgument() {
            return chunkPrefix == null && !chunk ? -1 : argumentNumber(new String(name, StandardCharsets.US_ASCII));
        }

        @Override
        byte[] execveChunk() {
            return chunk ? name : null;
        }

        @Override
        boolean any(EvalScratch s, ValueTest test) {
            if (slot < 0 || chunkPrefix != null) {
                return scan(s, test);
            }
            long[] values = s.list(slot);
            int n;
            if (values == null) {
                n = collect(s);
                values = s.list(slot);
            } else {
                n = s.listSize(slot);
            }
            for (int i = 0; i < n; i++) {
                if (loadValue(s, values[i], escaped) && test.test(s)) {
                    return true;
                }
            }
            return false;
        }

        /**
         * Collects the event's fields of this name in records of this type: the first one of each
         * record (as auparse_find_field sees a record), or every one for {@code key}, which the
         * tokenizer splits into one field per key.
         */
        private int collect(EvalScratch s) {
            AuditEvent ev = s.ev;
            int size = 0;
            long[] out = s.listBuffer(slot, ev.recordCount());
            for (int r = 0, n = ev.recordCount(); r < n; r++) {
                if (ev.recordType(r) != type) {
                    continue;
                }
                if (!enriched && !allOccurrences) {
                    long v = ev.rawValue(r, name);
                    if (v >= 0) {
                        out[size++] = v; // at most one per record: the buffer holds recordCount
                    }
                    continue;
                }
                int from = enriched ? ev.firstEnriched(r) : ev.firstField(r);
                int to = enriched ? ev.endEnriched(r) : ev.endField(r);
                for (int f = from; f < to; f++) {
                    if (named(ev, f, name)) {
                        if (size == out.length) {
                            long[] grown = s.listBuffer(slot, size * 2);
                            System.arraycopy(out, 0, grown, 0, size);
                            out = grown;
                        }
                        out[size++] = ref(ev, f);
                        if (!allOccurrences) {
                            break;
                        }
                    }
                }
            }
            s.listDone(slot, size);
            return size;
        }

        private boolean scan(EvalScratch s, ValueTest test) {
            AuditEvent ev = s.ev;
            // an EXECVE argument split into aN[k] chunks can span several EXECVE records
            boolean chunks = false;
            for (int r = 0, n = ev.recordCount(); r < n; r++) {
                if (ev.recordType(r) != type) {
                    continue;
                }
                int from = enriched ? ev.firstEnriched(r) : ev.firstField(r);
                int to = enriched ? ev.endEnriched(r) : ev.endField(r);
                for (int f = from; f < to; f++) {
                    if (named(ev, f, name)) {
                        if (load(s, f, escaped) && test.test(s)) {
                            return true;
                        }
                    } else if (chunkPrefix != null && startsWith(ev, f, chunkPrefix)) {
                        if (!chunks) {
                            s.decode.clear();
                            chunks = true;
                        }
                        appendDecoded(ev, f, true, s.decode);
                    }
                }
            }
            if (chunks) {
                s.value(s.decode.array(), 0, s.decode.length());
                return test.test(s);
            }
            return false;
        }

        @Override
        int recordType() {
            return type;
        }

        @Override
        boolean isRegister() {
            return type != RecordTypes.EXECVE && isExecveArg(label.substring(label.length() - name.length));
        }

        @Override
        Field recordedName() {
            if ((kind != Kind.UID && kind != Kind.GID) || enriched) {
                return null;
            }
            String upper = new String(name, StandardCharsets.US_ASCII).toUpperCase(java.util.Locale.ROOT);
            return new OfType(label.substring(0, label.length() - name.length) + upper, type, upper, Kind.STRING);
        }

        /**
         * Dearer than a bare name: a bare name is mostly found early in the first record (the
         * SYSCALL), while this reads every record of its type (PATH).
         */
        @Override
        int cost() {
            return 4 + lateness;
        }

        /** {@code SYSCALL.key = k} implies the event has key k somewhere: index it under k too. */
        @Override
        boolean isKey() {
            return name.length == 3 && name[0] == 'k' && name[1] == 'e' && name[2] == 'y';
        }
    }

    /** {@code key}: every key of every record (a CONFIG_CHANGE's and the SYSCALL's, virtual keys split). */
    static final class AnyKey extends Field {
        private static final byte[] KEY = bytes("key");

        AnyKey() {
            super("key", Kind.STRING);
        }

        @Override
        boolean any(EvalScratch s, ValueTest test) {
            AuditEvent ev = s.ev;
            for (int r = 0, n = ev.recordCount(); r < n; r++) {
                if (!ev.mayHaveKey(r)) {
                    continue; // no key in this record: don't split it just to find out
                }
                for (int f = ev.firstField(r), to = ev.endField(r); f < to; f++) {
                    if (named(ev, f, KEY) && load(s, f, true) && test.test(s)) {
                        return true;
                    }
                }
            }
            return false;
        }

        @Override
        boolean isKey() {
            return true;
        }
    }

    /** {@code argv}: the EXECVE arguments decoded and joined by spaces, chunks reassembled. */
    static final class Argv extends Field {
        Argv() {
            super("argv", Kind.STRING);
        }

        @Override
        boolean any(EvalScratch s, ValueTest test) {
            if (s.argvGeneration != s.generation) {
                s.argvGeneration = s.generation;
                s.argvPresent = buildArgv(s.ev, s.argv.clear());
            }
            if (!s.argvPresent) {
                return false;
            }
            s.value(s.argv.array(), 0, s.argv.length());
            return test.test(s);
        }

        @Override
        int recordType() {
            return RecordTypes.EXECVE;
        }

        @Override
        int cost() {
            return 5;
        }

        static boolean buildArgv(AuditEvent ev, ByteBuf out) {
            return buildArgv(ev, out, -1, null, null, null);
        }

        /**
         * Appends the arguments joined by spaces, as {@code argv} reads. For output masking, optionally:
         * when {@code want >= 0}, sets {@code span[0..1]} to where argument {@code want} lies in
         * {@code out}; with {@code chunk} (a name such as {@code a2[0]}), {@code span[2..3]} to where that
         * chunk of it lies ({-1, -1} when the event has none); with {@code starts}, where each argument
         * begins in {@code out}, in order.
         */
        static boolean buildArgv(AuditEvent ev, ByteBuf out, int want, byte[] chunk, int[] span,
                java.util.List<Integer> starts) {
            if (span != null) {
                Arrays.fill(span, -1);
            }
            boolean any = false;
            int args = 0;
            byte[] b = ev.buffer();
            for (int r = 0, n = ev.recordCount(); r < n; r++) {
                if (ev.recordType(r) != RecordTypes.EXECVE) {
                    continue;
                }
                any = true;
                for (int f = ev.firstField(r), to = ev.endField(r); f < to; f++) {
                    int no = ev.nameOff(f);
                    int nl = ev.nameLen(f);
                    if (nl < 2 || b[no] != 'a' || b[no + 1] < '0' || b[no + 1] > '9') {
                        continue;
                    }
                    int i = no + 1;
                    while (i < no + nl && b[i] >= '0' && b[i] <= '9') {
                        i++;
                    }
                    if (i == no + nl) {
                        startArgument(out, args++, want, span, starts);
                        appendDecoded(ev, f, true, out);
                    } else if (b[i] == '_') {
                        startArgument(out, args++, want, span, starts);
                    } else if (b[i] == '[') {
                        int start = out.length();
                        appendDecoded(ev, f, true, out);
                        if (chunk != null && span[2] < 0 && nl == chunk.length
                                && Arrays.equals(b, no, no + nl, chunk, 0, nl)) {
                            span[2] = start;
                            span[3] = out.length();
                        }
                    }
                }
            }
            if (span != null && span[0] >= 0 && span[1] < 0) {
                span[1] = out.length();
            }
            return any;
        }

        private static void startArgument(ByteBuf out, int arg, int want, int[] span, java.util.List<Integer> starts) {
            if (arg > 0) {
                if (span != null && arg == want + 1) {
                    span[1] = out.length();
                }
                out.put((byte) ' ');
            }
            if (starts != null) {
                starts.add(out.length());
            }
            if (span != null && arg == want) {
                span[0] = out.length();
            }
        }
    }

    /** {@code proctitle}: the PROCTITLE record's command line, NULs shown as spaces. */
    static final class Proctitle extends Field {
        private static final byte[] PROCTITLE = bytes("proctitle");

        Proctitle() {
            super("proctitle", Kind.STRING);
        }

        @Override
        boolean any(EvalScratch s, ValueTest test) {
            if (s.proctitleGeneration != s.generation) {
                s.proctitleGeneration = s.generation;
                s.proctitlePresent = buildProctitle(s.ev, s.proctitle.clear(), null);
            }
            if (!s.proctitlePresent) {
                return false;
            }
            s.value(s.proctitle.array(), 0, s.proctitle.length());
            return test.test(s);
        }

        /**
         * Appends the event's decoded command line, NULs shown as spaces, to {@code out}; with
         * {@code starts}, adds where each argument starts in it (after each NUL), so output can mask
         * a secret argument whole. False when the event has no command line.
         */
        static boolean buildProctitle(AuditEvent ev, ByteBuf out, java.util.List<Integer> starts) {
            int r = ev.findRecord(RecordTypes.PROCTITLE);
            long v = r < 0 ? AuditEvent.NO_VALUE : ev.rawValue(r, PROCTITLE);
            if (v < 0 || Values.isAbsent(ev.buffer(), AuditEvent.refOff(v), AuditEvent.refLen(v))) {
                return false;
            }
            int base = out.length();
            appendDecodedValue(ev, v, true, out);
            byte[] a = out.array();
            int len = out.length();
            while (len > base && a[len - 1] == 0) {
                len--;
            }
            if (starts != null) {
                starts.add(0);
            }
            for (int i = base; i < len; i++) {
                if (a[i] == 0) {
                    a[i] = ' ';
                    if (starts != null) {
                        starts.add(i + 1 - base);
                    }
                }
            }
            out.setLength(len);
            return true;
        }

        @Override
        int recordType() {
            return RecordTypes.PROCTITLE;
        }

        @Override
        int cost() {
            return 4;
        }
    }

    /** {@code type} for string operators: the type name of each record. */
    static final class TypeName extends Field {
        TypeName() {
            super("type", Kind.TYPE);
        }

        @Override
        boolean any(EvalScratch s, ValueTest test) {
            AuditEvent ev = s.ev;
            for (int r = 0, n = ev.recordCount(); r < n; r++) {
                ByteBuf t = s.text.clear().putLatin1(ev.recordTypeName(r));
                s.value(t.array(), 0, t.length());
                if (test.test(s)) {
                    return true;
                }
            }
            return false;
        }
    }

    /** {@code node}: the event's node name. */
    static final class Node extends Field {
        Node() {
            super("node", Kind.STRING);
        }

        @Override
        boolean any(EvalScratch s, ValueTest test) {
            AuditEvent ev = s.ev;
            if (!ev.hasNode()) {
                return false;
            }
            byte[] b = ev.buffer();
            int off = ev.nodeOff();
            int len = ev.nodeLen();
            if (Values.isQuoted(b, off, len)) {
                s.value(b, off + 1, len - 2);
            } else {
                s.value(b, off, len);
            }
            return test.test(s);
        }
    }

    /** {@code syscall} for string operators and output: the name for the record's arch, else the number. */
    static final class SyscallName extends Field {
        private final Names names;

        SyscallName(Names names) {
            super("syscall", Kind.SYSCALL);
            this.names = names;
        }

        @Override
        boolean any(EvalScratch s, ValueTest test) {
            if (!s.syscall()) {
                return false;
            }
            String name = s.syscallNr < 0 || s.syscallArch < 0 ? null
                    : names.syscallName(s.syscallArch, (int) s.syscallNr);
            if (name != null) {
                ByteBuf t = s.text.clear().putLatin1(name);
                s.value(t.array(), 0, t.length());
            } else if (!loadValue(s, s.syscallValue, false)) {
                return false;
            }
            return test.test(s);
        }

        @Override
        int cost() {
            return 4;
        }
    }

    /**
     * {@code path}: any PATH record's name for comparisons; for output, the first name that is not a
     * parent directory item ({@code nametype=PARENT}), so "changed {path}" names the file, not its
     * directory.
     */
    static final class PathName extends Field {
        private static final byte[] NAME = bytes("name");
        private static final byte[] NAMETYPE = bytes("nametype");
        private static final byte[] PARENT = bytes("PARENT");
        private static final byte[] CREATE = bytes("CREATE");
        private static final byte[] DELETE = bytes("DELETE");
        private static final byte[] UNKNOWN = bytes("UNKNOWN");
        private final OfType names = new OfType("path", RecordTypes.PATH, "name", Kind.STRING);

        PathName() {
            this(-1);
        }

        PathName(int slot) {
            super("path", Kind.STRING);
            names.slot = slot;
        }

        @Override
        boolean any(EvalScratch s, ValueTest test) {
            return names.any(s, test);
        }

        /**
         * The name output shows: a file that a rename replaced (the name is both DELETE and CREATE:
         * {@code mv tmp /etc/passwd} reports /etc/passwd, not tmp), else the first item that is neither
         * a directory the syscall only looked up (PARENT) nor a name it did not resolve (UNKNOWN: the
         * target a symlink call stores, so {@code ln -s unit wants/unit} reports the link it created),
         * else the first item that is not PARENT (a refused open of a missing file), else the first name.
         */
        @Override
        boolean first(EvalScratch s) {
            AuditEvent ev = s.ev;
            int created = replacedByRename(ev);
            if (created >= 0 && loadValue(s, ev.rawValue(created, NAME), true)) {
                return true;
            }
            return firstNameNotOf(s, UNKNOWN) || firstNameNotOf(s, PARENT) || names.first(s);
        }

        /** Loads the name of the first PATH item that is not PARENT and not of {@code alsoSkipped}. */
        private static boolean firstNameNotOf(EvalScratch s, byte[] alsoSkipped) {
            AuditEvent ev = s.ev;
            for (int r = 0, n = ev.recordCount(); r < n; r++) {
                if (ev.recordType(r) != RecordTypes.PATH) {
                    continue;
                }
                long t = ev.rawValue(r, NAMETYPE);
                if (t >= 0 && (ev.refIs(t, PARENT) || ev.refIs(t, alsoSkipped))) {
                    continue;
                }
                if (loadValue(s, ev.rawValue(r, NAME), true)) {
                    return true;
                }
            }
            return false;
        }

        /** The PATH record of a CREATE whose name a DELETE of the same event also has, or -1. */
        private static int replacedByRename(AuditEvent ev) {
            for (int c = 0, n = ev.recordCount(); c < n; c++) {
                if (!isPathOfType(ev, c, CREATE)) {
                    continue;
                }
                long created = ev.rawValue(c, NAME);
                for (int d = 0; d < n; d++) {
                    if (d != c && isPathOfType(ev, d, DELETE) && sameValue(ev, created, ev.rawValue(d, NAME))) {
                        return c;
                    }
                }
            }
            return -1;
        }

        private static boolean isPathOfType(AuditEvent ev, int r, byte[] nametype) {
            if (ev.recordType(r) != RecordTypes.PATH) {
                return false;
            }
            long t = ev.rawValue(r, NAMETYPE);
            return t >= 0 && ev.refIs(t, nametype);
        }

        private static boolean sameValue(AuditEvent ev, long a, long b) {
            if (a < 0 || b < 0 || AuditEvent.refLen(a) != AuditEvent.refLen(b)) {
                return false;
            }
            byte[] buf = ev.buffer();
            int ao = AuditEvent.refOff(a);
            int bo = AuditEvent.refOff(b);
            return java.util.Arrays.equals(buf, ao, ao + AuditEvent.refLen(a), buf, bo, bo + AuditEvent.refLen(b));
        }

        @Override
        int recordType() {
            return RecordTypes.PATH;
        }

        @Override
        int cost() {
            return names.cost();
        }
    }

    /** Whether field f is named {@code name}: length, first byte, then the rest, without range checks. */
    static boolean named(AuditEvent ev, int f, byte[] name) {
        int n = name.length;
        if (ev.nameLen(f) != n) {
            return false;
        }
        byte[] b = ev.buffer();
        int off = ev.nameOff(f);
        for (int i = 0; i < n; i++) {
            if (b[off + i] != name[i]) {
                return false;
            }
        }
        return true;
    }

    /** The first ENRICHED field of record r named {@code name}, or -1. */
    static int findEnriched(AuditEvent ev, int r, byte[] name) {
        for (int f = ev.firstEnriched(r), to = ev.endEnriched(r); f < to; f++) {
            if (named(ev, f, name)) {
                return f;
            }
        }
        return -1;
    }

    static boolean startsWith(AuditEvent ev, int f, byte[] prefix) {
        if (ev.nameLen(f) <= prefix.length) {
            return false;
        }
        byte[] b = ev.buffer();
        int off = ev.nameOff(f);
        for (int i = 0; i < prefix.length; i++) {
            if (b[off + i] != prefix[i]) {
                return false;
            }
        }
        return true;
    }
}
