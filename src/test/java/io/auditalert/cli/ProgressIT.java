package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.testutil.Jar;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --progress always} on the real jar: the summary on stderr counts what stdout carries (events,
 * alerts), stdout stays JSON lines only, and {@code -} reads stdin to the same alerts as the file.
 * The input is the real capture bundled for the demo.
 */
class ProgressIT {
    private static final Path CAPTURE = Path.of("src/main/resources/demo/audit.log");
    private static final Pattern EVENTS_SUMMARY = Pattern.compile("auditalert events: \\d+(\\.\\d)? [kM]B, ([\\d,]+) events in \\d+\\.\\d s");
    private static final Pattern REPLAY_SUMMARY = Pattern.compile(
            "auditalert replay: \\d+(\\.\\d)? [kM]B, ([\\d,]+) events, ([\\d,]+) alerts in \\d+\\.\\d s");

    @TempDir
    Path dir;

    private List<String> run(String name, Path stdin, String... args) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(Jar.command(args)).redirectOutput(dir.resolve(name + ".out").toFile())
                .redirectError(dir.resolve(name + ".err").toFile());
        if (stdin != null) {
            pb.redirectInput(stdin.toFile());
        }
        Process p = pb.start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(Files.readString(dir.resolve(name + ".err"))).isZero();
        return Files.readAllLines(dir.resolve(name + ".out"), StandardCharsets.UTF_8);
    }

    private String lastErrLine(String name) throws IOException {
        List<String> lines = Files.readAllLines(dir.resolve(name + ".err"), StandardCharsets.UTF_8);
        assertThat(lines).isNotEmpty();
        return lines.get(lines.size() - 1);
    }

    private static long count(String s) {
        return Long.parseLong(s.replace(",", ""));
    }

    private List<String> rulesArgs() throws IOException {
        List<String> args = new ArrayList<>();
        try (var files = Files.list(Path.of("src/main/resources/defaults/rules.d"))) {
            for (Path f : files.sorted().collect(Collectors.toList())) {
                args.add("--rules");
                args.add(f.toString());
            }
        }
        return args;
    }

    @Test
    void shouldSummariseWhatStdoutCarries() throws Exception {
        List<String> events = run("events", null, "events", "--progress", "always", CAPTURE.toString());
        assertThat(events).hasSizeGreaterThan(20).allMatch(l -> l.startsWith("{\"time\":"));
        Matcher e = EVENTS_SUMMARY.matcher(lastErrLine("events"));
        assertThat(e.matches()).as(lastErrLine("events")).isTrue();
        assertThat(count(e.group(2))).isEqualTo(events.size());

        List<String> args = new ArrayList<>(List.of("replay", "--progress", "always"));
        args.addAll(rulesArgs());
        args.add(CAPTURE.toString());
        List<String> alerts = run("replay", null, args.toArray(new String[0]));
        assertThat(alerts).isNotEmpty().allMatch(l -> l.startsWith("{\"id\":"));
        Matcher r = REPLAY_SUMMARY.matcher(lastErrLine("replay"));
        assertThat(r.matches()).as(lastErrLine("replay")).isTrue();
        assertThat(count(r.group(2))).as("events").isEqualTo(events.size());
        assertThat(count(r.group(3))).as("alerts").isEqualTo(alerts.size());

        args.set(args.size() - 1, "-");
        args.set(2, "never");
        List<String> fromStdin = run("stdin", CAPTURE, args.toArray(new String[0]));
        assertThat(fromStdin).isEqualTo(alerts);
        assertThat(Files.readString(dir.resolve("stdin.err"))).as("--progress never").isEmpty();
    }
    @Test
    void shouldSayThatAReplayStoppedBySigtermWasCutShort() throws Exception {
        // a replay or events run stopped by SIGINT or SIGTERM said nothing: its output passed for a whole one
        for (String command : List.of("replay", "events")) {
            Path err = dir.resolve(command + "-term.err");
            Process p = new ProcessBuilder(Jar.command(command, "--progress", "never", "-"))
                    .redirectOutput(dir.resolve(command + "-term.out").toFile()).redirectError(err.toFile()).start();
            p.getOutputStream().write(Files.readAllBytes(CAPTURE)); // and stdin stays open: the run waits for more
            p.getOutputStream().flush();
            // replay writes its alerts as they come; events holds up to 1 MiB, more than the capture makes
            for (long end = System.nanoTime() + 8_000_000_000L; System.nanoTime() < end
                    && Files.size(dir.resolve(command + "-term.out")) == 0; ) {
                Thread.sleep(100);
            }
            // SIGTERM by its PID; not Process.destroy, which closes its stdin too (an end of input to race)
            assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor()).isZero();
            assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as(command + ": " + Files.readString(err)).isEqualTo(143);
            assertThat(Files.readString(err)).containsPattern("auditalert " + command + ": interrupted after \\d+ event\\(s\\);"
                    + " the rest of the input was not read, and stdout may end in a cut line");
        }
    }
    @Test
    void shouldSayItReadsTheTerminalWhenNoFileIsGiven() throws Exception {
        // events or replay without a file, typed at a shell, waited in silence
        org.junit.jupiter.api.Assumptions.assumeTrue(Files.isExecutable(Path.of("/usr/bin/script")),
                "util-linux script not installed; skipping");
        List<String> cmd = Jar.command("events", "--progress", "never");
        Process p = new ProcessBuilder("/usr/bin/script", "-qec", String.join(" ", cmd), "/dev/null")
                .redirectErrorStream(true).start();
        java.io.ByteArrayOutputStream seen = new java.io.ByteArrayOutputStream();
        java.io.InputStream fromTerminal = p.getInputStream();
        for (long end = System.nanoTime() + 60_000_000_000L; System.nanoTime() < end
                && !seen.toString(StandardCharsets.UTF_8).contains("no file given"); ) {
            if (fromTerminal.available() > 0) {
                seen.write(fromTerminal.read());
            } else {
                Thread.sleep(50);
            }
        }
        p.getOutputStream().write(4); // Ctrl-D at the terminal: end of input
        p.getOutputStream().close();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            org.junit.jupiter.api.Assertions.fail("events did not end at Ctrl-D: " + seen);
        }
        seen.write(fromTerminal.readAllBytes());
        String out = seen.toString(StandardCharsets.UTF_8);
        assertThat(out).contains("auditalert events: no file given: reading audit records from the terminal"
                + " (Ctrl-D ends; name files, or pipe them in)");
        assertThat(p.exitValue()).as(out).isZero();
    }
    @Test
    void shouldSayThatAStopWhileDeliveringCutTheDeliveryNotTheInput() throws Exception {
        // it said "the rest of the input was not read" when all of it had been, and delivery was cut
        int port;
        try (java.net.ServerSocket free = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            port = free.getLocalPort(); // closed again: the webhook is refused and retried
        }
        Files.writeString(dir.resolve("rules.yml"), "- rule: r\n  condition: type = SYSCALL\n  output: x\n");
        Path config = Files.writeString(dir.resolve("auditalert.yml"), "rules: [rules.yml]\n"
                + "sinks: [{type: webhook, url: \"http://127.0.0.1:" + port + "/x\"}]\n");
        Path err = dir.resolve("deliver.err");
        Process p = new ProcessBuilder(Jar.command("replay", "--progress", "never", "--config", config.toString(),
                CAPTURE.toString())).redirectOutput(dir.resolve("deliver.out").toFile()).redirectError(err.toFile()).start();
        for (long end = System.nanoTime() + 60_000_000_000L; System.nanoTime() < end
                && !Files.readString(err).contains("webhook"); ) {
            Thread.sleep(100);
        }
        assertThat(new ProcessBuilder("kill", "-TERM", Long.toString(p.pid())).start().waitFor()).isZero();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(Files.readString(err)).contains("auditalert replay: interrupted after reading all the input (")
                .contains("event(s)), while alerts were still being delivered: some may not be, and stdout may end"
                        + " in a cut line");
    }
}
