package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.Telemetry;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * SMTP servers that misbehave: replies that never end or trickle in, a server that stops reading,
 * refusals of the session rather than of the mail. Each must fail the attempt within the timeout
 * and keep the alerts for a retry.
 */
class SmtpMisbehaviourTest {
    private final Telemetry telemetry = new Telemetry();

    /** A server running the script with the connection's reader and writer. */
    private static ScriptedPeer scripted(Script script) throws IOException {
        return new ScriptedPeer(c -> script.run(
                new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8)), c.getOutputStream()));
    }

    private interface Script {
        void run(BufferedReader in, OutputStream out) throws IOException, InterruptedException;
    }

    private static void say(OutputStream out, String line) throws IOException {
        out.write((line + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    private Sink emailSink(int port, Map<String, Object> more) {
        Map<String, Object> spec = new java.util.HashMap<>(Map.of("type", "email", "smtp", "127.0.0.1:" + port,
                "from", "auditalert@test", "to", "a@test", "interval", "0ms", "timeout", "500ms",
                "retry", Map.of("initial", "20ms", "max", "100ms")));
        spec.putAll(more);
        return SinkFactory.create(0, spec, telemetry);
    }

    @Test
    void shouldGiveUpOnAReplyThatNeverEndsWithoutFillingTheHeap() throws Exception {
        // 220-... lines without end: the timeout bounds the whole reply, the line count bounds its size
        try (ScriptedPeer server = scripted((in, out) -> {
            byte[] line = ("220-" + "x".repeat(1000) + "\r\n").getBytes(StandardCharsets.US_ASCII);
            for (;;) {
                out.write(line);
            }
        }); Sink s = emailSink(server.port(), Map.of())) {
            s.offer(TestAlerts.alert("endless"));
            SinkContract.assertKeptAndRetried(s, telemetry);
        }
    }

    @Test
    void shouldGiveUpOnAGreetingThatTricklesIn() throws Exception {
        // a byte every 50 ms: each read is within the 500 ms timeout, the reply never is
        try (ScriptedPeer server = scripted((in, out) -> {
            for (byte b : "220 slow but never done".repeat(100).getBytes(StandardCharsets.US_ASCII)) {
                out.write(b);
                out.flush();
                Thread.sleep(50);
            }
        }); Sink s = emailSink(server.port(), Map.of())) {
            s.offer(TestAlerts.alert("trickle"));
            SinkContract.assertKeptAndRetried(s, telemetry);
        }
    }

    @Test
    void shouldGiveUpOnAServerThatStopsReadingInTheMiddleOfData() throws Exception {
        try (ScriptedPeer server = scripted((in, out) -> {
            say(out, "220 fake");
            String line;
            while ((line = in.readLine()) != null) {
                if (line.startsWith("DATA")) {
                    say(out, "354 go ahead");
                    Thread.sleep(60_000); // reads nothing more: the client's writes fill the buffers and block
                    return;
                }
                say(out, line.startsWith("EHLO") ? "250 fake" : "250 ok");
            }
        })) {
            SmtpClient client = new SmtpClient(new SmtpClient.Settings("127.0.0.1", server.port(), "test", false,
                    null, null, null, 500));
            byte[] message = ("Subject: big\r\n\r\n" + ("y".repeat(998) + "\r\n").repeat(40_000))
                    .getBytes(StandardCharsets.US_ASCII); // 40 MB: more than the socket buffers hold
            long t0 = System.nanoTime();
            assertThatThrownBy(() -> client.send("a@test", List.of("b@test"), message, false))
                    .isInstanceOf(SocketTimeoutException.class).hasMessageContaining("took no data");
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isLessThan(Duration.ofSeconds(30));
        }
    }

    @Test
    void shouldKeepTheAlertsWhenTheServerRefusesTheSessionNotTheMail() throws Exception {
        // a 554 greeting refuses the connection (RFC 5321 §3.1), not the alerts
        try (ScriptedPeer server = scripted((in, out) -> say(out, "554 5.3.2 not accepting mail now"));
                Sink s = emailSink(server.port(), Map.of())) {
            s.offer(TestAlerts.alert("greeting"));
            SinkContract.assertKeptAndRetried(s, telemetry);
        }
    }

    @Test
    void shouldKeepTheAlertsWhenAuthenticationIsNotOfferedOrRefused() throws Exception {
        try (FakeSmtpPeer noAuth = new FakeSmtpPeer();
                Sink s = emailSink(noAuth.port(), Map.of("username", "alerts", "password", "pw"))) {
            s.offer(TestAlerts.alert("no-auth"));
            SinkContract.assertKeptAndRetried(s, telemetry);
        }
        try (FakeSmtpPeer peer = new FakeSmtpPeer()) {
            peer.requireAuth("alerts", "right", "PLAIN");
            try (Sink s = emailSink(peer.port(), Map.of("username", "alerts", "password", "wrong"))) {
                s.offer(TestAlerts.alert("bad-password"));
                SinkContract.assertKeptAndRetried(s, telemetry);
            }
        }
    }
}
