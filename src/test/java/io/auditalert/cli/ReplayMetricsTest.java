package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.metrics.Telemetry;
import io.auditalert.pipeline.TimeRange;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** replay's /metrics describe the replayed logs: not this machine's live kernel audit status. */
class ReplayMetricsTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final StderrCapture stderr = new StderrCapture();

    @Test
    void shouldTimeEveryEventAndEveryDeliveryOfAReplay() throws Exception {
        // arrival in a replay is when the read that brought the record returned: each event is timed to its
        // verdict (auditalert_event_latency_seconds), each alert to its write (..._sink_delivery_latency_seconds)
        Path log = Path.of("src/test/resources/rules/capture-workload.log");
        Path alerts = dir.resolve("alerts.jsonl");
        Files.writeString(dir.resolve("rules.yml"),
                "- rule: every-syscall\n  condition: type = SYSCALL\n  severity: low\n  output: \"{syscall}\"\n");
        Path config = dir.resolve("auditalert.yml");
        Files.writeString(config, "rules: [rules.yml]\nsinks: [{type: file, path: " + alerts + "}]\n");
        int port = freePort();
        Thread replay = replayInBackground(config, log, port);
        try {
            String done = null;
            for (long end = System.nanoTime() + 60_000_000_000L; System.nanoTime() < end && done == null; ) {
                Thread.sleep(200);
                String text = scrape(port);
                // lingering: /metrics stays up after the sinks were drained and closed
                if (stderr.text().contains("/metrics stays up") && text != null) {
                    done = text;
                }
            }
            assertThat(done).as("replay finished and lingered with /metrics up").isNotNull();
            double events = value(done, "auditalert_events_total ");
            double syscallAlerts = value(done, "auditalert_alerts_total{");
            assertThat(syscallAlerts).isGreaterThan(100);
            assertThat(value(done, "auditalert_event_latency_seconds_count ")).as("every event timed").isEqualTo(events);
            assertThat(value(done, "auditalert_sink_delivery_latency_seconds_count{"))
                    .as("every alert written timed").isEqualTo(syscallAlerts).isEqualTo(lines(alerts));
            assertThat(value(done, "auditalert_sink_delivery_latency_seconds_bucket{", "sink=\"file-0\"", "le=\"+Inf\""))
                    .isEqualTo(syscallAlerts);
        } finally {
            replay.interrupt();
            replay.join(30_000);
        }
        assertThat(replay.isAlive()).isFalse();
    }

    /** Starts a replay of the log with this configuration and /metrics on the port, lingering 120 s. */
    private static Thread replayInBackground(Path config, Path log, int port) {
        Thread replay = new Thread(() -> {
            try {
                ReplayCommand.replay(Components.loadConfig(config), List.of(), "127.0.0.1:" + port,
                        List.of(log), "replay", 120, Progress.Mode.NEVER, TimeRange.ALL);
            } catch (ConfigException e) {
                throw new AssertionError(e.errors().toString());
            }
        }, "replay-under-test");
        replay.start();
        return replay;
    }

    private static long lines(Path p) throws IOException {
        try (var l = Files.lines(p)) {
            return l.count();
        }
    }

    /** The first sample whose line starts with this prefix and has every label given, or NaN. */
    private static double value(String text, String prefix, String... labels) {
        for (String line : text.split("\n")) {
            if (line.startsWith(prefix) && Arrays.stream(labels).allMatch(line::contains)) {
                return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
            }
        }
        return Double.NaN;
    }

    private static String scrape(int port) {
        try {
            return HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/metrics"))
                    .build(), HttpResponse.BodyHandlers.ofString()).body();
        } catch (IOException e) {
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    @Test
    void shouldServeAReplaysMetricsWithTheConfiguredWebConfig() throws Exception {
        // replay ignored metrics.web_config and served /metrics to anyone, without the basic auth it names
        Path log = Path.of("src/test/resources/rules/capture-workload.log");
        Files.writeString(dir.resolve("web.yml"), "basic_auth_users:\n"
                + "  prometheus: $2b$04$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm\n"); // "secret"
        Path config = dir.resolve("auditalert.yml");
        Files.writeString(config, "rules: []\nmetrics: {web_config: web.yml}\n");
        int port = freePort();
        Thread replay = replayInBackground(config, log, port);
        try {
            HttpClient client = HttpClient.newHttpClient();
            URI uri = URI.create("http://127.0.0.1:" + port + "/metrics");
            Integer anonymous = null;
            for (long end = System.nanoTime() + 60_000_000_000L; System.nanoTime() < end && anonymous == null; ) {
                Thread.sleep(200);
                try {
                    anonymous = client.send(HttpRequest.newBuilder(uri).build(), HttpResponse.BodyHandlers.discarding())
                            .statusCode();
                } catch (IOException e) {
                    // not listening yet
                }
            }
            assertThat(anonymous).as("no credentials").isEqualTo(401);
            String auth = "Basic " + java.util.Base64.getEncoder().encodeToString(
                    "prometheus:secret".getBytes(java.nio.charset.StandardCharsets.UTF_8));
            assertThat(client.send(HttpRequest.newBuilder(uri).header("Authorization", auth).build(),
                    HttpResponse.BodyHandlers.ofString()).body()).contains("auditalert_events_total");
        } finally {
            replay.interrupt();
            replay.join(30_000);
        }
        assertThat(replay.isAlive()).isFalse();
    }

    @Test
    void shouldNotExportTheKernelsAuditStatusForAReplay() throws Exception {
        int port = freePort();
        Telemetry t = new Telemetry();
        AutoCloseable server = Components.startMetrics("127.0.0.1:" + port, null, t, false);
        try {
            Thread.sleep(300); // a poller, were one running, reads the status at once
            String text = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create("http://127.0.0.1:" + port + "/metrics")).build(), HttpResponse.BodyHandlers.ofString()).body();
            assertThat(text).contains("auditalert_events_total").doesNotContain("auditalert_kernel_");
            assertThat(t.pipeline.kernelLost).as("never read").isNegative();
        } finally {
            server.close();
        }
    }
}
