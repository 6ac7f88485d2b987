package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Severity;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.Test;

/**
 * A sink closing while workers still offer to it (run's stop, a reload's retired sink): every alert it
 * accepted is delivered or counted as dropped at close. An offer that saw the sink running and
 * appended after the close had counted its backlog was accepted, then neither delivered nor counted.
 */
class CloseRaceTest {
    /** Delivers slowly (a peer a little slower than the offers) and counts what it delivered. */
    private static final class SlowSink extends DeliverySink {
        SlowSink(SinkOptions options, Telemetry telemetry) {
            super(options, telemetry);
        }

        @Override
        protected void deliver(List<Alert> batch, Outcome out) {
            LockSupport.parkNanos(200_000);
            out.accept(batch.size());
        }
    }

    @Test
    void shouldDeliverOrCountEveryAlertItAcceptedWhileClosing() throws Exception {
        Alert alert = TestAlerts.numbered("c", 1).get(0);
        for (int trial = 0; trial < 300; trial++) {
            SinkOptions o = new SinkOptions("test", "race" + trial, false, Severity.INFO, List.of(), null, 0, false,
                    100_000, false, 0, 0, 100, 1000, 64);
            SlowSink sink = new SlowSink(o, new Telemetry());
            sink.start();
            AtomicLong accepted = new AtomicLong();
            AtomicLong refused = new AtomicLong();
            AtomicBoolean done = new AtomicBoolean();
            Thread[] offering = new Thread[2];
            for (int i = 0; i < offering.length; i++) {
                offering[i] = new Thread(() -> {
                    while (!done.get()) {
                        if (sink.offer(alert)) {
                            accepted.incrementAndGet();
                        } else {
                            refused.incrementAndGet();
                        }
                    }
                });
                offering[i].start();
            }
            Thread.sleep(2);
            sink.drain(Duration.ofMillis(1));
            sink.close();
            Thread.sleep(1); // offers go on after the close, as a stop's workers do
            done.set(true);
            for (Thread t : offering) {
                t.join();
            }
            SinkStats st = sink.stats();
            // every refusal is one drop; what the close found in the backlog is the rest of the drops
            long droppedAtClose = st.dropped.sum() - refused.get();
            assertThat(sink.pending()).as("trial %d: what the closed sink holds was counted", trial).isEqualTo(droppedAtClose);
            assertThat(accepted.get()).as("trial %d: accepted = delivered + dropped at close", trial)
                    .isEqualTo(st.delivered.sum() + droppedAtClose);
        }
    }
}
