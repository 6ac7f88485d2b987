package io.auditalert.ring;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.metrics.PipelineStats;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class WorkerPoolTest {
    /**
     * Idle means handled, not just taken: an empty ring while a worker still holds the event it
     * polled is not idle (a stop that believed it closed the sinks under that event's alert).
     */
    @Test
    void shouldNotBeIdleUntilEveryPublishedEventIsHandled() {
        AtomicLong handled = new AtomicLong();
        EventRing ring = new EventRing(64, 1 << 20, EventRing.WhenFull.BLOCK, new PipelineStats());
        WorkerPool pool = new WorkerPool(2, ring, (ev, worker) -> handled.incrementAndGet(), ev -> {});
        pool.start();
        AuditEvent ev = new AuditEvent();
        try {
            for (int i = 1; i <= 20_000; i++) {
                assertThat(ring.publish(ev)).isTrue();
                assertThat(pool.awaitIdle(Duration.ofSeconds(10))).isTrue();
                assertThat(handled.get()).as("handled when idle, after %d published", i).isEqualTo(i);
            }
        } finally {
            pool.stop(Duration.ofSeconds(1));
        }
    }
}
