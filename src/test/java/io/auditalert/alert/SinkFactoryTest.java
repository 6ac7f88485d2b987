package io.auditalert.alert;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.auditalert.metrics.Telemetry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SinkFactoryTest {
    private static List<String> problems(int index, Map<String, Object> spec) {
        return SinkFactory.validate(index, spec).stream().map(Throwable::getMessage).toList();
    }

    @Test
    void shouldRefuseASpoolThatCanNeverBeADirectory(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // check said ok; run and replay then refused the sink without a line and column
        java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("afile"), "x");
        assertThat(problems(0, Map.of("type", "stdout", "spool", file + "/spool")))
                .containsExactly("sinks[0].spool: " + file + " is not a directory");
        assertThat(problems(1, Map.of("type", "webhook", "url", "http://127.0.0.1:9/x", "spool",
                Map.of("dir", file.toString())))).containsExactly("sinks[1].spool.dir: " + file + " is not a directory");
        assertThat(problems(2, Map.of("type", "stdout", "spool", dir.resolve("new/spool").toString()))).isEmpty();
    }

    @Test
    void shouldSayThatAMergeKeyIsNotSupportedInASink() {
        assertThat(problems(0, Map.of("type", "stdout", "<<", Map.of("min_severity", "high"))))
                .containsExactly("sinks[0].<<: a YAML merge key (<<) is not supported here: write the keys out");
    }

    @Test
    void shouldAcceptTheConfigShapeOfTheIssue() {
        assertThat(problems(0, Map.of("type", "syslog", "address", "udp://127.0.0.1:514", "format", "rfc5424"))).isEmpty();
        assertThat(problems(1, Map.of("type", "alertmanager", "urls", List.of("http://127.0.0.1:9093"),
                "labels", Map.of("team", "sec")))).isEmpty();
        assertThat(problems(2, Map.of("type", "webhook", "url", "https://hooks.example/x",
                "headers", Map.of("Authorization", "Bearer x")))).isEmpty();
        assertThat(problems(3, Map.of("type", "email", "smtp", "127.0.0.1:25", "from", "auditalert@host",
                "to", List.of("sec@example.org"), "starttls", false))).isEmpty();
        assertThat(problems(4, Map.of("type", "exec", "command", List.of("/bin/cat", "--"), "timeout", "10s"))).isEmpty();
        assertThat(problems(5, Map.of("type", "file", "path", "/var/log/auditalert/alerts.jsonl", "what", "events"))).isEmpty();
        assertThat(problems(6, Map.of("type", "stdout"))).isEmpty();
    }

    @Test
    void shouldNameTheKeyOfEveryProblem() {
        assertThat(problems(2, Map.of("type", "webhook", "url", "http://x/", "timeout", "ten"))).containsExactly(
                "sinks[2].timeout: expected a duration like 10s (units ms, s, m, h, d)");
        assertThat(problems(0, Map.of("type", "nope"))).singleElement().asString().startsWith("sinks[0].type: unknown sink type");
        // a glob of rule names with a reversed range: an error, not an exception that ended the program
        assertThat(problems(3, Map.of("type", "stdout", "rules", List.of("exec-*", "[z-a]*")))).containsExactly(
                "sinks[3].rules: bad glob '[z-a]*': range z-a is out of order in glob");
        assertThat(problems(0, Map.of())).singleElement().asString().startsWith("sinks[0].type: required");
        assertThat(problems(1, Map.of("type", "syslog", "address", "tcp://h", "facility", "nosuch", "colour", "red")))
                .containsExactlyInAnyOrder(
                        "sinks[1].address: expected udp://HOST:PORT, tcp://HOST:PORT or unix:/PATH, got \"tcp://h\"",
                        "sinks[1].facility: unknown facility \"nosuch\" (kern, user, daemon, auth, authpriv, local0..local7, …)",
                        problems(1, Map.of("type", "syslog", "colour", "red")).get(0));
        assertThat(problems(3, Map.of("type", "alertmanager", "urls", List.of("ftp://x"), "labels", Map.of("bad-name", "v"))))
                .contains("sinks[3].urls: expected an http:// or https:// URL with a host, got a ftp: URL",
                        "sinks[3].labels.bad-name: not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
        // the URL is not echoed: it can hold a password or a token, and the message goes to the log
        assertThat(problems(2, Map.of("type", "webhook", "url", "ftp://svc:hunter2@hooks.example/x"))).containsExactly(
                "sinks[2].url: expected an http:// or https:// URL with a host, got a ftp: URL");
        assertThat(problems(2, Map.of("type", "webhook", "url", "https://svc:hun ter2@hooks.example/x"))).containsExactly(
                "sinks[2].url: not a valid URL: Illegal character in authority at index 8");
        assertThat(problems(2, Map.of("type", "webhook", "url", "https://hooks.example/x?token=hunter2 x"))).containsExactly(
                "sinks[2].url: not a valid URL: Illegal character in query at index 37");
        // credentials in a URL are never sent and would be logged; a header with CR LF would split the request;
        // Alertmanager refuses every alert whose generatorURL is no URL
        assertThat(problems(2, Map.of("type", "webhook", "url", "http://alice:pw@127.0.0.1:8080/x",
                "headers", Map.of("X-Token", "a\r\nX-Evil: 1", "Bad Name", "v")))).containsExactlyInAnyOrder(
                "sinks[2].url: credentials in the URL are not sent: put them in headers (Authorization: Basic …)",
                "sinks[2].headers.X-Token: the value has a control character (CR, LF, …)",
                "sinks[2].headers.Bad Name: not a valid header name");
        assertThat(problems(3, Map.of("type", "alertmanager", "urls", List.of("http://127.0.0.1:9093"),
                "generator_url", "not a url"))).singleElement().asString().startsWith("sinks[3].generator_url: ");
        assertThat(problems(1, Map.of("type", "syslog", "max_size", "100B"))).singleElement().asString()
                .startsWith("sinks[1].max_size: ");
        assertThat(problems(4, Map.of("type", "exec", "command", "rm -rf /"))).contains(
                "sinks[4].command: expected a list (argv); use shell: true to run a string through /bin/sh");
        // one mistake, one error (it was two: "expected a string" as well)
        assertThat(problems(4, Map.of("type", "exec", "command", List.of("echo hi"), "shell", true))).containsExactly(
                "sinks[4].command: with shell: true, command is one string for /bin/sh -c");
        assertThat(problems(5, Map.of("type", "file", "path", "/x", "min_severity", "urgent", "rate_limit",
                Map.of("per_second", -1), "spool", Map.of("dir", "/tmp/x", "max_bytes", "lots"))))
                .contains("sinks[5].min_severity: expected one of info, low, medium, high, critical",
                        "sinks[5].rate_limit.per_second: expected a positive number",
                        "sinks[5].spool.max_bytes: expected a size like 64MiB (units B, KiB, MiB, GiB, KB, MB, GB)");
    }

    @Test
    void shouldRefusePortsPastTheRangeAndNulCharactersWithTheirKey() {
        // found by MalformedConfigTest: both threw out of validate (IllegalArgumentException, InvalidPathException)
        assertThat(problems(1, Map.of("type", "syslog", "address", "udp://127.0.0.1:99999"))).containsExactly(
                "sinks[1].address: expected udp://HOST:PORT, tcp://HOST:PORT or unix:/PATH, got \"udp://127.0.0.1:99999\"");
        String nul = "a NUL character (\\0) cannot be part of a value";
        assertThat(problems(0, Map.of("type", "stdout", "spool", "/tmp/s\0"))).containsExactly("sinks[0].spool: " + nul);
        assertThat(problems(0, Map.of("type", "file", "path", "/tmp/a\0"))).containsExactly("sinks[0].path: " + nul);
        assertThat(problems(0, Map.of("type", "exec", "command", List.of("/bin/cat", "a\0")))).containsExactly(
                "sinks[0].command[1]: " + nul);
        assertThat(problems(0, Map.of("type", "webhook", "url", "http://127.0.0.1/", "headers", Map.of("X-A", "b\0"))))
                .containsExactly("sinks[0].headers.X-A: " + nul);
    }

    @Test
    void shouldThrowTheFirstProblemFromCreateWithItsPath() {
        assertThatThrownBy(() -> SinkFactory.create(7, Map.of("type", "email", "smtp", "h:25", "from", "a@b",
                "to", List.of("c@d"), "interval", "soon"), new Telemetry()))
                .isInstanceOf(SinkConfigException.class)
                .hasMessage("sinks[7].interval: expected a duration like 10s (units ms, s, m, h, d)")
                .satisfies(e -> assertThat(((SinkConfigException) e).path()).containsExactly("interval"));
    }

    @Test
    void shouldRefuseMailAddressesWithACarriageReturnOrAnotherControlCharacter() {
        // a review: LF was refused, a lone CR (which ends an SMTP line for many servers) was not
        assertThat(problems(0, Map.of("type", "email", "smtp", "h:25", "from", "a@b\rBcc: x@y", "to", List.of("c@d\t"))))
                .containsExactlyInAnyOrder("sinks[0].from: not an address: \"a@b\rBcc: x@y\"",
                        "sinks[0].to: not an address: \"c@d\t\"");
    }

    @Test
    void shouldParseDurationsAndSizes() {
        assertThat(SpecReader.parseDuration("500ms")).isEqualTo(500);
        assertThat(SpecReader.parseDuration("10s")).isEqualTo(10_000);
        assertThat(SpecReader.parseDuration("1m")).isEqualTo(60_000);
        assertThat(SpecReader.parseDuration("2h")).isEqualTo(7_200_000);
        assertThat(SpecReader.parseDuration("10")).isEqualTo(-1);
        assertThat(SpecReader.parseSize("64MiB")).isEqualTo(64L << 20);
        assertThat(SpecReader.parseSize("10MB")).isEqualTo(10_000_000);
        assertThat(SpecReader.parseSize("x")).isEqualTo(-1);
    }

    @Test
    void shouldChooseItemsByWhatSeverityAndRules() {
        Telemetry t = new Telemetry();
        try (Sink s = SinkFactory.create(0, Map.of("type", "stdout", "min_severity", "high", "rules",
                List.of("passwd-*", "exec-from-?mp")), t)) {
            assertThat(s.name()).isEqualTo("stdout-0");
            assertThat(s.accepts(TestAlerts.alert("1", "passwd-write", Severity.HIGH, "x"))).isTrue();
            assertThat(s.accepts(TestAlerts.alert("2", "passwd-write", Severity.MEDIUM, "x"))).isFalse();
            assertThat(s.accepts(TestAlerts.alert("3", "exec-from-tmp", Severity.CRITICAL, "x"))).isTrue();
            assertThat(s.accepts(TestAlerts.alert("4", "shadow-read", Severity.CRITICAL, "x"))).isFalse();
            assertThat(s.accepts(TestAlerts.event("5", 1))).isFalse();
        }
        try (Sink s = SinkFactory.create(1, Map.of("type", "stdout", "what", "events", "name", "ev"), t)) {
            assertThat(s.name()).isEqualTo("ev");
            assertThat(s.accepts(TestAlerts.event("5", 1))).isTrue();
            assertThat(s.accepts(TestAlerts.alert("1"))).isFalse();
        }
    }

    @Test
    void shouldApplyDefaultsOnlyWhereTheEntryIsSilent() throws Exception {
        Telemetry t = new Telemetry();
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("sf");
        try (Sink s = SinkFactory.create(0, Map.of("type", "file", "path", dir.resolve("a").toString(), "queue", 1),
                t, Map.of("when_full", "block"))) {
            for (int i = 0; i < 50; i++) {
                assertThat(s.offer(TestAlerts.alert("d" + i))).as("blocks for room instead of dropping").isTrue();
            }
            assertThat(s.drain(java.time.Duration.ofSeconds(5))).isTrue();
            assertThat(t.sinkNamed(s.name()).delivered.sum()).isEqualTo(50);
        }
        assertThatThrownBy(() -> SinkFactory.create(1, Map.of("type", "stdout", "when_full", "sometimes"), t,
                Map.of("when_full", "block"))).hasMessageStartingWith("sinks[1].when_full: expected one of drop, block");
    }
}
