package io.auditalert.sys;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * uid/gid to and from names through the system's NSS ({@code getpwuid_r} and friends), cached.
 * Both hits and misses are cached, so a busy event stream costs one NSS lookup per distinct id; unlike
 * libauparse's cache, which lives as long as the process, these are dropped when /etc/passwd,
 * /etc/group or nsswitch.conf change (looked at every {@link #CHECK_NANOS 5 s} at most) and misses
 * every five minutes (a directory service's new user): a plugin runs for months, and a user added
 * by useradd must not stay "unknown(1001)" in its alerts until the next restart. Safe to call from any thread: lookups run on the
 * caller's thread with a buffer of their own, and the caches are concurrent maps.
 *
 * <p>When nsswitch.conf names {@code files} as the first source of a database, glibc answers from
 * /etc/passwd (or /etc/group) whenever the id or name is there, the first matching line winning; so
 * those files are read first and NSS is asked only about what they lack. Loading libc through JNA
 * costs a fifth of a CPU-second, which a replay or an events run whose ids are all local never pays.
 */
public final class UserDb {
    public static final UserDb SYSTEM = new UserDb(Path.of("/etc/nsswitch.conf"), Path.of("/etc/passwd"),
            Path.of("/etc/group"));

    /** Marks a cached miss (no such user or group); compared by identity. */
    private static final String NONE = new String("");
    private static final int BUFFER = 16384;
    /** struct passwd and struct group both start with the name pointer; 64 bytes hold either. */
    private static final int STRUCT = 64;

    private final ConcurrentHashMap<Long, String> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, String> groups = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> uids = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> gids = new ConcurrentHashMap<>();
    private final Path nsswitch;
    private final Path passwdFile;
    private final Path groupFile;
    /** The local files' entries, read on first use; empty when NSS does not consult them first. */
    private volatile Lazy<LocalFile> passwd;
    private volatile Lazy<LocalFile> group;
    private volatile LibC libc;
    private volatile boolean libcTried;
    /** How often, at most, the files are looked at for a change. */
    static final long CHECK_NANOS = TimeUnit.SECONDS.toNanos(5);
    /** How long a miss is believed. */
    static final long MISS_NANOS = TimeUnit.MINUTES.toNanos(5);
    private final long checkNanos;
    private final long missNanos;
    private volatile long nextCheck;
    private volatile long nextMissExpiry;
    /** The files' modification times and sizes when last looked at (null: not yet). */
    private volatile String filesSeen;
    /** Counts the times the caches were dropped, for callers that keep caches of their own. */
    private volatile long generation;

    UserDb(Path nsswitch, Path passwdFile, Path groupFile) {
        this(nsswitch, passwdFile, groupFile, CHECK_NANOS, MISS_NANOS);
    }

    UserDb(Path nsswitch, Path passwdFile, Path groupFile, long checkNanos, long missNanos) {
        this.nsswitch = nsswitch;
        this.passwdFile = passwdFile;
        this.groupFile = groupFile;
        this.checkNanos = checkNanos;
        this.missNanos = missNanos;
        long now = System.nanoTime();
        this.nextCheck = now;
        this.nextMissExpiry = now + missNanos;
        dropLocal();
    }

    private void dropLocal() {
        passwd = new Lazy<>(() -> readLocal("passwd", passwdFile));
        group = new Lazy<>(() -> readLocal("group", groupFile));
    }

    /**
     * Drops every cached answer when the files changed since they were last looked at, and the
     * cached misses when they are old; at most once per check interval, on the caller's thread.
     */
    private void fresh() {
        long now = System.nanoTime();
        if (now - nextCheck < 0) {
            return;
        }
        synchronized (this) {
            if (now - nextCheck < 0) {
                return;
            }
            nextCheck = now + checkNanos;
            String seen = stamp(nsswitch) + "," + stamp(passwdFile) + "," + stamp(groupFile);
            if (filesSeen != null && !filesSeen.equals(seen)) {
                users.clear();
                groups.clear();
                uids.clear();
                gids.clear();
                dropLocal();
                nextMissExpiry = now + missNanos;
                generation++;
            } else if (now - nextMissExpiry >= 0) {
                users.values().removeIf(v -> v == NONE);
                groups.values().removeIf(v -> v == NONE);
                uids.values().removeIf(v -> v == -1L);
                gids.values().removeIf(v -> v == -1L);
                nextMissExpiry = now + missNanos;
                generation++;
            }
            filesSeen = seen;
        }
    }

    /**
     * A number that changes whenever cached answers were dropped (looking at the files first, as a lookup
     * does): a caller's own cache of names is stale when it differs from the one it saw.
     */
    public long generation() {
        fresh();
        return generation;
    }

    private static String stamp(Path file) {
        try {
            java.nio.file.attribute.BasicFileAttributes a = Files.readAttributes(file,
                    java.nio.file.attribute.BasicFileAttributes.class);
            return a.lastModifiedTime().toMillis() + ":" + a.size() + ":" + a.fileKey();
        } catch (IOException | RuntimeException e) {
            return "-";
        }
    }

    /** id → name and name → id of a passwd- or group-format file, the first line of each winning. */
    private static final class LocalFile {
        static final LocalFile EMPTY = new LocalFile(List.of());
        final Map<Long, String> names = new HashMap<>();
        final Map<String, Long> ids = new HashMap<>();

        /** Lines of passwd and group alike begin {@code name:password:id:}; '#' starts a comment. */
        LocalFile(List<String> lines) {
            for (String line : lines) {
                String l = line.stripLeading();
                String[] cols = l.split(":", -1);
                if (l.startsWith("#") || cols.length < 3 || cols[0].isEmpty() || cols[2].isEmpty()) {
                    continue;
                }
                long id;
                try {
                    id = Long.parseLong(cols[2]);
                } catch (NumberFormatException e) {
                    continue;
                }
                if (id < 0 || id > 0xFFFFFFFFL) {
                    continue;
                }
                names.putIfAbsent(id, cols[0]);
                ids.putIfAbsent(cols[0], id);
            }
        }
    }

    /** The file's entries when nsswitch.conf lists {@code files} first for the database, else none. */
    private LocalFile readLocal(String database, Path file) {
        try {
            if (!filesFirst(Files.readAllLines(nsswitch, StandardCharsets.UTF_8), database)) {
                return LocalFile.EMPTY;
            }
            return new LocalFile(Files.readAllLines(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException e) {
            return LocalFile.EMPTY; // unreadable: NSS answers everything
        }
    }

    /** Whether the nsswitch.conf line for the database names {@code files} as its first source. */
    static boolean filesFirst(List<String> nsswitchLines, String database) {
        for (String line : nsswitchLines) {
            String l = line.strip();
            if (!l.startsWith(database + ":")) {
                continue;
            }
            String[] sources = l.substring(database.length() + 1).strip().split("\\s+");
            return sources.length > 0 && sources[0].equals("files");
        }
        return false;
    }

    private LibC libc() {
        if (!libcTried) {
            synchronized (this) {
                if (!libcTried) {
                    try {
                        libc = Native.load("c", LibC.class);
                    } catch (UnsatisfiedLinkError | RuntimeException e) {
                        libc = null; // no native access: every lookup misses
                    }
                    libcTried = true;
                }
            }
        }
        return libc;
    }

    /** The user name for a uid, or null when there is none. */
    public String userName(long uid) {
        fresh();
        String name = users.computeIfAbsent(uid, u -> {
            String local = passwd.get().names.get(u);
            return orNone(local != null ? local : lookupUser(u));
        });
        return name == NONE ? null : name;
    }

    /** The group name for a gid, or null. */
    public String groupName(long gid) {
        fresh();
        String name = groups.computeIfAbsent(gid, g -> {
            String local = group.get().names.get(g);
            return orNone(local != null ? local : lookupGroup(g));
        });
        return name == NONE ? null : name;
    }

    /** The uid of a user name, or -1. */
    public long uid(String name) {
        fresh();
        return uids.computeIfAbsent(name, n -> {
            Long id = passwd.get().ids.get(n);
            return id != null ? id : lookupByName(n, true);
        });
    }

    /** The gid of a group name, or -1. */
    public long gid(String name) {
        fresh();
        return gids.computeIfAbsent(name, n -> {
            Long id = group.get().ids.get(n);
            return id != null ? id : lookupByName(n, false);
        });
    }

    private static String orNone(String s) {
        return s == null ? NONE : s;
    }

    private String lookupUser(long uid) {
        if (uid < 0 || uid > 0xFFFFFFFFL) {
            return null;
        }
        LibC libc = libc();
        if (libc == null) {
            return null;
        }
        try (Memory struct = new Memory(STRUCT); Memory buf = new Memory(BUFFER)) {
            PointerByReference result = new PointerByReference();
            int rc = libc.getpwuid_r((int) uid, struct, buf, BUFFER, result);
            return rc == 0 && result.getValue() != null ? struct.getPointer(0).getString(0, "UTF-8") : null;
        }
    }

    private String lookupGroup(long gid) {
        if (gid < 0 || gid > 0xFFFFFFFFL) {
            return null;
        }
        LibC libc = libc();
        if (libc == null) {
            return null;
        }
        try (Memory struct = new Memory(STRUCT); Memory buf = new Memory(BUFFER)) {
            PointerByReference result = new PointerByReference();
            int rc = libc.getgrgid_r((int) gid, struct, buf, BUFFER, result);
            return rc == 0 && result.getValue() != null ? struct.getPointer(0).getString(0, "UTF-8") : null;
        }
    }

    /** struct passwd: name, passwd, uid (u32), gid (u32), ...; struct group: name, passwd, gid (u32), ... */
    private long lookupByName(String name, boolean user) {
        LibC libc = libc();
        if (libc == null) {
            return -1;
        }
        try (Memory struct = new Memory(STRUCT); Memory buf = new Memory(BUFFER)) {
            PointerByReference result = new PointerByReference();
            int rc = user ? libc.getpwnam_r(name, struct, buf, BUFFER, result)
                    : libc.getgrnam_r(name, struct, buf, BUFFER, result);
            if (rc != 0 || result.getValue() == null) {
                return -1;
            }
            return struct.getInt(2L * Native.POINTER_SIZE) & 0xFFFFFFFFL;
        }
    }

    /** The few libc calls used here; the reentrant variants, so threads never share a static buffer. */
    interface LibC extends Library {
        int getpwuid_r(int uid, Pointer pwd, Pointer buf, long buflen, PointerByReference result);

        int getgrgid_r(int gid, Pointer grp, Pointer buf, long buflen, PointerByReference result);

        int getpwnam_r(String name, Pointer pwd, Pointer buf, long buflen, PointerByReference result);

        int getgrnam_r(String name, Pointer grp, Pointer buf, long buflen, PointerByReference result);
    }
}
