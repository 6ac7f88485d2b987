package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** What happens when the peer goes away, refuses, or the sending process is killed. */
class DeliveryFaultTest {
    @TempDir
    Path tmp;

    private final Telemetry telemetry = new Telemetry();

    private static void assertEveryIdOnceInOrder(List<String> got, List<String> expected, boolean allowDuplicates) {
        List<String> firstSeen = new ArrayList<>(new LinkedHashSet<>(got));
        assertThat(firstSeen).as("every id, none missing, in order").containsExactlyElementsOf(expected);
        if (!allowDuplicates) {
            assertThat(got).as("no duplicates").hasSameSizeAs(firstSeen);
        }
    }

    @ParameterizedTest
    @ValueSource(ints = {400, 302})
    void shouldNotRetryA400OrARedirectAndCountItAsPermanentAndLost(int status) throws Exception {
        // a redirect is not followed: asking the same URL again would get the same answer, for ever
        LogCapture logged = LogCapture.of(WebhookSink.class);
        try (logged; FakeHttpPeer peer = new FakeHttpPeer()) {
            peer.answer(() -> status);
            Sink s = SinkFactory.create(0, Map.of("type", "webhook", "url", peer.url("/x"),
                    "retry", Map.of("initial", "10ms")), telemetry);
            try (s) {
                for (Alert a : TestAlerts.numbered("bad", 5)) {
                    s.offer(a);
                }
                assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
                Thread.sleep(300);
                SinkStats st = telemetry.sinkNamed(s.name());
                assertThat(peer.posts()).as("one POST per item, no retries").isEqualTo(5);
                assertThat(st.retries.sum()).isZero();
                assertThat(st.permanentFailures.sum()).isEqualTo(5);
                assertThat(st.failures()).isEqualTo(5);
                assertThat(st.delivered.sum()).isZero();
                assertThat(st.pending.getAsLong()).isZero();
                assertThat(st.lost()).as("refused for good: lost, in auditalert_sink_dropped_total").isEqualTo(5);
            }
            if (status == 302) {
                // where it pointed, so the operator can configure that URL
                // … without its query, as the sink's own URL is shown
                assertThat(logged.messages()).anySatisfy(m -> assertThat(m).contains(
                        "HTTP 302 from ", "redirect to " + peer.url("/moved") + "?… not followed"));
                assertThat(logged.messages()).noneMatch(m -> m.contains("hunter2"));
            }
        }
    }

    @Test
    void shouldLogTheSameRefusalOnceAMinuteNotPerBatch() throws Exception {
        // a peer refusing every alert (or a closed stdout under run) logged a line every 100 batches:
        // hundreds a minute at a high alert rate
        LogCapture logged = LogCapture.of(WebhookSink.class);
        try (logged; FakeHttpPeer peer = new FakeHttpPeer()) {
            peer.answer(() -> 400);
            try (Sink s = SinkFactory.create(0, Map.of("type", "webhook", "url", peer.url("/x"),
                    "retry", Map.of("initial", "10ms")), telemetry)) {
                for (Alert a : TestAlerts.numbered("bad", 250)) {
                    s.offer(a);
                }
                assertThat(s.drain(Duration.ofSeconds(30))).isTrue();
                assertThat(telemetry.sinkNamed(s.name()).permanentFailures.sum()).isEqualTo(250);
                assertThat(peer.posts()).as("one batch per alert here").isGreaterThan(200);
            }
        }
        // the first refusal, then at close what was held back since: every refusal is in a line
        List<String> lines = logged.messages().stream().filter(m -> m.contains("refused for good")).toList();
        assertThat(lines).as("%s", logged.messages()).hasSize(2);
        assertThat(lines.get(1)).contains("more item(s) refused for good since the last report (250 in all)");
        long said = lines.stream().mapToLong(m -> Long.parseLong(m.replaceAll("^sink [^:]+: (\\d+) .*$", "$1"))).sum();
        assertThat(said).isEqualTo(250);
    }

