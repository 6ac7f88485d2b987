package io.auditalert.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.sun.jna.Library;
import com.sun.jna.Native;
import io.auditalert.sys.AuditStatus;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The kernel audit status read over netlink agrees with {@code auditctl -s}, and the exported
 * {@code auditalert_kernel_lost_total} follows the kernel's {@code lost} after records were lost on
 * purpose.
 *
 * <p>How records are lost deterministically here: the kernel counts a record as lost when the audit
 * rate limit ({@code auditctl -r}) is exceeded, whether or not an audit daemon is registered
 * (kernel/audit.c, audit_log_end → audit_log_lost("rate limit exceeded")). With no daemon registered the
 * kernel otherwise drops records silently without counting them, so "no auditd" alone does not move
 * {@code lost}. The test sets a rate limit of 1 record/s, adds one syscall rule matching only the
 * getppid(2) calls of this JVM's children, has a child make 300 calls, and then restores the rate limit,
 * the enabled flag and removes its rule (it never runs {@code auditctl -D}, which would delete other rules
 * on a shared machine).
 *
 * <p>Why a child and not this JVM: the kernel gives a task an audit context at fork only once auditing
 * has ever been enabled since boot (kernel/auditsc.c, audit_alloc and audit_ever_enabled). On a machine
 * booted without {@code audit=1} whose first {@code auditctl -e 1} is this test's, this JVM has none and
 * its own calls are never audited; a child started after the enable is.
 */
@Tag("integration")
class KernelAuditStatusTest {
    private static final String KEY = "auditalert-lost-test";

    interface C extends Library {
        int geteuid();
    }

    static final C LIBC = Native.load("c", C.class);

    @Test
    void statusShouldMatchAuditctl() throws Exception {
        Path auditctl = requireRootAndAuditctl();
        for (int attempt = 0; ; attempt++) {
            Map<String, Long> before = auditctlStatus(auditctl);
            AuditStatus s = AuditStatus.read();
            Map<String, Long> after = auditctlStatus(auditctl);
            if (!before.equals(after) && attempt < 5) {
                continue; // something else changed the status meanwhile (shared kernel); read again
            }
            assertThat(s.lost()).isBetween(before.get("lost"), after.get("lost"));
            assertThat(s.enabled()).isEqualTo(after.get("enabled"));
            assertThat(s.failure()).isEqualTo(after.get("failure"));
            assertThat(s.rateLimit()).isEqualTo(after.get("rate_limit"));
            assertThat(s.backlogLimit()).isEqualTo(after.get("backlog_limit"));
            assertThat(s.backlogWaitTime()).isEqualTo(after.get("backlog_wait_time"));
            if (before.equals(after)) {
                assertThat(s.pid()).isEqualTo(after.get("pid"));
                assertThat(s.lost()).isEqualTo(after.get("lost"));
            }
            return;
        }
    }

    @Test
    void exportedKernelLostShouldEqualAuditctlAfterRecordsWereLostOnPurpose() throws Exception {
        Path auditctl = requireRootAndAuditctl();
        Map<String, Long> initial = auditctlStatus(auditctl);
        assumeTrue(initial.get("failure") != 2, "audit failure mode is panic (2); losing records would panic");
        assumeTrue(initial.get("enabled") != 2, "audit configuration is locked (enabled 2)");
        String[] rule = childrensGetppid();
        Telemetry t = new Telemetry();
        try (MetricsServer server = MetricsServer.start("127.0.0.1:0", null, t,
                MetricsOptions.DEFAULTS.withKernelStatusInterval(Duration.ofMillis(200)).withJvmMetrics(false))) {
            String url = "http://127.0.0.1:" + server.address().getPort() + "/metrics";
            try {
                run(auditctl, "-r", "1");
                run(auditctl, concat(new String[] {"-a", "always,exit"}, rule));
                if (initial.get("enabled") == 0) {
                    run(auditctl, "-e", "1");
                }
                callGetppidInAChild(300);
            } finally {
                Peers.Result del = Peers.run(null, concat(new String[] {auditctl.toString(), "-d", "always,exit"}, rule));
                Peers.Result rate = Peers.run(null, auditctl.toString(), "-r", Long.toString(initial.get("rate_limit")));
                Peers.Result en = Peers.run(null, auditctl.toString(), "-e", Long.toString(initial.get("enabled")));
                assertThat(del.rc()).as("removing the test rule: " + del.output()).isZero();
                assertThat(rate.rc()).as("restoring the rate limit: " + rate.output()).isZero();
                assertThat(en.rc()).as("restoring the enabled flag: " + en.output()).isZero();
            }
            Map<String, Long> restored = auditctlStatus(auditctl);
            assertThat(restored.get("rate_limit")).isEqualTo(initial.get("rate_limit"));
            assertThat(restored.get("enabled")).isEqualTo(initial.get("enabled"));
            assertThat(Peers.run(null, auditctl.toString(), "-l").output()).doesNotContain(KEY);
            assertThat(restored.get("lost") - initial.get("lost"))
                    .as("records lost by the burst past the rate limit").isGreaterThanOrEqualTo(250);

            long lostKernel = restored.get("lost");
            Peers.await("auditalert_kernel_lost_total to reach auditctl's lost " + lostKernel, 10_000, () -> {
                try {
                    Double v = Exposition.parse(Exposition.get(url).body()).value("auditalert_kernel_lost_total");
                    return v != null && v >= lostKernel;
                } catch (Exception e) {
                    return false;
                }
            });
            for (int attempt = 0; ; attempt++) {
                Map<String, Long> before = auditctlStatus(auditctl);
                Thread.sleep(500); // > the poll interval: the poller read the kernel after `before`
                Exposition e = Exposition.parse(Exposition.get(url).body());
                Map<String, Long> after = auditctlStatus(auditctl);
                if (!before.get("lost").equals(after.get("lost")) && attempt < 5) {
                    continue;
                }
                assertThat(e.value("auditalert_kernel_lost_total")).isEqualTo((double) after.get("lost"));
                assertThat(e.value("auditalert_kernel_backlog_limit")).isEqualTo((double) after.get("backlog_limit"));
                break;
            }
        }
    }

