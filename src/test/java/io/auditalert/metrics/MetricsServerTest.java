package io.auditalert.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.auditalert.parse.RecordTypes;
import java.net.BindException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsServerTest {
    /** What Prometheus 2.42 sends (captured, ../shared/docs/real-peers.md §1.1). */
    static final String PROMETHEUS_ACCEPT = "application/openmetrics-text;version=1.0.0,"
            + "application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1";

    static final MetricsOptions TEST = MetricsOptions.DEFAULTS.withKernelStatusInterval(Duration.ZERO);

    @TempDir
    Path dir;

    MetricsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    String base() {
        return "http://127.0.0.1:" + server.address().getPort();
    }

    @Test
    void shouldEndTheSeriesOfRulesAndSinksAReloadRetiredWithoutTheLossTotalGoingDown() throws Exception {
        Telemetry t = new Telemetry();
        server = MetricsServer.start("127.0.0.1:0", null, t, TEST);
        t.rule("kept", "high").alerted.add(2);
        t.rule("renamed-away", "low").alerted.add(1);
        t.rule("severity-changed", "low").alerted.add(1);
        SinkStats gone = t.sink("old-hook", "webhook");
        gone.dropped.add(2);
        gone.permanentFailures.add(3);
        t.sink("file-0", "file").delivered.add(5);
        Exposition before = Exposition.parse(Exposition.get(base() + "/metrics").body());
        assertThat(before.value("auditalert_alerts_total", "rule", "renamed-away", "severity", "low")).isEqualTo(1.0);
        assertThat(before.value("auditalert_dropped_total", "stage", "sink")).isEqualTo(5.0);

        t.startRuleLoad(); // the reload's rules: two of the three, one with another severity
        t.rule("kept", "high");
        t.rule("severity-changed", "critical");
        t.keepOnlyRulesLoaded();
        t.retireSink(gone);
        Exposition after = Exposition.parse(Exposition.get(base() + "/metrics").body());
        assertThat(after.value("auditalert_alerts_total", "rule", "kept", "severity", "high")).isEqualTo(2.0);
        assertThat(after.value("auditalert_alerts_total", "rule", "severity-changed", "severity", "critical")).isZero();
        assertThat(after.value("auditalert_alerts_total", "rule", "renamed-away", "severity", "low")).isNull();
        assertThat(after.value("auditalert_alerts_total", "rule", "severity-changed", "severity", "low")).isNull();
        assertThat(after.value("auditalert_sink_dropped_total", "sink", "old-hook", "type", "webhook")).isNull();
        assertThat(after.value("auditalert_sink_deliveries_total", "sink", "file-0", "type", "file")).isEqualTo(5.0);
        assertThat(after.value("auditalert_dropped_total", "stage", "sink")).as("never down").isEqualTo(5.0);

        t.startRuleLoad(); // a reload that failed keeps the counters in force
        t.rule("half-loaded", "low");
        t.abandonRuleLoad();
        assertThat(Exposition.parse(Exposition.get(base() + "/metrics").body())
                .value("auditalert_alerts_total", "rule", "kept", "severity", "high")).isEqualTo(2.0);
    }

    @Test
    void shouldExportARuleAndASinkThatAReloadRemovedAndALaterOneBroughtBackWithNoScrapeBetween() throws Exception {
        // found by a soak with a reload every few seconds: the registry handed the new counters' registration
        // the retired meters back, the same refresh then removed those, and the series stayed gone
        Telemetry t = new Telemetry();
        server = MetricsServer.start("127.0.0.1:0", null, t, TEST);
        t.startRuleLoad();
        RuleStats first = t.rule("comes-back", "high");
        t.keepOnlyRulesLoaded();
        first.alerted.add(4);
        SinkStats firstSink = t.sink("am2", "alertmanager");
        firstSink.delivered.add(7);
        Exposition.get(base() + "/metrics");

        t.startRuleLoad(); // a reload without the rule and the sink
        RuleStats other = t.rule("other", "low");
        t.keepOnlyRulesLoaded();
        t.retireSink(firstSink);
        t.startRuleLoad(); // and the next one with both again, before any scrape
        RuleStats again = t.rule("comes-back", "high");
        t.keepOnlyRulesLoaded();
        again.alerted.add(1);
        SinkStats againSink = t.sink("am2", "alertmanager");
        againSink.delivered.add(2);
        againSink.deliveryLatency.record(3_000_000);

        for (int scrape = 0; scrape < 2; scrape++) {
            Exposition e = Exposition.parse(Exposition.get(base() + "/metrics").body());
            assertThat(e.value("auditalert_alerts_total", "rule", "comes-back", "severity", "high"))
                    .as("the rule's new counter, scrape " + scrape).isEqualTo(1.0);
            assertThat(e.value("auditalert_sink_deliveries_total", "sink", "am2", "type", "alertmanager"))
                    .as("the sink's new counter, scrape " + scrape).isEqualTo(2.0);
            assertThat(e.value("auditalert_sink_delivery_latency_seconds_count", "sink", "am2", "type", "alertmanager"))
                    .isEqualTo(1.0);
        }
        assertThat(t.alertsSinceStart()).as("the retired rule's alerts stay in the total").isEqualTo(5);
        other.alerted.add(2); // a worker still on the old rules alerts after the reload retired "other"
        assertThat(t.alertsSinceStart()).isEqualTo(7);
        t.startRuleLoad(); // a later reload: the count of the rule retired before it is final
        t.rule("comes-back", "high");
        t.keepOnlyRulesLoaded();
        assertThat(t.alertsSinceStart()).isEqualTo(7);
    }

    @Test
    void shouldStopTimingWhenTheEndpointClosesUnlessAnotherOneTimesNow() throws Exception {
        Telemetry t = new Telemetry();
        SinkStats file = t.sink("file-0", "file");
        MetricsServer first = MetricsServer.start("127.0.0.1:0", null, t, TEST);
        assertThat(t.latency).isNotSameAs(Telemetry.NO_LATENCY);
        assertThat(file.deliveryLatency).isNotSameAs(Telemetry.NO_LATENCY);
        server = MetricsServer.start("127.0.0.1:0", null, t, TEST); // a second one takes over
        Telemetry.LatencyRecorder seconds = file.deliveryLatency;
        first.close();
        assertThat(file.deliveryLatency).as("the second's, left in place").isSameAs(seconds);
        file.deliveryLatency.record(2_000_000);
        assertThat(Exposition.parse(Exposition.get(base() + "/metrics").body())
                .value("auditalert_sink_delivery_latency_seconds_count", "sink", "file-0", "type", "file")).isEqualTo(1.0);
        server.close();
        server = null;
        assertThat(t.latency).as("nothing reads the timers: the hot path stops timing").isSameAs(Telemetry.NO_LATENCY);
        assertThat(file.deliveryLatency).isSameAs(Telemetry.NO_LATENCY);
    }

    @Test
    void shouldExportWhatThePipelineCountedWithItsLabels() throws Exception {
        Telemetry t = new Telemetry();
        server = MetricsServer.start("127.0.0.1:0", null, t, TEST.withBuild("1.2.3", "abc123"));
        PipelineStats p = t.pipeline;
        for (int i = 0; i < 7; i++) {
            p.countRecord(RecordTypes.SYSCALL);
        }
        p.countRecord(RecordTypes.PATH);
        p.countRecord(1999); // a number libaudit has no name for
        p.countRecord(99999); // outside the table
        p.events = 4;
        p.parseErrors[2] = 3;
        p.linesTooLong = 2;
        p.ringDropped = 5;
        p.evictedInflight = 1;
        p.evictedBytes = 2;
        p.inflight = 6;
        p.relayDroppedRecords = 11;
        p.kernelLost = 42;
        p.kernelBacklog = 3;
        p.kernelBacklogLimit = 8192;
        t.ringCapacity = 4096;
        t.ringUsed = () -> 17;
        t.ringMaxBytes = 1 << 20;
        t.ringUsedBytes = () -> 900_000;
        t.rulesLoaded = 9;
        t.reloads.add(3);
        t.reloadFailures.add(1);
        RuleStats r = t.rule("passwd_write", "critical");
        r.matches.add(10);
        r.suppressed.add(4);
        r.alerted.add(6);
        r.excepted.add(2);
        r.evaluations.add(100);
        r.evaluationNanos.add(1_500_000_000L);
        SinkStats s = t.sink("am", "alertmanager");
        s.delivered.add(6);
        for (int i = 0; i < 3; i++) {
            s.failedTransiently();
        }
        s.permanentFailures.add(2); // two alerts refused for good: lost, so counted as dropped as well
        s.retries.add(3);
        s.dropped.add(1);
        s.pending = () -> 12;
        t.latency.record(3_000_000); // 3 ms
        // timed from the sink's first alert: its timer is registered when its counters are made, not at a scrape
        s.deliveryLatency.record(40_000_000); // 40 ms
        s.deliveryLatency.record(45_000_000_000L); // 45 s: it waited out an outage

        HttpResponse<String> res = Exposition.get(base() + "/metrics");
        assertThat(res.statusCode()).isEqualTo(200);
        Exposition e = Exposition.parse(res.body());

        assertThat(e.value("auditalert_records_total", "type", "SYSCALL")).isEqualTo(7.0);
        assertThat(e.value("auditalert_records_total", "type", "PATH")).isEqualTo(1.0);
        assertThat(e.value("auditalert_records_total", "type", "1999")).isEqualTo(1.0);
        assertThat(e.value("auditalert_records_total", "type", "other")).isEqualTo(1.0);
        assertThat(e.value("auditalert_records_total", "type", "CWD")).as("types never seen are not exported").isNull();
        assertThat(e.value("auditalert_events_total")).isEqualTo(4.0);
        assertThat(e.value("auditalert_parse_errors_total", "reason", "no_timestamp")).isEqualTo(3.0);
        assertThat(e.value("auditalert_parse_errors_total", "reason", "bad_timestamp")).isEqualTo(0.0);
        assertThat(e.value("auditalert_dropped_total", "stage", "line_too_long")).isEqualTo(2.0);
        assertThat(e.value("auditalert_dropped_total", "stage", "ring")).isEqualTo(5.0);
        assertThat(e.value("auditalert_dropped_total", "stage", "assembly_evicted")).isEqualTo(3.0);
        assertThat(e.value("auditalert_dropped_total", "stage", "relay")).isEqualTo(11.0);
        assertThat(e.value("auditalert_dropped_total", "stage", "sink")).as("1 dropped + 2 refused for good")
                .isEqualTo(3.0);
        assertThat(e.value("auditalert_events_completed_total", "reason", "evicted_bytes")).isEqualTo(2.0);
        assertThat(e.value("auditalert_inflight_events")).isEqualTo(6.0);
        assertThat(e.value("auditalert_kernel_lost_total")).isEqualTo(42.0);
        assertThat(e.value("auditalert_kernel_backlog")).isEqualTo(3.0);
        assertThat(e.value("auditalert_kernel_backlog_limit")).isEqualTo(8192.0);
        assertThat(e.value("auditalert_ring_capacity")).isEqualTo(4096.0);
        assertThat(e.value("auditalert_ring_used")).isEqualTo(17.0);
        assertThat(e.value("auditalert_ring_max_bytes")).isEqualTo(1048576.0);
        assertThat(e.value("auditalert_ring_used_bytes")).isEqualTo(900000.0);
        assertThat(e.value("auditalert_rules_loaded")).isEqualTo(9.0);
        assertThat(e.value("auditalert_reloads_total", "result", "success")).isEqualTo(3.0);
        assertThat(e.value("auditalert_reloads_total", "result", "failure")).isEqualTo(1.0);
        String[] rule = {"rule", "passwd_write", "severity", "critical"};
        assertThat(e.value("auditalert_alerts_total", rule)).isEqualTo(6.0);
        assertThat(e.value("auditalert_rule_matches_total", rule)).isEqualTo(10.0);
        assertThat(e.value("auditalert_rule_suppressed_total", rule)).isEqualTo(4.0);
        assertThat(e.value("auditalert_rule_excepted_total", rule)).isEqualTo(2.0);
        assertThat(e.value("auditalert_rule_evaluations_total", rule)).isEqualTo(100.0);
        assertThat(e.value("auditalert_rule_evaluation_seconds_total", rule)).isEqualTo(1.5);
        String[] sink = {"sink", "am", "type", "alertmanager"};
        assertThat(e.value("auditalert_sink_deliveries_total", sink)).isEqualTo(6.0);
        assertThat(e.value("auditalert_sink_failures_total", "sink", "am", "type", "alertmanager", "kind", "transient"))
                .isEqualTo(3.0);
        assertThat(e.value("auditalert_sink_failures_total", "sink", "am", "type", "alertmanager", "kind", "permanent"))
                .isEqualTo(2.0);
        assertThat(e.value("auditalert_sink_retries_total", sink)).isEqualTo(3.0);
        assertThat(e.value("auditalert_sink_dropped_total", sink)).isEqualTo(3.0);
        assertThat(e.value("auditalert_sink_pending", sink)).isEqualTo(12.0);
        assertThat(e.value("auditalert_event_latency_seconds_bucket", "le", "0.0025")).isEqualTo(0.0);
        assertThat(e.value("auditalert_event_latency_seconds_bucket", "le", "0.005")).isEqualTo(1.0);
        assertThat(e.value("auditalert_event_latency_seconds_bucket", "le", "+Inf")).isEqualTo(1.0);
        assertThat(e.value("auditalert_event_latency_seconds_count")).isEqualTo(1.0);
        assertThat(e.value("auditalert_sink_delivery_latency_seconds_bucket", "sink", "am", "type", "alertmanager",
                "le", "0.025")).isEqualTo(0.0);
        assertThat(e.value("auditalert_sink_delivery_latency_seconds_bucket", "sink", "am", "type", "alertmanager",
                "le", "0.05")).isEqualTo(1.0);
        assertThat(e.value("auditalert_sink_delivery_latency_seconds_bucket", "sink", "am", "type", "alertmanager",
                "le", "60.0")).as("a delivery that waited out an outage").isEqualTo(2.0);
        assertThat(e.value("auditalert_sink_delivery_latency_seconds_count", sink)).isEqualTo(2.0);
        assertThat(e.value("auditalert_build_info", "version", "1.2.3", "revision", "abc123",
                "java_version", System.getProperty("java.version"))).isEqualTo(1.0);
        assertThat(e.series.keySet()).anyMatch(k -> k.startsWith("jvm_memory_used_bytes{area=heap"));
        assertThat(e.series.keySet()).anyMatch(k -> k.startsWith("jvm_threads_live_threads"));
        assertThat(e.value("process_cpu_seconds_total")).isPositive();
        assertThat(res.body()).doesNotContain("process_cpu_time_ns_total", "system_cpu_count ",
                "jvm_compilation_time_ms_total");
        assertThat(res.body()).contains("# HELP auditalert_events_total Events assembled");
    }

    @Test
    void shouldExportRulesAndSinksThatAppearAfterStart() throws Exception {
        Telemetry t = new Telemetry();
        server = MetricsServer.start("127.0.0.1:0", null, t, TEST);
        assertThat(Exposition.parse(Exposition.get(base() + "/metrics").body()).value(
                "auditalert_alerts_total", "rule", "late", "severity", "warning")).isNull();

        t.rule("late", "warning").matches.add(2); // as a reload would add it
        t.rule("late", "warning").alerted.add(2);
        t.sink("syslog", "syslog").delivered.add(1);

        Exposition e = Exposition.parse(Exposition.get(base() + "/metrics").body());
        assertThat(e.value("auditalert_alerts_total", "rule", "late", "severity", "warning")).isEqualTo(2.0);
        assertThat(e.value("auditalert_sink_deliveries_total", "sink", "syslog", "type", "syslog")).isEqualTo(1.0);

        // a reload keeps the name and changes the type: the new sink is labelled with its own type
        t.sink("syslog", "webhook").delivered.add(5);
        t.sink("syslog", "syslog").delivered.add(1); // same name and type: the same series
        e = Exposition.parse(Exposition.get(base() + "/metrics").body());
        assertThat(e.value("auditalert_sink_deliveries_total", "sink", "syslog", "type", "webhook")).isEqualTo(5.0);
        assertThat(e.value("auditalert_sink_deliveries_total", "sink", "syslog", "type", "syslog")).isEqualTo(2.0);
    }

    @Test
    void shouldServeOpenMetricsOnlyToClientsThatPreferIt() throws Exception {
        server = MetricsServer.start("127.0.0.1:0", null, new Telemetry(), TEST);

        HttpResponse<String> prom = Exposition.get(base() + "/metrics", "Accept", PROMETHEUS_ACCEPT);
        assertThat(prom.headers().firstValue("Content-Type")).hasValue(MetricsServer.OPENMETRICS);
        assertThat(prom.body()).endsWith("# EOF\n").contains("# TYPE auditalert_events counter");

        HttpResponse<String> plain = Exposition.get(base() + "/metrics", "Accept", "text/plain;version=0.0.4");
        assertThat(plain.headers().firstValue("Content-Type")).hasValue(MetricsServer.TEXT_004);
        assertThat(plain.body()).doesNotContain("# EOF").contains("# TYPE auditalert_events_total counter");

        HttpResponse<String> none = Exposition.get(base() + "/metrics");
        assertThat(none.headers().firstValue("Content-Type")).hasValue(MetricsServer.TEXT_004);

        assertThat(MetricsServer.contentType("application/openmetrics-text;q=0.2, text/plain;q=0.9"))
                .isEqualTo(MetricsServer.TEXT_004);
        assertThat(MetricsServer.contentType("application/openmetrics-text;q=0")).isEqualTo(MetricsServer.TEXT_004);
    }

    @Test
    void shouldBeHealthyAtOnceAndReadyOnceThePipelineStarted() throws Exception {
        Telemetry t = new Telemetry();
        server = MetricsServer.start("127.0.0.1:0", null, t, TEST);
        assertThat(Exposition.get(base() + "/-/healthy").statusCode()).isEqualTo(200);
        assertThat(Exposition.get(base() + "/-/ready").statusCode()).isEqualTo(503);
        t.started = true;
        assertThat(Exposition.get(base() + "/-/ready").statusCode()).isEqualTo(200);
        assertThat(Exposition.get(base() + "/").body()).contains("href=\"/metrics\"");
        assertThat(Exposition.get(base() + "/nope").statusCode()).isEqualTo(404);
        HttpResponse<String> post = java.net.http.HttpClient.newHttpClient().send(java.net.http.HttpRequest
                .newBuilder(java.net.URI.create(base() + "/metrics")).POST(java.net.http.HttpRequest.BodyPublishers
                        .ofString("x")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(post.statusCode()).isEqualTo(405);
        assertThat(post.headers().firstValue("Allow")).hasValue("GET, HEAD");
    }

    @Test
    void shouldAnswerScrapesWhileAFewClientsSendOneByteAndStall() throws Exception {
        // four such clients held the four request threads for maxReqTime (5 s) each, reconnecting at once,
        // and scrapes behind them timed out
        server = MetricsServer.start("127.0.0.1:0", null, new Telemetry(), TEST);
        java.util.List<java.net.Socket> stalled = new java.util.ArrayList<>();
        try {
            for (int i = 0; i < 8; i++) {
                java.net.Socket c = new java.net.Socket("127.0.0.1", server.address().getPort());
                c.getOutputStream().write('G');
                c.getOutputStream().flush();
                stalled.add(c);
            }
            Thread.sleep(300); // each is taken by a request thread, waiting for the rest of its request
            java.net.http.HttpClient client = java.net.http.HttpClient.newHttpClient();
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> r = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(base()
                        + "/metrics")).timeout(java.time.Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.ofString());
                assertThat(r.statusCode()).isEqualTo(200);
            }
        } finally {
            for (java.net.Socket c : stalled) {
                c.close();
            }
        }
    }

    @Test
    void shouldBeOffWhenTheListenAddressIsEmpty() throws Exception {
        assertThat(MetricsServer.start("", null, new Telemetry(), TEST)).isNull();
        assertThat(MetricsServer.start(null, null, new Telemetry(), TEST)).isNull();
    }

    @Test
    void shouldRequireBasicAuthWhenTheWebConfigHasUsers() throws Exception {
        // hashes of "secret" made by libxcrypt's crypt(3) ($2b$) and by OpenBSD's test vector ($2a$)
        Path web = dir.resolve("web.yml");
        Files.writeString(web, """
                basic_auth_users:
                  prometheus: $2b$04$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm
                  legacy: $2y$04$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm
                """);
        server = MetricsServer.start("127.0.0.1:0", web, new Telemetry(), TEST);

        HttpResponse<String> anonymous = Exposition.get(base() + "/metrics");
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThat(anonymous.headers().firstValue("WWW-Authenticate")).hasValueSatisfying(v -> v.startsWith("Basic"));
        assertThat(Exposition.get(base() + "/metrics", "Authorization", basic("prometheus", "wrong")).statusCode())
                .isEqualTo(401);
        assertThat(Exposition.get(base() + "/metrics", "Authorization", basic("nobody", "secret")).statusCode())
                .isEqualTo(401);
        HttpResponse<String> ok = Exposition.get(base() + "/metrics", "Authorization", basic("prometheus", "secret"));
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("auditalert_events_total");
        assertThat(Exposition.get(base() + "/metrics", "Authorization", basic("prometheus", "secret")).statusCode())
                .as("a second scrape (remembered credentials)").isEqualTo(200);
        assertThat(Exposition.get(base() + "/metrics", "Authorization", basic("legacy", "secret")).statusCode())
                .isEqualTo(200);
        assertThat(Exposition.get(base() + "/-/healthy").statusCode()).isEqualTo(401);
    }

    @Test
    void shouldServeHttpsWithTheCertificateOfTheWebConfig() throws Exception {
        Path openssl = Peers.binary("openssl");
        org.junit.jupiter.api.Assumptions.assumeTrue(openssl != null, "openssl not installed; skipping");
        Peers.Result gen = Peers.run(null, openssl.toString(), "req", "-x509", "-newkey", "ec",
                "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=127.0.0.1",
                "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", dir.resolve("key.pem").toString(),
                "-out", dir.resolve("cert.pem").toString());
        assertThat(gen.rc()).as(gen.output()).isZero();
        Path web = dir.resolve("web.yml");
        Files.writeString(web, """
                tls_server_config:
                  cert_file: cert.pem
                  key_file: key.pem
                basic_auth_users:
                  prometheus: $2b$04$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm
                """);
        server = MetricsServer.start("127.0.0.1:0", web, new Telemetry(), TEST);

        java.security.KeyStore trust = java.security.KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        try (var in = Files.newInputStream(dir.resolve("cert.pem"))) {
            trust.setCertificateEntry("auditalert",
                    java.security.cert.CertificateFactory.getInstance("X.509").generateCertificate(in));
        }
        javax.net.ssl.TrustManagerFactory tmf =
                javax.net.ssl.TrustManagerFactory.getInstance(javax.net.ssl.TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
        ctx.init(null, tmf.getTrustManagers(), null);
        java.net.http.HttpClient client = java.net.http.HttpClient.newBuilder().sslContext(ctx).build();
        String url = "https://127.0.0.1:" + server.address().getPort() + "/metrics";
        HttpResponse<String> ok = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url))
                .header("Authorization", basic("prometheus", "secret")).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(ok.body()).contains("auditalert_events_total");
        HttpResponse<String> anonymous = client.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(anonymous.statusCode()).isEqualTo(401);
        assertThatThrownBy(() -> Exposition.get("http://127.0.0.1:" + server.address().getPort() + "/metrics"))
                .as("plain HTTP to the TLS port").isInstanceOf(java.io.IOException.class);
    }

    @Test
    void shouldCheckAnUnknownUserAtTheUsersCostAndLetAVerifiedScraperInWithoutBcrypt() throws Exception {
        // a cost-10 dummy for unknown users against cost-12 real ones told which user names exist
        Path web = Files.writeString(dir.resolve("web-cost.yml"), "basic_auth_users:\n"
                + "  prometheus: $2b$04$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm\n"
                + "  other: " + org.mindrot.jbcrypt.BCrypt.hashpw("x", org.mindrot.jbcrypt.BCrypt.gensalt(6)) + "\n");
        WebConfig w = WebConfig.load(web);
        assertThat(w.unknownUserCost()).isEqualTo(6);
        assertThat(w.authorized(basic("nobody-such", "secret"))).isFalse();
        assertThat(w.authorized(basic("prometheus", "wrong"))).isFalse();
        assertThat(w.authorized(basic("prometheus", "secret"))).isTrue();
        assertThat(w.authorized(basic("prometheus", "secret"))).as("verified before: no bcrypt").isTrue();
    }

    @Test
    void bcryptShouldMatchKnownVectors() {
        // OpenBSD / jBCrypt test vector
        assertThat(WebConfig.bcryptMatches("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")).isTrue();
        assertThat(WebConfig.bcryptMatches("U*V", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")).isFalse();
        // made by libxcrypt (python3 crypt.crypt('secret', METHOD_BLOWFISH)), an independent implementation
        assertThat(WebConfig.bcryptMatches("secret", "$2b$04$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm")).isTrue();
    }

    @Test
    void shouldRefuseAPrivateKeyThatDoesNotMatchTheCertificate() throws Exception {
        // accepted before, and then every handshake failed with nothing logged
        Path openssl = Peers.binary("openssl");
        org.junit.jupiter.api.Assumptions.assumeTrue(openssl != null, "openssl not installed; skipping");
        for (String name : java.util.List.of("a", "b")) {
            Peers.Result gen = Peers.run(null, openssl.toString(), "req", "-x509", "-newkey", "ec",
                    "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "1", "-subj", "/CN=" + name,
                    "-keyout", dir.resolve(name + ".key").toString(), "-out", dir.resolve(name + ".crt").toString());
            assertThat(gen.rc()).as(gen.output()).isZero();
        }
        Path web = dir.resolve("web.yml");
        Files.writeString(web, "tls_server_config:\n  cert_file: a.crt\n  key_file: b.key\n");
        assertThatThrownBy(() -> WebConfig.load(web)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("b.key: the private key does not match the certificate in")
                .hasMessageContaining("a.crt");
        Files.writeString(web, "tls_server_config:\n  cert_file: a.crt\n  key_file: a.key\n");
        assertThat(WebConfig.load(web).ssl()).isNotNull();
        Files.writeString(web, "tls_server_config:\n  cert_file: nope.crt\n  key_file: a.key\n");
        assertThatThrownBy(() -> WebConfig.load(web)).isInstanceOf(java.nio.file.NoSuchFileException.class)
                .hasMessageEndingWith("nope.crt");
    }

    @Test
    void shouldRefuseAWebConfigThatIsNotUtf8() throws Exception {
        // a Latin-1 user name was read as U+FFFD and loaded, so that user could never log in
        Path web = dir.resolve("web.yml");
        byte[] latin1 = ("basic_auth_users:\n  j\u00fcrgen: $2b$04$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm\n")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
        Files.write(web, latin1);
        assertThatThrownBy(() -> WebConfig.load(web)).isInstanceOf(IllegalArgumentException.class)
                .hasMessage(web + ": file is not valid UTF-8 (a Latin-1 editor?)");
        Files.writeString(web, new String(latin1, java.nio.charset.StandardCharsets.ISO_8859_1));
        assertThat(WebConfig.load(web).check(basic("j\u00fcrgen", "secret"))).isEqualTo(WebConfig.Verdict.ALLOWED);
    }

    @Test
    void shouldValidateAWebConfigWithoutHashingAtTheUsersCost() throws Exception {
        // check and every reload built the unknown-user hash too: about a second at cost 14, and at cost
        // 30 (allowed) some days; serving still builds it
        Path web = dir.resolve("web.yml");
        Files.writeString(web, "basic_auth_users:\n  u: $2b$30$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm\n");
        // preemptively: bcrypt does not heed an interrupt, and the old way took some 18 hours here
        assertThat(org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(java.time.Duration.ofSeconds(60),
                () -> WebConfig.validate(web))).hasSize(64);
        Files.writeString(web, "basic_auth_users:\n  u: $2b$05$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm\n");
        assertThat(WebConfig.validate(web)).isEqualTo(WebConfig.load(web).fingerprint());
        assertThat(WebConfig.load(web).unknownUserCost()).isEqualTo(5);
    }

    @Test
    void shouldRefuseBcryptCostsOutsideFourToThirty() throws Exception {
        Path web = dir.resolve("web.yml");
        for (String cost : java.util.List.of("03", "31")) {
            Files.writeString(web, "basic_auth_users:\n  u: $2b$" + cost
                    + "$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm\n");
            assertThatThrownBy(() -> WebConfig.load(web)).hasMessageContaining("has bcrypt cost " + Integer.parseInt(cost));
        }
    }

    @Test
    void shouldAnswerBusyNotRefusedWhenNoBcryptCheckCouldRun() throws Exception {
        // right credentials meeting other checks were told 401; they are now BUSY (served as 503)
        WebConfig w = WebConfig.load(Files.writeString(dir.resolve("web.yml"), "basic_auth_users:\n"
                + "  prometheus: $2b$04$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm\n"));
        w.bcryptSlot.acquire(); // another check holds the one slot for longer than a request waits
        try {
            assertThat(w.check(basic("prometheus", "secret"))).isEqualTo(WebConfig.Verdict.BUSY);
        } finally {
            w.bcryptSlot.release();
        }
        assertThat(w.check(basic("prometheus", "secret"))).isEqualTo(WebConfig.Verdict.ALLOWED);
        assertThat(w.check(basic("prometheus", "wrong"))).isEqualTo(WebConfig.Verdict.REFUSED);
    }

    @Test
    void shouldRejectWebConfigKeysItDoesNotImplement() throws Exception {
        Path web = dir.resolve("web.yml");
        Files.writeString(web, "http_server_config:\n  http2: false\n");
        assertThatThrownBy(() -> WebConfig.load(web)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("unsupported key 'http_server_config'");
        Files.writeString(web, "basic_auth_users:\n  u: plaintext\n");
        assertThatThrownBy(() -> WebConfig.load(web)).hasMessageContaining("not a bcrypt hash");
    }

    @Test
    void shouldKeepRetryingABusyPortUntilItIsFree() throws Exception {
        ServerSocket blocker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = blocker.getLocalPort();
        try {
            server = MetricsServer.start("127.0.0.1:" + port, null, new Telemetry(),
                    TEST.withBindTimeout(Duration.ofSeconds(20)));
            assertThat(server.address()).as("still retrying while the old process holds the port").isNull();
            Thread.sleep(300);
        } finally {
            blocker.close();
        }
        assertThat(server.awaitBound(Duration.ofSeconds(10))).isTrue();
        assertThat(server.address().getPort()).isEqualTo(port);
        assertThat(Exposition.get(base() + "/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldBindAPortFreedAfterTheBindTimeoutToo() throws Exception {
        // a long-running plugin whose port stayed busy past the timeout was left without its endpoint for good
        ServerSocket blocker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
        int port = blocker.getLocalPort();
        try {
            server = MetricsServer.start("127.0.0.1:" + port, null, new Telemetry(),
                    TEST.withBindTimeout(Duration.ofMillis(300)));
            assertThat(server.awaitBound(Duration.ofSeconds(5))).as("past the timeout, still busy").isFalse();
        } finally {
            blocker.close();
        }
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (server.address() == null && System.nanoTime() < deadline) {
            Thread.sleep(50);
        }
        assertThat(server.address()).as("bound once the port was free").isNotNull();
        assertThat(Exposition.get(base() + "/metrics").statusCode()).isEqualTo(200);
    }

    @Test
    void shouldFailAtOnceOnABusyPortWithoutBindTimeout() throws Exception {
        try (ServerSocket blocker = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            assertThatThrownBy(() -> MetricsServer.start("127.0.0.1:" + blocker.getLocalPort(), null, new Telemetry(),
                            TEST.withBindTimeout(Duration.ZERO)))
                    .isInstanceOf(BindException.class);
        }
    }

    @Test
    void shouldParseListenAddresses() {
        assertThat(MetricsServer.parseListen("127.0.0.1:8617").getPort()).isEqualTo(8617);
        assertThat(MetricsServer.parseListen("[::1]:9").getAddress().getHostAddress()).isEqualTo("0:0:0:0:0:0:0:1");
        assertThat(MetricsServer.parseListen(":8617").getAddress().isAnyLocalAddress()).isTrue();
        assertThatThrownBy(() -> MetricsServer.parseListen("8617")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> MetricsServer.parseListen("h:99999")).isInstanceOf(IllegalArgumentException.class);
    }

    static String basic(String user, String password) {
        return "Basic " + Base64.getEncoder().encodeToString((user + ":" + password).getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void shouldNotCallAnAddressOfNoInterfaceBusy() {
        // listen: 8.8.8.8:8617 was logged "busy (Cannot assign requested address)"
        assertThat(MetricsServer.why(new java.net.BindException("Cannot assign requested address")))
                .isEqualTo("is not an address of this machine (a typo, or an interface not up yet?)");
        assertThat(MetricsServer.why(new java.net.BindException("Address already in use"))).isEqualTo("busy");
    }
}
