package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Severity;
import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EmailSinkTest {
    private final Telemetry telemetry = new Telemetry();

    @Test
    void shouldMailTheFirstAlertAtOnceAndBatchTheRestOfTheInterval() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer();
                Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:" + peer.port(),
                        "from", "auditalert@test", "to", List.of("a@test", "b@test"), "interval", "1s"), telemetry)) {
            s.offer(TestAlerts.alert("m-0", "shadow-read", Severity.CRITICAL, "root read /etc/shadow"));
            SinkContract.await("first mail", Duration.ofSeconds(5), () -> peer.messages().size() == 1);
            for (Alert a : TestAlerts.numbered("m", 5).subList(1, 5)) {
                s.offer(a);
            }
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            SinkContract.await("second mail", Duration.ofSeconds(5), () -> peer.messages().size() == 2);
            String first = peer.messages().get(0);
            assertThat(first).contains("Subject: [auditalert] critical shadow-read\n", "To: a@test, b@test\n",
                    "Content-Type: text/plain; charset=utf-8\n", "root read /etc/shadow\n", "id: m-0\n");
            String second = peer.messages().get(1);
            assertThat(second).contains("Subject: [auditalert] high passwd-write and 3 more\n",
                    "id: m-00001\n", "id: m-00004\n");
        }
    }

    @Test
    void shouldFoldAToHeaderOfManyRecipients() throws Exception {
        List<String> to = new java.util.ArrayList<>();
        for (int i = 0; i < 40; i++) {
            to.add("security-team-member-" + i + "@example.test");
        }
        try (FakeSmtpPeer peer = new FakeSmtpPeer();
                Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:" + peer.port(),
                        "from", "auditalert@test", "to", to, "interval", "0ms"), telemetry)) {
            s.offer(TestAlerts.alert("many"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            SinkContract.await("mail", Duration.ofSeconds(5), () -> peer.messages().size() == 1);
            String m = peer.messages().get(0);
            // a line is at most 998 characters (RFC 5322 §2.1.1): one of 40 addresses was 1,500 and refused for good
            String folded = m.substring(m.indexOf("To: "), m.indexOf("\nSubject: "));
            assertThat(folded.lines()).hasSizeGreaterThan(10).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(78));
            String header = folded.substring(4).replace("\n ", " ");
            assertThat(header).isEqualTo(String.join(", ", to));
        }
    }

    @Test
    void shouldKeepAndRetryTheAlertsWhenTheServerOffersNoStartTls() throws Exception {
        // starttls: true and a server (or a man in the middle) that does not offer it: not the server's final
        // word on the mail, so the alerts are kept, not refused for good
        try (FakeSmtpPeer peer = new FakeSmtpPeer();
                Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:" + peer.port(),
                        "from", "auditalert@test", "to", "a@test", "starttls", true, "interval", "0ms",
                        "retry", Map.of("initial", "10ms")), telemetry)) {
            s.offer(TestAlerts.alert("kept"));
            assertThat(s.drain(Duration.ofSeconds(1))).isFalse();
            SinkStats st = telemetry.sinkNamed(s.name());
            assertThat(st.permanentFailures.sum()).isZero();
            assertThat(st.transientFailures.sum()).isPositive();
            assertThat(s.pending()).isEqualTo(1);
            assertThat(peer.messages()).isEmpty();
        }
    }

    @Test
    void shouldEncodeNonAsciiSubjectsAndBase64LongLines() throws Exception {
        assertThat(EmailSink.encodeHeader("plain")).isEqualTo("plain");
        assertThat(EmailSink.encodeHeader("über")).isEqualTo("=?UTF-8?B?w7xiZXI=?=");
        try (FakeSmtpPeer peer = new FakeSmtpPeer();
                Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:" + peer.port(),
                        "from", "auditalert@test", "to", "a@test"), telemetry)) {
            s.offer(TestAlerts.alert("long", "r", Severity.HIGH, "x".repeat(2000)));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            SinkContract.await("mail", Duration.ofSeconds(5), () -> peer.messages().size() == 1);
            String m = peer.messages().get(0);
            assertThat(m).contains("Content-Transfer-Encoding: base64\n");
            assertThat(m.lines()).allSatisfy(l -> assertThat(l.length()).isLessThanOrEqualTo(998));
        }
    }

    @Test
    void shouldDateWithANumericZoneAndCutTheSubjectWholeCharacters() throws Exception {
        try (Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:25", "from", "auditalert@test",
                "to", "a@test", "subject", "{output} {id}"), telemetry)) {
            EmailSink e = (EmailSink) s;
            java.time.ZonedDateTime utc = java.time.ZonedDateTime.of(2026, 11, 29, 20, 33, 1, 0, java.time.ZoneOffset.UTC);
            String m = new String(e.message(List.of(TestAlerts.alert("d-1")), utc).bytes(),
                    java.nio.charset.StandardCharsets.UTF_8);
            // RFC 5322 §4.3: "GMT" is an obsolete zone, not to be generated
            assertThat(m).startsWith("Date: Sun, 29 Nov 2026 20:33:01 +0000\r\n");
            // 249 characters and an emoji (two UTF-16 units) at the cut: not half of it
            String subject = e.subject(TestAlerts.alert("x", "r", Severity.HIGH, "a".repeat(249) + "\uD83D\uDE00"), 1);
            assertThat(subject).isEqualTo("a".repeat(249));
            // an output that holds a placeholder's name is not expanded again
            assertThat(e.subject(TestAlerts.alert("i-9", "r", Severity.HIGH, "ran {id}{more}"), 3)).isEqualTo("ran {id}{more} i-9");
        }
        try (Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:25", "from", "auditalert@test",
                "to", "a@test", "subject", "a { b {severity} {{rule}}"), telemetry)) {
            // a stray brace does not hide the placeholders after it
            assertThat(((EmailSink) s).subject(TestAlerts.alert("x", "r", Severity.HIGH, "o"), 1)).isEqualTo("a { b high {r}");
        }
    }

    @Test
    void shouldMailTheOtherRecipientsWhenTheServerRefusesOne() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer();
                Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:" + peer.port(),
                        "from", "auditalert@test", "to", java.util.List.of("gone@test", "sec@test"), "interval", "0ms"),
                        telemetry)) {
            peer.refuseRecipient("gone@test");
            SinkStats st = telemetry.sinkNamed(s.name());
            s.offer(TestAlerts.alert("one"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(peer.messages()).singleElement().asString().contains("id: one");
            assertThat(st.delivered.sum()).isEqualTo(1);
            assertThat(st.permanentFailures.sum()).isZero();
            assertThat(st.failures()).as("the refused recipient, counted").isEqualTo(1);
        }
        try (FakeSmtpPeer peer = new FakeSmtpPeer();
                Sink s = SinkFactory.create(1, Map.of("type", "email", "smtp", "127.0.0.1:" + peer.port(),
                        "from", "auditalert@test", "to", "gone@test", "interval", "0ms"), telemetry)) {
            peer.refuseRecipient("gone@test");
            s.offer(TestAlerts.alert("none"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(peer.messages()).isEmpty();
            assertThat(telemetry.sinkNamed(s.name()).permanentFailures.sum()).isEqualTo(1);
        }
    }

    @Test
    void shouldRefuseFor5xxAndRetry4xx() throws Exception {
        try (FakeSmtpPeer peer = new FakeSmtpPeer();
                Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:" + peer.port(),
                        "from", "auditalert@test", "to", "a@test", "interval", "0ms",
                        "retry", Map.of("initial", "20ms")), telemetry)) {
            SinkStats st = telemetry.sinkNamed(s.name());
            peer.dataReply(554);
            s.offer(TestAlerts.alert("refused"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(st.permanentFailures.sum()).isEqualTo(1);
            assertThat(st.retries.sum()).isZero();
            peer.dataReply(451);
            s.offer(TestAlerts.alert("later"));
            SinkContract.await("a retry", Duration.ofSeconds(5), () -> st.retries.sum() > 0);
            peer.dataReply(250);
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(peer.messages()).singleElement().asString().contains("id: later");
        }
    }

    @Test
    void shouldAuthenticateWithPlainOrLogin() throws Exception {
        for (String mech : List.of("PLAIN LOGIN", "LOGIN")) {
            try (FakeSmtpPeer peer = new FakeSmtpPeer()) {
                peer.requireAuth("alerts", "pa:ss wörd", mech);
                try (Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:" + peer.port(),
                        "from", "auditalert@test", "to", "a@test", "username", "alerts", "password", "pa:ss wörd"),
                        telemetry)) {
                    s.offer(TestAlerts.alert("auth-" + mech.length()));
                    assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
                }
                assertThat(peer.logins()).containsExactly(mech.split(" ")[0] + " alerts");
                assertThat(peer.messages()).hasSize(1);
            }
        }
    }
}
