package io.auditalert.rules;

import java.util.Set;

/**
 * Field names a condition may use: the names audit records carry (libauparse's field table and the
 * names found in the real logs of ../shared/corpus), the derived fields, EXECVE arguments
 * ({@code a0}, {@code a1[2]}, {@code a1_len}) and upper-case ENRICHED names ({@code UID},
 * {@code SYSCALL}). Anything else is reported as an unknown field, which catches typos such as
 * {@code exee} at load time instead of a rule that silently never fires.
 */
final class KnownFields {
    private KnownFields() {}

    static final Set<String> DERIVED = Set.of("argv", "argc", "proctitle", "syscall", "key", "node", "path",
            "type");

    private static final Set<String> RAW = new java.util.HashSet<>(java.util.Arrays.asList(
            "acct", "action", "active", "addr", "apparmor", "arch", "argc", "attribute", "audit_backlog_limit",
            "audit_backlog_wait_time", "audit_enabled", "audit_failure", "audit_pid", "audit_rate_limit",
            "audit_user", "auid", "banners", "bool", "bus", "cap_fe", "cap_fi", "cap_fp", "cap_frootid",
            "cap_fver", "cap_pa", "cap_pe", "cap_pi", "cap_pp", "capability", "capname", "cgroup", "child",
            "cipher", "class", "cmd", "cmdline", "code", "comm", "compat", "containerid", "contid", "cwd",
            "daddr", "data", "default-context", "denied", "denied_mask", "dest", "dev", "device", "dir",
            "direction", "dport", "dst", "dst_prefixlen", "egid", "enforcing", "entries", "error", "error_name",
            "euid", "exe", "exit", "fe", "fi", "fd", "faddr", "family", "fd0", "fd1", "file", "flags", "format",
            "fp", "fport", "frootid", "fsgid", "fsuid", "fver", "gid", "gpg_res", "grantors", "grp", "hook",
            "host", "hostname", "icmptype", "id", "igid", "img-ctx", "info", "ino", "inode", "inode_gid",
            "inode_uid", "interface", "ip", "ipid", "item", "items", "iuid", "kernel", "key", "key_enforce",
            "kind", "ksize", "label", "laddr", "len", "list", "lport", "mac", "macproto", "magic_token",
            "major", "mask", "member", "minor", "mode", "model", "msg", "msgtype", "name", "nametype",
            "namespace", "nargs", "net", "netif", "new", "new-chardev", "new-context", "new-disk", "new-enabled",
            "new-fs", "new-gid", "new-level", "new-log_passwd", "new-mem", "new-net", "new-range", "new-rng",
            "new-role", "new-seuser", "new-vcpu", "new_gid", "new_group", "new_lock", "new_pe", "new_pi",
            "new_pp", "new_prom", "new-uid", "nlnk-fam", "nlnk-grp", "nlnk-pid", "node", "nsec", "o_user",
            "oauid", "obj", "obj_gid", "obj_uid", "objtype", "ocomm", "offset", "ogid", "old", "old-auid",
            "old-chardev", "old-context", "old-disk", "old-enabled", "old-fs", "old-level", "old-log_passwd",
            "old-mem", "old-net", "old-range", "old-rng", "old-role", "old-ses", "old-seuser", "old-vcpu",
            "old_enforcing", "old_lock", "old_pa", "old_pe", "old_pi", "old_pp", "old_prom", "old_val",
            "op", "oses", "opid", "operation", "ouid", "parent", "path", "peer", "peer_addr", "peer_label",
            "peer_pid", "peer_profile", "per", "perm", "perm_mask", "perms", "pfs", "pid", "pp", "ppid",
            "printer", "proctitle", "prog-id", "profile", "prom", "proto", "protocol", "range", "rdev",
            "reason", "requested", "requested_mask", "res", "reset", "resrc", "result", "root_dir", "rport",
            "saddr", "sauid", "scontext", "sec", "selected-context", "seperms", "seqno", "seresult", "ses",
            "sgid", "sig", "signal", "sock_type", "spid", "sport", "src", "src_prefixlen", "srcname",
            "subj", "success", "suid", "sw", "sw_type", "syscall", "table", "target", "task", "tclass",
            "tcontext", "terminal", "tpid", "tty", "type", "uid", "unit", "uri", "uring_op", "user", "uuid",
            "val", "ver", "virt", "vm", "vm-ctx", "vm-pid", "watch", "a0", "a1", "a2", "a3", "saddr_fam",
            "fam", "new_val", "old_auid", "loginuid", "uid_map",
            // in the corpus' logs (SELinux AVC, AppArmor, crypto, NetLabel records) and in libauparse's
            // field table, which an earlier list missed
            "bytes", "source", "fstype", "ioctlcmd", "name2", "permissive", "unlbl_accept", "invalid_context",
            "nl-mcgrp", "oflag", "pa", "pe", "pi", "resolve", "resp", "sigev_signo",
            // kernel 5.x/6.x records: LSM stacking (subj_<lsm>, obj_<lsm>), fanotify, device mapper
            "subj_selinux", "subj_apparmor", "subj_smack", "obj_selinux", "obj_apparmor", "obj_smack",
            "fan_type", "fan_info", "subj_trust", "obj_trust", "module", "sector", "lsm"));

    static boolean isKnown(String name) {
        return RAW.contains(name) || DERIVED.contains(name) || isExecveArgName(name) || isEnrichedName(name);
    }

    /** {@code aN}, {@code aN_len}, {@code aN[k]}. */
    static boolean isExecveArgName(String n) {
        if (n.length() < 2 || n.charAt(0) != 'a' || !Character.isDigit(n.charAt(1))) {
            return false;
        }
        int i = 1;
        while (i < n.length() && Character.isDigit(n.charAt(i))) {
            i++;
        }
        String rest = n.substring(i);
        return rest.isEmpty() || rest.equals("_len") || rest.matches("\\[\\d+\\]");
    }

    /**
     * Upper-case names of the ENRICHED section: {@code UID}, {@code AUID}, {@code SYSCALL}, ... auditd
     * writes them for what it resolves (ids, syscall, arch, socket address: auditd.conf(5),
     * log_format), so {@code EXEE} or {@code NAME}, which never appear, are unknown fields.
     */
    static boolean isEnrichedName(String n) {
        if (n.isEmpty() || n.charAt(0) < 'A' || n.charAt(0) > 'Z') {
            return false;
        }
        for (int i = 0; i < n.length(); i++) {
            char c = n.charAt(i);
            if (!(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '-')) {
                return false;
            }
        }
        String lower = n.toLowerCase(java.util.Locale.ROOT);
        return lower.equals("arch") || lower.equals("syscall") || lower.equals("saddr") || isIdentity(lower)
                || isIdentity(lower.replace('_', '-')) || isIdentity(lower.replace('-', '_'));
    }

    private static boolean isIdentity(String lower) {
        Field.Kind k = Field.kindOf(lower);
        return k == Field.Kind.UID || k == Field.Kind.GID;
    }
}