    /**
     * The burst past a small backlog limit with a real auditd: an auditd of this test's own (its own
     * config folder, log file and empty plugin folder; {@code -s nochange}) is registered and then stopped
     * with SIGSTOP, so the kernel's queue cannot drain; with {@code -b 8 --backlog_wait_time 0} every
     * record past 8 queued is lost at once ("backlog limit exceeded") instead of making the caller wait.
     * Everything is restored in order: SIGCONT, rule removed, backlog limit and wait time, enabled flag,
     * auditd stopped by its PID.
     */
    @Test
    void exportedKernelStatusShouldFollowABurstPastASmallBacklogLimitWithARealAuditd(@org.junit.jupiter.api.io.TempDir Path dir)
            throws Exception {
        Path auditctl = requireRootAndAuditctl();
        Path auditd = Peers.require("auditd", "auditd");
        Map<String, Long> initial = auditctlStatus(auditctl);
        assumeTrue(initial.get("pid") == 0, "another audit daemon (pid " + initial.get("pid") + ") is registered");
        assumeTrue(initial.get("failure") != 2, "audit failure mode is panic (2); losing records would panic");
        assumeTrue(initial.get("enabled") != 2, "audit configuration is locked (enabled 2)");
        java.nio.file.Files.createDirectories(dir.resolve("plugins.d"));
        Path conf = dir.resolve("auditd.conf");
        java.nio.file.Files.writeString(conf, String.join("\n",
                "local_events = yes", "write_logs = yes", "log_file = " + dir.resolve("audit.log"),
                "log_format = RAW", "flush = NONE", "freq = 0", "num_logs = 2", "max_log_file = 8",
                "max_log_file_action = ROTATE", "space_left = 2", "space_left_action = IGNORE",
                "admin_space_left = 1", "admin_space_left_action = IGNORE", "disk_full_action = IGNORE",
                "disk_error_action = IGNORE", "q_depth = 2000", "plugin_dir = " + dir.resolve("plugins.d"), ""));
        java.nio.file.Files.setPosixFilePermissions(conf, java.nio.file.attribute.PosixFilePermissions.fromString("rw-r-----"));
        String[] rule = childrensGetppid();
        Telemetry t = new Telemetry();
        try (Peers peers = new Peers();
                MetricsServer server = MetricsServer.start("127.0.0.1:0", null, t,
                        MetricsOptions.DEFAULTS.withKernelStatusInterval(Duration.ofMillis(200)).withJvmMetrics(false))) {
            String url = "http://127.0.0.1:" + server.address().getPort() + "/metrics";
            Process daemon = peers.start(dir.resolve("auditd.out"), auditd.toString(), "-n", "-s", "nochange",
                    "-c", dir.toString());
            Peers.await("auditd " + daemon.pid() + " registered with the kernel", 15_000, () -> {
                try {
                    return AuditStatus.read().pid() == daemon.pid();
                } catch (java.io.IOException e) {
                    return false;
                }
            });
            long lostBefore = auditctlStatus(auditctl).get("lost");
            Map<String, Long> during;
            Exposition exported;
            try {
                run(Path.of("/bin/kill"), "-STOP", Long.toString(daemon.pid()));
                run(auditctl, "-b", "8", "--backlog_wait_time", "0");
                run(auditctl, concat(new String[] {"-a", "always,exit"}, rule));
                run(auditctl, "-e", "1");
                callGetppidInAChild(5000);
                during = auditctlStatus(auditctl);
                Thread.sleep(600); // three poll intervals: the endpoint has read the status after `during`
                exported = Exposition.parse(Exposition.get(url).body());
            } finally {
                Peers.run(null, "/bin/kill", "-CONT", Long.toString(daemon.pid()));
                Peers.Result del = Peers.run(null, concat(new String[] {auditctl.toString(), "-d", "always,exit"}, rule));
                Peers.Result b = Peers.run(null, auditctl.toString(), "-b", Long.toString(initial.get("backlog_limit")),
                        "--backlog_wait_time", Long.toString(initial.get("backlog_wait_time")));
                Peers.Result en = Peers.run(null, auditctl.toString(), "-e", Long.toString(initial.get("enabled")));
                daemon.destroy();
                daemon.waitFor(15, java.util.concurrent.TimeUnit.SECONDS);
                assertThat(del.rc()).as("removing the test rule: " + del.output()).isZero();
                assertThat(b.rc()).as("restoring the backlog limit: " + b.output()).isZero();
                assertThat(en.rc()).as("restoring the enabled flag: " + en.output()).isZero();
            }
            assertThat(during.get("lost") - lostBefore).as("records lost past the backlog limit of 8")
                    .isGreaterThanOrEqualTo(1000);
            Map<String, Long> after = auditctlStatus(auditctl);
            if (after.get("lost").equals(during.get("lost"))) {
                assertThat(exported.value("auditalert_kernel_lost_total")).isEqualTo((double) during.get("lost"));
            } else {
                assertThat(exported.value("auditalert_kernel_lost_total"))
                        .isBetween((double) during.get("lost"), (double) after.get("lost"));
            }
            assertThat(exported.value("auditalert_kernel_backlog_limit")).isEqualTo(8.0);
            // the queue length itself depends on when kauditd last ran (records may sit in its retry queue,
            // which `backlog` does not show), so only its presence is checked
            assertThat(exported.value("auditalert_kernel_backlog")).isNotNull().isGreaterThanOrEqualTo(0.0);

            Map<String, Long> restored = auditctlStatus(auditctl);
            assertThat(restored.get("backlog_limit")).isEqualTo(initial.get("backlog_limit"));
            assertThat(restored.get("backlog_wait_time")).isEqualTo(initial.get("backlog_wait_time"));
            assertThat(restored.get("enabled")).isEqualTo(initial.get("enabled"));
            assertThat(restored.get("pid")).as("our auditd is gone").isNotEqualTo(daemon.pid());
            assertThat(Peers.run(null, auditctl.toString(), "-l").output()).doesNotContain(KEY);
        }
    }

