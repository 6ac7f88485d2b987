package io.auditalert.alert;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ThrottlerTest {
    private static final long T0 = 1_795_000_000_000L;

    @Test
    void shouldAlertFirstMatchAndSuppressTheRestOfTheWindow() {
        Throttler th = new Throttler(1000);
        assertThat(th.admit("r", 60_000, "alice", T0)).isEqualTo(0);
        assertThat(th.admit("r", 60_000, "alice", T0 + 1)).isEqualTo(Throttler.SUPPRESSED);
        assertThat(th.admit("r", 60_000, "alice", T0 + 59_999)).isEqualTo(Throttler.SUPPRESSED);
        assertThat(th.admit("r", 60_000, "bob", T0 + 2)).as("another key has its own window").isEqualTo(0);
        assertThat(th.admit("other", 60_000, "alice", T0 + 3)).as("another rule too").isEqualTo(0);
        assertThat(th.admit("r", 60_000, "alice", T0 + 60_000)).as("next window carries the count").isEqualTo(2);
        assertThat(th.admit("r", 60_000, "alice", T0 + 60_001)).isEqualTo(Throttler.SUPPRESSED);
        assertThat(th.admit("r", 60_000, "alice", T0 + 200_000)).isEqualTo(1);
    }

    @Test
    void shouldTakeArgumentsInThrottleGateOrderToo() {
        Throttler th = new Throttler(10);
        assertThat(th.admit("r", "k", T0, 1000)).isEqualTo(0);
        assertThat(th.admit("r", "k", T0 + 999, 1000)).isEqualTo(Throttler.SUPPRESSED);
        assertThat(th.admit("r", 1000, "k", T0 + 1000)).isEqualTo(1);
    }

    @Test
    void shouldNotThrottleWithoutWindow() {
        Throttler th = new Throttler(10);
        for (int i = 0; i < 5; i++) {
            assertThat(th.admit("r", 0, "k", T0)).isEqualTo(0);
        }
        assertThat(th.size()).isZero();
    }

    @Test
    void shouldCountOutOfOrderEventsInTheCurrentWindow() {
        Throttler th = new Throttler(10);
        th.admit("r", 1000, "k", T0 + 500);
        assertThat(th.admit("r", 1000, "k", T0)).isEqualTo(Throttler.SUPPRESSED);
    }

    /**
     * A burst of 10,000 matching events over 10 keys and 5 minutes of event time with a 1-minute
     * window, decided by 4 threads at once: exactly one alert per key and window, and every other
     * match suppressed and carried on the next alert.
     */
    @Test
    void shouldYieldConfiguredAlertsAndExactSuppressedCountForBurstOf10000() throws Exception {
        Throttler th = new Throttler(10_000);
        int events = 10_000;
        int keys = 10;
        long span = 5 * 60_000;
        long window = 60_000;
        // event i: key i % keys, time spread evenly over the span, in order per thread-chunk
        ExecutorService pool = Executors.newFixedThreadPool(4);
        List<Future<long[]>> parts = new ArrayList<>();
        for (int k = 0; k < keys; k++) {
            final int key = k;
            // each key's events go through one thread in time order, as one worker sees one stream
            parts.add(pool.submit(() -> {
                long alerts = 0;
                long carried = 0;
                long suppressed = 0;
                for (int i = key; i < events; i += keys) {
                    long t = T0 + span * i / events;
                    long r = th.admit("burst", window, "auid=" + key, t);
                    if (r == Throttler.SUPPRESSED) {
                        suppressed++;
                    } else {
                        alerts++;
                        carried += r;
                    }
                }
                return new long[] {alerts, suppressed, carried};
            }));
        }
        long alerts = 0;
        long suppressed = 0;
        long carried = 0;
        for (Future<long[]> f : parts) {
            long[] r = f.get();
            alerts += r[0];
            suppressed += r[1];
            carried += r[2];
        }
        pool.shutdown();
        assertThat(pool.awaitTermination(10, TimeUnit.SECONDS)).isTrue();
        // per key: events at T0 + 30ms * (10j + key); windows open at the first event at or after each minute
        assertThat(alerts).isEqualTo(keys * (span / window));
        assertThat(suppressed).isEqualTo(events - alerts);
        // what the last alert of each key has not carried yet is still in its open window
        long open = 0;
        for (int k = 0; k < keys; k++) {
            open += th.admit("burst", window, "auid=" + k, T0 + span + window);
        }
        assertThat(carried + open).isEqualTo(suppressed);
    }

    @Test
    void shouldBoundKeysAndCountEvictions() {
        Throttler th = new Throttler(160);
        for (int i = 0; i < 10_000; i++) {
            th.admit("r", 60_000, "k" + i, T0);
            th.admit("r", 60_000, "k" + i, T0 + 1);
        }
        assertThat(th.size()).isLessThanOrEqualTo(160);
        assertThat(th.evictions()).isEqualTo(10_000 - th.size());
        assertThat(th.evictedSuppressed()).isEqualTo(th.evictions());
    }

    @Test
    void shouldExpireIdleWindows() {
        Throttler th = new Throttler(100);
        th.admit("r", 1000, "a", T0);
        th.admit("r", 1000, "b", T0);
        th.admit("r", 1000, "b", T0 + 10);
        assertThat(th.expire(T0 + 5000, 1000)).as("only the window with nothing suppressed goes").isEqualTo(1);
        assertThat(th.size()).isEqualTo(1);
    }

    @Test
    void shouldSweepEndedWindowsOnItsOwnOncePerLongestWindowOfEventTime() {
        // a soak under a real auditd: ended windows stayed until the key cap evicted them (7,400 after an hour)
        Throttler th = new Throttler(100_000);
        for (int i = 0; i < 1000; i++) {
            th.admit("r", 60_000, "arg-" + i, T0 + i);
        }
        th.admit("q", 1000, "x", T0 + 2000);
        assertThat(th.size()).as("within the longest window (1 min): all kept").isEqualTo(1001);
        th.admit("r", 60_000, "arg-0", T0 + 59_000); // suppressed: its window carries a count
        th.admit("r", 60_000, "new", T0 + 61_000); // a minute after the first match: the sweep runs
        assertThat(th.size()).as("ended windows gone; the one carrying a suppressed match and the new ones kept")
                .isEqualTo(3);
        assertThat(th.admit("r", 60_000, "arg-0", T0 + 61_001)).as("its count still reported").isEqualTo(1);
    }
}
