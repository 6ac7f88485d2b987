package io.auditalert.sys;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import com.sun.jna.ptr.PointerByReference;
import java.util.concurrent.ConcurrentHashMap;

/**
 * uid/gid to and from names through the system's NSS ({@code getpwuid_r} and friends), cached.
 * Both hits and misses are cached for the life of the process, as libauparse does, so a busy event
 * stream costs one NSS lookup per distinct id. Safe to call from any thread: lookups run on the
 * caller's thread with a buffer of their own, and the caches are concurrent maps.
 */
public final class UserDb {
    public static final UserDb SYSTEM = new UserDb();

    /** Marks a cached miss (no such user or group); compared by identity. */
    private static final String NONE = new String("");
    private static final int BUFFER = 16384;
    /** struct passwd and struct group both start with the name pointer; 64 bytes hold either. */
    private static final int STRUCT = 64;

    private final ConcurrentHashMap<Long, String> users = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<Long, String> groups = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> uids = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Long> gids = new ConcurrentHashMap<>();
    private final LibC libc;

    private UserDb() {
        LibC lib;
        try {
            lib = Native.load("c", LibC.class);
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            lib = null; // no native access: every lookup misses
        }
        this.libc = lib;
    }

    /** The user name for a uid, or null when there is none. */
    public String userName(long uid) {
        String name = users.computeIfAbsent(uid, u -> orNone(lookupUser(u)));
        return name == NONE ? null : name;
    }

    /** The group name for a gid, or null. */
    public String groupName(long gid) {
        String name = groups.computeIfAbsent(gid, g -> orNone(lookupGroup(g)));
        return name == NONE ? null : name;
    }

    /** The uid of a user name, or -1. */
    public long uid(String name) {
        return uids.computeIfAbsent(name, n -> lookupByName(n, true));
    }

    /** The gid of a group name, or -1. */
    public long gid(String name) {
        return gids.computeIfAbsent(name, n -> lookupByName(n, false));
    }

    private static String orNone(String s) {
        return s == null ? NONE : s;
    }

    private String lookupUser(long uid) {
        if (libc == null || uid < 0 || uid > 0xFFFFFFFFL) {
            return null;
        }
        try (Memory struct = new Memory(STRUCT); Memory buf = new Memory(BUFFER)) {
            PointerByReference result = new PointerByReference();
            int rc = libc.getpwuid_r((int) uid, struct, buf, BUFFER, result);
            return rc == 0 && result.getValue() != null ? struct.getPointer(0).getString(0, "UTF-8") : null;
        }
    }

    private String lookupGroup(long gid) {
        if (libc == null || gid < 0 || gid > 0xFFFFFFFFL) {
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
