package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.config.AppConfig;
import io.auditalert.testutil.Jar;
import java.io.IOException;
import java.io.OutputStream;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A live {@code auditalert run} process: alerts reach the file sink, SIGHUP loads a rule added on
 * disk, a broken rules file keeps the old rules firing (and is counted), SIGTERM stops it with exit 0
 * and every alert of what it read delivered; end of input also exits 0.
 */
class RunLifecycleIT {
    @TempDir
    Path dir;
    private int serial = 100;

    private static final String RULE_A = "- rule: alpha-key\n  condition: SYSCALL.key = \"alpha\"\n  severity: high\n  output: \"alpha by {exe}\"\n";
    private static final String RULE_B = "- rule: beta-key\n  condition: SYSCALL.key = \"beta\"\n  severity: low\n  output: \"beta by {exe}\"\n";

    private String event(String key) {
        int s = serial++;
        long sec = System.currentTimeMillis() / 1000;
        String stamp = "msg=audit(" + sec + ".000:" + s + "):";
        return "type=SYSCALL " + stamp + " arch=c000003e syscall=59 success=yes exit=0 a0=1 a1=2 a2=3 a3=4 items=1 ppid=1 pid="
                + (5_000_000 + s) + " auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1 comm=\"sh\" exe=\"/usr/bin/sh\" key=\""
                + key + "\"\ntype=PROCTITLE " + stamp + " proctitle=7368\ntype=EOE " + stamp + " \n";
    }

