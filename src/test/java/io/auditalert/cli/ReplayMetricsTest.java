package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.metrics.Telemetry;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import org.junit.jupiter.api.Test;

/** replay's /metrics describe the replayed logs: not this machine's live kernel audit status. */
class ReplayMetricsTest {
    @Test
    void shouldNotExportTheKernelsAuditStatusForAReplay() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
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
