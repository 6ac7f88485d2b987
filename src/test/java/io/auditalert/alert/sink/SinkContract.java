package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every sink promises, written once and run against each implementation with a local fake
 * peer: every accepted item arrives (in order where the transport keeps order), drain waits for
 * it, everything is counted, the delivery thread is named, parks when idle and ends on close, and
 * (for sinks whose peer can go away) items wait out an outage and a restart over a spool.
 */
abstract class SinkContract {
    @TempDir
    Path tmp;

    protected final Telemetry telemetry = new Telemetry();
    private Sink sink;

    /** The sink's config entry, pointing at the fake peer (started here if needed). */
    protected abstract Map<String, Object> spec() throws Exception;

    /** Ids the peer received, in arrival order (duplicates kept). */
    protected abstract List<String> received() throws Exception;

    /** Makes the peer unreachable; false when this sink's peer cannot go away. */
    protected boolean peerDown() throws Exception {
        return false;
    }

    protected void peerUp() throws Exception {}

    protected boolean keepsOrder() {
        return true;
    }

    /** How many items the delivery test sends at once. */
    protected int burst() {
        return 200;
    }

    protected Sink create(Map<String, Object> spec) {
        return SinkFactory.create(0, spec, telemetry);
    }

    protected Sink open(Map<String, Object> spec) {
        sink = create(spec);
        return sink;
    }

    @AfterEach
    void closeSink() throws Exception {
        if (sink != null) {
            sink.close();
        }
        peerUp();
    }

    protected SinkStats stats(Sink s) {
        return telemetry.sinkNamed(s.name());
    }

    /** The sink's one alert stays pending, its attempts fail transiently, nothing is refused for good. */
    static void assertKeptAndRetried(Sink s, Telemetry telemetry) throws InterruptedException {
        SinkStats st = telemetry.sinkNamed(s.name());
        await("two failed attempts", Duration.ofSeconds(10), () -> st.transientFailures.sum() >= 2);
        assertThat(st.permanentFailures.sum()).as("refused for good").isZero();
        assertThat(st.delivered.sum()).isZero();
        assertThat(s.pending()).isEqualTo(1);
    }

    static void await(String what, Duration max, BooleanSupplier cond) throws InterruptedException {
        long deadline = System.nanoTime() + max.toNanos();
        while (!cond.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            Thread.sleep(20);
        }
    }

