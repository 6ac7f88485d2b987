package io.auditalert.metrics;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URLEncoder;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** Starts real peers (Prometheus, Alertmanager, promtool) on loopback and stops them by PID. Test helper. */
final class Peers implements AutoCloseable {
    private final List<Process> started = new ArrayList<>();

    static Path binary(String name) {
        for (String dir : System.getenv().getOrDefault("PATH", "/usr/bin").split(File.pathSeparator)) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        for (String dir : new String[] {"/usr/bin", "/usr/sbin", "/sbin"}) {
            Path p = Path.of(dir, name);
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    static Path require(String name, String apt) {
        Path p = binary(name);
        assumeTrue(p != null, name + " not installed (apt-get install " + apt + "); skipping");
        return p;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    Process start(Path log, String... command) throws IOException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(log.toFile()).start();
        started.add(p);
        return p;
    }

    /** Runs a command to completion; returns exit code and output (stdout and stderr). */
    static Result run(Path input, String... command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
        if (input != null) {
            pb.redirectInput(input.toFile());
        }
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new IllegalStateException("timed out: " + String.join(" ", command));
        }
        return new Result(p.exitValue(), out);
    }

    record Result(int rc, String output) {}

    static void await(String what, long timeoutMillis, BooleanSupplier condition) throws InterruptedException {
        long deadline = System.currentTimeMillis() + timeoutMillis;
        while (!condition.getAsBoolean()) {
            if (System.currentTimeMillis() > deadline) {
                throw new AssertionError("timed out after " + timeoutMillis + " ms waiting for " + what);
            }
            Thread.sleep(200);
        }
    }

    static boolean ok(String url) {
        try {
            return Exposition.get(url).statusCode() == 200;
        } catch (IOException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** GETs a Prometheus API URL and parses its JSON (JSON is YAML 1.2, so snakeyaml reads it). */
    static Map<String, Object> api(String url) throws IOException, InterruptedException {
        HttpResponse<String> r = Exposition.get(url);
        @SuppressWarnings("unchecked")
        Map<String, Object> m = (Map<String, Object>) new Load(LoadSettings.builder().build()).loadFromString(r.body());
        return m;
    }

    /** Runs an instant query; returns the result vector (each with metric and value). */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> query(int promPort, String expr) throws IOException, InterruptedException {
        Map<String, Object> m = api("http://127.0.0.1:" + promPort + "/api/v1/query?query="
                + URLEncoder.encode(expr, StandardCharsets.UTF_8));
        if (!"success".equals(m.get("status"))) {
            throw new AssertionError("query failed: " + expr + ": " + m);
        }
        Map<String, Object> data = (Map<String, Object>) m.get("data");
        Object result = data.get("result");
        if ("scalar".equals(data.get("resultType"))) {
            return List.of(Map.of("metric", Map.of(), "value", result));
        }
        return (List<Map<String, Object>>) result;
    }

    /** The single value of an instant query, or NaN when it returns no series. */
    @SuppressWarnings("unchecked")
    static double scalar(int promPort, String expr) throws IOException, InterruptedException {
        List<Map<String, Object>> r = query(promPort, expr);
        if (r.isEmpty()) {
            return Double.NaN;
        }
        if (r.size() > 1) {
            throw new AssertionError(expr + " returned " + r.size() + " series: " + r);
        }
        return Double.parseDouble(String.valueOf(((List<Object>) r.get(0).get("value")).get(1)));
    }

    @Override
    public void close() {
        for (int i = started.size() - 1; i >= 0; i--) {
            Process p = started.get(i);
            p.destroy(); // SIGTERM to this PID only
            try {
                if (!p.waitFor(10, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    p.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
            }
        }
    }
}
