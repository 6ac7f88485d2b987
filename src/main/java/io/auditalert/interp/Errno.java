package io.auditalert.interp;

/** errno names and numbers (x86_64/generic Linux). API fixed; table pending. */
public final class Errno {
    private Errno() {}

    /** The name of a positive errno (13 → EACCES), or null. */
    public static String name(int errno) {
        return null;
    }

    /** The number of an errno name (EACCES → 13), or -1. */
    public static int number(String name) {
        return -1;
    }
}
