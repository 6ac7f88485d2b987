package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.metrics.Telemetry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What {@code replay} says at the end about what it lost, and whether that makes it exit 1. */
class ReplayReportTest {
    @RegisterExtension
    final StderrCapture stderr = new StderrCapture();

    @Test
    void shouldSayNothingAndLoseNothingWhenEveryEventWasEvaluated() {
        assertThat(ReplayCommand.reportUndelivered("replay", new Telemetry())).isFalse();
        assertThat(stderr.text()).isEmpty();
    }

    @Test
    void shouldCountEventsThatCouldNotBeEvaluatedAsLost() {
        Telemetry t = new Telemetry();
        t.pipeline.evaluationFailures.add(3);

        assertThat(ReplayCommand.reportUndelivered("replay", t)).isTrue();
        assertThat(stderr.text()).isEqualTo("auditalert replay: 3 event(s) could not be evaluated fully, alerts of theirs are lost"
                + " (the log above says why)" + System.lineSeparator());
    }

    @Test
    void shouldEvaluateEveryEventThoughTheConfigurationDropsWhenTheRingIsFull(@org.junit.jupiter.api.io.TempDir
            java.nio.file.Path dir) throws Exception {
        // the configuration for run (when_full: drop) made a replay drop most events, exit 0, say nothing:
        // 120 alerts of 20,334 in a review's run, two in three of a 1M-event stream with workers: 2
        StringBuilder log = new StringBuilder();
        for (int i = 1; i <= 20_000; i++) {
            String ts = "msg=audit(1700000000." + String.format("%03d", i % 1000) + ":" + i + "): ";
            log.append("type=SYSCALL ").append(ts).append("arch=c000003e syscall=59 success=yes exit=0 items=0 ppid=1 pid=2")
                    .append(" auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=(none) ses=1")
                    .append(" comm=\"x\" exe=\"/usr/bin/x\" key=(null)\ntype=EOE ").append(ts).append('\n');
        }
        java.nio.file.Path input = java.nio.file.Files.writeString(dir.resolve("audit.log"), log);
        java.nio.file.Files.writeString(dir.resolve("rules.yml"), "- rule: r\n  condition: type = SYSCALL\n  output: x\n");
        java.nio.file.Path alerts = dir.resolve("alerts.jsonl");
        java.nio.file.Path config = java.nio.file.Files.writeString(dir.resolve("auditalert.yml"), "rules: [rules.yml]\n"
                + "workers: 1\nring: {capacity: 4, when_full: drop}\nsinks: [{type: file, path: " + alerts + "}]\n");
        int status = ReplayCommand.replay(Components.loadConfig(config), java.util.List.of(), null, java.util.List.of(input),
                "replay", 0, Progress.Mode.NEVER, io.auditalert.pipeline.TimeRange.ALL);
        assertThat(status).isZero();
        assertThat(java.nio.file.Files.readAllLines(alerts)).hasSize(20_000);
        assertThat(stderr.text()).contains("auditalert replay: ring.when_full: drop applies to run; a replay waits for"
                + " room in the ring instead, so it evaluates every event");
    }

    @Test
    void shouldExitOneWhenTheInputHadLinesAndNoneWasARecord(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // the wrong file (a JSON export, syslog, ausearch -i output) alerted nothing and exited 0 like a clean log
        java.nio.file.Files.writeString(dir.resolve("rules.yml"), "- rule: r\n  condition: type = SYSCALL\n  output: x\n");
        io.auditalert.config.AppConfig config = Components.loadConfig(java.nio.file.Files.writeString(
                dir.resolve("auditalert.yml"), "rules: [rules.yml]\nsinks: [{type: file, path: " + dir.resolve("a.jsonl")
                        + "}]\n"));
        java.nio.file.Path json = java.nio.file.Files.writeString(dir.resolve("events.json"),
                "{\"type\":\"SYSCALL\"}\n{\"type\":\"EOE\"}\n");
        java.nio.file.Path empty = java.nio.file.Files.writeString(dir.resolve("audit.log.1"), "");
        java.nio.file.Path log = java.nio.file.Files.writeString(dir.resolve("audit.log"),
                "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=59 success=yes exit=0\n");
        assertThat(replay(config, json)).isEqualTo(Main.EXIT_FAILURE);
        assertThat(stderr.text()).contains("auditalert: no line was an audit record");
        assertThat(replay(config, empty)).as("an empty log (just rotated) is no error").isZero();
        assertThat(replay(config, log)).isZero();
        assertThat(replay(config, json, log)).as("one file of records among them").isZero();
    }

