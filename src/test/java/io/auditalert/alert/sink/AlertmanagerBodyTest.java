package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Alert;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.Telemetry;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AlertmanagerBodyTest {
    @Test
    void shouldLabelAnnotateAndNeverEndInThePast() {
        Telemetry t = new Telemetry();
        try (AlertmanagerSink s = (AlertmanagerSink) SinkFactory.create(0, Map.of("type", "alertmanager",
                "urls", List.of("http://127.0.0.1:1"), "labels", Map.of("team", "sec"), "field_labels", List.of("auid"),
                "resolve_timeout", "2m"), t)) {
            Alert a = TestAlerts.alert("id-1"); // event time in 2026-11, long before "now" below
            long now = a.eventTimeMillis() + 86_400_000L;
            String body = s.body(List.of(a), now);
            assertThat(body).startsWith("[{\"labels\":{\"alertname\":\"passwd-write\",\"rule\":\"passwd-write\","
                    + "\"severity\":\"high\",\"node\":\"vm1\",\"alert_id\":\"id-1\",\"team\":\"sec\",\"auid\":\"1000\"}");
            assertThat(body).contains("\"summary\":\"write to /etc/passwd by id-1\"", "\"id\":\"id-1\"",
                    "\"startsAt\":\"" + Json.iso(a.eventTimeMillis()) + "\"",
                    "\"endsAt\":\"" + Json.iso(now + 120_000) + "\"");
        }
    }

    @Test
    void shouldLabelAnAlertWhoseEventNamesNoNodeWithThisMachinesName() {
        // auditd's default name_format = NONE: without it, one rule's alerts of every machine were one alert
        try (AlertmanagerSink s = (AlertmanagerSink) SinkFactory.create(0, Map.of("type", "alertmanager",
                "urls", List.of("http://127.0.0.1:1"), "hostname", "db01"), new Telemetry())) {
            Alert a = TestAlerts.alert("id-2");
            Alert noNode = new Alert("id-3", a.eventTimeMillis(), a.rule(), a.severity(), a.output(), a.tags(), null,
                    a.serial(), a.keys(), a.fields(), 0, a.json(), 0);
            assertThat(s.body(List.of(noNode), a.eventTimeMillis())).contains("\"node\":\"db01\"");
            assertThat(s.body(List.of(a), a.eventTimeMillis())).contains("\"node\":\"vm1\"").doesNotContain("db01");
        }
    }

    @Test
    void shouldKeepEachAlertApartUnlessAskedToMerge() {
        // equal label sets are one alert to Alertmanager, which keeps the newest annotations only: a rule's
        // second alert within resolve_timeout reached no receiver
        Alert a = TestAlerts.alert("id-4");
        try (AlertmanagerSink s = (AlertmanagerSink) SinkFactory.create(0, Map.of("type", "alertmanager",
                "urls", List.of("http://127.0.0.1:1")), new Telemetry())) {
            assertThat(s.body(List.of(a), a.eventTimeMillis())).contains("\"alert_id\":\"id-4\"}");
        }
        try (AlertmanagerSink s = (AlertmanagerSink) SinkFactory.create(0, Map.of("type", "alertmanager",
                "urls", List.of("http://127.0.0.1:1"), "merge", true), new Telemetry())) {
            assertThat(s.body(List.of(a), a.eventTimeMillis())).doesNotContain("alert_id").contains("\"id\":\"id-4\"");
        }
    }

    @Test
    void shouldWarnWhenLabelsReplaceTheSinksOwn() {
        // labels: {severity: page} made every alert "page", silently: critical and info could no longer be
        // routed apart. Warned, not refused: a configuration that did so must still load after an upgrade
        try (LogCapture logged = LogCapture.of(AlertmanagerSink.class);
                AlertmanagerSink s = (AlertmanagerSink) SinkFactory.create(0, Map.of("type", "alertmanager",
                        "urls", List.of("http://127.0.0.1:1"), "labels", Map.of("severity", "page", "team", "sec"),
                        "field_labels", List.of("team", "auid")), new Telemetry())) {
            Alert a = TestAlerts.alert("id-5");
            assertThat(s.body(List.of(a), a.eventTimeMillis())).contains("\"severity\":\"page\"");
            assertThat(logged.messages()).anySatisfy(m -> assertThat(m).contains("labels.severity replaces the label"))
                    .anySatisfy(m -> assertThat(m).contains("field_labels \"team\" replaces a label"))
                    .noneMatch(m -> m.contains("\"auid\""));
        }
    }
}
