package io.auditalert.rules;

import io.auditalert.interp.Errno;
import io.auditalert.interp.Syscalls;
import io.auditalert.sys.UserDb;

/**
 * The name tables rules resolve at compile time (user, group, errno and syscall names to numbers) and
 * output templates use to print names. {@link #SYSTEM} is backed by the system's user database and
 * the bundled syscall and errno tables; tests pass a small fake.
 */
public interface Names {
    /** The uid of a user name, or -1. */
    long uid(String user);

    /** The gid of a group name, or -1. */
    long gid(String group);

    /** The user name of a uid, or null. */
    String userName(long uid);

    /** The group name of a gid, or null. */
    String groupName(long gid);

    /** The positive number of an errno name (EACCES → 13), or -1. */
    int errno(String name);

    /** The AUDIT_ARCH code of an arch name (x86_64 → 0xc000003e), or -1. */
    long archCode(String arch);

    /** The syscall number on that arch, or -1. */
    int syscallNumber(long auditArch, String name);

    /** The syscall name on that arch, or null. */
    String syscallName(long auditArch, int number);

    /**
     * Arch names a syscall name is resolved for at compile time. An event from an arch outside this
     * list still matches by name through {@link #syscallNumber}, at a small cost.
     */
    default String[] archNames() {
        return new String[] {"x86_64", "i386", "aarch64", "arm", "ppc64", "ppc64le", "s390x", "s390",
            "riscv64", "riscv32", "loongarch64", "mips64", "mips64el", "mips", "mipsel"};
    }

    /** The production tables: {@link UserDb#SYSTEM}, {@link Errno}, {@link Syscalls}. */
    Names SYSTEM = new Names() {
        @Override
        public long uid(String user) {
            return UserDb.SYSTEM.uid(user);
        }

        @Override
        public long gid(String group) {
            return UserDb.SYSTEM.gid(group);
        }

        @Override
        public String userName(long uid) {
            return UserDb.SYSTEM.userName(uid);
        }

        @Override
        public String groupName(long gid) {
            return UserDb.SYSTEM.groupName(gid);
        }

        @Override
        public int errno(String name) {
            return Errno.number(name);
        }

        @Override
        public long archCode(String arch) {
            return Syscalls.archCode(arch);
        }

        @Override
        public int syscallNumber(long auditArch, String name) {
            return Syscalls.number(auditArch, name);
        }

        @Override
        public String syscallName(long auditArch, int number) {
            return Syscalls.name(auditArch, number);
        }
    };
}
