package io.auditalert.sys;

import com.sun.jna.Library;
import com.sun.jna.Native;

/**
 * The width in columns of the terminal behind a file descriptor, read with {@code ioctl(TIOCGWINSZ)}
 * each time it is asked for, so a resized window is followed. Unknown (not a terminal, no libc
 * through JNA, a width of 0 as a serial console reports) is 0.
 */
public final class TerminalWidth {
    /** {@code TIOCGWINSZ} of Linux's generic ioctl numbers (x86_64, arm64). */
    private static final long TIOCGWINSZ = 0x5413;

    interface LibC extends Library {
        /** {@code ioctl(fd, TIOCGWINSZ, struct winsize *)}: rows, columns, x and y pixels. */
        int ioctl(int fd, long request, short[] winsize);
    }

    private static final Lazy<Object> LIBC = new Lazy<>(() -> {
        try {
            return Native.load("c", LibC.class);
        } catch (LinkageError | RuntimeException e) {
            return Boolean.FALSE; // no JNA native library here: the width stays unknown
        }
    });

    private TerminalWidth() {
    }

    /** Columns of the terminal on {@code fd}, or 0 when unknown. */
    public static int of(int fd) {
        if (!(LIBC.get() instanceof LibC libc)) {
            return 0;
        }
        short[] ws = new short[4];
        return libc.ioctl(fd, TIOCGWINSZ, ws) == 0 ? Short.toUnsignedInt(ws[1]) : 0;
    }
}