    @Test
    void shouldAskForAnyAnswerNotTheJdksImageTypes() throws Exception {
        try (FakeHttpPeer peer = new FakeHttpPeer();
                Sink s = SinkFactory.create(0, Map.of("type", "webhook", "url", peer.url("/x")), telemetry)) {
            s.offer(TestAlerts.alert("acc-1"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            Map<String, List<String>> h = new java.util.TreeMap<>(String.CASE_INSENSITIVE_ORDER);
            h.putAll(peer.requests().get(0).headers());
            // HttpURLConnection's own: "text/html, image/gif, image/jpeg, *; q=.2, */*; q=.2"
            assertThat(h.get("Accept")).containsExactly("*/*");
            assertThat(h.get("Content-Type")).containsExactly("application/json");
        }
    }

    @Test
    void shouldLogAPeersAnswerAsOneShortLine() {
        assertThat(HttpPoster.oneLine("<html>\r\n<body>\n\tforged: line\n</body>")).isEqualTo(
                "<html> <body> forged: line </body>");
        assertThat(HttpPoster.oneLine("x".repeat(300))).hasSize(201).endsWith("…");
    }

    @Test
    void shouldCloseAtOnceWhenThePeerAcceptsAndNeverAnswers() throws Exception {
        // auditd waits for a stopping plugin: a webhook, Alertmanager or mail server that accepted the
        // connection and hangs must not hold the close for its read timeout (10 s; 30 s for mail)
        try (java.net.ServerSocket silent = new java.net.ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            for (String type : List.of("webhook", "alertmanager", "email")) {
                String url = "http://127.0.0.1:" + silent.getLocalPort() + "/x";
                Map<String, Object> spec = switch (type) {
                    case "webhook" -> Map.of("type", type, "url", url);
                    case "alertmanager" -> Map.of("type", type, "urls", List.of(url));
                    default -> Map.of("type", type, "smtp", "127.0.0.1:" + silent.getLocalPort(), "from", "a@test",
                            "to", "b@test", "interval", "0ms"); // a server that never greets: the read waits 30 s
                };
                Sink s = SinkFactory.create(0, spec, telemetry);
                s.offer(TestAlerts.alert(type + "-1"));
                assertThat(s.drain(Duration.ofMillis(300))).as("%s: nothing answers", type).isFalse();
                long t0 = System.nanoTime();
                s.close();
                long ms = (System.nanoTime() - t0) / 1_000_000;
                assertThat(ms).as("%s: close took %d ms", type, ms).isLessThan(2_000);
                assertThat(telemetry.sinkNamed(s.name()).dropped.sum()).as("%s: the alert counted as dropped", type)
                        .isEqualTo(1);
            }
        }
    }

    @Test
    void shouldRetry5xxAndThenDeliver() throws Exception {
        try (FakeHttpPeer peer = new FakeHttpPeer()) {
            int[] calls = {0};
            peer.answer(() -> ++calls[0] <= 3 ? 503 : 200);
            try (Sink s = SinkFactory.create(0, Map.of("type", "webhook", "url", peer.url("/x"),
                    "retry", Map.of("initial", "10ms")), telemetry)) {
                s.offer(TestAlerts.alert("x1"));
                assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
                SinkStats st = telemetry.sinkNamed(s.name());
                assertThat(st.retries.sum()).isEqualTo(3);
                assertThat(st.delivered.sum()).isEqualTo(1);
                assertThat(TestAlerts.ids(peer.bodies())).containsExactly("x1");
            }
        }
    }

    @Test
    void shouldStartTheBackOffOverWhenAFailingAttemptDeliveredSome() throws Exception {
        // every other request fails, as behind a balancer with one bad backend: each failed attempt comes
        // after a delivered alert, so the back-off must not grow toward retry.max (5 s here: 20 failures
        // doubling from 10 ms would wait well over a minute)
        try (FakeHttpPeer peer = new FakeHttpPeer()) {
            int[] calls = {0};
            peer.answer(() -> ++calls[0] % 2 == 0 ? 500 : 200);
            try (Sink s = SinkFactory.create(0, Map.of("type", "webhook", "url", peer.url("/x"),
                    "retry", Map.of("initial", "10ms", "max", "5s")), telemetry)) {
                List<Alert> alerts = TestAlerts.numbered("flaky", 40);
                alerts.forEach(s::offer);
                assertThat(s.drain(Duration.ofSeconds(20))).as("delivered at about half speed").isTrue();
                assertEveryIdOnceInOrder(TestAlerts.ids(peer.bodies()), alerts.stream().map(Alert::id).toList(), true);
                SinkStats st = telemetry.sinkNamed(s.name());
                assertThat(st.delivered.sum()).isEqualTo(40);
                assertThat(st.retries.sum()).isGreaterThanOrEqualTo(19);
            }
        }
    }

    @Test
    void shouldDeliverOnceAnyAlertmanagerTakesTheBatchSoADownReplicaHoldsNothingBack() throws Exception {
        try (FakeHttpPeer up = new FakeHttpPeer(); FakeHttpPeer down = new FakeHttpPeer();
                FakeHttpPeer refusing = new FakeHttpPeer()) {
            down.stop(); // a replica being upgraded: connection refused, for as long as the test runs
            refusing.answer(() -> 422);
            try (Sink s = SinkFactory.create(0, Map.of("type", "alertmanager",
                    "urls", List.of(down.url(""), up.url(""), refusing.url("")), "retry", Map.of("initial", "10ms")),
                    telemetry)) {
                List<Alert> first = TestAlerts.numbered("am", 3);
                first.forEach(s::offer);
                assertThat(s.drain(Duration.ofSeconds(10))).as("delivered while a replica is down").isTrue();
                List<Alert> second = TestAlerts.numbered("am2", 2);
                second.forEach(s::offer);
                assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
                List<String> ids = new java.util.ArrayList<>(first.stream().map(Alert::id).toList());
                second.forEach(a -> ids.add(a.id()));
                assertEveryIdOnceInOrder(TestAlerts.ids(up.bodies()), ids, false);
                assertThat(up.requests()).allSatisfy(r -> assertThat(r.path()).isEqualTo("/api/v2/alerts"));
                assertThat(refusing.posts()).as("a 4xx URL is not retried").isLessThanOrEqualTo(ids.size());
                SinkStats st = telemetry.sinkNamed(s.name());
                assertThat(st.delivered.sum()).isEqualTo(5);
                // the down and the refusing URL's attempts failed, but the alerts were delivered (to the other)
                assertThat(st.transientFailures.sum()).isPositive();
                assertThat(st.permanentFailures.sum()).as("alerts refused for good").isZero();
            }
        }
    }

    @Test
    void shouldNotWaitForAnAlertmanagerThatHangsOnceAnotherTookTheBatch() throws Exception {
        // the URLs were posted one after the other, so each batch waited the whole timeout for a replica
        // that accepts connections and never answers (a helper's: 31 alerts through instead of 372); now
        // the hung replica's queue fills, its first post times out, and from then on it is skipped
        try (FakeHttpPeer up = new FakeHttpPeer();
                ScriptedPeer hung = new ScriptedPeer(c -> {
                    c.getInputStream().read();
                    Thread.sleep(30_000);
                })) {
            try (Sink s = SinkFactory.create(0, Map.of("type", "alertmanager",
                    "urls", List.of("http://127.0.0.1:" + hung.port(), up.url("")), "timeout", "1s", "batch", 5,
                    "retry", Map.of("initial", "10ms")), telemetry)) {
                List<Alert> alerts = new ArrayList<>();
                long t0 = System.nanoTime();
                for (int round = 0; round < 20; round++) {
                    List<Alert> batch = TestAlerts.numbered("hang" + round, 5);
                    batch.forEach(s::offer);
                    alerts.addAll(batch);
                    assertThat(s.drain(Duration.ofSeconds(20))).as("round %d", round).isTrue();
                }
                // one batch at a time, 20 rounds: a wait of the 1 s timeout per batch would take 20 s or more
                assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(12));
                assertEveryIdOnceInOrder(TestAlerts.ids(up.bodies()), alerts.stream().map(Alert::id).toList(), false);
                assertThat(telemetry.sinkNamed(s.name()).delivered.sum()).isEqualTo(100);
            }
        }
    }

    @Test
    void shouldGiveEveryHealthyAlertmanagerEveryBatch() throws Exception {
        // returning as soon as one replica had a batch counted the other, a little slower, as failed and
        // skipped it for the next batch: each replica missed hundreds of 2,000 (replicas do not share alerts)
        try (FakeHttpPeer a = new FakeHttpPeer(); FakeHttpPeer b = new FakeHttpPeer()) {
            try (Sink s = SinkFactory.create(0, Map.of("type", "alertmanager", "urls", List.of(a.url(""), b.url("")),
                    "batch", 10, "retry", Map.of("initial", "10ms")), telemetry)) {
                List<Alert> alerts = TestAlerts.numbered("both", 500);
                alerts.forEach(s::offer);
                assertThat(s.drain(Duration.ofSeconds(30))).isTrue();
                List<String> ids = alerts.stream().map(Alert::id).toList();
                // delivered once one replica has each batch; the other's posts follow on its own thread
                io.auditalert.alert.LocalPeers.await("both replicas have every alert", Duration.ofSeconds(10),
                        () -> TestAlerts.ids(a.bodies()).size() >= 500 && TestAlerts.ids(b.bodies()).size() >= 500);
                assertEveryIdOnceInOrder(TestAlerts.ids(a.bodies()), ids, false);
                assertEveryIdOnceInOrder(TestAlerts.ids(b.bodies()), ids, false);
                assertThat(telemetry.sinkNamed(s.name()).transientFailures.sum()).isZero();
            }
        }
    }

    @Test
    void shouldNotLetOneAlertmanagersRetryAfterHoldTheOthersBack() throws Exception {
        // replica A answers 503 Retry-After: 30 a little later than B fails once: the wait came from
        // whichever failure was last, so the batch waited 30 s for B, which was up again at once
        try (ScriptedPeer a = new ScriptedPeer(c -> {
            c.getInputStream().read();
            Thread.sleep(100);
            c.getOutputStream().write(("HTTP/1.1 503 Service Unavailable\r\nRetry-After: 30\r\n"
                    + "Content-Length: 0\r\nConnection: close\r\n\r\n").getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            c.getOutputStream().flush();
        }); FakeHttpPeer b = new FakeHttpPeer()) {
            int[] calls = {0};
            b.answer(() -> ++calls[0] == 1 ? 500 : 200);
            try (Sink s = SinkFactory.create(0, Map.of("type", "alertmanager",
                    "urls", List.of("http://127.0.0.1:" + a.port(), b.url("")), "retry", Map.of("initial", "10ms")),
                    telemetry)) {
                s.offer(TestAlerts.alert("not-held"));
                assertThat(s.drain(Duration.ofSeconds(10))).as("delivered to B without waiting 30 s").isTrue();
                assertThat(TestAlerts.ids(b.bodies())).contains("not-held");
            }
        }
    }

    @Test
    void shouldCountAlertsNotBatchesWhenEveryAlertmanagerRefuses() throws Exception {
        try (FakeHttpPeer a = new FakeHttpPeer(); FakeHttpPeer b = new FakeHttpPeer()) {
            a.answer(() -> 400);
            b.answer(() -> 400);
            try (Sink s = SinkFactory.create(0, Map.of("type", "alertmanager", "urls", List.of(a.url(""), b.url("")),
                    "batch", 4), telemetry)) {
                TestAlerts.numbered("am", 10).forEach(s::offer);
                assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
                SinkStats st = telemetry.sinkNamed(s.name());
                assertThat(st.permanentFailures.sum()).as("alerts refused for good").isEqualTo(10);
                assertThat(st.delivered.sum()).isZero();
            }
        }
    }

    /**
     * The peer is down for 30 s while an alert is offered every 50 ms, then comes back: every alert
     * arrives, once, in order. The back-off is capped at 2 s so the test does not wait out a long
     * retry after the peer is back.
     */
    @Test
    void shouldDeliverEveryAlertAfterA30SecondOutage() throws Exception {
        try (FakeHttpPeer peer = new FakeHttpPeer()) {
            Map<String, Object> spec = Map.of("type", "webhook", "url", peer.url("/hook"),
                    "spool", tmp.resolve("spool").toString(), "retry", Map.of("initial", "100ms", "max", "2s"));
            try (Sink s = SinkFactory.create(0, spec, telemetry)) {
                List<String> ids = new ArrayList<>();
                int i = 0;
                long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(2);
                while (System.nanoTime() < end) {
                    Alert a = TestAlerts.alert(String.format("out-%05d", i++));
                    ids.add(a.id());
                    s.offer(a);
                    Thread.sleep(50);
                }
                peer.stop();
                end = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
                while (System.nanoTime() < end) {
                    Alert a = TestAlerts.alert(String.format("out-%05d", i++));
                    ids.add(a.id());
                    s.offer(a);
                    Thread.sleep(50);
                }
                SinkStats st = telemetry.sinkNamed(s.name());
                assertThat(st.failures()).isPositive();
                assertThat(st.pending.getAsLong()).isGreaterThan(400);
                peer.restart();
                for (int k = 0; k < 20; k++) {
                    Alert a = TestAlerts.alert(String.format("out-%05d", i++));
                    ids.add(a.id());
                    s.offer(a);
                }
                assertThat(s.drain(Duration.ofSeconds(30))).isTrue();
                assertThat(st.pending.getAsLong()).isZero();
                assertEveryIdOnceInOrder(TestAlerts.ids(peer.bodies()), ids, false);
                assertThat(st.dropped.sum()).isZero();
                assertThat(st.delivered.sum()).isEqualTo(ids.size());
            }
        }
    }

    /**
     * A process spooling alerts for a peer that is down is killed with SIGKILL; another process
     * started over the same spool delivers everything the first one accepted, before its own.
     */
    @Test
    void shouldDeliverEverySpooledAlertAfterKill9AndRestart() throws Exception {
        try (FakeHttpPeer peer = new FakeHttpPeer()) {
            String url = peer.url("/hook");
            peer.stop();
            Path spool = tmp.resolve("spool");
            Process first = child(spool, url, "k1", 300, "hold");
            assertThat(lines(first).readLine()).isEqualTo("OFFERED");
            Thread.sleep(500); // a few failed attempts meanwhile
            first.destroyForcibly();
            assertThat(first.waitFor(10, TimeUnit.SECONDS)).isTrue();
            assertThat(first.exitValue()).isEqualTo(137);
            peer.restart();
            Process second = child(spool, url, "k2", 50, "drain");
            BufferedReader out = lines(second);
            assertThat(out.readLine()).isEqualTo("OFFERED");
            assertThat(out.readLine()).isEqualTo("DRAINED true 0");
            assertThat(second.waitFor(20, TimeUnit.SECONDS)).isTrue();
            List<String> expected = new ArrayList<>();
            TestAlerts.numbered("k1", 300).forEach(a -> expected.add(a.id()));
            TestAlerts.numbered("k2", 50).forEach(a -> expected.add(a.id()));
            assertEveryIdOnceInOrder(TestAlerts.ids(peer.bodies()), expected, true);
        }
    }

    private Process child(Path spool, String url, String prefix, int n, String mode) throws Exception {
        String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(java, "-Xmx128m", "-cp", cp, SpoolChild.class.getName(),
                spool.toString(), url, prefix, Integer.toString(n), mode);
        pb.redirectError(tmp.resolve(prefix + ".err").toFile());
        return pb.start();
    }

    private static BufferedReader lines(Process p) {
        return new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldReadNothingPendingForASinkThatIsGoneUnlessItsSuccessorTookTheName() throws Exception {
        int closedPort;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        Map<String, Object> spec = Map.of("type", "webhook", "name", "hook", "url", "http://127.0.0.1:" + closedPort + "/",
                "retry", Map.of("initial", "10s"));
        Sink old = SinkFactory.create(0, spec, telemetry);
        TestAlerts.numbered("p", 2).forEach(old::offer);
        SinkStats st = telemetry.sink("hook", "webhook");
        SinkContract.await("the items queued", Duration.ofSeconds(5), () -> st.pending.getAsLong() == 2);
        old.close(); // a reload removed it: what it held is dropped and counted
        assertThat(st.dropped.sum()).isEqualTo(2);
        assertThat(st.pending.getAsLong()).as("a sink that is gone holds nothing").isZero();

        Sink first = SinkFactory.create(0, spec, telemetry);
        Sink successor = SinkFactory.create(0, spec, telemetry); // same name: it takes the gauge over
        successor.offer(TestAlerts.alert("s-1"));
        first.close();
        assertThat(st.pending.getAsLong()).as("the successor's queue, not the closed sink's zero").isEqualTo(1);
        successor.close();
    }
}
