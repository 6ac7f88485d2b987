package io.auditalert.cli;

import io.auditalert.alert.Sink;
import io.auditalert.config.AppConfig;
import io.auditalert.metrics.MetricsServer;
import io.auditalert.metrics.Telemetry;
import io.auditalert.pipeline.Pipeline;
import io.auditalert.pipeline.RuleEngine;
import io.auditalert.pipeline.ThrottleGate;
import io.auditalert.ring.EventRing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/** Builds the pieces a command needs from the configuration: rules, sinks, metrics, pipeline options. */
final class Components {
    /** Default rule files bundled in the jar, installed under /etc/auditalert/rules.d by the packages. */
    static final String[] BUNDLED_RULES = {};

    private Components() {}

    static AppConfig loadConfig(Path file) throws ConfigException {
        throw new ConfigException(List.of(file + ":1:1: configuration loading is not available in this build"));
    }

    /** The rules named by the configuration (globs), or the bundled defaults when none exist. */
    static RuleEngine loadRules(AppConfig cfg, Telemetry telemetry) throws ConfigException {
        List<Path> files = expand(cfg.rules);
        return loadRules(files, telemetry);
    }

    static RuleEngine loadRules(List<Path> files, Telemetry telemetry) throws ConfigException {
        if (files.isEmpty()) {
            return RuleEngine.NONE;
        }
        throw new ConfigException(List.of(files.get(0) + ":1:1: rule loading is not available in this build"));
    }

    static List<Sink> createSinks(AppConfig cfg, Telemetry telemetry) throws ConfigException {
        return List.of();
    }

    /** Validates the sink entries without starting them; returns how many there are. */
    static int validateSinks(AppConfig cfg) throws ConfigException {
        return cfg.sinks.size();
    }

    static ThrottleGate throttle(Telemetry telemetry) {
        return ThrottleGate.NONE;
    }

    static AutoCloseable startMetrics(String listen, Path webConfig, Telemetry telemetry) throws IOException {
        MetricsServer server = MetricsServer.start(listen, webConfig, telemetry);
        return server != null ? server : () -> {};
    }

    static List<Pattern> redactions(AppConfig cfg) throws ConfigException {
        List<Pattern> out = new ArrayList<>();
        List<String> errors = new ArrayList<>();
        for (String r : cfg.redact) {
            try {
                out.add(Pattern.compile(r));
            } catch (PatternSyntaxException e) {
                errors.add(cfg.source + ": redact: bad regular expression " + r + ": " + e.getDescription());
            }
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return out;
    }

    static Pipeline.Options pipelineOptions(AppConfig cfg, boolean live) {
        Pipeline.Options o = new Pipeline.Options();
        o.live = live;
        o.workers = cfg.workers;
        o.ringCapacity = cfg.ringCapacity;
        o.ringMaxBytes = cfg.ringMaxBytes;
        o.whenFull = "block".equals(cfg.ringWhenFull) ? EventRing.WhenFull.BLOCK : EventRing.WhenFull.DROP;
        o.assembly.timeoutMillis = cfg.assemblyTimeoutMillis;
        o.assembly.maxInflight = cfg.assemblyMaxInflight;
        return o;
    }

    /** Expands {@code dir/*.yml}-style patterns (a glob in the last path element) in sorted order. */
    static List<Path> expand(List<String> patterns) {
        List<Path> out = new ArrayList<>();
        for (String pattern : patterns) {
            Path p = Path.of(pattern);
            String last = p.getFileName() == null ? "" : p.getFileName().toString();
            if (!last.contains("*") && !last.contains("?") && !last.contains("[")) {
                out.add(p);
                continue;
            }
            Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> matched = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, last)) {
                ds.forEach(matched::add);
            } catch (IOException e) {
                continue;
            }
            matched.sort(null);
            out.addAll(matched);
        }
        return out;
    }

    /** Copies the bundled default rules out of the jar into a private temporary directory. */
    static List<Path> bundledRules() throws IOException {
        Path dir = Files.createTempDirectory("auditalert-rules");
        dir.toFile().deleteOnExit();
        List<Path> out = new ArrayList<>();
        for (String name : BUNDLED_RULES) {
            try (InputStream in = Components.class.getResourceAsStream("/defaults/rules.d/" + name)) {
                if (in == null) {
                    continue;
                }
                Path f = dir.resolve(name);
                Files.copy(in, f);
                f.toFile().deleteOnExit();
                out.add(f);
            }
        }
        return out;
    }
}
