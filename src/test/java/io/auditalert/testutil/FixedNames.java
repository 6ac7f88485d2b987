package io.auditalert.testutil;

import io.auditalert.rules.Names;
import java.util.Map;

/**
 * Names for tests that must not depend on this machine's users: a few fixed users and groups, and
 * the production syscall, arch and errno tables ({@link Names#SYSTEM}), which are built in.
 */
public final class FixedNames implements Names {
    private static final Map<String, Long> USERS = Map.of("root", 0L, "alice", 1000L, "nobody", 65534L);
    private static final Map<String, Long> GROUPS = Map.of("root", 0L, "shadow", 42L, "staff", 50L, "nogroup", 65534L);

    @Override
    public long uid(String user) {
        return USERS.getOrDefault(user, -1L);
    }

    @Override
    public long gid(String group) {
        return GROUPS.getOrDefault(group, -1L);
    }

    @Override
    public String userName(long uid) {
        return nameOf(USERS, uid);
    }

    @Override
    public String groupName(long gid) {
        return nameOf(GROUPS, gid);
    }

    private static String nameOf(Map<String, Long> ids, long id) {
        return ids.entrySet().stream().filter(e -> e.getValue() == id).map(Map.Entry::getKey).findFirst().orElse(null);
    }

    @Override
    public int errno(String name) {
        return Names.SYSTEM.errno(name);
    }

    @Override
    public long archCode(String arch) {
        return Names.SYSTEM.archCode(arch);
    }

    @Override
    public int syscallNumber(long auditArch, String name) {
        return Names.SYSTEM.syscallNumber(auditArch, name);
    }

    @Override
    public String syscallName(long auditArch, int number) {
        return Names.SYSTEM.syscallName(auditArch, number);
    }
}
