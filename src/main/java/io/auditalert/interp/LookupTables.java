package io.auditalert.interp;

import io.auditalert.sys.Lazy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The lookups behind libauparse's printers, loaded from {@code tables/auparse/}, which
 * {@code tools/gen-auparse-tables.py} generates by probing libauparse 3.0.9 itself.
 */
final class LookupTables {
    private LookupTables() {}

    /** Tables whose largest value is below this are indexed directly instead of searched. */
    private static final int DENSE_LIMIT = 1024;

    /**
     * A value → name table and auparse's text for a value it does not know. Read from its file on
     * first use: a run meets a handful of the forty-odd tables, and reading them all cost a tenth
     * of a second of every start.
     */
    static final class Values {
        private final Lazy<Loaded> loaded;

        Values(String file) {
            this.loaded = new Lazy<>(() -> new Loaded(file));
        }

        private static final class Loaded {
            final long[] keys;
            final String[] names;
            /** names indexed by value, when the values are few and small enough for that. */
            final String[] dense;
            /** The unknown text, {@code %s} standing for the value as written, {@code %d} for it in decimal. */
            final String unknown;

            Loaded(String file) {
                List<String[]> rows = TableFile.rows("auparse/" + file + ".tsv");
                String unk = null;
                Map<Long, String> map = new HashMap<>();
                for (String[] row : rows) {
                    if (row[0].equals("#unknown")) {
                        unk = row[1];
                    } else {
                        map.put(Long.parseLong(row[0]), row[1]);
                    }
                }
                unknown = unk;
                keys = new long[map.size()];
                int n = 0;
                for (long k : map.keySet()) {
                    keys[n++] = k;
                }
                Arrays.sort(keys);
                names = new String[keys.length];
                for (int i = 0; i < keys.length; i++) {
                    names[i] = map.get(keys[i]);
                }
                if (keys.length > 0 && keys[0] >= 0 && keys[keys.length - 1] < DENSE_LIMIT) {
                    dense = new String[(int) keys[keys.length - 1] + 1];
                    for (int i = 0; i < keys.length; i++) {
                        dense[(int) keys[i]] = names[i];
                    }
                } else {
                    dense = null;
                }
            }
        }

        String get(long v) {
            Loaded l = loaded.get();
            if (l.dense != null) {
                return v >= 0 && v < l.dense.length ? l.dense[(int) v] : null;
            }
            int i = Arrays.binarySearch(l.keys, v);
            return i >= 0 ? l.names[i] : null;
        }

        /** auparse's text for a value the table does not hold ({@code %s}: as written, {@code %d}: decimal). */
        String unknown() {
            return loaded.get().unknown;
        }
    }

    /** Bit flags in the order auparse prints them; read from its file on first use. */
    static final class Flags {
        private final Lazy<Loaded> loaded;

        Flags(String file) {
            this.loaded = new Lazy<>(() -> new Loaded(file));
        }

        static final class Loaded {
            final long[] masks;
            final String[] names;

            Loaded(String file) {
                List<Long> m = new ArrayList<>();
                List<String> n = new ArrayList<>();
                for (String[] row : TableFile.rows("auparse/flags-" + file + ".tsv")) {
                    long mask = Long.parseLong(row[0], 16);
                    // rows that cover the high bits are the printers' "nothing set" words (O_RDONLY,
                    // MAP_FILE, PROT_NONE, F_OK): the printers write those themselves
                    if (Long.bitCount(mask) > 16) {
                        continue;
                    }
                    m.add(mask);
                    n.add(row[1]);
                }
                masks = new long[m.size()];
                for (int i = 0; i < masks.length; i++) {
                    masks[i] = m.get(i);
                }
                names = n.toArray(new String[0]);
            }
        }

        Loaded loaded() {
            return loaded.get();
        }
    }

