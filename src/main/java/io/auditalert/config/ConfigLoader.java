package io.auditalert.config;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Reads {@code auditalert.yml} (DESIGN §3.2) into an {@link AppConfig}. Every key is optional;
 * unknown keys and bad values are errors with file, line and column, all reported at once. Relative
 * paths (rules globs, web config, log file) are taken relative to the file's directory.
 */
public final class ConfigLoader {
    private static final int MAX_WORKERS = 64;

    private ConfigLoader() {}

    /** Loads the file; returns the config, with every problem added to {@code errors}. */
    public static AppConfig load(Path file, List<ConfigError> errors) {
        AppConfig cfg = new AppConfig();
        cfg.source = file;
        int before = errors.size();
        YamlDoc doc = YamlDoc.load(file, errors);
        YamlNode root = doc.root();
        if (errors.size() > before && (root == null || root.isNull())) {
            cfg.unparsed = true;
            return cfg;
        }
        if (root == null || root.isNull()) {
            return cfg; // empty, or only comments: every key has its default
        }
        if (!root.isMap()) {
            root.error("the configuration must be a mapping of keys (input, rules, workers, ring, assembly, metrics, sinks)");
            cfg.unparsed = true;
            return cfg;
        }
        root.checkKeys("input", "rules", "workers", "ring", "assembly", "metrics", "sinks", "redact", "log_file");
        Path dir = file.toAbsolutePath().getParent();
        YamlNode input = root.get("input");
        if (input != null) {
            String v = input.asString("stdin");
            String problem = inputProblem("input", v);
            if (problem != null) {
                input.error(problem);
            } else {
                cfg.input = v;
            }
        }
        if (root.has("rules")) {
            YamlNode entries = root.get("rules");
            List<YamlNode> items = entries.isNull() ? List.of() : entries.isScalar() ? List.of(entries) : entries.items();
            cfg.rules = new ArrayList<>();
            cfg.ruleNodes = new ArrayList<>();
            for (YamlNode item : items) {
                if (item.isScalar() && !item.isNull()) {
                    if (hasNoNul(item) && usable(item)) {
                        cfg.rules.add(dir == null ? item.text() : dir.resolve(item.text()).toString());
                        cfg.ruleNodes.add(item);
                    }
                } else {
                    item.error("expected a file name or pattern");
                }
            }
        }
        YamlNode workers = root.get("workers");
        if (workers != null) {
            long w = workers.asLong(2);
            if (w < 0 || w > MAX_WORKERS) {
                workers.error("workers must be between 0 and " + MAX_WORKERS);
            } else {
                cfg.workers = (int) w;
                cfg.workersSet = true;
            }
        }
        YamlNode ring = root.get("ring");
        if (ring != null && requireMap(ring, "ring")) {
            ring.checkKeys("capacity", "max_bytes", "when_full"); // and the known keys are still checked
            YamlNode capacity = ring.get("capacity");
            if (capacity != null) {
                long c = capacity.asLong(cfg.ringCapacity);
                // each slot is preallocated, twice over (the ring and the assembler's free slots): 2^24 of
                // them did not fit the launcher's 256 MiB heap and ended run with an OutOfMemoryError
                if (c < 2 || c > (1 << 22)) {
                    capacity.error("ring.capacity must be between 2 and 4194304");
                } else {
                    cfg.ringCapacity = (int) c;
                }
            }
            YamlNode maxBytes = ring.get("max_bytes");
            if (maxBytes != null) {
                long b = maxBytes.asBytes(cfg.ringMaxBytes);
                if (b < 64 * 1024) {
                    maxBytes.error("ring.max_bytes must be at least 64KiB");
                } else {
                    cfg.ringMaxBytes = b;
                }
            }
            YamlNode whenFull = ring.get("when_full");
            if (whenFull != null) {
                String v = whenFull.asString("drop");
                if (!v.equals("drop") && !v.equals("block")) {
                    whenFull.error("ring.when_full must be drop or block, not '" + v + "'");
                } else {
                    cfg.ringWhenFull = v;
                }
            }
        }
        YamlNode assembly = root.get("assembly");
        if (assembly != null && requireMap(assembly, "assembly")) {
            assembly.checkKeys("timeout", "max_inflight"); // and the known keys are still checked
            YamlNode timeout = assembly.get("timeout");
            if (timeout != null) {
                long t = timeout.asDurationMillis(cfg.assemblyTimeoutMillis);
                if (t < 100 || t > 600_000) {
                    timeout.error("assembly.timeout must be between 100ms and 10m");
                } else {
                    cfg.assemblyTimeoutMillis = t;
                }
            }
            YamlNode inflight = assembly.get("max_inflight");
            if (inflight != null) {
                long n = inflight.asLong(cfg.assemblyMaxInflight);
                if (n < 1 || n > 10_000_000) {
                    inflight.error("assembly.max_inflight must be between 1 and 10000000");
                } else {
                    cfg.assemblyMaxInflight = (int) n;
                }
            }
        }
        YamlNode metrics = root.get("metrics");
        if (metrics != null && requireMap(metrics, "metrics")) {
            metrics.checkKeys("listen", "web_config"); // and the known keys are still checked
            YamlNode listen = metrics.get("listen");
            if (listen != null) {
                String v = listen.asString("");
                String problem = listenProblem("metrics.listen", v);
                if (problem != null) {
                    listen.error(problem);
                } else {
                    cfg.metricsListen = v;
                }
            }
            YamlNode web = metrics.get("web_config");
            if (web != null && hasNoNul(web) && usable(web)) {
                cfg.metricsWebConfig = dir == null ? Path.of(web.asString("")) : dir.resolve(web.asString(""));
                try {
                    // TLS files, users: as a start would; what was read, for a reload to compare
                    cfg.metricsWebConfigFingerprint = io.auditalert.metrics.WebConfig.validate(cfg.metricsWebConfig);
                } catch (IOException | RuntimeException e) {
                    web.error("metrics.web_config: " + (e instanceof java.nio.file.NoSuchFileException n
                            ? "no such file: " + n.getFile() : e.getMessage()));
                }
            }
        }
        if (root.has("redact")) {
            YamlNode redact = root.get("redact");
            List<String> patterns = new ArrayList<>();
            for (YamlNode item : redact.items()) {
                String p = item.asString("");
                try {
                    Pattern.compile(p);
                    patterns.add(p);
                } catch (PatternSyntaxException e) {
                    item.error("redact: bad regular expression: " + e.getDescription());
                }
            }
            cfg.redact = patterns;
        }
        YamlNode logFile = root.get("log_file");
        if (logFile != null && hasNoNul(logFile)) {
            String name = logFile.asString("");
            if (name.isBlank()) {
                // resolved, "" is the configuration's own directory
                logFile.error("log_file: give a file name (leave the key out for stderr and syslog only)");
            } else {
                try {
                    cfg.logFile = dir == null ? Path.of(name) : dir.resolve(name);
                } catch (java.nio.file.InvalidPathException e) {
                    logFile.error("log_file: not a usable file name (" + e.getReason() + ")");
                }
            }
        }
        YamlNode sinks = root.get("sinks");
        if (sinks != null && !sinks.isSeq()) {
            sinks.error("sinks must be a list, e.g. [{type: stdout}]");
        } else if (sinks != null) {
            cfg.sinks = new ArrayList<>();
            cfg.sinkNodes = new ArrayList<>();
            for (YamlNode item : sinks.items()) {
                if (!item.isMap()) {
                    item.error("each sink is a mapping with at least a type, e.g. {type: stdout}");
                    continue;
                }
                @SuppressWarnings("unchecked")
                Map<String, Object> spec = (Map<String, Object>) plain(item);
                // as the rules and the log file: relative to this file's directory, not to the working
                // directory (which is / under auditd and systemd)
                if ("file".equals(spec.get("type"))) {
                    resolve(spec, "path", dir);
                }
                resolve(spec, "spool", dir);
                resolve(spec, "password_file", dir);
                resolveNested(spec, "spool", "dir", dir);
                resolveNested(spec, "tls", "ca_file", dir);
                cfg.sinks.add(spec);
                cfg.sinkNodes.add(item);
            }
        }
        if (cfg.logFile != null) {
            Path log = cfg.logFile.toAbsolutePath().normalize();
            if (log.equals(file.toAbsolutePath().normalize())) {
                logFile.error("log_file is this configuration file: run would append its log lines to it");
            }
            for (Map<String, Object> spec : cfg.sinks == null ? List.<Map<String, Object>>of() : cfg.sinks) {
                Path sinkPath = "file".equals(spec.get("type")) && spec.get("path") instanceof String path
                        && !path.isEmpty() ? io.auditalert.alert.sink.SinkOptions.pathOrNull(path) : null;
                if (sinkPath != null && sinkPath.toAbsolutePath().normalize().equals(log)) {
                    logFile.error("log_file is the path of a file sink: log lines would mix with its JSON lines");
                }
            }
        }
        return cfg;
    }

