package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Severity;
import io.auditalert.alert.TestAlerts;
import java.nio.charset.StandardCharsets;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

class SyslogFormatTest {
    private static final long T = 1_795_000_333_301L; // 2026-11-18T11:12:13.301Z

    private static Alert alert(Severity sev, Map<String, String> fields, String node) {
        return new Alert("id-7", T, "passwd-write", sev, "write to /etc/passwd", List.of(), node, 33, List.of("k"),
                fields, 4, "{\"id\":\"id-7\"}".getBytes(StandardCharsets.UTF_8), 0);
    }

    private static String fmt(SyslogFormat f, Alert a) {
        return new String(f.format(a), StandardCharsets.UTF_8);
    }

    @Test
    void shouldWriteRfc5424WithEscapedStructuredData() {
        SyslogFormat f = new SyslogFormat(SyslogFormat.Style.RFC5424, 10, "vm", "auditalert", 4242, false, ZoneOffset.UTC);
        String m = fmt(f, alert(Severity.CRITICAL, Map.of("auid", "1000", "exe", "/tmp/a \"b\" [c]\\d"), null));
        assertThat(m).isEqualTo("<82>1 2026-11-18T11:12:13.301Z vm auditalert 4242 passwd-write "
                + "[auditalert@32473 rule=\"passwd-write\" severity=\"critical\" serial=\"33\" auid=\"1000\" "
                + "exe=\"/tmp/a \\\"b\\\" [c\\]\\\\d\" id=\"id-7\" suppressed=\"4\"] write to /etc/passwd");
    }

    @Test
    void shouldWriteControlCharactersOfStructuredDataAsOctalBytes() {
        // a review: an exe holding a newline and a forged header went out raw inside exe="…" (UDP, octet-counted TCP)
        SyslogFormat f = new SyslogFormat(SyslogFormat.Style.RFC5424, 10, "vm", "auditalert", 4242, false, ZoneOffset.UTC);
        String m = fmt(f, alert(Severity.HIGH, Map.of("exe", "/tmp/x\n<11>1 forged\u009b2J\u2028"), "n\r1"));
        assertThat(m).contains(" node=\"n\\0151\"", " exe=\"/tmp/x\\012<11>1 forged\\302\\2332J\\342\\200\\250\"")
                .doesNotContain("\n", "\r", "\u009b", "\u2028");
    }

    @Test
    void shouldMapRuleSeverityToSyslogSeverity() {
        assertThat(SyslogFormat.severity(Severity.CRITICAL)).isEqualTo(2);
        assertThat(SyslogFormat.severity(Severity.HIGH)).isEqualTo(3);
        assertThat(SyslogFormat.severity(Severity.MEDIUM)).isEqualTo(4);
        assertThat(SyslogFormat.severity(Severity.LOW)).isEqualTo(5);
        assertThat(SyslogFormat.severity(Severity.INFO)).isEqualTo(6);
        assertThat(SyslogFormat.severity(null)).as("forwarded events").isEqualTo(6);
        assertThat(SyslogFormat.facility("local3")).isEqualTo(19);
        assertThat(SyslogFormat.facility("authpriv")).isEqualTo(10);
    }

    @Test
    void shouldWriteRfc3164WithTheEventNodeAsHost() {
        SyslogFormat f = new SyslogFormat(SyslogFormat.Style.RFC3164, 4, "vm", "auditalert", 99, false, ZoneOffset.UTC);
        assertThat(fmt(f, alert(Severity.LOW, Map.of(), "web-1")))
                .isEqualTo("<37>Nov 18 11:12:13 web-1 auditalert[99]: low passwd-write: write to /etc/passwd");
    }

    @Test
    void shouldPadSingleDigitDaysWithASpaceIn3164() {
        SyslogFormat f = new SyslogFormat(SyslogFormat.Style.RFC3164, 4, "vm", "a", 1, false, ZoneOffset.UTC);
        Alert a = new Alert("i", 1_796_192_000_000L, "r", Severity.INFO, "o", List.of(), null, 1, List.of(), Map.of(),
                0, new byte[0], 0); // 2026-12-02
        assertThat(fmt(f, a)).startsWith("<38>Dec  2 ");
    }

