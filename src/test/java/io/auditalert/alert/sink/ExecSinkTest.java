package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExecSinkTest {
    @TempDir
    Path tmp;

    private final Telemetry telemetry = new Telemetry();

    @Test
    void shouldGiveTheCommandTheJsonOnStdinWithoutAShell() throws Exception {
        Path out = tmp.resolve("got.json");
        try (Sink s = SinkFactory.create(0, Map.of("type", "exec", "command",
                List.of("/usr/bin/tee", out.toString())), telemetry)) {
            s.offer(TestAlerts.alert("e-1", "r", io.auditalert.alert.Severity.HIGH, "a; rm -rf / $(reboot)"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            String json = Files.readString(out);
            assertThat(json).isEqualTo(new String(TestAlerts.alert("e-1", "r", io.auditalert.alert.Severity.HIGH,
                    "a; rm -rf / $(reboot)").json(), java.nio.charset.StandardCharsets.UTF_8) + "\n");
            assertThat(telemetry.sinkNamed(s.name()).delivered.sum()).isEqualTo(1);
        }
    }

    @Test
    void shouldCountNonZeroExitAndTimeoutAsPermanentFailures() throws Exception {
        try (Sink s = SinkFactory.create(0, Map.of("type", "exec", "command", "exit 3", "shell", true), telemetry)) {
            s.offer(TestAlerts.alert("e-2"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            SinkStats st = telemetry.sinkNamed(s.name());
            assertThat(st.permanentFailures.sum()).isEqualTo(1);
            assertThat(st.retries.sum()).isZero();
            assertThat(((ExecSink) s).lastExit()).isEqualTo(3);
        }
        try (Sink s = SinkFactory.create(1, Map.of("type", "exec", "command", List.of("/bin/sleep", "30"),
                "timeout", "300ms"), telemetry)) {
            long t0 = System.nanoTime();
            s.offer(TestAlerts.alert("e-3"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
            assertThat(telemetry.sinkNamed(s.name()).permanentFailures.sum()).isEqualTo(1);
            assertThat(((ExecSink) s).lastExit()).isEqualTo(-1);
        }
        try (Sink s = SinkFactory.create(2, Map.of("type", "exec", "command", "kill -USR1 $$", "shell", true), telemetry)) {
            s.offer(TestAlerts.alert("e-4")); // USR1 ends the shell without a core file
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(((ExecSink) s).lastExit()).isEqualTo(128 + 10);
        }
        // the log said only "exited with status 139"; the status of a death by signal now names it
        assertThat(ExecSink.signalHint(138)).isEqualTo(" (killed by SIGUSR1?)");
        assertThat(ExecSink.signalHint(139)).isEqualTo(" (killed by SIGSEGV?)");
        assertThat(ExecSink.signalHint(137)).isEqualTo(" (killed by SIGKILL?)");
        assertThat(ExecSink.signalHint(3)).isEmpty();
        assertThat(ExecSink.signalHint(128)).isEmpty();
        assertThat(ExecSink.signalHint(200)).isEmpty();
    }

    @Test
    void shouldRunAtMostConcurrencyCommandsAtOnce() throws Exception {
        Path dir = tmp.resolve("runs");
        Files.createDirectories(dir);
        // each run records how many runs were alive when it started
        String script = "d=\"$0\"; touch \"$d/$$\"; ls \"$d\" | wc -l >> \"$d.count\"; sleep 0.2; rm \"$d/$$\"";
        try (Sink s = SinkFactory.create(0, Map.of("type", "exec", "command", List.of("/bin/sh", "-c", script,
                dir.toString()), "concurrency", 2), telemetry)) {
            TestAlerts.numbered("p", 8).forEach(s::offer);
            assertThat(s.drain(Duration.ofSeconds(20))).isTrue();
        }
        List<Integer> counts = Files.readAllLines(Path.of(dir + ".count")).stream().map(String::strip)
                .map(Integer::parseInt).toList();
        assertThat(counts).hasSize(8).allSatisfy(c -> assertThat(c).isBetween(1, 2));
        assertThat(counts).contains(2);
    }

    @Test
    void shouldKillAtTheTimeoutAChildThatNeitherReadsALargeItemNorExits() throws Exception {
        Path pid = tmp.resolve("pid");
        // the child neither reads its input nor exits (through a pipe, a 1 MB item also blocked the write)
        String big = "x".repeat(1 << 20);
        try (Sink s = SinkFactory.create(0, Map.of("type", "exec", "command", List.of("/bin/sh", "-c",
                "echo $$ > " + pid + "; exec sleep 30"), "timeout", "500ms"), telemetry)) {
            long t0 = System.nanoTime();
            s.offer(TestAlerts.alert("e-big", "r", io.auditalert.alert.Severity.HIGH, big));
            assertThat(s.drain(Duration.ofSeconds(20))).isTrue();
            assertThat(System.nanoTime() - t0).as("killed at its timeout, not left blocking").isLessThan(5_000_000_000L);
            assertThat(telemetry.sinkNamed(s.name()).permanentFailures.sum()).isEqualTo(1);
            assertThat(((ExecSink) s).lastExit()).isEqualTo(-1);
        }
        assertGone(Long.parseLong(Files.readString(pid).strip()));
    }

    /** The process was killed: gone once the JDK's reaper has waited for it, a moment later on a loaded machine. */
    private static void assertGone(long pid) throws InterruptedException {
        java.util.Optional<ProcessHandle> h = ProcessHandle.of(pid);
        for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end
                && h.map(ProcessHandle::isAlive).orElse(false); ) {
            Thread.sleep(50);
        }
        assertThat(h.map(ProcessHandle::isAlive).orElse(false)).as("process " + pid + " still alive").isFalse();
    }

    @Test
    void shouldKillAChildThatIgnoresSigtermAndNeverReadsItsInput() throws Exception {
        // SIGKILL a second after SIGTERM (through a pipe it once came only after the write returned, which it did not)
        Path pid = tmp.resolve("pid-ignterm");
        try (Sink s = SinkFactory.create(0, Map.of("type", "exec", "command", List.of("/bin/sh", "-c",
                "trap '' TERM; echo $$ > " + pid + "; while :; do sleep 1; done"), "timeout", "500ms"), telemetry)) {
            s.offer(TestAlerts.alert("e-ignterm", "r", io.auditalert.alert.Severity.HIGH, "x".repeat(1 << 20)));
            assertThat(s.drain(Duration.ofSeconds(10))).as("ended within the timeout and the second to SIGKILL").isTrue();
            assertThat(telemetry.sinkNamed(s.name()).permanentFailures.sum()).isEqualTo(1);
        }
        assertGone(Long.parseLong(Files.readString(pid).strip()));
    }

    @Test
    void shouldDeliverWhenAProcessTheChildLeftHoldsItsInputWithoutReading() throws Exception {
        // the child exits 0 at once, a background process keeps its stdin and reads nothing: through a pipe
        // the write of a large item blocked until that process ended (1,000 s in a helper's case), then was
        // given up at the deadline with its thread still blocked; from a file nothing waits for a reader
        Path pid = tmp.resolve("pid-bg");
        // python forks the holder itself: no shell's rules for a background job's stdin in between
        String script = "import os, sys, time\n"
                + "pid = os.fork()\n"
                + "if pid == 0:\n    time.sleep(60)\n    os._exit(0)\n"
                + "open(sys.argv[1], 'w').write(str(pid))\n";
        try (Sink s = SinkFactory.create(0, Map.of("type", "exec", "command", List.of("/usr/bin/python3", "-c",
                script, pid.toString()), "timeout", "5s"), telemetry)) {
            s.offer(TestAlerts.alert("e-bg", "r", io.auditalert.alert.Severity.HIGH, "x".repeat(1 << 20)));
            assertThat(s.drain(Duration.ofSeconds(10))).as("delivered: the command exited 0").isTrue();
            assertThat(telemetry.sinkNamed(s.name()).delivered.sum()).isEqualTo(1);
            assertThat(telemetry.sinkNamed(s.name()).permanentFailures.sum()).isZero();
            long holder = Long.parseLong(Files.readString(pid).strip());
            assertThat(ProcessHandle.of(holder).map(ProcessHandle::isAlive).orElse(false))
                    .as("the holder still has the input open").isTrue();
        } finally {
            if (Files.exists(pid)) {
                ProcessHandle.of(Long.parseLong(Files.readString(pid).strip())).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
    }

    @Test
    void shouldGiveALargeItemWholeFromAPrivateFileThatIsGoneOnceTheChildStarted() throws Exception {
        Path got = tmp.resolve("got.json");
        Path fd0 = tmp.resolve("fd0");
        Path base = Files.createDirectory(tmp.resolve("base"));
        String big = "y".repeat(3 << 20); // larger than any pipe buffer
        // the command waits until its input file is unlinked (the sink removes it once the child started)
        String script = "p=$(readlink /proc/$$/fd/0); p=${p% (deleted)}; echo child > " + fd0 + "; "
                + "i=0; while [ -e \"$p\" ] && [ $i -lt 100 ]; do sleep 0.05; i=$((i+1)); done; "
                + "echo \"$p\" >> " + fd0 + "; [ -e \"$p\" ] && echo still-there >> " + fd0 + "; cat > " + got;
        ExecSink s = (ExecSink) SinkFactory.create(0, Map.of("type", "exec", "command", script, "shell", true),
                telemetry);
        s.inputBase(base);
        try (s) {
            s.offer(TestAlerts.alert("e-big", "r", io.auditalert.alert.Severity.HIGH, big));
            assertThat(s.drain(Duration.ofSeconds(20))).isTrue();
            assertThat(telemetry.sinkNamed(s.name()).delivered.sum()).isEqualTo(1);
            assertThat(Files.readAllBytes(got)).isEqualTo(concat(TestAlerts.alert("e-big", "r",
                    io.auditalert.alert.Severity.HIGH, big).json(), new byte[] {'\n'}));
            List<String> seen = Files.readAllLines(fd0);
            assertThat(seen.get(1)).startsWith(base + "/auditalert-exec-").endsWith("/alert.json");
            assertThat(seen).as("the file was removed while the child ran").doesNotContain("still-there");
            try (var left = Files.list(base)) {
                assertThat(left).as("no item, and no directory, left on disk").isEmpty();
            }
            // a second item gets a directory of its own: no name is used twice (a review: a kept directory
            // that tmp cleaning removed could be planted again, or replaced by a link, by another user)
            s.offer(TestAlerts.alert("e-big-2", "r", io.auditalert.alert.Severity.HIGH, "z"));
            assertThat(s.drain(Duration.ofSeconds(20))).isTrue();
            List<String> second = Files.readAllLines(fd0);
            assertThat(second.get(1)).startsWith(base + "/auditalert-exec-").isNotEqualTo(seen.get(1));
            try (var left = Files.list(base)) {
                assertThat(left).isEmpty();
            }
        }
    }

    @Test
    void shouldMakeEachInputDirectoryNewAndPrivate() throws Exception {
        Path base = Files.createDirectory(tmp.resolve("modes"));
        ExecSink s = (ExecSink) SinkFactory.create(0, Map.of("type", "exec", "command", List.of("/bin/true")), telemetry);
        s.inputBase(base);
        try (s) {
            Path one = s.newInputDir();
            Path two = s.newInputDir();
            assertThat(one).isNotEqualTo(two);
            assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(one)))
                    .isEqualTo("rwx------");
            assertThat(one.getParent()).isEqualTo(base);
        }
    }

    @Test
    void shouldRetryAnItemWhoseInputFileCannotBeWritten() throws Exception {
        Path out = tmp.resolve("got.json");
        Path base = tmp.resolve("base");
        Files.writeString(base, "a file where the directory should be");
        ExecSink s = (ExecSink) SinkFactory.create(0, Map.of("type", "exec", "command",
                List.of("/usr/bin/tee", out.toString()), "retry", Map.of("initial", "100ms", "max", "200ms")), telemetry);
        s.inputBase(base);
        try (s) {
            s.offer(TestAlerts.alert("e-retry"));
            SinkStats st = telemetry.sinkNamed(s.name());
            long deadline = System.currentTimeMillis() + 10_000;
            while (st.retries.sum() < 2 && System.currentTimeMillis() < deadline) {
                Thread.sleep(20);
            }
            assertThat(st.retries.sum()).as("retried, not failed for good").isGreaterThanOrEqualTo(2);
            assertThat(st.permanentFailures.sum()).isZero();
            assertThat(out).doesNotExist();
            Files.delete(base);
            Files.createDirectory(base);
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(st.delivered.sum()).isEqualTo(1);
            assertThat(Files.readString(out)).contains("e-retry");
        }
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] r = java.util.Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, r, a.length, b.length);
        return r;
    }

    @Test
    void shouldKillTheChildrenStillRunningWhenItCloses() throws Exception {
        Path pid = tmp.resolve("pid");
        Sink s = SinkFactory.create(0, Map.of("type", "exec", "command", List.of("/bin/sh", "-c",
                "echo $$ > " + pid + "; exec sleep 30"), "timeout", "60s"), telemetry);
        s.offer(TestAlerts.alert("e-hang"));
        long deadline = System.currentTimeMillis() + 10_000;
        while (!(Files.exists(pid) && Files.size(pid) > 0) && System.currentTimeMillis() < deadline) {
            Thread.sleep(20);
        }
        long child = Long.parseLong(Files.readString(pid).strip());
        long t0 = System.nanoTime();
        s.close();
        assertThat(System.nanoTime() - t0).isLessThan(5_000_000_000L);
        ProcessHandle h = ProcessHandle.of(child).orElse(null);
        if (h != null) {
            h.onExit().get(5, java.util.concurrent.TimeUnit.SECONDS);
        }
        assertThat(ProcessHandle.of(child).map(ProcessHandle::isAlive).orElse(false)).as("child outlived the sink")
                .isFalse();
    }
}
