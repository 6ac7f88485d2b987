package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.testutil.Jar;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Rotated logs as a shell glob lists them (audit.log audit.log.1, newest first), one of them
 * gzip-compressed: {@code replay} reads them oldest first, so a throttled rule alerts in every window
 * of the older file too instead of counting its events into the newer file's window.
 */
class RotatedLogsIT {
    private static final long T = 1_767_225_600L; // 2026-01-01T00:00:00Z
    private static final String RULE = "- rule: rot-key\n  condition: key = \"rot\"\n  severity: low\n"
            + "  output: \"{exe}\"\n  throttle: {key: [exe], window: 1m}\n";
    private static final Pattern SERIAL = Pattern.compile("\"rule\":\"rot-key\".*?\"serial\":(\\d+),");

    @TempDir
    Path dir;

    private static String event(long sec, int serial) {
        String stamp = "msg=audit(" + sec + ".000:" + serial + "):";
        return "type=SYSCALL " + stamp + " arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1"
                + " pid=4242 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"sh\""
                + " exe=\"/usr/bin/sh\" key=\"rot\"\ntype=PROCTITLE " + stamp + " proctitle=7368\ntype=EOE " + stamp + " \n";
    }

    private List<Long> replay(String name, Path... logs) throws Exception {
        return replayWithStdin(name, null, logs);
    }

    private List<Long> replay(String name, String... args) throws Exception {
        return run(name, null, List.of(args));
    }

    private List<Long> replayWithStdin(String name, Path stdin, Path... logs) throws Exception {
        return run(name, stdin, java.util.Arrays.stream(logs).map(Path::toString).collect(Collectors.toList()));
    }

    private List<Long> run(String name, Path stdin, List<String> more) throws Exception {
        List<String> args = new java.util.ArrayList<>(List.of("replay", "--rules", dir.resolve("rules.yml").toString()));
        args.addAll(more);
        ProcessBuilder pb = new ProcessBuilder(Jar.command(args.toArray(new String[0])))
                .redirectOutput(dir.resolve(name + ".out").toFile()).redirectError(dir.resolve(name + ".err").toFile());
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve(name + ".err"))).isZero();
        return Files.readAllLines(dir.resolve(name + ".out"), StandardCharsets.UTF_8).stream().map(l -> {
            Matcher m = SERIAL.matcher(l);
            assertThat(m.find()).as(l).isTrue();
            return Long.parseLong(m.group(1));
        }).collect(Collectors.toList());
    }

    @Test
    void shouldReplayRotatedLogsOldestFirstWhateverTheOrderGiven() throws Exception {
        Files.writeString(dir.resolve("rules.yml"), RULE);
        // the older file: two events two minutes apart (two windows); the newer one: a third, later still
        Path older = Files.writeString(dir.resolve("audit.log.1"), event(T, 10) + event(T + 30, 11) + event(T + 120, 12));
        Path newer = Files.writeString(dir.resolve("audit.log"), event(T + 240, 13));
        Path empty = Files.writeString(dir.resolve("audit.log.2"), "");

        assertThat(replay("glob", newer, older, empty)).as("one alert per window, in time order").containsExactly(10L, 12L, 13L);
        assertThat(Files.readString(dir.resolve("glob.err")))
                .contains("reading the files oldest first: " + older + " " + newer + " " + empty);

        Path gz = dir.resolve("audit.log.1.gz");
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(gz))) {
            out.write(Files.readAllBytes(older));
        }
        assertThat(replay("gz", newer, gz)).containsExactly(10L, 12L, 13L);
        assertThat(replay("given", gz, newer)).containsExactly(10L, 12L, 13L);
        assertThat(Files.readString(dir.resolve("given.err"))).as("already oldest first: nothing to say").isEmpty();
        assertThat(replayWithStdin("stdin", gz)).as("compressed on stdin").containsExactly(10L, 12L);
        assertThat(replayWithStdin("dash", gz, Path.of("-"), newer)).containsExactly(10L, 12L, 13L);
    }

    @Test
    void shouldReplayOnlyTheTimeRangeAsked() throws Exception {
        Files.writeString(dir.resolve("rules.yml"), RULE);
        Path older = Files.writeString(dir.resolve("audit.log.1"), event(T, 10) + event(T + 30, 11) + event(T + 120, 12));
        Path newer = Files.writeString(dir.resolve("audit.log"), event(T + 240, 13));
        // from T + 30 s: event 11 opens the first window (event 10 is left out, so 11 is no longer
        // suppressed by it), event 12 is 90 s later
        assertThat(replay("since", "--since", String.valueOf(T + 30), newer.toString(), older.toString()))
                .containsExactly(11L, 12L, 13L);
        assertThat(Files.readString(dir.resolve("since.err"))).contains("1 of 4 events were outside --since/--until");
        assertThat(replay("until", "--until", "2026-01-01T00:04:00Z", newer.toString(), older.toString()))
                .containsExactly(10L, 12L);
        assertThat(replay("both", "--since", "2026-01-01T00:01:00Z", "--until", String.valueOf(T + 240), older.toString(),
                newer.toString())).containsExactly(12L);

        Process events = new ProcessBuilder(Jar.command("events", "--since", String.valueOf(T + 30), "--until",
                String.valueOf(T + 240), newer.toString(), older.toString()))
                .redirectOutput(dir.resolve("events.out").toFile()).redirectError(dir.resolve("events.err").toFile()).start();
        assertThat(events.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(events.exitValue()).isZero();
        assertThat(Files.readAllLines(dir.resolve("events.out"))).hasSize(2).allMatch(l -> l.contains("\"serial\":11,")
                || l.contains("\"serial\":12,"));
        // the newer file starts at --until: not read at all
        assertThat(Files.readString(dir.resolve("events.err"))).contains("skipping 1 file(s) outside --since/--until: " + newer)
                .contains("1 of 3 events were outside --since/--until");
    }
}
