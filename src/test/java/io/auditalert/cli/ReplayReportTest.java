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
        assertThat(stderr.text()).isEqualTo("auditalert replay: 3 event(s) could not be evaluated, their alerts are lost"
                + " (the log above says why)" + System.lineSeparator());
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
