package io.auditalert.rules;

import io.auditalert.testutil.FixedNames;
import java.util.Map;

/**
 * Name tables for unit tests, independent of the production tables: a few x86_64 (and i386) syscalls, errno
 * names and users, with the real Linux numbers.
 */
final class FakeNames implements Names {
    static final long X86_64 = 0xc000003eL;
    static final long AARCH64 = 0xc00000b7L;
    static final long I386 = 0x40000003L;

    private static final Map<String, Integer> X86_64_SYSCALLS = Map.ofEntries(
            Map.entry("open", 2), Map.entry("openat", 257), Map.entry("openat2", 437), Map.entry("creat", 85),
            Map.entry("execve", 59), Map.entry("execveat", 322), Map.entry("truncate", 76),
            Map.entry("ftruncate", 77), Map.entry("unlink", 87), Map.entry("unlinkat", 263),
            Map.entry("rename", 82), Map.entry("renameat", 264), Map.entry("renameat2", 316), Map.entry("link", 86),
            Map.entry("linkat", 265), Map.entry("symlink", 88), Map.entry("symlinkat", 266), Map.entry("mknod", 133),
            Map.entry("mknodat", 259), Map.entry("chmod", 90), Map.entry("fchmod", 91), Map.entry("fchmodat", 268),
            Map.entry("fchmodat2", 452), Map.entry("chown", 92), Map.entry("fchown", 93), Map.entry("lchown", 94),
            Map.entry("fchownat", 260), Map.entry("setxattr", 188), Map.entry("lsetxattr", 189),
            Map.entry("fsetxattr", 190), Map.entry("removexattr", 197), Map.entry("lremovexattr", 198),
            Map.entry("fremovexattr", 199), Map.entry("connect", 42), Map.entry("bind", 49), Map.entry("listen", 50),
            Map.entry("sendto", 44), Map.entry("init_module", 175), Map.entry("finit_module", 313),
            Map.entry("delete_module", 176), Map.entry("ptrace", 101), Map.entry("mount", 165),
            Map.entry("move_mount", 429), Map.entry("process_vm_writev", 311));
    private static final Map<String, Integer> AARCH64_SYSCALLS = Map.of("execve", 221, "openat", 56,
            "connect", 203);
    private static final Map<String, Integer> I386_SYSCALLS = Map.of("execve", 11, "open", 5, "chmod", 15,
            "socketcall", 102, "bind", 361, "connect", 362, "listen", 363);
    private static final Map<String, Integer> ERRNO = Map.of("EPERM", 1, "ENOENT", 2, "EACCES", 13,
            "ECONNREFUSED", 111);
    /** Users and groups: the fixed ones every test uses. */
    private static final Names PEOPLE = new FixedNames();

    @Override
    public long uid(String user) {
        return PEOPLE.uid(user);
    }

    @Override
    public long gid(String group) {
        return PEOPLE.gid(group);
    }

    @Override
    public String userName(long uid) {
        return PEOPLE.userName(uid);
    }

    @Override
    public String groupName(long gid) {
        return PEOPLE.groupName(gid);
    }

    @Override
    public int errno(String name) {
        return ERRNO.getOrDefault(name, -1);
    }

    @Override
    public long archCode(String arch) {
        return switch (arch) {
            case "x86_64" -> X86_64;
            case "aarch64" -> AARCH64;
            case "i386" -> I386;
            default -> -1;
        };
    }

    @Override
    public int syscallNumber(long auditArch, String name) {
        Map<String, Integer> t = table(auditArch);
        return t == null ? -1 : t.getOrDefault(name, -1);
    }

    @Override
    public String syscallName(long auditArch, int number) {
        Map<String, Integer> t = table(auditArch);
        if (t == null) {
            return null;
        }
        return t.entrySet().stream().filter(e -> e.getValue() == number).map(Map.Entry::getKey).findFirst()
                .orElse(null);
    }

    private static Map<String, Integer> table(long auditArch) {
        return auditArch == X86_64 ? X86_64_SYSCALLS : auditArch == AARCH64 ? AARCH64_SYSCALLS
                : auditArch == I386 ? I386_SYSCALLS : null;
    }
}
