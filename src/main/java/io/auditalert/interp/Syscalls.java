package io.auditalert.interp;

/**
 * Syscall names and numbers per architecture, and the AUDIT_ARCH codes. API fixed; tables pending
 * (generated from {@code ausyscall --dump}).
 */
public final class Syscalls {
    private Syscalls() {}

    /** The arch name (x86_64, i386, aarch64, ...) of an {@code arch=} code such as 0xc000003e, or null. */
    public static String archName(long auditArch) {
        return null;
    }

    /** The AUDIT_ARCH code for an arch name, or -1. */
    public static long archCode(String archName) {
        return -1;
    }

    /** The syscall's name on that arch, or null when unknown. */
    public static String name(long auditArch, int number) {
        return null;
    }

    /** The syscall's number on that arch, or -1 when unknown. */
    public static int number(long auditArch, String name) {
        return -1;
    }
}
