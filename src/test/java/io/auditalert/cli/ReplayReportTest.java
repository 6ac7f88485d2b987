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
}
