package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.KeyStore;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The webhook over HTTPS to a server whose certificate the test makes with keytool. */
class WebhookTlsTest {
    @TempDir
    static Path tmp;

    private static HttpsServer server;
    private static final List<String> bodies = new ArrayList<>();
    private static final List<String> tokens = new ArrayList<>();
    private final Telemetry telemetry = new Telemetry();
    private static Path ca;
    private static SSLContext serverContext;

    private static void keytool(String... args) throws Exception {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
    }

    @BeforeAll
    static void startHttps() throws Exception {
        Path ks = tmp.resolve("server.p12");
        ca = tmp.resolve("ca.pem");
        keytool("-genkeypair", "-alias", "s", "-keyalg", "EC", "-dname", "CN=127.0.0.1", "-ext", "SAN=ip:127.0.0.1",
                "-validity", "2", "-keystore", ks.toString(), "-storetype", "PKCS12", "-storepass", "changeit");
        keytool("-exportcert", "-rfc", "-alias", "s", "-keystore", ks.toString(), "-storepass", "changeit",
                "-file", ca.toString());
        KeyStore store = KeyStore.getInstance("PKCS12");
        try (InputStream in = java.nio.file.Files.newInputStream(ks)) {
            store.load(in, "changeit".toCharArray());
        }
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(store, "changeit".toCharArray());
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), null, null);
        serverContext = ctx;
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 10);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx));
        server.createContext("/", ex -> {
            synchronized (bodies) {
                bodies.add(new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8));
                tokens.add(ex.getRequestHeaders().getFirst("Authorization"));
            }
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        server.start();
    }

    @BeforeEach
    void clear() {
        synchronized (bodies) {
            bodies.clear();
            tokens.clear();
        }
    }

    @AfterAll
    static void stopHttps() {
        server.stop(0);
    }

    private Map<String, Object> spec(String name, Map<String, Object> tls) {
        Map<String, Object> m = new HashMap<>(Map.of("type", "webhook", "name", name,
                "url", "https://127.0.0.1:" + server.getAddress().getPort() + "/hook",
                "headers", Map.of("Authorization", "Bearer s3cret"), "retry", Map.of("initial", "50ms")));
        if (tls != null) {
            m.put("tls", tls);
        }
        return m;
    }

    @Test
    void shouldTrustTheConfiguredCaAndSendHeaders() throws Exception {
        try (Sink s = SinkFactory.create(0, spec("ca", Map.of("ca_file", ca.toString())), telemetry)) {
            s.offer(TestAlerts.alert("tls-1"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(telemetry.sinkNamed("ca").delivered.sum()).isEqualTo(1);
        synchronized (bodies) {
            assertThat(TestAlerts.ids(String.join("\n", bodies))).containsExactly("tls-1");
            assertThat(tokens).containsExactly("Bearer s3cret");
        }
    }

    @Test
    void shouldRefuseAnUnknownCertificateAndKeepRetrying() throws Exception {
        try (Sink s = SinkFactory.create(0, spec("default", null), telemetry)) {
            s.offer(TestAlerts.alert("tls-2"));
            SinkStats st = telemetry.sinkNamed("default");
            SinkContract.await("failed attempts", Duration.ofSeconds(10), () -> st.retries.sum() >= 2);
            assertThat(st.delivered.sum()).isZero();
            assertThat(st.pending.getAsLong()).isEqualTo(1);
        }
        synchronized (bodies) {
            assertThat(bodies).isEmpty();
        }
    }

    @Test
    void shouldEndAnHttpsPostToAPeerThatStopsReadingAndKeepOtherTimeoutsWorking() throws Exception {
        // the abort closed the TLS socket, whose close waited for the blocked write: the one timer thread of
        // every sink's timeouts hung in it, and the post never ended
        javax.net.ssl.SSLServerSocket tlsPeer = (javax.net.ssl.SSLServerSocket) serverContext.getServerSocketFactory()
                .createServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
        Thread t = new Thread(() -> {
            while (!tlsPeer.isClosed()) {
                try (java.net.Socket c = tlsPeer.accept()) {
                    c.getInputStream().readNBytes(100); // then nothing: the 32 MiB request blocks its writer
                    Thread.sleep(60_000);
                } catch (java.io.IOException | InterruptedException e) {
                    // next
                }
            }
        });
        t.setDaemon(true);
        t.start();
        try (tlsPeer; ScriptedPeer trickling = new ScriptedPeer(c -> {
            c.getInputStream().read();
            for (int i = 0; i < 600; i++) {
                c.getOutputStream().write('H'); // each byte within the timeout, the answer never
                c.getOutputStream().flush();
                Thread.sleep(100);
            }
        })) {
            Map<String, Object> stuck = new HashMap<>(Map.of("type", "webhook", "name", "stuck",
                    "url", "https://127.0.0.1:" + tlsPeer.getLocalPort() + "/hook", "tls", Map.of("insecure", true),
                    "timeout", "500ms", "retry", Map.of("initial", "50ms", "max", "100ms")));
            try (Sink s = SinkFactory.create(0, stuck, telemetry)) {
                s.offer(TestAlerts.alert("big", "r", io.auditalert.alert.Severity.HIGH, "y".repeat(32 << 20)));
                SinkStats st = telemetry.sinkNamed("stuck");
                SinkContract.await("two failed attempts", Duration.ofSeconds(15), () -> st.transientFailures.sum() >= 2);
                try (Sink other = SinkFactory.create(1, Map.of("type", "webhook", "name", "other",
                        "url", "http://127.0.0.1:" + trickling.port() + "/", "timeout", "500ms"), telemetry)) {
                    other.offer(TestAlerts.alert("small"));
                    SinkStats os = telemetry.sinkNamed("other");
                    SinkContract.await("the other sink's timeout", Duration.ofSeconds(10),
                            () -> os.transientFailures.sum() >= 1);
                }
            }
        }
    }

    @Test
    void shouldAcceptAnyCertificateWhenInsecure() throws Exception {
        try (Sink s = SinkFactory.create(0, spec("insecure", Map.of("insecure", true)), telemetry)) {
            s.offer(TestAlerts.alert("tls-3"));
            assertThat(s.drain(Duration.ofSeconds(10))).isTrue();
        }
        assertThat(telemetry.sinkNamed("insecure").delivered.sum()).isEqualTo(1);
    }
}