    private List<String> receivedQuietly() {
        try {
            return received();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void assertAllArrived(List<Alert> sent) throws InterruptedException {
        List<String> ids = sent.stream().map(Alert::id).toList();
        await("all ids at the peer", Duration.ofSeconds(20), () -> new LinkedHashSet<>(receivedQuietly()).containsAll(ids));
        List<String> got = receivedQuietly();
        assertThat(new LinkedHashSet<>(got)).containsAll(ids);
        if (keepsOrder()) {
            List<String> firstSeen = new LinkedHashSet<>(got).stream().filter(ids::contains).toList();
            assertThat(firstSeen).as("in order").containsExactlyElementsOf(ids);
        }
    }

    @Test
    void shouldDeliverEveryAcceptedItemAndCountIt() throws Exception {
        Sink s = open(spec());
        List<Alert> sent = TestAlerts.numbered("c", burst());
        for (Alert a : sent) {
            assertThat(s.accepts(a)).isTrue();
            assertThat(s.offer(a)).isTrue();
        }
        assertThat(s.drain(Duration.ofSeconds(30))).isTrue();
        assertAllArrived(sent);
        assertThat(stats(s).delivered.sum()).isEqualTo(burst());
        assertThat(stats(s).dropped.sum()).isZero();
        assertThat(stats(s).pending.getAsLong()).isZero();
    }

    @Test
    void shouldRunOnItsOwnNamedThreadThatParksWhenIdleAndEndsOnClose() throws Exception {
        Sink s = open(spec());
        s.offer(TestAlerts.alert("one"));
        assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
        Thread t = ((DeliverySink) s).thread();
        assertThat(t.getName()).isEqualTo("sink-" + s.name());
        assertThat(t.isAlive()).isTrue();
        ThreadMXBean mx = ManagementFactory.getThreadMXBean();
        long before = mx.getThreadCpuTime(t.getId());
        Thread.sleep(1000);
        long used = mx.getThreadCpuTime(t.getId()) - before;
        assertThat(used).as("CPU nanoseconds in one idle second").isLessThan(50_000_000L);
        s.close();
        assertThat(t.isAlive()).isFalse();
    }

    @Test
    void shouldHoldItemsThroughAnOutageAndDeliverThemAll() throws Exception {
        Map<String, Object> spec = new HashMap<>(spec());
        spec.put("retry", Map.of("initial", "50ms", "max", "200ms"));
        Sink s = open(spec);
        assumeTrue(peerDown(), "this sink's peer cannot go away");
        List<Alert> sent = TestAlerts.numbered("o", 30);
        for (Alert a : sent) {
            s.offer(a);
            Thread.sleep(10);
        }
        // the first attempt fails at once when the port refuses; the bound covers a slow machine and
        // an attempt that ends only on the sink's own timeout; a miss says where the thread stood
        try {
            await("a failed attempt", Duration.ofSeconds(40), () -> stats(s).failures() > 0);
        } catch (AssertionError e) {
            throw new AssertionError(e.getMessage() + " (" + describe(s) + ")", e);
        }
        assertThat(stats(s).retries.sum()).isPositive();
        assertThat(stats(s).pending.getAsLong()).isPositive();
        peerUp();
        assertThat(s.drain(Duration.ofSeconds(20))).isTrue();
        assertAllArrived(sent);
        assertThat(stats(s).dropped.sum()).isZero();
    }

    /** The sink's counters and its delivery thread's stack, for a failure message. */
    private String describe(Sink s) {
        SinkStats st = stats(s);
        StringBuilder sb = new StringBuilder(getClass().getSimpleName()).append(" sink ").append(s.name())
                .append(": delivered=").append(st.delivered.sum()).append(" failures=").append(st.failures())
                .append(" pending=").append(st.pending.getAsLong());
        if (s instanceof DeliverySink d) {
            Thread t = d.thread();
            sb.append("; thread ").append(t.getName()).append(' ').append(t.getState());
            for (StackTraceElement el : t.getStackTrace()) {
                sb.append("\n    at ").append(el);
            }
        }
        return sb.toString();
    }

    @Test
    void shouldKeepSpooledItemsAcrossARestart() throws Exception {
        Map<String, Object> spec = new HashMap<>(spec());
        spec.put("spool", tmp.resolve("spool").toString());
        spec.put("retry", Map.of("initial", "50ms", "max", "200ms"));
        Sink s = open(spec);
        assumeTrue(peerDown(), "this sink's peer cannot go away");
        List<Alert> sent = TestAlerts.numbered("r", 40);
        sent.forEach(s::offer);
        s.close();
        peerUp();
        Sink again = open(spec);
        assertThat(again.drain(Duration.ofSeconds(20))).isTrue();
        assertThat(((DeliverySink) again).pending()).isZero();
        assertAllArrived(sent);
    }

    @Test
    void shouldCountWhatItRateLimitsAndStillDeliverIt() throws Exception {
        Map<String, Object> spec = new HashMap<>(spec());
        // slow enough that every sink outruns it even on a loaded machine (an exec sink starts a
        // process per delivery): a sink slower than the limit never needs holding back
        spec.put("rate_limit", Map.of("per_second", 4, "burst", 1));
        Sink s = open(spec);
        List<Alert> sent = TestAlerts.numbered("l", 6);
        long t0 = System.nanoTime();
        sent.forEach(s::offer);
        assertThat(s.drain(Duration.ofSeconds(20))).isTrue();
        long elapsedMs = (System.nanoTime() - t0) / 1_000_000;
        assertAllArrived(sent);
        // one alert on the burst, five at 4/s: at least 1.25 s (less a tick of the clock)
        assertThat(elapsedMs).as("delivery held to the rate").isGreaterThanOrEqualTo(1_150L);
        assertThat(stats(s).rateLimited.sum()).as("held back, counted").isBetween(1L, 5L);
        assertThat(stats(s).dropped.sum()).isZero();
    }
}