    static final Values SIGNALS = new Values("signals");
    static final Values CAPABILITIES = new Values("capabilities");
    static final Values CAPBITS = new Values("capbits");
    static final Values LISTS = new Values("lists");
    static final Values NFPROTOS = new Values("nfprotos");
    static final Values ICMPTYPES = new Values("icmptypes");
    static final Values SECCOMP = new Values("seccomp-codes");
    static final Values HOOKS = new Values("hooks");
    static final Values MACPROTOS = new Values("macprotos");
    static final Values NETACTIONS = new Values("netactions");
    static final Values FANOTIFY = new Values("fanotify");
    static final Values NLMCGRPS = new Values("nlmcgrps");
    static final Values FAMILIES = new Values("families");
    static final Values SOCKTYPES = new Values("socktypes");
    static final Values PROTOCOLS = new Values("protocols");
    static final Values FCNTL = new Values("fcntl-cmds");
    static final Values RLIMITS = new Values("rlimits");
    static final Values PTRACE = new Values("ptrace-requests");
    static final Values PRCTL = new Values("prctl-options");
    static final Values CLOCKS = new Values("clocks");
    static final Values EPOLL = new Values("epoll-ctls");
    static final Values SCHEDULERS = new Values("schedulers");
    static final Values SEEKS = new Values("seeks");
    static final Values IPOPTNAMES = new Values("ipoptnames");
    static final Values SOCKLEVELS = new Values("socklevels");
    static final Values IOCTLS = new Values("ioctl-requests");
    static final Values PERSONALITIES = new Values("personalities");
    static final Values EXIT_CODES = new Values("exit-codes");
    static final Values BPF = new Values("bpf-commands");
    static final Values SOCKETCALLS = new Values("socketcalls");
    static final Values IPCCALLS = new Values("ipccalls");
    static final Values FILETYPES = new Values("filetypes");
    static final Values SOCKOPTNAMES = new Values("sockoptnames");
    static final Values TCPOPTNAMES = new Values("tcpoptnames");
    static final Values UDPOPTNAMES = new Values("udpoptnames");
    static final Values IP6OPTNAMES = new Values("ip6optnames");
    static final Values PKTOPTNAMES = new Values("pktoptnames");
    static final Values SOCKETCALL_NAMES = new Values("socketcall-names");
    static final Values IPC_NAMES = new Values("ipc-names");

    static final Flags OPEN = new Flags("open");
    static final Flags CLONE = new Flags("clone");
    static final Flags MMAP = new Flags("mmap");
    static final Flags PROT = new Flags("prot");
    static final Flags MPROTECT = new Flags("mprotect");
    static final Flags MOUNT = new Flags("mount");
    static final Flags RECV = new Flags("recv");
    static final Flags ACCESS = new Flags("access");
    static final Flags UMOUNT = new Flags("umount");
    static final Flags PATHFLAGS = new Flags("pathflags");
    static final Flags RESOLVE = new Flags("resolve");
    static final Flags SHM = new Flags("shm");

    /** TTY data key sequences (hex bytes → name), longest first so the first match is the longest. */
    static final byte[][] TTY_KEYS;
    static final String[] TTY_KEY_NAMES;

    static {
        List<String[]> rows = new ArrayList<>(TableFile.rows("auparse/tty-keys.tsv"));
        rows.sort((x, y) -> Integer.compare(y[0].length(), x[0].length()));
        TTY_KEYS = new byte[rows.size()][];
        TTY_KEY_NAMES = new String[rows.size()];
        for (int i = 0; i < rows.size(); i++) {
            TTY_KEYS[i] = java.util.HexFormat.of().parseHex(rows.get(i)[0]);
            TTY_KEY_NAMES[i] = rows.get(i)[1];
        }
    }

    /** Printers of syscall arguments, as named in {@code syscall-args.tsv}. */
    static final String[] ARG_PRINTERS = {
        "hex", "dirfd", "open", "mode_short", "mode", "uid", "gid", "signal", "clone", "family", "socktype",
        "protocol", "fcntl", "access", "prot", "mprotect", "mmap", "mount", "recv", "sched", "seek", "rlimit",
        "ptrace", "prctl", "personality", "clock", "epoll", "umount", "ioctl", "socklevel", "ipoptname", "exit",
        "bpf", "socketcall", "ipccall", "shm",
    };