    @Test
    void shouldForwardEventsAsJsonWithMsgidEvent() {
        SyslogFormat f = new SyslogFormat(SyslogFormat.Style.RFC5424, 10, "vm", "auditalert", 1, false, ZoneOffset.UTC);
        Alert e = TestAlerts.event("ev-1", 77);
        String m = fmt(f, e);
        assertThat(m).startsWith("<86>1 ").contains(" auditalert 1 event [auditalert@32473 serial=\"77\" id=\"ev-1\"] {");
        assertThat(m).endsWith(new String(e.json(), StandardCharsets.UTF_8));
    }

    @Test
    void shouldCutLongMessagesSoNoTextBecomesAMessageOfItsOwn() {
        // a receiver cuts what is over its limit and reads the rest as a new message: an argument
        // "AAA…<10>1 … sshd … Accepted password" forged a whole syslog line in rsyslog
        SyslogFormat f = new SyslogFormat(SyslogFormat.Style.RFC5424, 10, "vm", "auditalert", 1, false, ZoneOffset.UTC, 600);
        String forged = "A".repeat(700) + "<10>1 2026-11-28T00:00:00Z db01 sshd 4242 - - Accepted password for root";
        Alert a = new Alert("i", 1_796_192_000_000L, "r", Severity.HIGH, forged, List.of(), null, 1, List.of(),
                Map.of(), 0, new byte[0], 0);
        byte[] m = f.format(a);
        assertThat(m).hasSize(600);
        assertThat(new String(m, StandardCharsets.UTF_8)).doesNotContain("Accepted").endsWith("AAAA");
        // never half a character: 'é' is two bytes
        assertThat(SyslogFormat.cut("abé".getBytes(StandardCharsets.UTF_8), 3)).isEqualTo("ab".getBytes(StandardCharsets.UTF_8));
        assertThat(SyslogFormat.cut("abé".getBytes(StandardCharsets.UTF_8), 4)).hasSize(4);
    }

    @Test
    void shouldWriteTheLocalSocketsFormWithoutAHostName() {
        // rsyslog's imuxsock (Debian's default) reads "<PRI>TIME TAG: MSG" on /dev/log: an RFC 5424 header
        // or a host name there became the tag and the message
        SyslogFormat f = new SyslogFormat(SyslogFormat.Style.LOCAL, 4, "vm", "auditalert", 99, false, ZoneOffset.UTC);
        assertThat(fmt(f, alert(Severity.LOW, Map.of(), "web-1")))
                .isEqualTo("<37>Nov 18 11:12:13 auditalert[99]: low passwd-write (node web-1): write to /etc/passwd");
        assertThat(fmt(f, alert(Severity.LOW, Map.of(), null)))
                .isEqualTo("<37>Nov 18 11:12:13 auditalert[99]: low passwd-write: write to /etc/passwd");
    }