    private static int replay(io.auditalert.config.AppConfig config, java.nio.file.Path... inputs) throws Exception {
        return ReplayCommand.replay(config, java.util.List.of(), null, java.util.List.of(inputs), "replay", 0,
                Progress.Mode.NEVER, io.auditalert.pipeline.TimeRange.ALL);
    }

    @Test
    void shouldRefuseRulesArgumentsThatFindNoFileAsCheckDoes(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // a typo'd glob alerted nothing and exited 0, where check exits 2
        java.nio.file.Path input = java.nio.file.Files.writeString(dir.resolve("audit.log"),
                "type=SYSCALL msg=audit(1700000000.000:1): arch=c000003e syscall=59\n");
        java.nio.file.Path glob = dir.resolve("rulez.d/*.yml");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> ReplayCommand.replay(new io.auditalert.config.AppConfig(),
                java.util.List.of(glob), null, java.util.List.of(input), "replay", 0, Progress.Mode.NEVER,
                io.auditalert.pipeline.TimeRange.ALL)).isInstanceOf(ConfigException.class)
                .hasMessage("--rules: no rules file found at " + glob + ": nothing would alert");
    }

    @Test
    void shouldSayHowManyEventsTheRingDropped() {
        Telemetry t = new Telemetry();
        t.pipeline.ringDropped = 5;
        assertThat(ReplayCommand.reportUndelivered("replay", t)).isTrue();
        assertThat(stderr.text()).isEqualTo("auditalert replay: 5 event(s) dropped with the ring full, not evaluated"
                + System.lineSeparator());
    }

    @Test
    void shouldNotCallAlertsKeptInASpoolDelivered() {
        boolean[] closed = new boolean[2];
        io.auditalert.alert.Sink spooled = new FakeSink("webhook-0", true, 77, () -> closed[0] = true);
        io.auditalert.alert.Sink done = new FakeSink("file-1", true, 0, () -> closed[1] = true);

        assertThat(ReplayCommand.finishSinks("replay", java.util.List.of(spooled, done), java.time.Duration.ofSeconds(60)))
                .isFalse();
        assertThat(closed).containsExactly(true, true);
        assertThat(stderr.text()).isEqualTo("auditalert replay: sink webhook-0: 77 alert(s) not delivered within 60 s are"
                + " kept in its spool; the next run or replay with that spool delivers them" + System.lineSeparator());
        assertThat(ReplayCommand.finishSinks("replay", java.util.List.of(done), java.time.Duration.ofSeconds(60))).isTrue();
    }

    @Test
    void shouldGiveTheSinksOneDeadlineTogetherNotOneEach() {
        // two sinks whose peers are down waited 60 s each, one after the other: they deliver at the same time
        java.util.List<java.time.Duration> given = new java.util.ArrayList<>();
        java.util.List<io.auditalert.alert.Sink> sinks = new java.util.ArrayList<>();
        for (String name : new String[] {"webhook-0", "alertmanager-1"}) {
            sinks.add(new FakeSink(name, false, 0, () -> {}) { // its peer is down: it uses all the time it is given
                @Override
                public boolean drain(java.time.Duration timeout) {
                    given.add(timeout);
                    try {
                        Thread.sleep(timeout.toMillis());
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    }
                    return false;
                }
            });
        }
        long t0 = System.nanoTime();
        ReplayCommand.finishSinks("replay", sinks, java.time.Duration.ofMillis(400));
        assertThat(given.get(0).toMillis()).isGreaterThan(300);
        assertThat(given.get(1).toMillis()).as("what is left of the one deadline").isLessThan(100);
        assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(700);
    }

    /** A sink that only reports: drained or not, and how many items it still holds. */
    private static class FakeSink implements io.auditalert.alert.Sink {
        private final String name;
        private final boolean drained;
        private final long held;
        private final Runnable onClose;

        FakeSink(String name, boolean drained, long held, Runnable onClose) {
            this.name = name;
            this.drained = drained;
            this.held = held;
            this.onClose = onClose;
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public boolean accepts(io.auditalert.alert.Alert alert) {
            return true;
        }

        @Override
        public boolean offer(io.auditalert.alert.Alert alert) {
            return true;
        }

        @Override
        public boolean drain(java.time.Duration timeout) {
            return drained;
        }

        @Override
        public long pending() {
            return held;
        }

        @Override
        public void close() {
            onClose.run();
        }
    }
}