    private static void resolveNested(Map<String, Object> spec, String key, String inner, Path dir) {
        if (spec.get(key) instanceof Map<?, ?> nested) {
            @SuppressWarnings("unchecked")
            Map<String, Object> m = (Map<String, Object>) nested;
            resolve(m, inner, dir);
        }
    }

    private static void resolve(Map<String, Object> spec, String key, Path dir) {
        if (dir != null && spec.get(key) instanceof String v && !v.isEmpty() && v.indexOf('\0') < 0
                && !v.startsWith("/")) {
            try {
                spec.put(key, dir.resolve(v).toString());
            } catch (java.nio.file.InvalidPathException e) {
                // no file name (a lone surrogate, reported where it is written): the sink's check says so
            }
        }
    }

    private static boolean requireMap(YamlNode node, String key) {
        if (!node.isMap()) {
            node.error(key + " must be a mapping");
            return false;
        }
        return true;
    }

    /** Whether a file name's node can name a file (a lone surrogate, reported by the loader, cannot). */
    private static boolean usable(YamlNode node) {
        return node.text() == null || io.auditalert.alert.sink.SinkOptions.pathOrNull(node.text()) != null;
    }

    /** Whether a file name's node is free of NUL characters; records an error at the first one when not. */
    private static boolean hasNoNul(YamlNode node) {
        String v = node.text();
        int at = v == null ? -1 : v.indexOf('\0');
        if (at >= 0) {
            node.errorAt(at, "a NUL character (\\0) cannot be part of a file name");
        }
        return at < 0;
    }

