package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Severity;
import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Webhook peers that misbehave after or while answering: a 2xx whose body never ends or trickles in
 * is a delivery, an answer that trickles in or a peer that stops reading fails the attempt within
 * the timeout, and an interim 1xx is not waited on.
 */
class HttpMisbehaviourTest {
    private final Telemetry telemetry = new Telemetry();

    /** Reads one request (headers, then Content-Length bytes of body) off the connection. */
    private static void readRequest(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        while (!head.toString(StandardCharsets.ISO_8859_1).endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                throw new IOException("closed");
            }
            head.write(c);
        }
        String h = head.toString(StandardCharsets.ISO_8859_1).toLowerCase(Locale.ROOT);
        int at = h.indexOf("content-length:");
        long length = Long.parseLong(h.substring(at + 15, h.indexOf("\r\n", at)).strip());
        in.skipNBytes(length);
    }

    private static void write(OutputStream out, String s) throws IOException {
        out.write(s.getBytes(StandardCharsets.ISO_8859_1));
        out.flush();
    }

    private Sink webhook(int port) {
        return webhook(port, "500ms");
    }

    private Sink webhook(int port, String timeout) {
        return SinkFactory.create(0, Map.of("type", "webhook", "url", "http://127.0.0.1:" + port + "/hook",
                "timeout", timeout, "retry", Map.of("initial", "20ms", "max", "100ms")), telemetry);
    }

    @Test
    void shouldLogAWebhookUrlWithoutItsQuery() throws Exception {
        // a ?token=… in the URL was written to the log with every refusal and retry
        try (ScriptedPeer peer = new ScriptedPeer(c -> {
            readRequest(c.getInputStream());
            write(c.getOutputStream(), "HTTP/1.1 400 Bad Request\r\nContent-Length: 2\r\nConnection: close\r\n\r\nno");
        }); LogCapture log = LogCapture.of(WebhookSink.class); Sink s = SinkFactory.create(0, Map.of("type", "webhook",
                "url", "http://127.0.0.1:" + peer.port() + "/hook?token=hunter2", "timeout", "2s"), telemetry)) {
            s.offer(TestAlerts.alert("refused"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(telemetry.sinkNamed(s.name()).permanentFailures.sum()).isEqualTo(1);
            assertThat(log.messages()).anySatisfy(m -> assertThat(m)
                    .contains("HTTP 400 from http://127.0.0.1:" + peer.port() + "/hook?…: no"));
            assertThat(log.messages()).noneSatisfy(m -> assertThat(m).contains("hunter2"));
        }
    }

    @Test
    void shouldCountA200AsDeliveredThoughItsBodyNeverEnds() throws Exception {
        // the alert was re-sent 16 times, each answered 200, and then dropped
        try (ScriptedPeer peer = new ScriptedPeer(c -> {
            readRequest(c.getInputStream());
            write(c.getOutputStream(), "HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n");
            Thread.sleep(30_000); // never the last chunk
        }); Sink s = webhook(peer.port())) {
            s.offer(TestAlerts.alert("endless-body"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            SinkStats st = telemetry.sinkNamed(s.name());
            assertThat(st.delivered.sum()).isEqualTo(1);
            assertThat(st.retries.sum()).isZero();
            assertThat(peer.connections()).isEqualTo(1);
        }
    }

    @Test
    void shouldCountA200AsDeliveredThoughItsBodyTricklesIn() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer(c -> {
            readRequest(c.getInputStream());
            write(c.getOutputStream(), "HTTP/1.1 200 OK\r\nContent-Length: 1000\r\n\r\n");
            for (int i = 0; i < 1000; i++) {
                write(c.getOutputStream(), "x"); // a byte every 50 ms: each read is in time, the body never is
                Thread.sleep(50);
            }
        }); Sink s = webhook(peer.port(), "3s")) { // 500 ms failed once on a loaded machine before the status
            s.offer(TestAlerts.alert("slow-body"));
            // about 3 s: the body is read against the clock by the sink's thread. The watchdog's close
            // waited for the JDK stream's lock, which the trickle kept handing to the reader: loaded CI
            // runs took 11 s, then more than 40 s (the whole 50 s body)
            assertThat(s.drain(Duration.ofSeconds(20))).isTrue();
            assertThat(telemetry.sinkNamed(s.name()).delivered.sum()).isEqualTo(1);
            assertThat(peer.connections()).isEqualTo(1);
        }
    }

    @Test
    void shouldFailAnAttemptWhoseAnswerTricklesIn() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer(c -> {
            readRequest(c.getInputStream());
            for (byte b : "HTTP/1.1 200 OK\r\nX-Slow: yes\r\n".repeat(50).getBytes(StandardCharsets.ISO_8859_1)) {
                c.getOutputStream().write(b);
                c.getOutputStream().flush();
                Thread.sleep(50);
            }
        }); Sink s = webhook(peer.port())) {
            s.offer(TestAlerts.alert("slow-status"));
            SinkContract.assertKeptAndRetried(s, telemetry);
        }
    }

    @Test
    void shouldFailAnAttemptWhosePeerStopsReadingTheRequest() throws Exception {
        try (ScriptedPeer peer = new ScriptedPeer(c -> {
            c.getInputStream().readNBytes(100); // then nothing: a 30 MB request fills the buffers and blocks
            Thread.sleep(30_000);
        }); Sink s = webhook(peer.port())) {
            s.offer(TestAlerts.alert("big", "r", Severity.HIGH, "y".repeat(30 << 20)));
            SinkContract.assertKeptAndRetried(s, telemetry);
        }
    }

    @Test
    void shouldNotWaitOnAnInterimAnswer() throws Exception {
        // HttpURLConnection gives 103 Early Hints as the final status; the body was then read until the timeout
        try (ScriptedPeer peer = new ScriptedPeer(c -> {
            readRequest(c.getInputStream());
            write(c.getOutputStream(), "HTTP/1.1 103 Early Hints\r\nLink: </x>\r\n\r\n"
                    + "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
            Thread.sleep(30_000);
        }); Sink s = webhook(peer.port())) {
            LogCapture logged = LogCapture.of(WebhookSink.class);
            try (logged) {
                s.offer(TestAlerts.alert("early-hints"));
                SinkStats st = telemetry.sinkNamed(s.name());
                SinkContract.await("a failed attempt", Duration.ofSeconds(10), () -> st.transientFailures.sum() >= 1);
                assertThat(st.permanentFailures.sum()).isZero();
            }
            // said at once for what it is, not a read timed out after reading "the body" for 500 ms
            assertThat(logged.messages()).anySatisfy(m -> assertThat(m).contains("interim answer 103"));
        }
    }

    @Test
    void shouldWaitWhatRetryAfterAsksBeforeTryingAgain() throws Exception {
        // a 429 with Retry-After: 2 was tried again after 20 ms, 40 ms, ...
        java.util.List<Long> at = new java.util.concurrent.CopyOnWriteArrayList<>();
        try (ScriptedPeer peer = new ScriptedPeer(c -> {
            readRequest(c.getInputStream());
            at.add(System.nanoTime());
            write(c.getOutputStream(), at.size() == 1
                    ? "HTTP/1.1 429 Too Many Requests\r\nRetry-After: 2\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"
                    : "HTTP/1.1 200 OK\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
        }); Sink s = webhook(peer.port())) {
            s.offer(TestAlerts.alert("polite"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(at).hasSize(2);
            assertThat(Duration.ofNanos(at.get(1) - at.get(0))).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        }
        assertThat(HttpPoster.retryAfter("120")).isEqualTo(120_000);
        assertThat(HttpPoster.retryAfter(" 7 ")).isEqualTo(7_000);
        assertThat(HttpPoster.retryAfter("Wed, 21 Oct 2015 07:28:00 GMT")).as("a date: not read").isZero();
        assertThat(HttpPoster.retryAfter("99999999999")).isZero();
        assertThat(HttpPoster.retryAfter("999999")).as("at most an hour").isEqualTo(3_600_000);
    }
}
