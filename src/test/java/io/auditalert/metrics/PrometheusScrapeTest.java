package io.auditalert.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.auditalert.parse.RecordTypes;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Debian's Prometheus scrapes the live endpoint while real audit logs are replayed through the pipeline;
 * its HTTP API must show the target up and the counters equal to what was fed. Every PromQL expression
 * of the shipped dashboard must parse (promtool) and return data from that Prometheus, and one shipped
 * alerting rule must fire for real and reach a real Alertmanager, which delivers it to a webhook.
 */
@Tag("integration")
class PrometheusScrapeTest {
    static final String JOB = "auditalert";
    static final Pattern SYSCALL_LINE = Pattern.compile("^(node=\\S+ )?type=SYSCALL msg=audit\\(", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void prometheusShouldScrapeWhatThePipelineCountedAndTheDashboardAndRulesShouldWorkOnIt() throws Exception {
        Path prometheus = Peers.require("prometheus", "prometheus");
        Path promtool = Peers.require("promtool", "prometheus");
        Path alertmanager = Peers.require("prometheus-alertmanager", "prometheus-alertmanager");
        Path bigLog = CorpusFeed.corpusFile("SELinuxProject_selinux/python__sepolgen__tests__test_data__audit.log");
        Path smallLog = CorpusFeed.corpusFile("SELinuxProject_selinux/python__sepolgen__tests__test_data__short.log");
        long syscallsBig = syscallLines(bigLog);
        long syscallsSmall = syscallLines(smallLog);

        Telemetry t = new Telemetry();
        t.ringCapacity = 4096;
        t.ringMaxBytes = 64L << 20; // what a pipeline with a ring sets, as run's does
        RuleStats passwd = t.rule("passwd_write", "critical");
        RuleStats sudo = t.rule("sudo_exec", "warning");
        SinkStats am = t.sink("am", "alertmanager");
        CorpusFeed.replay(t, bigLog);
        long eventsBeforeServer = t.pipeline.events; // their latencies went to the default no-op recorder
        List<String> hooks = new CopyOnWriteArrayList<>();
        HttpServer webhook = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 16);
        webhook.createContext("/hook", ex -> {
            hooks.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        webhook.start();
        try (MetricsServer server = MetricsServer.start("127.0.0.1:0", null, t,
                        MetricsOptions.DEFAULTS.withBindTimeout(Duration.ZERO).withBuild("0.1.0-test", "test"));
                Peers peers = new Peers()) {
            t.started = true;
            if (t.pipeline.kernelLost < 0) {
                // not root: the relay would forward the kernel status in-band; do what its reader does
                t.pipeline.kernelLost = 0;
                t.pipeline.kernelBacklog = 0;
                t.pipeline.kernelBacklogLimit = 8192;
            }
            int metricsPort = server.address().getPort();
            int amPort = Peers.freePort();
            int promPort = Peers.freePort();
            Path amYml = dir.resolve("alertmanager.yml");
            Files.writeString(amYml, """
                    route:
                      receiver: hook
                      group_by: [alertname, stage]
                      group_wait: 0s
                      group_interval: 1s
                      repeat_interval: 1h
                    receivers:
                      - name: hook
                        webhook_configs: [{url: "http://127.0.0.1:%d/hook", send_resolved: true}]
                    """.formatted(webhook.getAddress().getPort()));
            peers.start(dir.resolve("am.log"), alertmanager.toString(), "--config.file=" + amYml,
                    "--storage.path=" + dir.resolve("am-data"), "--web.listen-address=127.0.0.1:" + amPort,
                    "--cluster.listen-address=", "--log.level=warn");
            Path promYml = dir.resolve("prometheus.yml");
            Files.writeString(promYml, """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    rule_files: ["%s"]
                    alerting:
                      alertmanagers: [{static_configs: [{targets: ["127.0.0.1:%d"]}]}]
                    scrape_configs:
                      - job_name: %s
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                    """.formatted(PrometheusRulesTest.RULES.toAbsolutePath(), amPort, JOB, metricsPort));
            Peers.Result config = Peers.run(null, promtool.toString(), "check", "config", promYml.toString());
            assertThat(config.rc()).as(config.output()).isZero();
            peers.start(dir.resolve("prometheus.log"), prometheus.toString(), "--config.file=" + promYml,
                    "--storage.tsdb.path=" + dir.resolve("prom-data"), "--web.listen-address=127.0.0.1:" + promPort,
                    "--log.level=warn");
            String prom = "http://127.0.0.1:" + promPort;
            Peers.await("Alertmanager ready", 20_000, () -> Peers.ok("http://127.0.0.1:" + amPort + "/-/ready"));
            Peers.await("Prometheus ready", 20_000, () -> Peers.ok(prom + "/-/ready"));
            Peers.await("target up", 30_000, () -> queryOr(promPort, "up{job=\"auditalert\"}") == 1.0);

            // counters move between scrapes: more events, alerts, sink traffic, a GC, and (once) ring drops
            int rounds = 8;
            for (int i = 0; i < rounds; i++) {
                CorpusFeed.replay(t, smallLog);
                passwd.matches.add(5);
                passwd.suppressed.add(1);
                passwd.alerted.add(4);
                passwd.evaluations.add(50);
                passwd.evaluationNanos.add(2_000_000);
                sudo.matches.add(1);
                sudo.alerted.add(1);
                sudo.excepted.add(1);
                sudo.evaluations.add(50);
                sudo.evaluationNanos.add(1_000_000);
                am.delivered.add(4);
                for (int k = 0; k < 4; k++) {
                    am.deliveryLatency.record((20 + 10 * k) * 1_000_000L); // 20 to 50 ms
                }
                am.failedTransiently();
                am.retries.add(1);
                t.reloads.increment();
                t.rulesLoaded = 2;
                if (i == 3) {
                    t.pipeline.ringDropped += 7;
                    System.gc(); // so that jvm_gc_pause_seconds exists, as it does in any long-running JVM
                }
                Thread.sleep(1000);
            }
            PipelineStats p = t.pipeline;
            long expectedSyscalls = syscallsBig + rounds * syscallsSmall;
            assertThat(p.recordsByType[RecordTypes.SYSCALL]).as("the pipeline's own count").isEqualTo(expectedSyscalls);
            Peers.await("last scrape has the final counts", 15_000,
                    () -> queryOr(promPort, "auditalert_events_total{job=\"auditalert\"}") == p.events);

            Map<String, Object> targets = Peers.api(prom + "/api/v1/targets");
            assertThat(targets.toString()).contains("health=up").contains("job=auditalert");
            assertThat(Peers.scalar(promPort, "auditalert_events_total{job=\"auditalert\"}")).isEqualTo(p.events);
            assertThat(Peers.scalar(promPort, "auditalert_records_total{job=\"auditalert\",type=\"SYSCALL\"}"))
                    .isEqualTo(expectedSyscalls);
            assertThat(Peers.scalar(promPort, "auditalert_records_total{job=\"auditalert\",type=\"AVC\"}"))
                    .isEqualTo(p.recordsByType[RecordTypes.AVC]);
            assertThat(Peers.scalar(promPort,
                    "auditalert_alerts_total{job=\"auditalert\",rule=\"passwd_write\",severity=\"critical\"}"))
                    .isEqualTo(rounds * 4.0);
            assertThat(Peers.scalar(promPort,
                    "auditalert_alerts_total{job=\"auditalert\",rule=\"sudo_exec\",severity=\"warning\"}"))
                    .isEqualTo(rounds * 1.0);
            assertThat(Peers.scalar(promPort, "auditalert_dropped_total{job=\"auditalert\",stage=\"ring\"}"))
                    .isEqualTo(7.0);
            assertThat(Peers.scalar(promPort, "auditalert_sink_deliveries_total{job=\"auditalert\",sink=\"am\"}"))
                    .isEqualTo(rounds * 4.0);
            assertThat(Peers.scalar(promPort,
                    "auditalert_sink_delivery_latency_seconds_count{job=\"auditalert\",sink=\"am\"}"))
                    .isEqualTo(rounds * 4.0);
            assertThat(Peers.scalar(promPort, "histogram_quantile(0.5, sum by (le) "
                    + "(auditalert_sink_delivery_latency_seconds_bucket{job=\"auditalert\",sink=\"am\"}))"))
                    .as("a quarter within 25 ms, the rest within 50 ms").isBetween(0.025, 0.05);
            assertThat(Peers.scalar(promPort, "auditalert_event_latency_seconds_count{job=\"auditalert\"}"))
                    .isEqualTo(p.events - eventsBeforeServer);
            assertThat(Peers.scalar(promPort, "auditalert_build_info{job=\"auditalert\",version=\"0.1.0-test\"}"))
                    .isEqualTo(1.0);

            checkDashboard(promtool, promPort);

            Peers.await("Alertmanager delivered AuditalertEventsLost{stage=ring}", 30_000,
                    () -> hooks.stream().anyMatch(h -> h.contains("\"alertname\":\"AuditalertEventsLost\"")
                            && h.contains("\"stage\":\"ring\"") && h.contains("\"status\":\"firing\"")));
            assertThat(Peers.api(prom + "/api/v1/alerts").toString())
                    .contains("alertname=AuditalertEventsLost").contains("state=firing");
        } finally {
            webhook.stop(0);
        }
    }

    /** Each dashboard expression parses (promtool check rules) and returns data (not empty, not all NaN). */
    @SuppressWarnings("unchecked")
    private void checkDashboard(Path promtool, int promPort) throws Exception {
        List<Dashboard.Query> queries = Dashboard.load().queries();
        StringBuilder rules = new StringBuilder("groups:\n  - name: dashboard\n    rules:\n");
        for (int i = 0; i < queries.size(); i++) {
            String expr = Dashboard.substitute(queries.get(i).expr(), JOB);
            assertThat(expr).as("unsubstituted variable in " + queries.get(i)).doesNotContain("$");
            rules.append("      - record: dashboard:q").append(i).append("\n        expr: '")
                    .append(expr.replace("'", "''")).append("'\n");
        }
        Path rulesFile = dir.resolve("dashboard-rules.yml");
        Files.writeString(rulesFile, rules);
        Peers.Result parsed = Peers.run(null, promtool.toString(), "check", "rules", rulesFile.toString());
        assertThat(parsed.rc()).as(parsed.output()).isZero();

        List<String> empty = new ArrayList<>();
        for (Dashboard.Query q : queries) {
            List<Map<String, Object>> result = Peers.query(promPort, Dashboard.substitute(q.expr(), JOB));
            boolean data = result.stream().anyMatch(r -> {
                String v = String.valueOf(((List<Object>) r.get("value")).get(1));
                return !v.equals("NaN");
            });
            if (!data) {
                empty.add(q.panel() + " / " + q.refId() + ": " + q.expr() + " -> " + result);
            }
        }
        assertThat(empty).as("dashboard queries without data (of " + queries.size() + ")").isEmpty();
    }

    private static double queryOr(int promPort, String expr) {
        try {
            return Peers.scalar(promPort, expr);
        } catch (IOException | AssertionError e) {
            return Double.NaN;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Double.NaN;
        }
    }

    private static long syscallLines(Path file) throws IOException {
        return SYSCALL_LINE.matcher(Files.readString(file, StandardCharsets.ISO_8859_1)).results().count();
    }
}