    /**
     * The node as plain Java values: maps (insertion-ordered), lists, and scalars as YAML's core
     * schema reads them: an unquoted {@code true}/{@code false} a Boolean, an unquoted whole number a
     * Long (not one with a leading zero), an unquoted decimal a Double, anything else (and anything
     * quoted) a String; null for null.
     */
    static Object plain(YamlNode node) {
        if (node.isMap()) {
            node.checkDuplicateKeys();
            Map<String, Object> map = new LinkedHashMap<>();
            for (String key : node.keys()) {
                map.put(key, plain(node.get(key)));
            }
            return map;
        }
        if (node.isSeq()) {
            List<Object> list = new ArrayList<>();
            for (YamlNode item : node.items()) {
                list.add(plain(item));
            }
            return list;
        }
        if (node.isNull()) {
            return null;
        }
        String text = node.text();
        if (node.style() != org.snakeyaml.engine.v2.common.ScalarStyle.PLAIN) {
            return text;
        }
        switch (text) {
            case "true", "True", "TRUE":
                return Boolean.TRUE;
            case "false", "False", "FALSE":
                return Boolean.FALSE;
            default:
                break;
        }
        if (text.matches("[-+]?(0|[1-9]\\d{0,17})")) { // not 0644: a leading zero stays text as written
            return Long.parseLong(text);
        }
        if (text.matches("[-+]?\\d+\\.\\d+")) {
            return Double.parseDouble(text);
        }
        return text;
    }

    /**
     * What is wrong with the input {@code v} (stdin or unix:/absolute/path) given as {@code name};
     * null when nothing is.
     */
    public static String inputProblem(String name, String v) {
        if (!(v.equals("stdin") || v.startsWith("unix:/") && v.length() > 6)) {
            return name + " must be stdin or unix:/absolute/path, not '" + v + "'";
        }
        int bytes = v.substring(5).getBytes(java.nio.charset.StandardCharsets.UTF_8).length;
        if (v.startsWith("unix:") && bytes > MAX_SOCKET_PATH) {
            return name + ": the socket path is " + bytes + " bytes long; a unix socket's path has at most "
                    + MAX_SOCKET_PATH;
        }
        return null;
    }

    /** sun_path is 108 bytes with its terminating NUL. */
    private static final int MAX_SOCKET_PATH = 107;

    /**
     * What is wrong with the metrics listen address {@code v} (HOST:PORT, or "" for off) given as
     * {@code name}; null when nothing is.
     */
    public static String listenProblem(String name, String v) {
        if (v.isEmpty()) {
            return null;
        }
        if (!v.matches("(\\[[0-9a-fA-F:.]+\\]|[A-Za-z0-9.-]+):[0-9]{1,5}")) {
            return name + " must be HOST:PORT or \"\" (off), not '" + v + "'";
        }
        if (!validPort(v.substring(v.lastIndexOf(':') + 1))) {
            return name + ": port must be between 1 and 65535, not " + v.substring(v.lastIndexOf(':') + 1);
        }
        return null;
    }

    private static boolean validPort(String digits) {
        int port = Integer.parseInt(digits);
        return port >= 1 && port <= 65_535;
    }
}
