package io.auditalert.metrics;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.FileDescriptorMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The metrics endpoint: {@code /metrics} (Prometheus text 0.0.4 or OpenMetrics 1.0.0, by the request's
 * Accept header), {@code /-/healthy}, {@code /-/ready} (200 once {@link Telemetry#started}) and a small
 * landing page, over HTTP or HTTPS with optional basic auth ({@link WebConfig}).
 *
 * <p>Binding retries a busy port with a bounded back-off on a background thread ("auditalert-metrics-
 * bind"), because auditd restarts a plugin at once and the old process may still hold the port; the
 * pipeline never waits for the endpoint. Owns its threads and stops them in {@link #close()}.
 */
public final class MetricsServer implements AutoCloseable {
    public static final String DEFAULT_LISTEN = "127.0.0.1:8617";
    static final String TEXT_004 = "text/plain; version=0.0.4; charset=utf-8";
    static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final Logger LOG = LoggerFactory.getLogger(MetricsServer.class);
    private static final long FIRST_BACKOFF_MILLIS = 100;
    private static final long MAX_BACKOFF_MILLIS = 2000;
    /** Request threads at most (see the constructor). */
    static final int HTTP_THREADS = 32;

    static {
        // The JDK server reads a request (and, with TLS, the handshake) on its handler threads with no
        // time limit: two connections that send one byte and stop held both threads, and every scrape
        // after them timed out (Prometheus then fired "down" for a running plugin). These limits
        // (seconds; read once, when the JDK's server is first used) make it close such connections.
        // A scrape of this endpoint takes milliseconds; an operator's -D setting wins.
        limit("sun.net.httpserver.maxReqTime", "5");
        limit("sun.net.httpserver.maxRspTime", "30");
    }

    private static void limit(String property, String seconds) {
        if (System.getProperty(property) == null) {
            System.setProperty(property, seconds);
        }
    }

    private final PrometheusMeterRegistry registry;
    private final TelemetryMeters meters;
    private final Telemetry telemetry;
    private final WebConfig web;
    private final InetSocketAddress requested;
    private final ExecutorService httpThreads;
    private final CountDownLatch bound = new CountDownLatch(1);
    private final JvmGcMetrics gc;
    private final KernelStatusPoller kernel;
    private volatile HttpServer server;
    private volatile boolean closed;
    private Thread binder;

    private MetricsServer(InetSocketAddress addr, WebConfig web, Telemetry t, MetricsOptions o) {
        this.requested = addr;
        this.web = web;
        this.telemetry = t;
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        registry.config().meterFilter(JvmNames.FILTER);
        this.meters = new TelemetryMeters(registry, t);
        registerBuildInfo(o);
        if (o.jvmMetrics()) {
            new ClassLoaderMetrics().bindTo(registry);
            new JvmMemoryMetrics().bindTo(registry);
            gc = new JvmGcMetrics();
            gc.bindTo(registry);
            new JvmThreadMetrics().bindTo(registry);
            new ProcessorMetrics().bindTo(registry);
            new UptimeMetrics().bindTo(registry);
            new FileDescriptorMetrics().bindTo(registry);
            JvmNames.bindProcessCpuSeconds(registry);
        } else {
            gc = null;
        }
        kernel = o.kernelStatusInterval().isZero()
                ? null
                : KernelStatusPoller.startIfPermitted(t.pipeline, o.kernelStatusInterval());
        meters.refresh();
        AtomicInteger n = new AtomicInteger();
        // the JDK's server reads each request on these threads: four of them were four slow clients
        // (a byte, then nothing, reconnecting at each maxReqTime) away from failing every scrape. Up to
        // HTTP_THREADS, started when needed and ended after 30 s idle: an idle endpoint keeps none.
        java.util.concurrent.ThreadPoolExecutor pool = new java.util.concurrent.ThreadPoolExecutor(HTTP_THREADS,
                HTTP_THREADS, 30, java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                r -> {
                    Thread th = new Thread(r, "auditalert-metrics-http-" + n.incrementAndGet());
                    th.setDaemon(true);
                    return th;
                });
        pool.allowCoreThreadTimeOut(true);
        httpThreads = pool;
    }

    /**
     * Starts the endpoint.
     *
     * @param listen {@code host:port}, {@code [v6addr]:port} or {@code :port} (all interfaces); empty or
     *     null turns the endpoint off and returns null
     * @param webConfig a Prometheus-style web config file (TLS, basic auth), or null
     * @param t the telemetry to export
     * @param options at most one; {@link MetricsOptions#DEFAULTS} when absent
     * @return the running server (possibly still retrying its bind, see {@link #awaitBound}), or null if off
     * @throws IOException if the web config cannot be read or the port cannot be bound for a reason other
     *     than being busy
     * @throws IllegalArgumentException for a malformed listen address or web config
     */
    public static MetricsServer start(String listen, Path webConfig, Telemetry t, MetricsOptions... options)
            throws IOException {
        if (listen == null || listen.isBlank()) {
            return null;
        }
        MetricsOptions o = options.length > 0 && options[0] != null ? options[0] : MetricsOptions.DEFAULTS;
        WebConfig web = webConfig == null ? WebConfig.none() : WebConfig.load(webConfig);
        MetricsServer s = new MetricsServer(parseListen(listen), web, t, o);
        try {
            s.bindWithRetry(o.bindTimeout());
        } catch (IOException | RuntimeException e) {
            s.close();
            throw e;
        }
        return s;
    }

    /** Parses {@code host:port}, {@code [v6]:port} or {@code :port}. */
    static InetSocketAddress parseListen(String listen) {
        int colon = listen.lastIndexOf(':');
        if (colon < 0) {
            throw new IllegalArgumentException("metrics listen address needs host:port, got '" + listen + "'");
        }
        String host = listen.substring(0, colon);
        int port;
        try {
            port = Integer.parseInt(listen.substring(colon + 1));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("metrics listen address has a bad port: '" + listen + "'", e);
        }
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("metrics listen port out of range: '" + listen + "'");
        }
        if (host.startsWith("[") && host.endsWith("]")) {
            host = host.substring(1, host.length() - 1);
        }
        return host.isEmpty() ? new InetSocketAddress(port) : new InetSocketAddress(host, port);
    }

    /** The registry, for meters other components want to add (registered once, at start-up). */
    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /** The bound address (the real port when 0 was asked), or null while still retrying. */
    public InetSocketAddress address() {
        HttpServer s = server;
        return s == null ? null : s.getAddress();
    }

    /** Waits until the port is bound; false on timeout or if binding was given up. */
    public boolean awaitBound(Duration timeout) throws InterruptedException {
        return bound.await(timeout.toMillis(), TimeUnit.MILLISECONDS) && server != null;
    }

    /** The exposition as a scrape with the given Accept header would get it. */
    public String scrape(String accept) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            write(out, contentType(accept));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return out.toString(StandardCharsets.UTF_8);
    }

    @Override
    public void close() {
        closed = true;
        if (binder != null) {
            binder.interrupt();
        }
        HttpServer s = server;
        if (s != null) {
            s.stop(0);
        }
        httpThreads.shutdownNow();
        if (kernel != null) {
            kernel.close();
        }
        if (gc != null) {
            gc.close();
        }
        meters.detach();
        registry.close();
    }

    // ---- binding ----

    private void bindWithRetry(Duration timeout) throws IOException {
        try {
            bindOnce();
            return;
        } catch (BindException e) {
            if (timeout.isZero()) {
                throw new BindException("metrics endpoint " + requested + ": " + e.getMessage());
            }
            LOG.warn("metrics endpoint {} {} ({}); retrying for up to {} s while this process runs", requested,
                    why(e), e.getMessage(), timeout.toSeconds());
        }
        long deadline = System.nanoTime() + timeout.toNanos();
        binder = new Thread(() -> retryLoop(deadline), "auditalert-metrics-bind");
        binder.setDaemon(true);
        binder.start();
    }

    /**
     * What a failed bind says of the address: a port in use, or an address that no interface of this
     * machine has (yet: one that comes up later, as at boot, is bound by a retry).
     */
    static String why(BindException e) {
        String m = String.valueOf(e.getMessage());
        return m.contains("Cannot assign requested address")
                ? "is not an address of this machine (a typo, or an interface not up yet?)" : "busy";
    }

    private void retryLoop(long deadline) {
        long backoff = FIRST_BACKOFF_MILLIS;
        boolean late = false;
        while (!closed) {
            try {
                Thread.sleep(backoff);
            } catch (InterruptedException e) {
                break;
            }
            try {
                bindOnce();
                LOG.info("metrics endpoint bound on {}", server.getAddress());
                return;
            } catch (BindException e) {
                if (!late && System.nanoTime() - deadline > 0) {
                    // a long-running plugin or service must not stay without its endpoint until a restart
                    LOG.error("metrics endpoint {} still {} ({}); trying again every {} s", requested, why(e),
                            e.getMessage(), MAX_BACKOFF_MILLIS / 1000);
                    late = true;
                    bound.countDown(); // whoever waits for the bind waits no longer
                }
            } catch (IOException e) {
                LOG.error("metrics endpoint {}: {}", requested, e.getMessage());
                break;
            }
            backoff = Math.min(MAX_BACKOFF_MILLIS, backoff * 2);
        }
        bound.countDown();
    }

    private synchronized void bindOnce() throws IOException {
        if (closed) {
            return;
        }
        // The JDK sets SO_REUSEADDR on server sockets on Linux, so TIME_WAIT sockets of an old
        // process do not block the port; a process still listening does, hence the retries.
        HttpServer s;
        if (web.ssl() != null) {
            HttpsServer https = HttpsServer.create();
            https.setHttpsConfigurator(new HttpsConfigurator(web.ssl()));
            s = https;
        } else {
            s = HttpServer.create();
        }
        s.bind(requested, 64);
        s.setExecutor(httpThreads);
        s.createContext("/", this::handle);
        s.start();
        server = s;
        bound.countDown();
    }

    // ---- requests ----

    private void handle(HttpExchange ex) throws IOException {
        try (ex) {
            String method = ex.getRequestMethod();
            if (!method.equals("GET") && !method.equals("HEAD")) {
                ex.getResponseHeaders().set("Allow", "GET, HEAD"); // RFC 9110: a 405 names the methods that work
                reply(ex, 405, "text/plain; charset=utf-8", "method not allowed\n");
                return;
            }
            WebConfig.Verdict auth = web.check(ex.getRequestHeaders().getFirst("Authorization"));
            if (auth == WebConfig.Verdict.BUSY) {
                ex.getResponseHeaders().set("Retry-After", "1");
                reply(ex, 503, "text/plain; charset=utf-8", "busy checking other credentials; try again\n");
                return;
            }
            if (auth != WebConfig.Verdict.ALLOWED) {
                ex.getResponseHeaders().set("WWW-Authenticate", "Basic realm=\"auditalert\", charset=\"UTF-8\"");
                reply(ex, 401, "text/plain; charset=utf-8", "unauthorized\n");
                return;
            }
            switch (ex.getRequestURI().getPath()) {
                case "/metrics" -> metrics(ex);
                case "/-/healthy" -> reply(ex, 200, "text/plain; charset=utf-8", "auditalert is healthy.\n");
                case "/-/ready" -> {
                    if (telemetry.started) {
                        reply(ex, 200, "text/plain; charset=utf-8", "auditalert is ready.\n");
                    } else {
                        reply(ex, 503, "text/plain; charset=utf-8", "auditalert is starting.\n");
                    }
                }
                case "/" -> reply(ex, 200, "text/html; charset=utf-8", "<html><head><title>auditalert</title></head>"
                        + "<body><h1>auditalert</h1><p><a href=\"/metrics\">Metrics</a></p></body></html>\n");
                default -> reply(ex, 404, "text/plain; charset=utf-8", "not found\n");
            }
        } catch (RuntimeException e) {
            LOG.warn("metrics request {} failed", ex.getRequestURI(), e);
            throw e;
        }
    }

    private void metrics(HttpExchange ex) throws IOException {
        String type = contentType(ex.getRequestHeaders().getFirst("Accept"));
        ByteArrayOutputStream body = new ByteArrayOutputStream(16 * 1024);
        write(body, type);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(200, head ? -1 : body.size());
        if (!head) {
            try (OutputStream os = ex.getResponseBody()) {
                body.writeTo(os);
            }
        }
    }

    private void write(OutputStream out, String contentType) throws IOException {
        meters.refresh();
        registry.scrape(out, contentType);
    }

    private static void reply(HttpExchange ex, int status, String type, String text) throws IOException {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().set("Content-Type", type);
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : b.length);
        if (!head) {
            try (OutputStream os = ex.getResponseBody()) {
                os.write(b);
            }
        }
    }

    /**
     * Content negotiation: OpenMetrics when the client prefers it (by q-value) over the text format,
     * the text format otherwise, including when there is no Accept header.
     */
    static String contentType(String accept) {
        if (accept == null) {
            return TEXT_004;
        }
        double om = -1;
        double text = -1;
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String media = parts[0].trim().toLowerCase(Locale.ROOT);
            double q = 1;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                if (p.regionMatches(true, 0, "q=", 0, 2)) { // parameter names are case-insensitive (RFC 9110)
                    try {
                        q = Double.parseDouble(p.substring(2));
                    } catch (NumberFormatException e) {
                        q = 0;
                    }
                }
            }
            if (media.equals("application/openmetrics-text")) {
                om = Math.max(om, q);
            } else if (media.equals("text/plain") || media.equals("text/*") || media.equals("*/*")) {
                text = Math.max(text, q);
            }
        }
        return om > 0 && om >= text ? OPENMETRICS : TEXT_004;
    }

    /**
     * The source revision the jar was built from (its manifest's Implementation-Build, which the build
     * takes from git), or "unknown": run from classes, or built outside a git checkout.
     */
    static String buildRevision() {
        try {
            java.security.CodeSource src = MetricsServer.class.getProtectionDomain().getCodeSource();
            if (src == null || !src.getLocation().getPath().endsWith(".jar")) {
                return "unknown";
            }
            try (java.util.jar.JarFile jar = new java.util.jar.JarFile(new java.io.File(src.getLocation().toURI()))) {
                java.util.jar.Manifest m = jar.getManifest();
                String r = m == null ? null : m.getMainAttributes().getValue("Implementation-Build");
                return r == null || r.isBlank() || r.startsWith("${") ? "unknown" : r;
            }
        } catch (java.io.IOException | java.net.URISyntaxException | SecurityException e) {
            return "unknown";
        }
    }

    private void registerBuildInfo(MetricsOptions o) {
        String version = o.version();
        if (version == null) {
            version = MetricsServer.class.getPackage().getImplementationVersion();
        }
        Gauge.builder("auditalert.build.info", () -> 1)
                .description("Build information of the running auditalert; the value is always 1")
                .tag("version", version == null ? "unknown" : version)
                .tag("revision", o.revision() != null ? o.revision() : buildRevision())
                .tag("java_version", System.getProperty("java.version", "unknown"))
                .register(registry);
    }
}
