package io.auditalert.config;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The settings of DESIGN §3.2, with their defaults. Filled by the loader, then only read. */
public final class AppConfig {
    public static final Path DEFAULT_PATH = Path.of("/etc/auditalert/auditalert.yml");
    public static final Path DEFAULT_RULES_DIR = Path.of("/etc/auditalert/rules.d");
    public static final String DEFAULT_RULES = DEFAULT_RULES_DIR + "/*.yml";

    /** Where the file came from; null for built-in defaults. */
    public Path source;
    /** The file could not be read as a mapping of keys: none of its settings are known (the rest are defaults). */
    public boolean unparsed;
    public String input = "stdin";
    public List<String> rules = new ArrayList<>(List.of(DEFAULT_RULES));
    /** The YAML node of each rules entry (positions for error messages); empty for built-in defaults. */
    public List<YamlNode> ruleNodes = new ArrayList<>();
    public int workers = 2;
    /** Whether the file set {@code workers}; replay then keeps it, else evaluates on the reader thread. */
    public boolean workersSet;
    public int ringCapacity = 65_536;
    public long ringMaxBytes = 64L << 20;
    /** "drop" or "block"; null means the command's default (drop for run, block for replay). */
    public String ringWhenFull;
    public long assemblyTimeoutMillis = 2000;
    public int assemblyMaxInflight = 20_000;
    public String metricsListen = "127.0.0.1:8617";
    /** A Prometheus-style web config (TLS, basic auth) for the metrics endpoint, or null. */
    public Path metricsWebConfig;
    /** {@link io.auditalert.metrics.WebConfig#fingerprint} of it as loaded, or null. */
    public String metricsWebConfigFingerprint;
    /** Regular expressions whose matches are masked in alert output ({@code ***}). */
    public List<String> redact = new ArrayList<>();
    /** The sinks, each the plain map of its YAML entry; validated by the sink factory. */
    public List<Map<String, Object>> sinks = new ArrayList<>(List.of(Map.of("type", "stdout")));
    /** The YAML node of each sink entry (positions for error messages); empty for built-in defaults. */
    public List<YamlNode> sinkNodes = new ArrayList<>();
    /** Log file for run (stderr when null). */
    public Path logFile;
}
