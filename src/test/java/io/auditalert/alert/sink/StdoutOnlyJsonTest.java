package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.LocalPeers;
import io.auditalert.alert.TestAlerts;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** DESIGN §3.1: stdout carries only JSON lines, whatever the other sinks and their commands do. */
class StdoutOnlyJsonTest {
    @TempDir
    Path tmp;

    @Test
    void shouldWriteOnlyTheStdoutSinksJsonLinesToStdout() throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        int closedPort = LocalPeers.freePort(); // nothing listens: the syslog sink fails and logs
        Process p = new ProcessBuilder(java, "-Xmx128m", "-cp", cp, StdoutChild.class.getName(),
                Integer.toString(closedPort)).redirectError(tmp.resolve("err").toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).isZero();
        List<String> lines = out.lines().toList();
        assertThat(lines).hasSize(5).allSatisfy(l -> assertThat(l).startsWith("{\"id\":\"so-").endsWith("}"));
        assertThat(TestAlerts.ids(out)).containsExactly("so-00000", "so-00001", "so-00002", "so-00003", "so-00004");
        String err = Files.readString(tmp.resolve("err"));
        assertThat(err).as("the child's stderr and our logs go to stderr").contains("child-stderr", "sink syslog-2");
        assertThat(err + out).doesNotContain("NOT-JSON-FROM-CHILD");
    }
}