    private Process start(Path config, int port) throws IOException {
        return new ProcessBuilder(Jar.command("run", "--config", config.toString(), "--metrics", "127.0.0.1:" + port))
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve("run.log").toFile())
                .start();
    }

    private List<String> alerts() throws IOException {
        return alerts("alerts.jsonl");
    }

    private List<String> alerts(String file) throws IOException {
        Path f = dir.resolve(file);
        return Files.exists(f) ? Files.readAllLines(f) : List.of();
    }

    private static boolean await(Supplier<Boolean> condition, long millis) throws InterruptedException {
        long deadline = System.currentTimeMillis() + millis;
        while (System.currentTimeMillis() < deadline) {
            if (condition.get()) {
                return true;
            }
            Thread.sleep(50);
        }
        return condition.get();
    }

    private long count(String rule) {
        try {
            return alerts().stream().filter(l -> l.contains("\"rule\":\"" + rule + "\"")).count();
        } catch (IOException e) {
            return -1;
        }
    }

    private static void signal(Process p, String sig) throws IOException, InterruptedException {
        assertThat(new ProcessBuilder("kill", "-" + sig, Long.toString(p.pid())).start().waitFor()).isZero();
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private Path config(Path rules) throws IOException {
        return config(rules, "alerts.jsonl");
    }

    private Path config(Path rules, String alertsFile) throws IOException {
        Path cfg = dir.resolve("auditalert.yml");
        Files.writeString(cfg, "rules: [" + rules.getFileName() + "]\nworkers: 2\nsinks:\n  - {type: file, path: "
                + dir.resolve(alertsFile) + "}\n");
        return cfg;
    }

    @Test
    void shouldReloadOnHupKeepOldRulesWhenBrokenAndStopCleanlyOnTerm() throws Exception {
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, RULE_A);
        int port = freePort();
        Process p = start(config(rules), port);
        try (OutputStream in = p.getOutputStream()) {
            write(in, event("alpha"));
            assertThat(await(() -> count("alpha-key") == 1, 20_000)).as("first alert; log: %s", log()).isTrue();

            write(in, event("beta"));
            Files.writeString(rules, RULE_A + RULE_B);
            signal(p, "HUP");
            assertThat(await(() -> log().contains("reloaded"), 10_000)).as("reload logged; log: %s", log()).isTrue();
            write(in, event("beta"));
            assertThat(await(() -> count("beta-key") == 1, 5_000)).as("the rule added on disk fires").isTrue();

            Files.writeString(rules, RULE_A + RULE_B + "- rule: broken\n  condition: exe startswith\n");
            signal(p, "HUP");
            assertThat(await(() -> log().contains("reload failed"), 10_000)).as("reload failure logged; log: %s", log()).isTrue();
            assertThat(log()).contains("rules.yml:10:28: expected a value after 'startswith'");
            for (int i = 0; i < 50; i++) {
                write(in, event("alpha") + event("beta"));
            }
            assertThat(await(() -> count("alpha-key") == 51 && count("beta-key") == 51, 10_000))
                    .as("old rules still fire: alpha %d beta %d", count("alpha-key"), count("beta-key")).isTrue();
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics")).build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).containsPattern("auditalert_reloads_total\\{result=\"failure\"[^}]*\\} 1\\.0")
                    .containsPattern("auditalert_alerts_total\\{rule=\"alpha-key\",severity=\"high\"[^}]*\\} 51\\.0");

            // events still open in the ring or the assembler when TERM arrives are delivered, not lost
            for (int i = 0; i < 200; i++) {
                write(in, event("alpha"));
            }
            long sent = System.nanoTime();
            signal(p, "TERM");
            assertThat(p.waitFor(5, TimeUnit.SECONDS)).as("stops after SIGTERM").isTrue();
            System.out.printf("run stopped %d ms after SIGTERM%n", (System.nanoTime() - sent) / 1_000_000);
        } catch (IOException e) {
            // stdin closes when the process exits first
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("exit status after SIGTERM; log: %s", log()).isZero();
        assertThat(count("alpha-key")).isEqualTo(251);
    }

    @Test
    void shouldMoveAlertsToTheSinksOfAReloadedConfigurationWithoutLosingAny() throws Exception {
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, RULE_A);
        Process p = start(config(rules, "before.jsonl"), freePort());
        // running on the first configuration before the test rewrites it (run reads its input while it
        // starts, so the writes below no longer wait for that by themselves)
        assertThat(await(() -> log().contains("running:"), 20_000)).as("log: %s", log()).isTrue();
        int events = 3000;
        Supplier<Integer> written = () -> {
            try {
                return alerts("before.jsonl").size() + alerts("after.jsonl").size();
            } catch (IOException e) {
                return -1;
            }
        };
        try (OutputStream in = p.getOutputStream()) {
            for (int i = 0; i < events; i++) {
                write(in, event("alpha"));
                if (i == 1000) { // mid-stream: events in the pipe, the ring and on both workers
                    config(rules, "after.jsonl");
                    signal(p, "HUP");
                }
                if (i % 100 == 0) {
                    Thread.sleep(5);
                }
            }
            assertThat(await(() -> log().contains("reloaded"), 10_000)).as("reload logged; log: %s", log()).isTrue();
            // every alert written before the input ends: this is about the reload, not the stop budget
            assertThat(await(() -> written.get() == events, 30_000)).as("alerts written: %d; log: %s", written.get(), log())
                    .isTrue();
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("log: %s", log()).isZero();
        assertThat(log()).contains("1 sinks (0 kept, 1 started, 1 retired)");
        List<String> before = alerts("before.jsonl");
        List<String> after = alerts("after.jsonl");
        assertThat(before).as("alerts before the reload").isNotEmpty();
        assertThat(after).as("alerts after the reload").isNotEmpty();
        assertThat(before.size() + after.size()).as("every alert in one file or the other").isEqualTo(events);
        String last = "\"serial\":" + (serial - 1) + ","; // two workers: not necessarily the last line
        assertThat(after).as("the last event's alert").anyMatch(l -> l.contains(last));
    }

    @Test
    void shouldKeepASpooledSinkRunningWhenASinkIsAddedBeforeIt() throws Exception {
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, RULE_A);
        Path cfg = dir.resolve("auditalert.yml");
        String spooled = "  - {type: file, path: " + dir.resolve("alerts.jsonl") + ", spool: " + dir.resolve("spool") + "}\n";
        Files.writeString(cfg, "rules: [rules.yml]\nsinks:\n" + spooled);
        Process p = start(cfg, freePort());
        try (OutputStream in = p.getOutputStream()) {
            write(in, event("alpha"));
            assertThat(await(() -> count("alpha-key") == 1, 10_000)).as("log: %s", log()).isTrue();
            // the same entry, now second: it keeps running (its spool is held), the new one starts
            Files.writeString(cfg, "rules: [rules.yml]\nsinks:\n  - {type: file, path: " + dir.resolve("new.jsonl")
                    + "}\n" + spooled);
            signal(p, "HUP");
            assertThat(await(() -> log().contains("reload"), 10_000)).as("log: %s", log()).isTrue();
            write(in, event("alpha"));
            assertThat(await(() -> count("alpha-key") == 2, 10_000)).as("log: %s", log()).isTrue();
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(log()).contains("2 sinks (1 kept, 1 started, 0 retired)").doesNotContain("reload failed");
        assertThat(alerts("new.jsonl")).hasSize(1);
    }

    @Test
    void shouldSayWhatTakesARestartAgainstTheRunningValuesNotTheLastFileRead() throws Exception {
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, RULE_A);
        Path cfg = dir.resolve("auditalert.yml");
        String base = "rules: [rules.yml]\nsinks:\n  - {type: file, path: " + dir.resolve("alerts.jsonl") + "}\n";
        Files.writeString(cfg, base + "workers: 2\n");
        Process p = start(cfg, freePort());
        String warning = "reload: workers changed, which takes a restart";
        try (OutputStream in = p.getOutputStream()) {
            write(in, event("alpha"));
            assertThat(await(() -> count("alpha-key") == 1, 10_000)).as("log: %s", log()).isTrue();
            Files.writeString(cfg, base + "workers: 4\n");
            reloadAndWait(p, 1);
            Files.writeString(cfg, base + "workers: 4\nredact: [\"x=\\\\S+\"]\n"); // an unrelated change: 2 still run
            reloadAndWait(p, 2);
            Files.writeString(cfg, base + "workers: 2\n"); // the running value again
            reloadAndWait(p, 3);
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        String[] reloads = log().split("reloaded: ", -1);
        assertThat(reloads).as("log: %s", log()).hasSize(4);
        assertThat(reloads[1]).as("workers 2 → 4").contains(warning);
        assertThat(reloads[2]).as("still 4 in the file, 2 running").contains(warning);
        assertThat(reloads[3]).as("2 again, as running").doesNotContain(warning);
    }

    @Test
    void shouldHoldUnderAuditdOnABadConfigurationAndStartOnTheSighupAfterItIsFixed() throws Exception {
        // auditd restarts a plugin that exits only max_restarts times: a typo met at a restart must not end
        // alerting until auditd itself restarts
        Path rules = Files.writeString(dir.resolve("rules.yml"), RULE_A);
        Path cfg = dir.resolve("auditalert.yml");
        String good = "rules: [rules.yml]\nsinks:\n  - {type: file, path: " + dir.resolve("alerts.jsonl") + "}\n";
        Files.writeString(cfg, good + "workers: -1\n");
        int port = freePort();
        List<String> cmd = new java.util.ArrayList<>(Jar.command("run", "--config", cfg.toString(), "--metrics",
                "127.0.0.1:" + port));
        cmd.add(1, "-Dauditalert.wrapper=direct"); // as the launcher starts it under auditd
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile()).start();
        try (OutputStream in = p.getOutputStream()) {
            assertThat(await(() -> log().contains("holding until a SIGHUP"), 20_000)).as("log: %s", log()).isTrue();
            for (int i = 0; i < 2000; i++) { // ~700 kB: more than a pipe holds, so it is read, not left waiting
                write(in, event("alpha"));
            }
            assertThat(p.isAlive()).as("log: %s", log()).isTrue();
            assertThat(count("alpha-key")).as("no configuration in force, nothing alerted").isZero();
            Files.writeString(cfg, good);
            signal(p, "HUP");
            assertThat(await(() -> log().contains("running:"), 20_000)).as("log: %s", log()).isTrue();
            write(in, event("alpha"));
            assertThat(await(() -> count("alpha-key") == 1, 20_000)).as("log: %s", log()).isTrue();
            // what was dropped while held is in the loss ledger, as many records as the log says
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("\\((\\d+) records, \\d+ bytes of input dropped while held")
                    .matcher(log());
            assertThat(m.find()).as("log: %s", log()).isTrue();
            long held = Long.parseLong(m.group(1));
            assertThat(held).isPositive();
            String metrics = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port
                    + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(metrics).contains("auditalert_dropped_total{stage=\"held_no_config\"} " + held + ".0");
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("log: %s", log()).isZero();
        assertThat(log()).contains("workers must be between 0 and 64", "bytes of input dropped while held");
    }

    @Test
    void shouldTakeUpTheDefaultConfigurationFileOnTheSighupAfterItAppears() throws Exception {
        Path etc = AppConfig.DEFAULT_PATH.getParent();
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.exists(etc),
                etc + " exists (auditalert installed here?): this test makes and removes it");
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, RULE_A);
        // as under auditd: stdout is /dev/null, and there is no configuration file yet
        Process p = new ProcessBuilder(Jar.command("run", "--metrics", ""))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(dir.resolve("run.log").toFile())
                .start();
        try (OutputStream in = p.getOutputStream()) {
            assertThat(await(() -> log().contains("running:"), 20_000)).as("log: %s", log()).isTrue();
            assertThat(log()).contains("alerts go to stdout, which is /dev/null here");
            Files.createDirectories(etc);
            Files.writeString(AppConfig.DEFAULT_PATH, "rules: [" + rules + "]\nsinks:\n  - {type: file, path: "
                    + dir.resolve("alerts.jsonl") + "}\n");
            reloadAndWait(p, 1);
            write(in, event("alpha"));
            assertThat(await(() -> count("alpha-key") == 1, 20_000)).as("alert after the reload; log: %s", log()).isTrue();
            // once read, the file stays the configuration: removed, the reload fails and keeps it in force
            Files.delete(AppConfig.DEFAULT_PATH);
            signal(p, "HUP");
            assertThat(await(() -> log().contains("reload failed"), 10_000)).as("log: %s", log()).isTrue();
            write(in, event("alpha"));
            assertThat(await(() -> count("alpha-key") == 2, 20_000)).as("log: %s", log()).isTrue();
        } finally {
            Files.deleteIfExists(AppConfig.DEFAULT_PATH);
            Files.deleteIfExists(etc);
            p.waitFor(20, TimeUnit.SECONDS);
            if (p.isAlive()) {
                p.destroyForcibly();
            }
        }
        assertThat(p.exitValue()).as("log: %s", log()).isZero();
        assertThat(log().split("alerts go to stdout", -1).length).as("said at the start only").isEqualTo(2);
    }

    /** Sends SIGHUP and waits for the n-th "reloaded:" line of the log. */
    private void reloadAndWait(Process p, int n) throws Exception {
        signal(p, "HUP");
        assertThat(await(() -> log().split("reloaded: ", -1).length > n, 10_000)).as("log: %s", log()).isTrue();
    }

    /** Whether the process has a handler for the signal (the JVM's own or auditalert's), from SigCgt. */
    private static boolean catches(Process p, int signal) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/" + p.pid() + "/status"))) {
                if (line.startsWith("SigCgt:")) {
                    return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & (1L << (signal - 1))) != 0;
                }
            }
        } catch (IOException e) {
            return false;
        }
        return false;
    }

    /** A named pipe: reading the configuration from it holds `run`'s start-up until the test writes it. */
    private Path fifo(String name) throws IOException, InterruptedException {
        Path f = dir.resolve(name);
        assertThat(new ProcessBuilder("mkfifo", f.toString()).start().waitFor()).isZero();
        return f;
    }

    /** Writes text into the pipe once the process reads it (fails after 20 s, e.g. when it died). */
    private static void feed(Path fifo, String text) throws Exception {
        Thread writer = new Thread(() -> {
            try {
                Files.writeString(fifo, text);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        writer.join(20_000);
        if (writer.isAlive()) {
            new java.io.FileInputStream(fifo.toFile()).close(); // let the writer go
            writer.join();
            throw new AssertionError("nobody read " + fifo);
        }
    }

    /**
     * Starts run with its configuration in a pipe, so that its start-up waits while the test sends a
     * signal (after the JVM's own handler is in place, when a signal used to end the process).
     */
    private Process startHeldInStartUp(Path cfg, int signal) throws Exception {
        Process p = new ProcessBuilder(Jar.command("run", "--config", cfg.toString(), "--metrics", "127.0.0.1:" + freePort()))
                .redirectErrorStream(true).redirectOutput(dir.resolve("run.log").toFile()).start();
        assertThat(await(() -> catches(p, signal), 20_000)).as("the JVM handles signal %d", signal).isTrue();
        Thread.sleep(1000);
        return p;
    }

    @Test
    void shouldReloadAfterASighupThatArrivesDuringStartUp() throws Exception {
        // auditd <= 4.1 sends SIGHUP to every plugin on each of its reloads: one that arrives while the
        // plugin is starting must not meet the JVM's own handler (exit 129)
        Path rules = Files.writeString(dir.resolve("rules.yml"), RULE_A);
        String text = "rules: [" + rules + "]\nworkers: 2\nsinks:\n  - {type: file, path: " + dir.resolve("alerts.jsonl") + "}\n";
        Path cfg = fifo("auditalert.yml");
        Process p = startHeldInStartUp(cfg, 1);
        try (OutputStream in = p.getOutputStream()) {
            signal(p, "HUP");
            feed(cfg, text); // the start-up reads it
            // the reload the SIGHUP asked for reads it again; a writer that opened the pipe before the
            // start-up closed it would hand its text to that reader, and the reload would wait for ever
            assertThat(await(() -> log().contains("SIGHUP during start-up: reloading"), 20_000)).as("log: %s", log()).isTrue();
            feed(cfg, text);
            assertThat(await(() -> log().contains("reloaded"), 20_000)).as("log: %s", log()).isTrue();
            write(in, event("alpha"));
            assertThat(await(() -> count("alpha-key") == 1, 20_000)).as("log: %s", log()).isTrue();
        } finally {
            if (!p.waitFor(20, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        }
        assertThat(p.exitValue()).as("log: %s", log()).isZero();
        assertThat(log()).contains("SIGHUP during start-up: reloading");
    }

    @Test
    void shouldTakeItsInputWhileItsConfigurationIsStillLoading() throws Exception {
        // auditd's one dispatcher thread blocks on a plugin that does not read (every plugin then waits,
        // and a restarted one meets a full queue): stdin is read from the start, not once running
        Path rules = Files.writeString(dir.resolve("rules.yml"), RULE_A);
        Path cfg = fifo("auditalert.yml");
        Process p = startHeldInStartUp(cfg, 1);
        StringBuilder events = new StringBuilder();
        for (int i = 0; i < 2000; i++) {
            events.append(event("alpha"));
        }
        assertThat(events.length()).as("well past what a pipe holds").isGreaterThan(10 * 65536);
        Thread writer = new Thread(() -> {
            try (OutputStream in = p.getOutputStream()) {
                in.write(events.toString().getBytes(StandardCharsets.ISO_8859_1));
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        writer.start();
        writer.join(20_000);
        boolean taken = !writer.isAlive();
        // release the start-up either way (the configuration is read once)
        feed(cfg, "rules: [" + rules + "]\nring: {when_full: block}\nsinks:\n  - {type: file, path: "
                + dir.resolve("alerts.jsonl") + "}\n");
        writer.join(20_000);
        assertThat(taken).as("all of stdin was taken before the configuration was read; log: %s", log()).isTrue();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("ends at end of input; log: %s", log()).isTrue();
        assertThat(p.exitValue()).as("log: %s", log()).isZero();
        assertThat(count("alpha-key")).isEqualTo(2000);
        assertThat(log()).containsPattern("read \\d+ bytes of input while starting").contains("stopped: 2000 events, 2000 alerts");
    }

    @Test
    void shouldStopCleanlyOnASigtermThatArrivesDuringStartUp() throws Exception {
        Path cfg = fifo("auditalert.yml");
        Process p = startHeldInStartUp(cfg, 15); // its stdin stays open: only the signal stops it
        try {
            signal(p, "TERM");
            feed(cfg, "workers: 1\n");
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stops; log: %s", log()).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("log: %s", log()).isZero();
        assertThat(log()).contains("stopping (SIGTERM during start-up)");
    }

    @Test
    void shouldEvaluateWhatArrivedBeforeASigtermDuringStartUp() throws Exception {
        // auditd 4.2 and later, at every reload: the input closes, SIGTERM follows 50 ms later, often
        // while the JVM is still starting; what auditd had sent is evaluated, not dropped
        Path rules = Files.writeString(dir.resolve("rules.yml"), RULE_A);
        Path cfg = fifo("auditalert.yml");
        Process p = startHeldInStartUp(cfg, 15);
        try {
            try (OutputStream in = p.getOutputStream()) {
                for (int i = 0; i < 300; i++) {
                    in.write(event("alpha").getBytes(StandardCharsets.ISO_8859_1));
                }
            }
            Thread.sleep(1000); // the start-up's reader takes the rest of the pipe and its end
            signal(p, "TERM");
            feed(cfg, "rules: [" + rules + "]\nworkers: 0\nsinks:\n  - {type: file, path: " + dir.resolve("alerts.jsonl") + "}\n");
            assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("stops; log: %s", log()).isTrue();
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("log: %s", log()).isZero();
        assertThat(log()).containsPattern("SIGTERM during start-up: evaluating the \\d+ bytes of input read while starting")
                .contains("stopped: 300 events, 300 alerts, 0 not delivered");
        assertThat(count("alpha-key")).isEqualTo(300);
    }

    @Test
    void shouldStopWithinItsBudgetWhenASinkThatBlocksHasStoppedTheRing() throws Exception {
        // a stdout nobody reads, a sink that blocks when full, a ring that blocks: the workers wait for the
        // sink, the reader for the ring; the stop used to wait for the reader for ever
        Path rules = Files.writeString(dir.resolve("rules.yml"), RULE_A);
        Path cfg = Files.writeString(dir.resolve("auditalert.yml"), "rules: [" + rules + "]\nworkers: 2\n"
                + "ring: {capacity: 64, when_full: block}\nsinks:\n  - {type: stdout, when_full: block, queue: 10}\n");
        Process p = new ProcessBuilder(Jar.command("run", "--config", cfg.toString(), "--metrics", ""))
                .redirectError(dir.resolve("run.log").toFile()).start(); // stdout: a pipe the test never reads
        OutputStream in = p.getOutputStream();
        Thread writer = new Thread(() -> {
            try {
                for (int i = 0; i < 5000; i++) {
                    in.write(event("alpha").getBytes(StandardCharsets.ISO_8859_1));
                }
                in.flush();
            } catch (IOException e) {
                // the process ended while the writer was blocked: expected after the stop
            }
        });
        writer.setDaemon(true);
        writer.start();
        try {
            assertThat(await(() -> log().contains("running:"), 20_000)).as("log: %s", log()).isTrue();
            Thread.sleep(2000); // the stdout pipe, the sink's queue and the ring fill up
            long t0 = System.nanoTime();
            signal(p, "TERM");
            assertThat(p.waitFor(15, TimeUnit.SECONDS)).as("stops; log: %s", log()).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(6));
        } finally {
            p.destroyForcibly();
        }
        assertThat(p.exitValue()).as("log: %s", log()).isZero();
        assertThat(log()).contains("stopping (SIGTERM)").contains("undelivered item(s) dropped at close");
    }

    @Test
    void shouldExitZeroAtEndOfInputWithEveryAlertWritten() throws Exception {
        Path rules = dir.resolve("rules.yml");
        Files.writeString(rules, RULE_A);
        Path config = config(rules);
        Files.writeString(config, "log_file: logs/auditalert.log\n", java.nio.file.StandardOpenOption.APPEND);
        Process p = start(config, freePort());
        try (OutputStream in = p.getOutputStream()) {
            for (int i = 0; i < 500; i++) {
                write(in, event("alpha"));
            }
            // an event without EOE: completed at end of input, not lost
            in.write(event("alpha").replaceAll("type=EOE[^\n]*\n", "").replaceAll("type=PROCTITLE[^\n]*\n", "").getBytes(StandardCharsets.ISO_8859_1));
        }
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("log: %s", log()).isZero();
        assertThat(count("alpha-key")).isEqualTo(501);
        assertThat(log()).contains("stopped: 501 events, 501 alerts").doesNotContain("events lost");
        // log_file: the same lines, beside the config (a relative path), in a directory it created
        assertThat(Files.readString(dir.resolve("logs/auditalert.log"))).contains("running: 1 rules, 1 sinks")
                .contains("stopped: 501 events, 501 alerts");
        assertThat(java.nio.file.attribute.PosixFilePermissions.toString(
                Files.getPosixFilePermissions(dir.resolve("logs/auditalert.log")))).isEqualTo("rw-r-----");
    }

    private static void write(OutputStream in, String s) throws IOException {
        in.write(s.getBytes(StandardCharsets.ISO_8859_1));
        in.flush();
    }

    private String log() {
        try {
            return Files.readString(dir.resolve("run.log"));
        } catch (IOException e) {
            return "";
        }
    }
}
