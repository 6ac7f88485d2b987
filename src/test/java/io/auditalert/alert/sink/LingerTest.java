package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Alert;
import io.auditalert.alert.SpecReader;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.Telemetry;
import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Replay's batching: a lingering sink delivers everything, in order, in few writes, and drains at once. */
class LingerTest {
    @Test
    void shouldGatherItemsIntoBatchesAndStillDeliverEveryOneInOrder() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        AtomicInteger flushes = new AtomicInteger();
        OutputStream out = new OutputStream() {
            @Override
            public synchronized void write(int b) {
                bytes.write(b);
            }

            @Override
            public synchronized void write(byte[] b, int off, int len) {
                bytes.write(b, off, len);
            }

            @Override
            public void flush() {
                flushes.incrementAndGet();
            }
        };
        SpecReader r = new SpecReader(0, Map.of("type", "stdout"));
        r.raw("type");
        StdoutSink sink = new StdoutSink(SinkOptions.read(r, "stdout", 512), new Telemetry(), out);
        sink.lingerForBatches(Duration.ofMillis(50));
        sink.start();
        try {
            List<Alert> sent = TestAlerts.numbered("b", 200);
            for (Alert a : sent) {
                assertThat(sink.offer(a)).isTrue();
                Thread.sleep(1);
            }
            long t0 = System.nanoTime();
            assertThat(sink.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).as("drain does not wait out the linger")
                    .isLessThan(Duration.ofSeconds(2));
            String text;
            synchronized (out) {
                text = bytes.toString(StandardCharsets.UTF_8);
            }
            assertThat(TestAlerts.ids(text)).containsExactlyElementsOf(sent.stream().map(Alert::id).toList());
            // 200 items over at least 200 ms in 50 ms batches: a handful of writes, not one each
            assertThat(flushes.get()).as("writes").isBetween(1, 40);
        } finally {
            sink.close();
        }
    }
}
