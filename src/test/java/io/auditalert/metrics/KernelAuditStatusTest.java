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
 * {@code lost}. The test sets a rate limit of 1 record/s, adds one syscall rule matching only this JVM's
 * getppid(2) calls, makes 300 calls, and then restores the rate limit, the enabled flag and removes its
 * rule (it never runs {@code auditctl -D}, which would delete other rules on a shared machine).
 */
@Tag("integration")
class KernelAuditStatusTest {
    private static final String KEY = "auditalert-lost-test";

    interface C extends Library {
        int getppid();

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
        String pid = Long.toString(ProcessHandle.current().pid());
        String[] rule = {"-F", "arch=b64", "-S", "getppid", "-F", "pid=" + pid, "-k", KEY};
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
                for (int i = 0; i < 300; i++) {
                    LIBC.getppid();
                }
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

    private static Path requireRootAndAuditctl() {
        assumeTrue(LIBC.geteuid() == 0, "needs root (CAP_AUDIT_CONTROL) to read the kernel audit status");
        Path auditctl = Peers.require("auditctl", "auditd");
        try {
            AuditStatus.read();
        } catch (java.io.IOException e) {
            assumeTrue(false, "kernel audit status not readable here: " + e.getMessage());
        }
        return auditctl;
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
