package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditalert.alert.Alert;
import io.auditalert.alert.LocalPeers;
import io.auditalert.alert.Severity;
import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's aiosmtpd on loopback (a Maildir handler) receives the email sink's mail; Python's own
 * email parser then reads the subject (RFC 2047 decoded) and body back, so the check is the
 * receiver's view, not ours. A second server requires STARTTLS with a certificate made here.
 */
@Tag("integration")
class SmtpIntegrationTest {
    private static final String PYTHON = "/usr/bin/python3";

    @TempDir
    Path work;

    private final Telemetry telemetry = new Telemetry();

    private static boolean aiosmtpdInstalled() throws Exception {
        if (!Files.isExecutable(Path.of(PYTHON))) {
            return false;
        }
        Process p = new ProcessBuilder(PYTHON, "-c", "import aiosmtpd").redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor(20, TimeUnit.SECONDS) && p.exitValue() == 0;
    }

    private Process aiosmtpd(int port, String... extra) throws Exception {
        List<String> cmd = new ArrayList<>(List.of(PYTHON, "-m", "aiosmtpd", "-n", "-l", "127.0.0.1:" + port));
        cmd.addAll(List.of(extra));
        cmd.addAll(List.of("-c", "aiosmtpd.handlers.Mailbox", work.resolve("Maildir").toString()));
        Process p = LocalPeers.start(work, "aiosmtpd-" + port, cmd.toArray(String[]::new));
        LocalPeers.await("aiosmtpd listening", Duration.ofSeconds(20), () -> LocalPeers.tcpOpen(port));
        return p;
    }

