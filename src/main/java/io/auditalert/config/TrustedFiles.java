package io.auditalert.config;

import com.sun.jna.Library;
import com.sun.jna.Native;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;

/**
 * Whether a configuration or rules file that root is about to load can be changed by someone other
 * than root, as sshd's StrictModes and auditd's plugin directory ask: the file and every directory
 * above it must belong to root and be writable by no one else (a group-writable entry of group root
 * and a sticky directory such as /tmp aside). Run as root, auditalert does what these files say (an
 * exec sink's command, the rules that decide what is alerted), so a file a user could rewrite would
 * let that user run commands as root or blind the alerting.
 *
 * <p>Checked only when this process runs as root. {@code run} and {@code check} refuse such a file;
 * {@code replay} and {@code events}, which an operator runs with a file of their choosing (often
 * under sudo, from their home directory), load it with a warning on stderr.
 */
public final class TrustedFiles {
    private TrustedFiles() {}

    interface LibC extends Library {
        int geteuid();
    }

    private static final boolean ROOT = euid() == 0;
    private static volatile boolean warnOnly;

    private static int euid() {
        try {
            return Native.load("c", LibC.class).geteuid();
        } catch (UnsatisfiedLinkError | RuntimeException e) {
            // no libc through JNA: the effective uid from /proc (Uid: real, effective, saved, fs)
            try {
                for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                    if (line.startsWith("Uid:")) {
                        return Integer.parseInt(line.substring(4).trim().split("\\s+")[1]);
                    }
                }
            } catch (IOException | RuntimeException ignored) {
                // neither (no Linux /proc): nothing to check against
            }
            return -1;
        }
    }

    /** Whether the command being run warns instead of refusing (replay, events). */
    public static void warnOnly(boolean warn) {
        warnOnly = warn;
    }

    /**
     * The problem with loading the file as root (null when there is none or this is not root); a
     * refused one is reported as the file's error, a warned one on stderr, and null returned.
     */
    public static String refusal(Path file) {
        return refusal(file, "load this file", ROOT, warnOnly);
    }

    /** As {@link #refusal(Path)}, for a program root would run (an exec sink's command). */
    public static String programRefusal(Path program) {
        return refusal(program, "run this program", ROOT, warnOnly);
    }

    static String refusal(Path file, boolean root, boolean warnOnly) {
        return refusal(file, "load this file", root, warnOnly);
    }

    private static String refusal(Path file, String what, boolean root, boolean warnOnly) {
        if (!root) {
            return null;
        }
        String why = problem(file);
        if (why == null) {
            return null;
        }
        if (warnOnly) {
            System.err.println("auditalert: warning: " + file + ": " + why + " (run and check refuse it)");
            return null;
        }
        return "refusing to " + what + " as root: " + why;
    }

    /** Why someone other than root could change the file, or null (also when it cannot be read: the loader says so). */
    static String problem(Path file) {
        Path given = file.toAbsolutePath().normalize();
        String why = chain(given);
        if (why != null) {
            return why;
        }
        try {
            Path real = file.toRealPath();
            return real.equals(given) ? null : chain(real);
        } catch (IOException e) {
            return null;
        }
    }

    /** The first of the path and its directories, from the top, that someone other than root could change. */
    private static String chain(Path path) {
        String found = null;
        for (Path p = path; p != null; p = p.getParent()) {
            String why = entry(p);
            if (why != null) {
                found = why; // the topmost one is the one to fix first
            }
        }
        return found;
    }

    private static String entry(Path p) {
        java.util.Map<String, Object> a;
        try {
            a = Files.readAttributes(p, "unix:uid,gid,mode", LinkOption.NOFOLLOW_LINKS); // one lstat
        } catch (IOException | UnsupportedOperationException | IllegalArgumentException e) {
            return null;
        }
        int uid = (Integer) a.get("uid");
        int gid = (Integer) a.get("gid");
        int mode = (Integer) a.get("mode");
        boolean symlink = (mode & 0170000) == 0120000;
        if (symlink && uid == 0) {
            return null; // a link's own mode means nothing; its target is checked as the real path
        }
        if (uid != 0) {
            return p + " belongs to uid " + uid + ", not root (chown root " + p + ")";
        }
        boolean directory = (mode & 0170000) == 0040000;
        boolean sticky = (mode & 01000) != 0;
        boolean groupWrite = (mode & 020) != 0 && gid != 0;
        boolean otherWrite = (mode & 02) != 0;
        if ((groupWrite || otherWrite) && !(directory && sticky)) {
            return p + " is writable by " + (otherWrite ? "everyone" : "group " + gid) + " (mode "
                    + String.format("%04o", mode & 07777) + "; chmod go-w " + p + ")";
        }
        return null;
    }
}