    // indexes into ARG_PRINTERS
    static final int P_HEX = 0;
    static final int P_DIRFD = 1;
    static final int P_OPEN = 2;
    static final int P_MODE_SHORT = 3;
    static final int P_MODE = 4;
    static final int P_UID = 5;
    static final int P_GID = 6;
    static final int P_SIGNAL = 7;
    static final int P_CLONE = 8;
    static final int P_FAMILY = 9;
    static final int P_SOCKTYPE = 10;
    static final int P_PROTOCOL = 11;
    static final int P_FCNTL = 12;
    static final int P_ACCESS = 13;
    static final int P_PROT = 14;
    static final int P_MPROTECT = 15;
    static final int P_MMAP = 16;
    static final int P_MOUNT = 17;
    static final int P_RECV = 18;
    static final int P_SCHED = 19;
    static final int P_SEEK = 20;
    static final int P_RLIMIT = 21;
    static final int P_PTRACE = 22;
    static final int P_PRCTL = 23;
    static final int P_PERSONALITY = 24;
    static final int P_CLOCK = 25;
    static final int P_EPOLL = 26;
    static final int P_UMOUNT = 27;
    static final int P_IOCTL = 28;
    static final int P_SOCKLEVEL = 29;
    static final int P_IPOPTNAME = 30;
    static final int P_EXIT = 31;
    static final int P_BPF = 32;
    static final int P_SOCKETCALL = 33;
    static final int P_IPCCALL = 34;
    static final int P_SHM = 35;

    /**
     * Per arch (by its index in {@link Syscalls}' arches table): syscall number → the printer ids
     * of a0..a3 (0 = plain hex), built on first use from that arch's syscall table.
     */
    private static final Lazy<byte[][]>[] ARG_TABLES;
    /** The rows of syscall-args.tsv by arch name. */
    private static final Lazy<Map<String, List<String[]>>> ARG_ROWS = new Lazy<>(() -> {
        Map<String, List<String[]>> byArch = new HashMap<>();
        for (String[] row : TableFile.rows("auparse/syscall-args.tsv")) {
            byArch.computeIfAbsent(row[0], k -> new ArrayList<>()).add(row);
        }
        return byArch;
    });

    static {
        @SuppressWarnings({"unchecked", "rawtypes"})
        Lazy<byte[][]>[] tables = new Lazy[Syscalls.archCount()];
        for (int i = 0; i < tables.length; i++) {
            int index = i;
            tables[i] = new Lazy<>(() -> argTable(Syscalls.archAt(index)));
        }
        ARG_TABLES = tables;
    }

    private static byte[][] argTable(Syscalls.Arch arch) {
        Map<String, Integer> ids = new HashMap<>();
        for (int i = 0; i < ARG_PRINTERS.length; i++) {
            ids.put(ARG_PRINTERS[i], i);
        }
        byte[][] table = new byte[arch.names.length][];
        for (String[] row : ARG_ROWS.get().getOrDefault(arch.name, List.of())) {
            Integer nr = arch.numbers.get(row[1]);
            Integer id = ids.get(row[3]);
            if (nr == null || id == null) {
                continue;
            }
            if (table[nr] == null) {
                table[nr] = new byte[4];
            }
            table[nr][Integer.parseInt(row[2])] = (byte) (int) id;
        }
        return table;
    }

    /** The printer id for argument i (0..3) of a syscall on an arch; 0 (hex) when auparse has none. */
    static int argPrinter(long arch, int nr, int i) {
        byte[] p = argPrinters(arch, nr);
        return p == null ? 0 : p[i];
    }

