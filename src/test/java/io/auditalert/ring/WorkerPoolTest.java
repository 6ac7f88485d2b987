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

    /** A stop's deadline frees a reader that a full ring in block mode holds: the event is dropped and counted. */
    @Test
    void shouldGiveUpABlockedPublishOnceAStopsDeadlinePasses() {
        PipelineStats stats = new PipelineStats();
        EventRing ring = new EventRing(2, 1 << 20, EventRing.WhenFull.BLOCK, stats); // no workers take from it
        assertThat(ring.publish(new AuditEvent())).isTrue();
        assertThat(ring.publish(new AuditEvent())).isTrue();
        long t0 = System.nanoTime();
        ring.giveUpWaitingAt(t0 + Duration.ofMillis(200).toNanos());
        assertThat(ring.publish(new AuditEvent())).as("full: waited until the deadline, then dropped").isFalse();
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(200))
                .isLessThan(Duration.ofSeconds(5));
        assertThat(stats.ringDropped).isEqualTo(1);
        assertThat(stats.ringBlocked).isEqualTo(1);
    }

    /** The bytes bound fills before the slots with large events: the gauge of used bytes shows it (a helper's
     *  run dropped 10,088 events of 12 KB at 42 of 65,536 slots, which the slots gauge alone hid). */
    @Test
    void shouldSayHowManyBytesTheRingHoldsAndDropAtItsBytesBound() {
        PipelineStats stats = new PipelineStats();
        long size = new AuditEvent().buffer().length;
        EventRing ring = new EventRing(64, 2 * size, EventRing.WhenFull.DROP, stats); // no workers take from it
        assertThat(ring.maxBytes()).isEqualTo(2 * size);
        assertThat(ring.publish(new AuditEvent())).isTrue();
        assertThat(ring.publish(new AuditEvent())).isTrue();
        assertThat(ring.usedBytes()).isEqualTo(2 * size);
        assertThat(ring.publish(new AuditEvent())).as("full by bytes at 2 of 64 slots").isFalse();
        assertThat(ring.size()).isEqualTo(2);
        assertThat(stats.ringDropped).isEqualTo(1);
        assertThat(ring.poll()).isNotNull();
        assertThat(ring.usedBytes()).isEqualTo(size);
    }
}
