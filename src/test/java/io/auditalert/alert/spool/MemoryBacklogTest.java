package io.auditalert.alert.spool;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

/** The in-memory queue: a blocking one waits for room, but not for a sink said to be stalled. */
class MemoryBacklogTest {
    @Test
    void shouldStopWaitingForRoomOnceItsSinkIsStalled() throws Exception {
        SinkStats stats = new SinkStats("t", "test");
        MemoryBacklog b = new MemoryBacklog(2, true, stats);
        AtomicBoolean stalled = new AtomicBoolean();
        b.stopWaitingWhen(stalled::get);
        assertThat(b.append(TestAlerts.alert("a"))).isTrue();
        assertThat(b.append(TestAlerts.alert("b"))).isTrue();
        Thread producer = new Thread(() -> b.append(TestAlerts.alert("c")));
        producer.start();
        producer.join(500);
        assertThat(producer.isAlive()).as("waits for room while the sink is not stalled").isTrue();
        stalled.set(true); // a sink that delivered nothing for a minute (DeliverySink.STALLED_NANOS)
        producer.join(5_000);
        assertThat(producer.isAlive()).as("gave up, the item dropped").isFalse();
        assertThat(stats.dropped.sum()).isEqualTo(1);
        assertThat(b.size()).isEqualTo(2);
    }
}
