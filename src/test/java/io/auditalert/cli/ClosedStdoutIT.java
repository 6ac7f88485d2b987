package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.testutil.Jar;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code replay | head}: when the reader of stdout goes away, replay stops reading its input and
 * exits quietly with 141, as a program killed by SIGPIPE, instead of reading on (here: an input that
 * never ends) and logging every refused batch. A stdout that fails otherwise (a full disk) is an
 * error, said once.
 */
class ClosedStdoutIT {
    @TempDir
    Path dir;

    private static byte[] event(long serial) {
        String stamp = "msg=audit(1767225600.000:" + serial + "):";
        return ("type=SYSCALL " + stamp + " arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1"
                + " pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"sh\""
                + " exe=\"/usr/bin/sh\" key=\"closed\"\ntype=EOE " + stamp + " \n").getBytes(StandardCharsets.US_ASCII);
    }

    @Test
    void shouldStopReadingWhenNobodyReadsItsAlerts() throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yml"),
                "- rule: every\n  condition: key = \"closed\"\n  severity: low\n  output: \"{exe}\"\n");
        Process p = new ProcessBuilder(Jar.command("replay", "--rules", rules.toString()))
                .redirectError(dir.resolve("replay.err").toFile()).start();
        AtomicLong fed = new AtomicLong();
        Thread feeder = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                for (long serial = 1; ; serial++) {
                    in.write(event(serial)); // endless: only replay's stopping ends this
                    fed.incrementAndGet();
                }
            } catch (IOException e) {
                // replay closed its stdin by exiting
            }
        }, "feeder");
        feeder.setDaemon(true);
        feeder.start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).startsWith("{\"id\":");
        } // closes the pipe: the next write to stdout fails
        boolean exited = p.waitFor(60, TimeUnit.SECONDS);
        if (!exited) {
            p.destroyForcibly();
        }
        String err = Files.readString(dir.resolve("replay.err"));
        assertThat(exited).as("replay exits while its input goes on (%d events fed); stderr: %s", fed.get(), err).isTrue();
        assertThat(p.exitValue()).as(err).isEqualTo(141);
        assertThat(err).as("nothing to say: the reader had what it wanted").isEmpty();
        feeder.join(10_000);
        assertThat(feeder.isAlive()).isFalse();
    }

    /** Replays the log, reads one line of stdout after a pause, closes it; the exit status and stderr. */
    private String[] replayThenLeave(Path... inputs) throws Exception {
        Path rules = Files.writeString(dir.resolve("rules.yml"),
                "- rule: every\n  condition: key = \"closed\"\n  severity: low\n  output: \"{exe}\"\n");
        List<String> cmd = new java.util.ArrayList<>(Jar.command("replay", "--rules", rules.toString()));
        for (Path in : inputs) {
            cmd.add(in.toString());
        }
        Process p = new ProcessBuilder(cmd).redirectError(dir.resolve("late.err").toFile()).start();
        Thread.sleep(2000); // the input is read by now; the alerts wait in a full pipe
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).startsWith("{\"id\":");
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        return new String[] {Integer.toString(p.exitValue()), Files.readString(dir.resolve("late.err"))};
    }

    private Path log(String name, int events) throws IOException {
        StringBuilder log = new StringBuilder();
        for (long serial = 1; serial <= events; serial++) {
            log.append(new String(event(serial), StandardCharsets.US_ASCII));
        }
        return Files.writeString(dir.resolve(name), log);
    }

    @Test
    void shouldExitQuietlyWhenTheReaderLeavesAfterTheInputWasRead() throws Exception {
        // | less quit after the whole log was read: the reader leaves while the sink still writes
        String[] r = replayThenLeave(log("small.log", 2_000));
        assertThat(r[0]).as(r[1]).isEqualTo("141");
        assertThat(r[1]).isEmpty();
    }

    @Test
    void shouldKeepTheFailureOfAnInputWhenTheReaderLeavesToo() throws Exception {
        // an older, cut .gz read first: its error is said, and the exit stays 1, not the reader's 141
        byte[] older = new String(event(1), StandardCharsets.US_ASCII).replace("1767225600", "1767000000").repeat(200)
                .getBytes(StandardCharsets.US_ASCII);
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(gz)) {
            z.write(older);
        }
        Path cut = Files.write(dir.resolve("old.log.gz"), java.util.Arrays.copyOf(gz.toByteArray(), gz.size() / 2));
        String[] r = replayThenLeave(cut, log("new.log", 2_000));
        assertThat(r[0]).as(r[1]).isEqualTo("1");
        assertThat(r[1]).contains("old.log.gz");
    }

    @Test
    void shouldStopEventsQuietlyWhenNobodyReadsThem() throws Exception {
        StringBuilder log = new StringBuilder();
        for (long serial = 1; serial <= 50_000; serial++) {
            log.append(new String(event(serial), StandardCharsets.US_ASCII));
        }
        Path input = Files.writeString(dir.resolve("audit.log"), log);
        Process p = new ProcessBuilder(Jar.command("events", input.toString()))
                .redirectError(dir.resolve("events.err").toFile()).start();
        try (BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            assertThat(out.readLine()).startsWith("{\"time\":");
        }
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(dir.resolve("events.err"));
        assertThat(p.exitValue()).as(err).isEqualTo(141);
        assertThat(err).isEmpty();
    }

    @Test
    void shouldSayOnceThatAFullDiskTookNoAlerts() throws Exception {
        Path full = Path.of("/dev/full");
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isWritable(full), "no /dev/full here");
        StringBuilder log = new StringBuilder();
        for (long serial = 1; serial <= 2_000; serial++) {
            log.append(new String(event(serial), StandardCharsets.US_ASCII));
        }
        Path input = Files.writeString(dir.resolve("audit.log"), log);
        Path rules = Files.writeString(dir.resolve("rules.yml"),
                "- rule: every\n  condition: key = \"closed\"\n  severity: low\n  output: \"{exe}\"\n");
        Process p = new ProcessBuilder(Jar.command("replay", "--rules", rules.toString(), input.toString()))
                .redirectOutput(full.toFile()).redirectError(dir.resolve("replay.err").toFile()).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(dir.resolve("replay.err"));
        assertThat(p.exitValue()).as(err).isEqualTo(1);
        // whether reading stopped before the input's end depends on when the write failed: not asserted
        assertThat(err).contains("No space left on device");
        // the cause, then what it cost: two lines, not three saying the same
        assertThat(err.lines().count()).as(err).isEqualTo(2);
        assertThat(err.lines().filter(l -> l.contains("alert(s) not delivered")).count()).as(err).isEqualTo(1);
    }
}