    @Test
    void shouldKeepTheStructuredDataWholeWhenALongValueMeetsMaxSize() {
        SyslogFormat f = new SyslogFormat(SyslogFormat.Style.RFC5424, 10, "vm", "auditalert", 1, false, ZoneOffset.UTC, 480);
        String exe = "/tmp/" + "d".repeat(600) + "/evil";
        String m = fmt(f, alert(Severity.HIGH, Map.of("auid", "1000", "exe", exe), null));
        assertThat(m.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(480);
        int end = m.indexOf("\"] ");
        assertThat(end).as("the element is closed: %s", m).isPositive();
        String sd = m.substring(m.indexOf('['), end + 2);
        assertThat(sd).contains(" id=\"id-7\"", " exe=\"/tmp/ddd").endsWith(" suppressed=\"4\"]");
        assertThat(m.substring(end + 3)).startsWith("write to /etc/passwd");
    }

    @Test
    void shouldSendValidJsonWhenTheAlertJsonDoesNotFit() {
        SyslogFormat f = new SyslogFormat(SyslogFormat.Style.RFC5424, 10, "vm", "auditalert", 1, true, ZoneOffset.UTC, 1000);
        String big = "{\"id\":\"id-7\",\"output\":\"" + "x".repeat(20_000) + "\"}";
        Alert a = new Alert("id-7", T, "passwd-write", Severity.HIGH, "ran \"é\" " + "y".repeat(3000), List.of(), "web-1",
                33, List.of(), Map.of(), 0, big.getBytes(StandardCharsets.UTF_8), 0);
        byte[] m = f.format(a);
        assertThat(m.length).isLessThanOrEqualTo(1000).isGreaterThan(900);
        String s = new String(m, StandardCharsets.UTF_8);
        String msg = s.substring(s.indexOf("] ") + 2);
        assertThat(msg).startsWith("\uFEFF{"); // the BOM: the output has an é
        @SuppressWarnings("unchecked")
        Map<String, Object> j = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(msg.substring(1));
        assertThat(j).containsEntry("truncated", true).containsEntry("id", "id-7").containsEntry("rule", "passwd-write")
                .containsEntry("severity", "high").containsEntry("serial", 33).containsEntry("node", "web-1");
        assertThat((String) j.get("output")).startsWith("ran \"é\" yyy");
    }

    @Test
    void shouldMarkAUtf8MessageWithTheBomIn5424Only() {
        Alert a = new Alert("i", T, "r", Severity.HIGH, "wrote fïle", List.of(), null, 1, List.of(), Map.of(), 0,
                new byte[0], 0);
        String m5424 = fmt(new SyslogFormat(SyslogFormat.Style.RFC5424, 10, "vm", "a", 1, false, ZoneOffset.UTC), a);
        assertThat(m5424).endsWith("] \uFEFFwrote fïle");
        String ascii = fmt(new SyslogFormat(SyslogFormat.Style.RFC5424, 10, "vm", "a", 1, false, ZoneOffset.UTC),
                alert(Severity.LOW, Map.of(), null));
        assertThat(ascii).doesNotContain("\uFEFF");
        assertThat(fmt(new SyslogFormat(SyslogFormat.Style.RFC3164, 10, "vm", "a", 1, false, ZoneOffset.UTC), a))
                .endsWith("]: high r: wrote fïle");
    }

    @Test
    void shouldStayWellFormedAtTheSmallestMaxSizeWithALongHostName() {
        // a 253-character FQDN at max_size 480: the JSON MSG was "{\"t", the structured data cut before ']'
        String node = ("n".repeat(60) + ".").repeat(4) + "example.org".substring(0, 9);
        String big = "{\"id\":\"1732870000123-00042\",\"output\":\"" + "x".repeat(5000) + "\"}";
        Alert a = new Alert("1732870000123-00042", T, "sensitive-file-read-" + "r".repeat(40), Severity.HIGH,
                "read /etc/shadow", List.of(), node, 33, List.of(), Map.of("auid", "1000", "exe", "/usr/bin/python3.12"),
                0, big.getBytes(StandardCharsets.UTF_8), 0);
        Load yaml = new Load(LoadSettings.builder().build());
        for (int max : new int[] {480, 520, 560, 600}) {
            SyslogFormat f = new SyslogFormat(SyslogFormat.Style.RFC5424, 10, "vm", "auditalert", 1234567, true,
                    ZoneOffset.UTC, max);
            String m = fmt(f, a);
            assertThat(m.getBytes(StandardCharsets.UTF_8).length).as("max %d", max).isLessThanOrEqualTo(max);
            int sd = m.indexOf(" [auditalert@32473 ");
            String rest;
            if (sd > 0) {
                int end = m.indexOf("\"] ", sd);
                assertThat(end).as("the element is closed at max %d: %s", max, m).isPositive();
                assertThat(m.substring(sd, end)).contains(" id=\"1732870000123-00042");
                rest = m.substring(end + 3);
            } else {
                assertThat(m).as("no structured data at all at max %d", max).contains(" - {");
                rest = m.substring(m.indexOf(" - {") + 3);
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> j = (Map<String, Object>) yaml.loadFromString(rest);
            assertThat(j).as("max %d: %s", max, rest).containsEntry("truncated", true)
                    .containsEntry("id", "1732870000123-00042");
        }
        // RFC 3164 and the local form: a valid object, however little room the host name leaves
        for (SyslogFormat.Style style : new SyslogFormat.Style[] {SyslogFormat.Style.RFC3164, SyslogFormat.Style.LOCAL}) {
            String m = fmt(new SyslogFormat(style, 10, "vm", "auditalert", 1234567, true, ZoneOffset.UTC, 480), a);
            assertThat(m.getBytes(StandardCharsets.UTF_8).length).isLessThanOrEqualTo(480);
            String rest = m.substring(m.indexOf("]: ") + 3);
            assertThat(rest.isEmpty() || yaml.loadFromString(rest) instanceof Map).as(m).isTrue();
        }
    }

    @Test
    void shouldKeepHeaderFieldsPrintable() {
        assertThat(SyslogFormat.printable("a b\tc", 32)).isEqualTo("a_b_c");
        assertThat(SyslogFormat.printable("x".repeat(40), 32)).hasSize(32);
        assertThat(SyslogFormat.printable("", 32)).isEqualTo("-");
    }
}
