package io.auditalert.metrics;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;

/** The shipped Grafana dashboard as a tree, and its PromQL with Grafana's variables substituted. Test helper. */
final class Dashboard {
    static final Path FILE = Path.of("packaging", "grafana", "auditalert.json");

    final Map<String, Object> root;

    private Dashboard(Map<String, Object> root) {
        this.root = root;
    }

    @SuppressWarnings("unchecked")
    static Dashboard load() throws IOException {
        // JSON is YAML 1.2; snakeyaml-engine (already a dependency) reads it
        return new Dashboard((Map<String, Object>) new Load(LoadSettings.builder().build())
                .loadFromString(Files.readString(FILE, StandardCharsets.UTF_8)));
    }

    /** Every panel, rows' nested panels included. */
    @SuppressWarnings("unchecked")
    List<Map<String, Object>> panels() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map<String, Object> p : (List<Map<String, Object>>) root.get("panels")) {
            out.add(p);
            Object nested = p.get("panels");
            if (nested instanceof List<?> l) {
                out.addAll((List<Map<String, Object>>) l);
            }
        }
        return out;
    }

    /** A panel's PromQL expression, with where it comes from. */
    record Query(String panel, String refId, String expr) {}

    @SuppressWarnings("unchecked")
    List<Query> queries() {
        List<Query> out = new ArrayList<>();
        for (Map<String, Object> p : panels()) {
            Object targets = p.get("targets");
            if (targets instanceof List<?> l) {
                for (Map<String, Object> t : (List<Map<String, Object>>) l) {
                    out.add(new Query(String.valueOf(p.get("title")), String.valueOf(t.get("refId")),
                            String.valueOf(t.get("expr"))));
                }
            }
        }
        return out;
    }

    /** Grafana's macros and this dashboard's variables replaced as Grafana would for one job. */
    static String substitute(String expr, String job) {
        return expr.replace("$__rate_interval", "1m")
                .replace("$__interval", "15s")
                .replace("$__range", "1h")
                .replace("${job}", job)
                .replace("$job", job)
                .replace("${instance}", ".+")
                .replace("$instance", ".+");
    }
}