    private static Path requireRootAndAuditctl() {
        assumeTrue(LIBC.geteuid() == 0, "needs root (CAP_AUDIT_CONTROL) to read the kernel audit status");
        Path auditctl = Peers.require("auditctl", "auditd");
        Peers.require("python3", "python3"); // makes the audited calls: skip before changing the kernel's settings
        try {
            AuditStatus.read();
        } catch (java.io.IOException e) {
            assumeTrue(false, "kernel audit status not readable here: " + e.getMessage());
        }
        return auditctl;
    }

    /** The test rule: getppid(2) by a child of this JVM. */
    private static String[] childrensGetppid() {
        String ppid = Long.toString(ProcessHandle.current().pid());
        return new String[] {"-F", "arch=b64", "-S", "getppid", "-F", "ppid=" + ppid, "-k", KEY};
    }

    /** Makes {@code n} getppid(2) calls in a child process started now (see the class comment for why). */
    private static void callGetppidInAChild(int n) throws Exception {
        Path python = Peers.require("python3", "python3");
        Peers.Result r = Peers.run(null, python.toString(), "-c",
                "import os\nfor _ in range(" + n + "):\n    os.getppid()\n");
        assertThat(r.rc()).as("python3 making " + n + " getppid calls: " + r.output()).isZero();
    }

    private static Map<String, Long> auditctlStatus(Path auditctl) throws Exception {
        Peers.Result r = run(auditctl, "-s");
        Map<String, Long> m = new HashMap<>();
        for (String line : r.output().split("\n")) {
            String[] kv = line.trim().split("\\s+");
            if (kv.length >= 2 && kv[1].matches("\\d+")) {
                m.put(kv[0], Long.parseLong(kv[1]));
            }
        }
        return m;
    }

    private static Peers.Result run(Path auditctl, String... args) throws Exception {
        Peers.Result r = Peers.run(null, concat(new String[] {auditctl.toString()}, args));
        assertThat(r.rc()).as("auditctl " + String.join(" ", args) + ": " + r.output()).isZero();
        return r;
    }

    private static String[] concat(String[] a, String[] b) {
        String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
