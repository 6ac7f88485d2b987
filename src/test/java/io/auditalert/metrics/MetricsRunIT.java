package io.auditalert.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.OutputStream;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The real thing: {@code java -jar target/auditalert.jar run --metrics 127.0.0.1:PORT} reads a real audit
 * log on stdin, Debian's Prometheus scrapes it, and the counters Prometheus holds equal what was fed:
 * events as {@code auditalert events} assembles them from the same file, SYSCALL records as counted by
 * a plain scan of the file. The exposition of the shaded jar must lint clean with promtool.
 * Runs under failsafe, after {@code package}.
 */
@Tag("integration")
class MetricsRunIT {
    static final Pattern SYSCALL_LINE = Pattern.compile("^(node=\\S+ )?type=SYSCALL msg=audit\\(", Pattern.MULTILINE);

    @TempDir
    Path dir;

    @Test
    void prometheusShouldSeeWhatARunningPluginWasFed() throws Exception {
        Path jar = Path.of(System.getProperty("auditalert.jar", "target/auditalert.jar"));
        assumeTrue(Files.isRegularFile(jar), jar + " not built (mvn package); skipping");
        Path prometheus = Peers.require("prometheus", "prometheus");
        Path promtool = Peers.require("promtool", "prometheus");
        Path log = CorpusFeed.corpusFile("SELinuxProject_selinux/python__sepolgen__tests__test_data__audit.log");
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();

        Path eventsOut = dir.resolve("events.jsonl");
        Process events = new ProcessBuilder(java, "-jar", jar.toString(), "events", log.toString())
                .redirectOutput(eventsOut.toFile()).redirectError(dir.resolve("events.err").toFile()).start();
        assertThat(events.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(events.exitValue()).isZero();
        long expectedEvents;
        try (var lines = Files.lines(eventsOut)) {
            expectedEvents = lines.count();
        }
        long expectedSyscalls = SYSCALL_LINE.matcher(Files.readString(log, StandardCharsets.ISO_8859_1)).results().count();
        // events holding an AVC record, counted from the raw log: distinct stamps of AVC lines (one host, no node)
        long expectedAvcEvents = Pattern.compile("(?m)^type=AVC msg=audit\\(([0-9.]+:[0-9]+)\\)")
                .matcher(Files.readString(log, StandardCharsets.ISO_8859_1)).results().map(m -> m.group(1)).distinct().count();

        int metricsPort = Peers.freePort();
        int promPort = Peers.freePort();
        try (Peers peers = new Peers()) {
            // a config of its own, so that a system-wide /etc/auditalert/auditalert.yml does not interfere
            Path config = dir.resolve("auditalert.yml");
            Files.writeString(dir.resolve("rules.yml"), "- rule: avc-seen\n  condition: type = AVC\n  severity: low\n");
            Path alertFile = dir.resolve("alerts.jsonl");
            Files.writeString(config, "rules: [rules.yml]\nsinks: [{type: file, path: " + alertFile + "}]\n");
            Path runLog = dir.resolve("run.log");
            Process run = startAndAwaitEndpoint(peers, runLog, metricsPort, java, "-jar", jar.toString(), "run",
                    "--config", config.toString(), "--input", "stdin", "--metrics", "127.0.0.1:" + metricsPort);
            if (!run.isAlive()) {
                throw new AssertionError("auditalert exited " + run.exitValue() + ": " + Files.readString(runLog));
            }
            String metrics = "http://127.0.0.1:" + metricsPort + "/metrics";
            Path promYml = dir.resolve("prometheus.yml");
            Files.writeString(promYml, """
                    global: {scrape_interval: 1s, evaluation_interval: 1s}
                    scrape_configs:
                      - job_name: auditalert
                        static_configs: [{targets: ["127.0.0.1:%d"]}]
                    """.formatted(metricsPort));
            peers.start(dir.resolve("prometheus.log"), prometheus.toString(), "--config.file=" + promYml,
                    "--storage.tsdb.path=" + dir.resolve("prom-data"), "--web.listen-address=127.0.0.1:" + promPort,
                    "--log.level=warn");
            Peers.await("Prometheus ready", 20_000, () -> Peers.ok("http://127.0.0.1:" + promPort + "/-/ready"));

            OutputStream stdin = run.getOutputStream();
            stdin.write(Files.readAllBytes(log));
            stdin.flush();

            // the newest event may still be open (run completes it after the assembly's idle timeout)
            String seen = "auditalert_events_total{job=\"auditalert\"} + auditalert_inflight_events{job=\"auditalert\"}";
            Peers.await("Prometheus to hold " + expectedEvents + " events (complete plus in flight)", 60_000,
                    () -> value(promPort, seen) == expectedEvents);
            assertThat(Peers.scalar(promPort, "auditalert_events_total{job=\"auditalert\"}"))
                    .isBetween(expectedEvents - 1.0, (double) expectedEvents);
            assertThat(Peers.scalar(promPort, "up{job=\"auditalert\"}")).isEqualTo(1.0);
            assertThat(Peers.scalar(promPort, "auditalert_records_total{job=\"auditalert\",type=\"SYSCALL\"}"))
                    .isEqualTo(expectedSyscalls);
            assertThat(Peers.scalar(promPort, "sum(auditalert_parse_errors_total{job=\"auditalert\"})")).isZero();
            assertThat(Peers.scalar(promPort, "auditalert_build_info{job=\"auditalert\"}")).isEqualTo(1.0);
            String alerts = "auditalert_alerts_total{job=\"auditalert\",rule=\"avc-seen\",severity=\"low\"}";
            Peers.await("Prometheus to count " + expectedAvcEvents + " avc-seen alerts", 30_000,
                    () -> value(promPort, alerts) == expectedAvcEvents);
            System.out.printf("MetricsRunIT: Prometheus holds %.0f avc-seen alerts; the raw log has %d AVC events%n",
                    value(promPort, alerts), expectedAvcEvents);
            // each alert written is timed from its event's arrival to the file sink's write
            String timed = "auditalert_sink_delivery_latency_seconds_count{job=\"auditalert\",sink=\"file-0\",type=\"file\"}";
            Peers.await("Prometheus to hold a delivery time for each of the " + expectedAvcEvents + " alerts", 30_000,
                    () -> value(promPort, timed) == expectedAvcEvents);
            try (var written = Files.lines(alertFile)) {
                assertThat(written.count()).isEqualTo(expectedAvcEvents);
            }
            double p99 = Peers.scalar(promPort, "histogram_quantile(0.99, sum by (le) "
                    + "(auditalert_sink_delivery_latency_seconds_bucket{job=\"auditalert\"}))");
            double p50 = Peers.scalar(promPort, "histogram_quantile(0.5, sum by (le) "
                    + "(auditalert_sink_delivery_latency_seconds_bucket{job=\"auditalert\"}))");
            // this log's AVC events have no EOE: run completes each after the 2 s idle timeout, hence about 2 s
            System.out.printf("MetricsRunIT: record arrival to alert written, p50 %.4f s, p99 %.4f s (events without"
                    + " EOE, completed by the 2 s idle timeout)%n", p50, p99);
            assertThat(p50).isPositive().isLessThanOrEqualTo(p99);
            assertThat(p99).as("within the buckets (5 min), not +Inf").isLessThan(300.0);

            HttpResponse<String> text = Exposition.get(metrics, "Accept", "text/plain;version=0.0.4");
            Path body = dir.resolve("metrics.prom");
            Files.writeString(body, text.body());
            Peers.Result lint = Peers.run(body, promtool.toString(), "check", "metrics");
            assertThat(lint.output()).as("promtool findings on the jar's exposition").isEmpty();
            // the jar names the source revision it was built from (the build takes it from git)
            java.util.regex.Matcher rev = Pattern.compile("auditalert_build_info\\{[^}]*revision=\"([^\"]*)\"")
                    .matcher(text.body());
            assertThat(rev.find()).as(text.body()).isTrue();
            Process git = new ProcessBuilder("git", "rev-parse", "--short=12", "HEAD").redirectErrorStream(true).start();
            String head = new String(git.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
            if (git.waitFor() == 0 && head.matches("[0-9a-f]{12}")) {
                assertThat(rev.group(1)).isEqualTo(head);
            } else { // no git here, or one that refuses this checkout: the label is still a revision or unknown
                assertThat(rev.group(1)).matches("[0-9a-f]{12}|unknown");
            }
            assertThat(lint.rc()).isZero();

            stdin.close(); // end of input: run exits 0
            assertThat(run.waitFor(30, TimeUnit.SECONDS)).isTrue();
            assertThat(run.exitValue()).as(Files.readString(runLog)).isZero();
        }
    }

    private static Process startAndAwaitEndpoint(Peers peers, Path log, int port, String... command)
            throws Exception {
        Process p = peers.start(log, command);
        Peers.await("the plugin's endpoint", 60_000,
                () -> !p.isAlive() || Peers.ok("http://127.0.0.1:" + port + "/-/healthy"));
        return p;
    }

    private static double value(int promPort, String expr) {
        try {
            return Peers.scalar(promPort, expr);
        } catch (Exception | AssertionError e) {
            return Double.NaN;
        }
    }
}
