package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The per-sink rate limit holds items back up to the queue's bound and counts what it drops past it. */
class RateLimitTest {
    @TempDir
    Path tmp;

    @Test
    void shouldHoldBackUpToTheQueueAndCountDropsPastIt() throws Exception {
        Telemetry t = new Telemetry();
        Path f = tmp.resolve("x.jsonl");
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(FileSink.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (Sink s = SinkFactory.create(0, Map.of("type", "file", "path", f.toString(), "queue", 5,
                "rate_limit", Map.of("per_second", 4, "burst", 1)), t)) {
            int accepted = 0;
            for (var a : TestAlerts.numbered("q", 20)) {
                if (s.offer(a)) {
                    accepted++;
                }
            }
            SinkStats st = t.sinkNamed(s.name());
            assertThat(st.dropped.sum()).isEqualTo(20 - accepted).isPositive();
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(st.delivered.sum()).isEqualTo(accepted);
            assertThat(st.rateLimited.sum()).isPositive();
            assertThat(st.delivered.sum() + st.dropped.sum()).as("nothing silent").isEqualTo(20);
            // and said, once for the first drop (not once per drop)
            assertThat(logged.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                    .filteredOn(m -> m.contains("queue is full")).containsExactly("sink file-0: its queue is full (the"
                            + " peer is down or slower than the alerts): 1 alert(s) dropped so far"
                            + " (auditalert_sink_dropped_total; a spool keeps them instead)");
        } finally {
            logger.detachAppender(logged);
        }
    }

    @Test
    void shouldBlockTheCallerInsteadWhenAskedTo() throws Exception {
        Telemetry t = new Telemetry();
        try (Sink s = SinkFactory.create(0, Map.of("type", "file", "path", tmp.resolve("y.jsonl").toString(),
                "queue", 2, "when_full", "block", "rate_limit", Map.of("per_second", 50, "burst", 1)), t)) {
            long t0 = System.nanoTime();
            for (var a : TestAlerts.numbered("b", 20)) {
                assertThat(s.offer(a)).isTrue();
            }
            assertThat(System.nanoTime() - t0).as("the caller waited for room").isGreaterThan(200_000_000L);
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(t.sinkNamed(s.name()).delivered.sum()).isEqualTo(20);
            assertThat(t.sinkNamed(s.name()).dropped.sum()).isZero();
        }
    }
}
