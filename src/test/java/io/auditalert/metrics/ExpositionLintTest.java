package io.auditalert.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code promtool check metrics} passes clean on the live endpoint after a replay of real audit logs. */
@Tag("integration")
class ExpositionLintTest {
    @TempDir
    Path dir;

    @Test
    void promtoolShouldFindNothingToLintAfterAReplayOfRealLogs() throws Exception {
        Path promtool = Peers.require("promtool", "prometheus");
        Telemetry t = new Telemetry();
        CorpusFeed.replay(t, CorpusFeed.corpusFile("SELinuxProject_selinux/python__sepolgen__tests__test_data__audit.log"));
        CorpusFeed.replay(t, CorpusFeed.corpusFile("linux-audit_audit-userspace/auparse__test__test4.log"));
        CorpusFeed.replayFolder(t, "threathunters-io_laurel");
        CorpusFeed.replayFolder(t, "elastic_go-libaudit");
        t.rule("passwd_write", "critical").matches.add(3);
        t.rule("sudo_exec", "warning").evaluations.add(10);
        t.sink("am", "alertmanager").delivered.add(3);
        t.sink("mail", "email").failedTransiently();
        try (MetricsServer s = MetricsServer.start("127.0.0.1:0", null, t,
                MetricsOptions.DEFAULTS.withBindTimeout(Duration.ZERO))) {
            t.sinkNamed("am").deliveryLatency.record(12_000_000);
            HttpResponse<String> res = Exposition.get("http://127.0.0.1:" + s.address().getPort() + "/metrics",
                    "Accept", "text/plain;version=0.0.4");
            assertThat(res.headers().firstValue("Content-Type")).hasValue(MetricsServer.TEXT_004);
            assertThat(t.pipeline.events).as("the replay produced events").isGreaterThan(1000);
            Path body = dir.resolve("metrics.prom");
            Files.writeString(body, res.body());
            Peers.Result lint = Peers.run(body, promtool.toString(), "check", "metrics");
            assertThat(lint.output()).as("promtool findings").isEmpty();
            assertThat(lint.rc()).isZero();
            assertThat(res.body()).contains("auditalert_records_total{type=\"AVC\"}", "auditalert_alerts_total{",
                    "auditalert_sink_failures_total{", "auditalert_sink_delivery_latency_seconds_bucket{",
                    "jvm_memory_used_bytes{");
        }
    }
}
