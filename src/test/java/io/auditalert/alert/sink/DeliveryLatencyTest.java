package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Severity;
import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * auditalert_sink_delivery_latency_seconds: each alert the peer accepted is timed from its event's
 * arrival to the acceptance; refused alerts and alerts without an arrival time are not.
 */
class DeliveryLatencyTest {
    @TempDir
    Path tmp;

    /** Reports one refusal, then more acceptances than its batch held. */
    private static final class OverReportingSink extends DeliverySink {
        OverReportingSink(SinkOptions options, Telemetry telemetry) {
            super(options, telemetry);
        }

        @Override
        protected void deliver(List<Alert> batch, Outcome out) {
            out.reject(1, "refused");
            out.accept(batch.size() + 7);
        }
    }

    @Test
    void shouldCountAndTimeNoMoreThanTheBatchWhenASinkReportsMore() throws Exception {
        // deliveries_total and the delivery latency's _count must agree, whatever a sink reports
        Telemetry telemetry = new Telemetry();
        SinkOptions o = new SinkOptions("test", "over", false, Severity.INFO, List.of(), null, 0, false,
                100, false, 0, 0, 100, 1000, 64);
        OverReportingSink sink = new OverReportingSink(o, telemetry);
        List<Long> timed = new CopyOnWriteArrayList<>();
        telemetry.sinkNamed("over").deliveryLatency = timed::add;
        sink.start();
        try (sink) {
            List<Alert> five = TestAlerts.numbered("o", 5);
            long now = System.nanoTime();
            for (Alert a : five) {
                sink.offer(a.withArrivalNanos(now));
            }
            assertThat(sink.drain(Duration.ofSeconds(10))).isTrue();
            SinkStats st = telemetry.sinkNamed("over");
            assertThat(st.delivered.sum() + st.permanentFailures.sum()).as("every item once").isEqualTo(5);
            assertThat(timed).as("one timing per delivery counted").hasSize((int) st.delivered.sum());
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {false, true})
    void shouldTimeEachAcceptedAlertFromItsArrivalToItsDelivery(boolean spooled) throws Exception {
        Telemetry telemetry = new Telemetry();
        try (FakeHttpPeer peer = new FakeHttpPeer()) {
            AtomicInteger post = new AtomicInteger();
            peer.answer(() -> post.incrementAndGet() == 2 ? 400 : 200); // the second alert is refused for good
            Map<String, Object> spec = new HashMap<>(Map.of("type", "webhook", "url", peer.url("/x"),
                    "retry", Map.of("initial", "10ms")));
            if (spooled) {
                spec.put("spool", tmp.resolve("spool").toString());
            }
            Sink s = SinkFactory.create(0, spec, telemetry);
            try (s) {
                SinkStats st = telemetry.sinkNamed(s.name());
                List<Long> timed = new CopyOnWriteArrayList<>();
                st.deliveryLatency = timed::add;
                long arrived = System.nanoTime() - TimeUnit.MILLISECONDS.toNanos(40);
                List<Alert> alerts = List.of(
                        TestAlerts.alert("a").withArrivalNanos(arrived),
                        TestAlerts.alert("b").withArrivalNanos(arrived), // refused
                        TestAlerts.alert("c"), // no arrival time (an earlier process spooled it)
                        TestAlerts.alert("d").withArrivalNanos(arrived + TimeUnit.MILLISECONDS.toNanos(10)));
                long before = System.nanoTime();
                for (Alert a : alerts) {
                    s.offer(a);
                }
                assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
                long after = System.nanoTime();
                assertThat(peer.posts()).isEqualTo(4);
                assertThat(st.delivered.sum()).isEqualTo(3);
                assertThat(st.permanentFailures.sum()).isEqualTo(1);
                assertThat(timed).as("a and d: accepted and stamped").hasSize(2);
                assertThat(timed.get(0)).isBetween(before - arrived, after - arrived);
                assertThat(timed.get(1)).isBetween(before - arrived - TimeUnit.MILLISECONDS.toNanos(10),
                        after - arrived - TimeUnit.MILLISECONDS.toNanos(10));
            }
        }
    }
}