    /** The printer ids of a0..a3 of a syscall on an arch, or null when all are hex. */
    static byte[] argPrinters(long arch, int nr) {
        int index = Syscalls.index(arch);
        byte[][] t = index < 0 ? null : ARG_TABLES[index].get();
        if (t == null || nr < 0 || nr >= t.length) {
            return null;
        }
        return t[nr];
    }

    // ---- field types ----

    private static final int TYPE_SLOTS = 512;
    private static final byte[][] TYPE_KEYS = new byte[TYPE_SLOTS][];
    private static final int[] TYPE_VALUES = new int[TYPE_SLOTS];
    /** Per-record-type overrides: record type number, field name, type. */
    private static final int[] OVERRIDE_RTYPE;
    private static final byte[][] OVERRIDE_NAME;
    private static final int[] OVERRIDE_TYPE;
    /** Per record type number: whether any override names it. */
    private static final boolean[] OVERRIDDEN = new boolean[4096];

    static {
        List<String[]> overrides = new ArrayList<>();
        for (String[] row : TableFile.rows("auparse/fieldtypes.tsv")) {
            int colon = row[0].indexOf(':');
            if (colon > 0) {
                overrides.add(new String[] {row[0].substring(0, colon), row[0].substring(colon + 1), row[1]});
                continue;
            }
            byte[] k = row[0].getBytes(StandardCharsets.US_ASCII);
            int slot = hash(k, 0, k.length) & (TYPE_SLOTS - 1);
            while (TYPE_KEYS[slot] != null) {
                slot = (slot + 1) & (TYPE_SLOTS - 1);
            }
            TYPE_KEYS[slot] = k;
            TYPE_VALUES[slot] = Integer.parseInt(row[1]);
        }
        OVERRIDE_RTYPE = new int[overrides.size()];
        OVERRIDE_NAME = new byte[overrides.size()][];
        OVERRIDE_TYPE = new int[overrides.size()];
        for (int i = 0; i < overrides.size(); i++) {
            String[] o = overrides.get(i);
            OVERRIDE_RTYPE[i] = io.auditalert.parse.RecordTypes.number(o[0]);
            OVERRIDE_NAME[i] = o[1].getBytes(StandardCharsets.US_ASCII);
            OVERRIDE_TYPE[i] = Integer.parseInt(o[2]);
            if (OVERRIDE_RTYPE[i] >= 0 && OVERRIDE_RTYPE[i] < OVERRIDDEN.length) {
                OVERRIDDEN[OVERRIDE_RTYPE[i]] = true;
            } else {
                throw new IllegalStateException("override for record type " + o[0] + " out of range");
            }
        }
    }

    private static int hash(byte[] b, int off, int len) {
        int h = 0;
        for (int i = 0; i < len; i++) {
            h = 31 * h + b[off + i];
        }
        return h ^ (h >>> 16);
    }

    /** auparse's base type for a field name (typetab), or 0 (unclassified). */
    static int baseType(byte[] b, int off, int len) {
        int slot = hash(b, off, len) & (TYPE_SLOTS - 1);
        while (true) {
            byte[] k = TYPE_KEYS[slot];
            if (k == null) {
                return 0;
            }
            if (k.length == len && Arrays.equals(k, 0, len, b, off, off + len)) {
                return TYPE_VALUES[slot];
            }
            slot = (slot + 1) & (TYPE_SLOTS - 1);
        }
    }

    /** The per-record-type override for a field, or -1. */
    static int override(int rtype, byte[] b, int off, int len) {
        if (rtype < 0 || rtype >= OVERRIDDEN.length || !OVERRIDDEN[rtype]) {
            return -1;
        }
        for (int i = 0; i < OVERRIDE_RTYPE.length; i++) {
            if (OVERRIDE_RTYPE[i] == rtype && OVERRIDE_NAME[i].length == len
                    && Arrays.equals(OVERRIDE_NAME[i], 0, len, b, off, off + len)) {
                return OVERRIDE_TYPE[i];
            }
        }
        return -1;
    }
}
