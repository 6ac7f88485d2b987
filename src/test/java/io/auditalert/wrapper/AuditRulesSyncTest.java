package io.auditalert.wrapper;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The package scripts' load and unload of the audit rules (packaging/audit-rules/audit-rules-sync.sh),
 * run by packaging/test/audit-rules-sync-test.sh against stand-ins for auditctl and augenrules: an
 * /etc/audit/audit.rules kept by hand is never rewritten by augenrules, a purge unloads the rules
 * wherever the kernel audits, and an upgrade after the operator deleted the rules file loads nothing.
 */
class AuditRulesSyncTest {
    @Test
    void shouldPassEveryCaseOfTheScriptsTest() throws Exception {
        Process p = new ProcessBuilder("sh", "packaging/test/audit-rules-sync-test.sh").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(out).doesNotContain("FAIL");
        assertThat(out.lines().filter(l -> l.startsWith("PASS "))).hasSize(10);
        assertThat(p.exitValue()).as(out).isZero();
    }
}
