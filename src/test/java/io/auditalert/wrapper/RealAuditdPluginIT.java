package io.auditalert.wrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * A real auditd starts the native plugin from a plugins.d file (packaging/test/auditd-plugin-real.sh):
 * under MemoryDenyWriteExecute (prctl and seccomp forms) the plugin relays every record to a unix
 * socket; without it the plugin execs "java" with auditd's ignored signals reset. Needs root and
 * auditd; the script restores the machine (stops its auditd by PID, auditctl -D, auditctl -e 0).
 */
@Tag("integration")
class RealAuditdPluginIT {

    private static final int SKIPPED = 77;

    @Test
    void shouldRunUnderRealAuditdInRelayAndDirectMode() throws IOException, InterruptedException {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "needs Linux");
        assumeTrue("root".equals(System.getProperty("user.name")), "needs root to start auditd");
        assumeTrue(Files.isExecutable(Paths.get("/usr/sbin/auditd")), "needs auditd (/usr/sbin/auditd)");
        Path script = Paths.get("packaging", "test", "auditd-plugin-real.sh").toAbsolutePath();

        Path log = Files.createTempFile("auditd-plugin-real", ".log");
        try {
            Process p = new ProcessBuilder(script.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            boolean finished = p.waitFor(3, TimeUnit.MINUTES);
            if (!finished) {
                p.destroy(); // SIGTERM: the script's trap restores the machine
                p.waitFor(20, TimeUnit.SECONDS);
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(output);
            assertThat(finished).as("auditd-plugin-real.sh finished within 3 minutes").isTrue();
            assumeTrue(p.exitValue() != SKIPPED, output);
            assertThat(output).containsPattern("(?m)^\\d+ passed, 0 failed");
            assertThat(p.exitValue()).as(output).isZero();
        } finally {
            Files.deleteIfExists(log);
        }
    }
}
