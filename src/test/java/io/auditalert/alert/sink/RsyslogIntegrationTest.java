package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditalert.alert.Alert;
import io.auditalert.alert.LocalPeers;
import io.auditalert.alert.Severity;
import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * A real rsyslogd (Debian's) on loopback receives the syslog sink's messages over UDP, TCP
 * (octet-counted) and a unix datagram socket, in RFC 5424 and RFC 3164, and its parsers split them
 * into the right fields: a template writes the parsed properties to a file we read back. One input
 * admits only the RFC 5424 parser, so a message that is not proper 5424 shows up as a parser error.
 */
@Tag("integration")
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RsyslogIntegrationTest {
    private static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");

    @TempDir
    static Path work;

    static Process rsyslogd;
    static int udp;
    static int tcp;
    static int strict;
    static Path socket;
    static Path stockSocket;

    private final Telemetry telemetry = new Telemetry();

    @BeforeAll
    static void startRsyslog() throws Exception {
        assumeTrue(Files.isExecutable(RSYSLOGD), "rsyslogd is not installed (apt-get install rsyslog)");
        udp = LocalPeers.freePort();
        tcp = LocalPeers.freePort();
        strict = LocalPeers.freePort();
        socket = work.resolve("log.sock");
        stockSocket = work.resolve("dev-log.sock");
        String conf = String.join("\n",
                "global(workDirectory=\"" + work + "\")",
                "module(load=\"imuxsock\" SysSock.Use=\"off\")",
                "module(load=\"imudp\")",
                "module(load=\"imtcp\")",
                "template(name=\"fields\" type=\"string\" string=\"pri=%PRI% fac=%syslogfacility-text% "
                        + "sev=%syslogseverity-text% ts=%TIMESTAMP:::date-rfc3339% host=%HOSTNAME% app=%APP-NAME% "
                        + "procid=%PROCID% msgid=%MSGID% sd=%STRUCTURED-DATA% msg=%msg:::drop-last-lf%\\n\")",
                "ruleset(name=\"any\") { action(type=\"omfile\" file=\"" + work.resolve("fields.log") + "\" template=\"fields\") }",
                "ruleset(name=\"strict\" parser=\"rsyslog.rfc5424\") { action(type=\"omfile\" file=\""
                        + work.resolve("strict.log") + "\" template=\"fields\") }",
                "input(type=\"imudp\" address=\"127.0.0.1\" port=\"" + udp + "\" ruleset=\"any\")",
                "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + tcp + "\" ruleset=\"any\")",
                "input(type=\"imtcp\" address=\"127.0.0.1\" port=\"" + strict + "\" ruleset=\"strict\")",
                "input(type=\"imuxsock\" Socket=\"" + socket + "\" Ruleset=\"any\" UseSpecialParser=\"off\" "
                        + "ParseHostname=\"on\" IgnoreTimestamp=\"off\")",
                // the local socket as Debian's rsyslog.conf reads /dev/log: imuxsock's defaults
                "input(type=\"imuxsock\" Socket=\"" + stockSocket + "\" Ruleset=\"any\")",
                "");
        Files.writeString(work.resolve("rsyslog.conf"), conf);
        start();
    }

    static void start() throws Exception {
        rsyslogd = LocalPeers.start(work, "rsyslogd", RSYSLOGD.toString(), "-n", "-f",
                work.resolve("rsyslog.conf").toString(), "-i", work.resolve("rsyslogd.pid").toString());
        LocalPeers.await("rsyslogd listening", Duration.ofSeconds(10),
                () -> LocalPeers.tcpOpen(tcp) && LocalPeers.tcpOpen(strict) && Files.exists(socket)
                        && Files.exists(stockSocket));
    }

    @AfterAll
    static void stopRsyslog() throws Exception {
        LocalPeers.stop(rsyslogd);
    }

    /** The parsed-fields line rsyslog wrote for an alert id, waiting for it to appear. */
    private static String line(String file, String id) throws Exception {
        String[] found = {null};
        LocalPeers.await("rsyslog line for " + id, Duration.ofSeconds(10), () -> {
            Optional<String> l = LocalPeers.read(work.resolve(file)).lines().filter(s -> s.contains(id)).findFirst();
            l.ifPresent(s -> found[0] = s);
            return l.isPresent();
        });
        return found[0];
    }

    private Sink sink(Map<String, Object> spec) {
        return SinkFactory.create(0, spec, telemetry);
    }

    private static Alert alert(String id) {
        return new Alert(id, 1_795_000_333_301L, "passwd-write", Severity.CRITICAL, "write to /etc/passwd by alice",
                List.of("identity"), "vm1", 4711, List.of("identity"),
                Map.of("auid", "1000", "exe", "/usr/bin/vi \"x\" [y]"), 2,
                ("{\"id\":\"" + id + "\"}").getBytes(java.nio.charset.StandardCharsets.UTF_8), 0);
    }

    private void send(Map<String, Object> spec, Alert a) {
        try (Sink s = sink(spec)) {
            long before = telemetry.sinkNamed(s.name()).delivered.sum();
            s.offer(a);
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            assertThat(telemetry.sinkNamed(s.name()).delivered.sum() - before).isEqualTo(1);
        }
    }

    private static void assertParsed5424(String line, String id) {
        assertThat(line).startsWith("pri=82 fac=authpriv sev=crit ts=2026-11-18T11:12:13.301");
        assertThat(line).contains(" host=vm1 app=auditalert procid=" + ProcessHandle.current().pid()
                + " msgid=passwd-write sd=[auditalert@32473 rule=\"passwd-write\" severity=\"critical\" node=\"vm1\" "
                + "serial=\"4711\" auid=\"1000\" exe=\"/usr/bin/vi \\\"x\\\" [y\\]\" id=\"" + id
                + "\" suppressed=\"2\"] msg=write to /etc/passwd by alice");
    }

    @Test
    @Order(1)
    void shouldBeParsedAsRfc5424OverUdp() throws Exception {
        send(Map.of("type", "syslog", "address", "udp://127.0.0.1:" + udp), alert("u5424"));
        assertParsed5424(line("fields.log", "u5424"), "u5424");
    }

    @Test
    @Order(2)
    void shouldBeParsedAsRfc5424OverTcpByTheStrictParser() throws Exception {
        send(Map.of("type", "syslog", "address", "tcp://127.0.0.1:" + strict), alert("t5424"));
        assertParsed5424(line("strict.log", "t5424"), "t5424");
        assertThat(LocalPeers.read(work.resolve("rsyslogd.err"))).doesNotContain("could not be processed by any parser");
    }

    @Test
    @Order(3)
    void shouldBeParsedAsRfc3164OverUdpAndTcp() throws Exception {
        for (String address : List.of("udp://127.0.0.1:" + udp, "tcp://127.0.0.1:" + tcp)) {
            String id = "b3164" + address.substring(0, 3);
            Alert a = new Alert(id, 1_795_000_333_301L, "shadow-read", Severity.HIGH, "root read /etc/shadow " + id,
                    List.of(), null, 9, List.of(), Map.of(), 0, new byte[0], 0);
            send(Map.of("type", "syslog", "address", address, "format", "rfc3164", "facility", "local3",
                    "hostname", "host-a", "timezone", "UTC"), a);
            String l = line("fields.log", id);
            assertThat(l).startsWith("pri=155 fac=local3 sev=err ts=2026-11-18T11:12:13");
            assertThat(l).contains(" host=host-a app=auditalert procid=" + ProcessHandle.current().pid()
                    + " msgid=- sd=- msg=");
            assertThat(l).endsWith("high shadow-read: root read /etc/shadow " + id);
        }
    }

    @Test
    @Order(4)
    void shouldBeParsedFromTheLocalUnixDatagramSocket() throws Exception {
        send(Map.of("type", "syslog", "address", "unix:" + socket, "format", "rfc5424"), alert("x5424"));
        assertParsed5424(line("fields.log", "x5424"), "x5424");
        Alert legacy = new Alert("x3164", 1_795_000_333_301L, "passwd-write", Severity.CRITICAL, "x3164 by alice",
                List.of(), "vm1", 1, List.of(), Map.of(), 0, new byte[0], 0);
        send(Map.of("type", "syslog", "address", "unix:" + socket, "format", "rfc3164", "timezone", "UTC"), legacy);
        assertThat(line("fields.log", "x3164")).contains(" host=vm1 app=auditalert ", " msg=")
                .endsWith("critical passwd-write: x3164 by alice");
    }

    @Test
    @Order(4)
    void shouldBeParsedByAStockLocalSocketInputInTheDefaultFormat() throws Exception {
        // imuxsock with its defaults, as /dev/log is read on Debian: an RFC 5424 message or an RFC 3164
        // host name there was taken for the tag ("app=1", "app=vm1") and the rest for the message
        Alert a = new Alert("xlocal", 1_795_000_333_301L, "passwd-write", Severity.CRITICAL, "xlocal by alice",
                List.of(), "vm1", 1, List.of(), Map.of(), 0, new byte[0], 0);
        send(Map.of("type", "syslog", "address", "unix:" + stockSocket), a);
        assertThat(line("fields.log", "xlocal by alice")).startsWith("pri=82 fac=authpriv sev=crit ")
                .contains(" app=auditalert procid=" + ProcessHandle.current().pid() + " ")
                .endsWith(" msg= critical passwd-write (node vm1): xlocal by alice");
    }

    @Test
    @Order(5)
    void shouldForwardEventsAsJsonMessages() throws Exception {
        Alert e = TestAlerts.event("fwd-1", 123);
        try (Sink s = sink(Map.of("type", "syslog", "address", "tcp://127.0.0.1:" + strict, "what", "events"))) {
            assertThat(s.accepts(e)).isTrue();
            s.offer(e);
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
        }
        String l = line("strict.log", "fwd-1");
        assertThat(l).startsWith("pri=86 fac=authpriv sev=info ").contains(" msgid=event sd=[auditalert@32473 serial=\"123\" id=\"fwd-1\"] msg=")
                .endsWith(new String(e.json(), java.nio.charset.StandardCharsets.UTF_8));
    }

    /** rsyslogd is stopped while alerts keep coming over TCP, then started again: all arrive, in order. */
    @Test
    @Order(6)
    void shouldDeliverEveryAlertOverTcpAcrossAnRsyslogRestart() throws Exception {
        Map<String, Object> spec = new HashMap<>(Map.of("type", "syslog", "address", "tcp://127.0.0.1:" + tcp,
                "retry", Map.of("initial", "100ms", "max", "500ms"), "spool", work.resolve("spool").toString()));
        List<String> ids = new ArrayList<>();
        try (Sink s = sink(spec)) {
            for (int i = 0; i < 20; i++) {
                Alert a = alert(String.format("rs-%03d", i));
                ids.add(a.id());
                s.offer(a);
            }
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
            // rsyslog itself may discard what it accepted but has not written yet when it is stopped
            // (its main queue's shutdown timeout); that loss is rsyslog's, not the sink's
            LocalPeers.await("the first 20 alerts in rsyslog's file", Duration.ofSeconds(10), () -> {
                String text = LocalPeers.read(work.resolve("fields.log"));
                return ids.stream().allMatch(id -> text.contains("id=\"" + id + "\""));
            });
            LocalPeers.stop(rsyslogd);
            for (int i = 20; i < 60; i++) {
                Alert a = alert(String.format("rs-%03d", i));
                ids.add(a.id());
                s.offer(a);
                Thread.sleep(50);
            }
            assertThat(telemetry.sinkNamed(s.name()).failures()).isPositive();
            start();
            assertThat(s.drain(Duration.ofSeconds(20))).isTrue();
            try {
                LocalPeers.await("every alert in rsyslog's file", Duration.ofSeconds(20), () -> {
                    String text = LocalPeers.read(work.resolve("fields.log"));
                    return ids.stream().allMatch(id -> text.contains("id=\"" + id + "\""));
                });
            } catch (AssertionError e) {
                String text = LocalPeers.read(work.resolve("fields.log"));
                List<String> missing = ids.stream().filter(id -> !text.contains("id=\"" + id + "\"")).toList();
                io.auditalert.metrics.SinkStats st = telemetry.sinkNamed(s.name());
                throw new AssertionError("missing in rsyslog's file: " + missing + "; sink delivered="
                        + st.delivered.sum() + " failures=" + st.failures() + " retries=" + st.retries.sum(), e);
            }
        }
        List<String> seen = new ArrayList<>();
        for (String l : LocalPeers.read(work.resolve("fields.log")).lines().toList()) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("id=\"(rs-\\d+)\"").matcher(l);
            if (m.find()) {
                seen.add(m.group(1));
            }
        }
        assertThat(new ArrayList<>(new LinkedHashSet<>(seen))).containsExactlyElementsOf(ids);
    }
}