    private List<Path> mails() throws Exception {
        Path dir = work.resolve("Maildir/new");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> l = Files.list(dir)) {
            return l.sorted().toList();
        }
    }

    /** Subject (decoded) on the first line, then the decoded body, as Python's email package sees it. */
    private String parsed(Path mail) throws Exception {
        String script = "import email, email.policy, sys\n"
                + "m = email.message_from_binary_file(open(sys.argv[1], 'rb'), policy=email.policy.default)\n"
                + "sys.stdout.buffer.write((str(m['subject']) + '\\n' + str(m['to']) + '\\n' + m.get_content()).encode())\n";
        Process p = new ProcessBuilder(PYTHON, "-c", script, mail.toString()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        return out;
    }

    @Test
    void shouldDeliverMailWithTheRightSubjectAndBody() throws Exception {
        assumeTrue(aiosmtpdInstalled(), "aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
        int port = LocalPeers.freePort();
        Process smtp = aiosmtpd(port);
        try {
            Alert a = TestAlerts.alert("mail-1", "passwd-write", Severity.CRITICAL, "über-user wrote /etc/passwd");
            Alert b = TestAlerts.alert("mail-2", "passwd-write", Severity.HIGH, "bob wrote /etc/passwd");
            try (Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:" + port,
                    "from", "auditalert@vm.test", "to", List.of("sec@example.test", "ops@example.test"),
                    "subject", "[auditalert] {severity} {rule}: {output}{more}", "interval", "10s"), telemetry)) {
                s.offer(a);
                LocalPeers.await("first mail", Duration.ofSeconds(10), () -> {
                    try {
                        return mails().size() == 1;
                    } catch (Exception e) {
                        return false;
                    }
                });
                s.offer(b);
                assertThat(s.drain(Duration.ofSeconds(20))).as("drain sends the batch without waiting 10 s").isTrue();
                assertThat(telemetry.sinkNamed(s.name()).delivered.sum()).isEqualTo(2);
            }
            LocalPeers.await("second mail", Duration.ofSeconds(10), () -> {
                try {
                    return mails().size() == 2;
                } catch (Exception e) {
                    return false;
                }
            });
            // Maildir names do not tell the order: pick each mail by the alert it carries
            String first = null;
            String second = null;
            Path firstFile = null;
            for (Path m : mails()) {
                String text = parsed(m);
                if (text.contains("id: mail-1")) {
                    first = text;
                    firstFile = m;
                } else {
                    second = text;
                }
            }
            assertThat(first).isNotNull();
            assertThat(first).startsWith("[auditalert] critical passwd-write: über-user wrote /etc/passwd\n"
                    + "sec@example.test, ops@example.test\n");
            assertThat(first).contains("[critical] passwd-write at ", "über-user wrote /etc/passwd\n", "id: mail-1\n",
                    new String(a.json(), StandardCharsets.UTF_8));
            String raw = Files.readString(firstFile, StandardCharsets.UTF_8);
            assertThat(raw).contains("X-MailFrom: auditalert@vm.test", "X-RcptTo: sec@example.test, ops@example.test");
            assertThat(second).startsWith("[auditalert] high passwd-write: bob wrote /etc/passwd\n");
        } finally {
            LocalPeers.stop(smtp);
        }
    }

    @Test
    void shouldMailTheAlertsOfABatchOverTheServersSizeLimitOneByOne() throws Exception {
        // a batch as one mail was over aiosmtpd's data size limit (552): every alert of it was refused for good
        assumeTrue(aiosmtpdInstalled(), "aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
        int port = LocalPeers.freePort();
        Process smtp = aiosmtpd(port, "--size", "1500");
        try {
            try (Sink s = SinkFactory.create(0, Map.of("type", "email", "smtp", "127.0.0.1:" + port,
                    "from", "auditalert@vm.test", "to", "sec@example.test", "interval", "2s"), telemetry)) {
                List<Alert> sent = TestAlerts.numbered("big", 8);
                sent.forEach(s::offer); // the first at once, the other seven in one batch of ~2.5 kB
                assertThat(s.drain(Duration.ofSeconds(30))).isTrue();
                SinkStats st = telemetry.sinkNamed(s.name());
                assertThat(st.permanentFailures.sum()).as("none refused for good").isZero();
                assertThat(st.delivered.sum()).isEqualTo(8);
            }
            LocalPeers.await("8 mails", Duration.ofSeconds(10), () -> {
                try {
                    return mails().size() == 8;
                } catch (Exception e) {
                    return false;
                }
            });
        } finally {
            LocalPeers.stop(smtp);
        }
    }

    @Test
    void shouldUseStartTlsWhenTheServerRequiresIt() throws Exception {
        assumeTrue(aiosmtpdInstalled(), "aiosmtpd is not installed (apt-get install python3-aiosmtpd)");
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/openssl")), "openssl is not installed");
        Path cert = work.resolve("cert.pem");
        Path key = work.resolve("key.pem");
        Process gen = new ProcessBuilder("/usr/bin/openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes",
                "-keyout", key.toString(), "-out", cert.toString(), "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1").redirectErrorStream(true).start();
        gen.getInputStream().readAllBytes();
        assertThat(gen.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(gen.exitValue()).isZero();
        int port = LocalPeers.freePort();
        Process smtp = aiosmtpd(port, "--tlscert", cert.toString(), "--tlskey", key.toString());
        try {
            Map<String, Object> common = Map.of("type", "email", "smtp", "127.0.0.1:" + port,
                    "from", "auditalert@vm.test", "to", "sec@example.test", "interval", "0ms");
            try (Sink plain = SinkFactory.create(0, common, telemetry)) {
                plain.offer(TestAlerts.alert("no-tls"));
                // 530 "issue STARTTLS first" to MAIL FROM refuses the configuration (starttls: false), not
                // the mail: retried, the alert kept until the configuration is mended
                SinkStats st = telemetry.sinkNamed(plain.name());
                LocalPeers.await("a refused attempt", Duration.ofSeconds(20), () -> st.transientFailures.sum() > 0);
                assertThat(st.permanentFailures.sum()).as("not refused for good").isZero();
                assertThat(plain.pending()).isEqualTo(1);
            }
            Map<String, Object> tls = new java.util.HashMap<>(common);
            tls.put("name", "tls");
            tls.put("starttls", true);
            tls.put("tls", Map.of("ca_file", cert.toString()));
            try (Sink s = SinkFactory.create(1, tls, telemetry)) {
                s.offer(TestAlerts.alert("with-tls"));
                assertThat(s.drain(Duration.ofSeconds(20))).isTrue();
                assertThat(telemetry.sinkNamed("tls").delivered.sum()).isEqualTo(1);
            }
            LocalPeers.await("mail over TLS", Duration.ofSeconds(10), () -> {
                try {
                    return mails().size() == 1;
                } catch (Exception e) {
                    return false;
                }
            });
            assertThat(parsed(mails().get(0))).contains("id: with-tls\n");
        } finally {
            LocalPeers.stop(smtp);
        }
    }
}
