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
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Alertmanager on loopback takes the sink's alerts — replayed ones a week old included —
 * routes them to a local webhook receiver (firing), and resolves them once {@code endsAt} (send
 * time plus resolve_timeout) has passed.
 */
@Tag("integration")
class AlertmanagerIntegrationTest {
    private static final Path ALERTMANAGER = Path.of("/usr/bin/prometheus-alertmanager");

    @TempDir
    Path work;

    @Test
    void shouldFireThenResolveThroughARealAlertmanager() throws Exception {
        assumeTrue(Files.isExecutable(ALERTMANAGER),
                "prometheus-alertmanager is not installed (apt-get install prometheus-alertmanager)");
        try (FakeHttpPeer hook = new FakeHttpPeer()) {
            int port = LocalPeers.freePort();
            Files.writeString(work.resolve("alertmanager.yml"), String.join("\n",
                    "route:",
                    "  receiver: hook",
                    "  group_by: [alertname, rule]",
                    "  group_wait: 0s",
                    "  group_interval: 1s",
                    "  repeat_interval: 1h",
                    "receivers:",
                    "  - name: hook",
                    "    webhook_configs: [{url: \"" + hook.url("/hook") + "\", send_resolved: true}]",
                    ""));
            Process am = LocalPeers.start(work, "alertmanager", ALERTMANAGER.toString(),
                    "--config.file=" + work.resolve("alertmanager.yml"), "--storage.path=" + work.resolve("data"),
                    "--web.listen-address=127.0.0.1:" + port, "--cluster.listen-address=", "--log.level=warn");
            try {
                HttpClient http = HttpClient.newHttpClient();
                LocalPeers.await("alertmanager ready", Duration.ofSeconds(20), () -> {
                    try {
                        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/-/ready")).build(),
                                HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
                    } catch (Exception e) {
                        return false;
                    }
                });
                Telemetry t = new Telemetry();
                Alert a = TestAlerts.alert("am-1", "passwd-write", Severity.CRITICAL, "write to /etc/passwd by alice");
                Alert b = TestAlerts.alert("am-2", "shadow-read", Severity.HIGH, "root read /etc/shadow");
                // the same rule again: without a label of its own it merged into am-1 and reached no receiver
                Alert c = TestAlerts.alert("am-3", "passwd-write", Severity.CRITICAL, "write to /etc/passwd by bob");
                try (Sink s = SinkFactory.create(0, Map.of("type", "alertmanager",
                        "urls", List.of("http://127.0.0.1:" + port), "labels", Map.of("team", "sec"),
                        "resolve_timeout", "2s"), t)) {
                    s.offer(a);
                    s.offer(b);
                    s.offer(c);
                    assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
                    assertThat(t.sinkNamed(s.name()).delivered.sum()).isEqualTo(3);
                }
                LocalPeers.await("the three alerts firing at the webhook", Duration.ofSeconds(15), () -> {
                    String text = hook.bodies();
                    return text.contains("\"status\":\"firing\"") && text.contains("\"id\":\"am-1\"")
                            && text.contains("\"id\":\"am-2\"") && text.contains("\"id\":\"am-3\"");
                });
                String firing = hook.bodies();
                assertThat(firing).contains("\"alertname\":\"passwd-write\"", "\"rule\":\"passwd-write\"",
                        "\"severity\":\"critical\"", "\"node\":\"vm1\"", "\"team\":\"sec\"",
                        "\"summary\":\"write to /etc/passwd by alice\"", "\"alertname\":\"shadow-read\"",
                        "\"summary\":\"write to /etc/passwd by bob\"", "\"alert_id\":\"am-3\"",
                        "\"startsAt\":\"2026-11-18T");
                // group_by alertname and rule: am-1 and am-3 share a group, so one of them may be reported resolved
                // in a notice whose group still fires (the other not yet resolved) and be gone from the group's
                // final "resolved" notice: each alert is looked for as an alert of its own with status resolved
                LocalPeers.await("the three alerts resolved at the webhook", Duration.ofSeconds(20), () ->
                        List.of("am-1", "am-2", "am-3").stream().allMatch(id -> hook.requests().stream().anyMatch(r ->
                                java.util.regex.Pattern.compile("\\{\"status\":\"resolved\",\"labels\":\\{[^}]*\\},"
                                        + "\"annotations\":\\{[^}]*\"id\":\"" + id + "\"").matcher(r.body()).find())));
            } finally {
                LocalPeers.stop(am);
            }
        }
    }
}
