package io.auditalert.cli;

import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkConfigException;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.Throttler;
import io.auditalert.alert.sink.SinkOptions;
import io.auditalert.config.AppConfig;
import io.auditalert.config.ConfigError;
import io.auditalert.config.ConfigLoader;
import io.auditalert.config.YamlNode;
import io.auditalert.ingest.Inputs;
import io.auditalert.ingest.LineFramer;
import io.auditalert.metrics.MetricsServer;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.metrics.Telemetry;
import io.auditalert.pipeline.Pipeline;
import io.auditalert.pipeline.RuleEngine;
import io.auditalert.pipeline.ThrottleGate;
import io.auditalert.pipeline.TimeRange;
import io.auditalert.ring.EventRing;
import io.auditalert.rules.DefaultRules;
import io.auditalert.rules.Names;
import io.auditalert.rules.RuleFiles;
import io.auditalert.rules.RuleLoader;
import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Builds the pieces a command needs from the configuration: rules, sinks, metrics, pipeline options. */
public final class Components {
    private static final Logger LOG = LoggerFactory.getLogger(Components.class);
    /** Throttle keys kept at once (oldest evicted and counted past that). */
    static final int THROTTLE_KEYS = 100_000;

    private Components() {}

    static AppConfig loadConfig(Path file) throws ConfigException {
        return loadConfig(file, true);
    }

    /**
     * @param withSinks whether what the sinks need (a command that exists, a spool directory) is
     *                  checked too; events reads only the assembly settings of a production file
     */
    static AppConfig loadConfig(Path file, boolean withSinks) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        AppConfig cfg = ConfigLoader.load(file, errors);
        if (withSinks) {
            errors.addAll(sinkErrors(cfg));
        }
        if (!errors.isEmpty()) {
            throw new ConfigException(strings(errors));
        }
        return cfg;
    }

    /**
     * For {@code check}: when rules are named ({@code --rules}, else the configuration's {@code rules:})
     * and no file at all is found for them (a typo'd path or glob), the error that says so, placed where
     * the names are written; else null. A file of lists only, or of disabled rules, is found: no error.
     */
    static String noRuleFileFound(List<Path> ruleArgs, AppConfig cfg) {
        if (!ruleArgs.isEmpty()) {
            List<String> errs = new ArrayList<>();
            if (!RuleFiles.expandArguments(ruleArgs, errs, new ArrayList<>()).isEmpty() || !errs.isEmpty()) {
                return null; // found, or already an error of its own
            }
            return "--rules: no rules file found at " + ruleArgs.stream().map(Path::toString)
                    .collect(java.util.stream.Collectors.joining(", ")) + ": nothing would alert";
        }
        if (cfg.rules.isEmpty()) {
            return null; // rules: [] asks for none
        }
        List<ConfigError> errors = new ArrayList<>();
        String origin = cfg.source == null ? AppConfig.DEFAULT_PATH.toString() : cfg.source.toString();
        if (!RuleFiles.expand(cfg.rules, cfg.ruleNodes, origin, errors, new ArrayList<>()).isEmpty() || !errors.isEmpty()) {
            return null; // found, or already an error of its own
        }
        String message = "no rules file found at " + String.join(", ", cfg.rules) + ": nothing would alert";
        if (cfg.ruleNodes.isEmpty()) {
            return defaultRulesOrigin(cfg) + message; // no line of any file named them
        }
        YamlNode at = cfg.ruleNodes.get(0);
        return new ConfigError(origin, at.line(), at.col(), "rules: " + message).toString();
    }

    /** How messages about the built-in default rules begin: which configuration, if any, left them in force. */
    private static String defaultRulesOrigin(AppConfig cfg) {
        return cfg.source == null ? "default rules (no configuration file, no --rules): "
                : cfg.source + ": default rules (it has no rules: entry): ";
    }

    /** The file sink errors and warnings are placed in: the configuration, or the built-in one. */
    private static String sinkOrigin(AppConfig cfg) {
        return cfg.source == null ? "<built-in>" : cfg.source.toString();
    }

    /** The rules the configuration names ({@code rules:} globs, relative to the config file). */
    static RuleEngine loadRules(AppConfig cfg, Telemetry telemetry, int threads) throws ConfigException {
        List<ConfigError> errors = new ArrayList<>();
        String origin = cfg.source == null ? AppConfig.DEFAULT_PATH.toString() : cfg.source.toString();
        List<ConfigError> warnings = new ArrayList<>();
        List<Path> files = RuleFiles.expand(cfg.rules, cfg.ruleNodes, origin, errors, warnings);
        if (cfg.ruleNodes.isEmpty()) {
            // the built-in default named the rules, no line of any file did: say so instead of a position
            String why = defaultRulesOrigin(cfg);
            for (ConfigError w : warnings) {
                LOG.warn("{}{}", why, w.message());
            }
            List<String> plain = new ArrayList<>();
            for (ConfigError e : errors) {
                plain.add(why + e.message());
            }
            return loadRules(plain, files, cfg, telemetry, threads);
        }
        for (ConfigError w : warnings) {
            LOG.warn("{}", w);
        }
        return loadRules(strings(errors), files, cfg, telemetry, threads);
    }

    /** The rules of {@code --rules} arguments: files, directories (their *.yml) and quoted patterns. */
    static RuleEngine loadRuleArguments(List<Path> args, AppConfig cfg, Telemetry telemetry, int threads)
            throws ConfigException {
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<Path> files = RuleFiles.expandArguments(args, errors, warnings);
        for (String w : warnings) {
            LOG.warn("--rules: {}", w);
        }
        errors.replaceAll(e -> "--rules: " + e);
        return loadRules(errors, files, cfg, telemetry, threads);
    }

    /**
     * Loads the rule files; when finding them already went wrong ({@code errors}), loads those that
     * were found only for their own errors, so that every error is reported at once, and fails.
     */
    private static RuleEngine loadRules(List<String> errors, List<Path> files, AppConfig cfg, Telemetry telemetry,
            int threads) throws ConfigException {
        if (errors.isEmpty()) {
            return loadRules(files, cfg, telemetry, threads);
        }
        List<String> all = new ArrayList<>(errors);
        if (!files.isEmpty()) {
            try {
                loadRules(files, cfg, telemetry, threads);
            } catch (ConfigException e) {
                all.addAll(e.errors());
            }
        }
        throw new ConfigException(all);
    }

    static RuleEngine loadRules(List<Path> files, AppConfig cfg, Telemetry telemetry, int threads) throws ConfigException {
        if (files.isEmpty()) {
            LOG.warn("no rule files: events are read and counted, nothing is alerted (name rules with --rules FILE|DIR"
                    + " or the configuration's rules:)");
            return RuleEngine.NONE;
        }
        return engine(RuleLoader.load(files, Names.SYSTEM, telemetry, cfg.redact), threads);
    }

    /** The default rules bundled in the jar (the same files the packages install in rules.d). */
    static RuleEngine bundledRules(Telemetry telemetry, int threads) throws ConfigException {
        return engine(DefaultRules.load(Names.SYSTEM, telemetry), threads);
    }

    private static RuleEngine engine(RuleLoader.Result result, int threads) throws ConfigException {
        for (ConfigError w : result.warnings()) {
            LOG.warn("{}", w);
        }
        if (!result.ok()) {
            throw new ConfigException(strings(result.errors()));
        }
        return new RuleSetEngine(result.ruleSet(), threads);
    }

    /** How long a replay's sink waits after a wake-up for more alerts to deliver in one batch. */
    static final java.time.Duration REPLAY_LINGER = java.time.Duration.ofMillis(20);

    /**
     * Starts the configured sinks. In replay, stdout and file sinks wait when their queue is full
     * instead of dropping (a local write always catches up); network sinks keep their own setting,
     * so a peer that is down cannot stall the replay.
     */
    static List<Sink> createSinks(AppConfig cfg, Telemetry telemetry, boolean replay) throws ConfigException {
        List<String> errors = strings(sinkErrors(cfg));
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        List<Sink> sinks = new ArrayList<>();
        for (int i = 0; i < cfg.sinks.size(); i++) {
            try {
                sinks.add(createSink(i, cfg.sinks.get(i), telemetry, replay));
            } catch (java.io.UncheckedIOException e) { // a spool another process holds (a running service)
                sinks.forEach(Sink::close);
                throw new ConfigException(List.of("sinks[" + i + "]: " + e.getMessage() + ": "
                        + e.getCause().getMessage()));
            }
        }
        return sinks;
    }

    /** Starts the sink of entry i of a validated configuration (see {@link #createSinks}). */
    static Sink createSink(int i, Map<String, Object> spec, Telemetry telemetry, boolean replay) {
        Object type = spec.get("type");
        boolean local = "stdout".equals(type) || "file".equals(type);
        Sink sink = replay && local ? SinkFactory.create(i, spec, telemetry, Map.of("when_full", "block"))
                : SinkFactory.create(i, spec, telemetry);
        if (replay && sink instanceof io.auditalert.alert.sink.DeliverySink d) {
            d.callerReportsLosses(); // reportUndelivered says what each sink lost (and nothing of replay | head)
            // nobody waits for a replayed alert: deliver in batches, not one wake-up each
            d.lingerForBatches(REPLAY_LINGER);
        }
        return sink;
    }

    /** Validates the sink entries without starting them; returns how many there are. */
    static int validateSinks(AppConfig cfg) throws ConfigException {
        List<String> errors = strings(sinkErrors(cfg));
        if (!errors.isEmpty()) {
            throw new ConfigException(errors);
        }
        return cfg.sinks.size();
    }

    /**
     * Every problem of every sink entry, placed at the offending key where the file says where it is
     * (what {@code check} and a start report).
     */
    public static List<ConfigError> sinkErrors(AppConfig cfg) {
        List<ConfigError> out = new ArrayList<>();
        String file = sinkOrigin(cfg);
        Map<Path, Integer> spools = new java.util.HashMap<>();
        Map<String, Integer> names = new java.util.HashMap<>();
        Map<Path, Integer> files = new java.util.HashMap<>();
        for (int i = 0; i < cfg.sinks.size(); i++) {
            Map<String, Object> spec = cfg.sinks.get(i);
            YamlNode node = i < cfg.sinkNodes.size() ? cfg.sinkNodes.get(i) : null;
            // a sink's name keys its metrics and log lines: two of one name would mix them
            Object type = spec.get("type");
            String name = spec.get("name") instanceof String n ? n : SinkOptions.defaultName(String.valueOf(type), i);
            Integer sameName = names.putIfAbsent(name, i);
            if (sameName != null) {
                out.add(placed(file, node, List.of(spec.containsKey("name") ? "name" : "type"), "sinks[" + i
                        + "].name: \"" + name + "\" is the name of sinks[" + sameName + "] too; each sink needs its own"));
            }
            // two file sinks on one file would write every alert twice and rotate it under each other
            Path path = "file".equals(type) && spec.get("path") instanceof String ps ? absolute(ps) : null;
            Integer samePath = path == null ? null : files.putIfAbsent(path, i);
            if (samePath != null) {
                out.add(placed(file, node, List.of("path"), "sinks[" + i + "].path: " + path + " is the file of sinks["
                        + samePath + "] too; each file sink needs its own"));
            }
            for (SinkConfigException e : SinkFactory.validate(i, spec)) {
                out.add(placed(file, node, e.path(), e.getMessage()));
            }
            Path spool = spoolOf(spec);
            Integer other = spool == null ? null : spools.putIfAbsent(spool, i);
            if (other != null) {
                out.add(placed(file, node, List.of("spool"), "sinks[" + i + "].spool: " + spool + " is the spool of sinks["
                        + other + "] too; each sink needs its own"));
            }
        }
        return out;
    }

    /**
     * What would make alerts go nowhere though the configuration is valid: no sink at all, or a file sink
     * whose path cannot take a file now (a directory or a FIFO there, a file where a directory must be).
     * Warnings, not errors, for {@code run}: what is at a path can change (another user's directory), and
     * one such sink must not stop the others at a start; it is retried and counted. Placed where the file
     * says where.
     */
    static List<String> sinkWarnings(AppConfig cfg) {
        List<String> out = new ArrayList<>();
        if (cfg.sinks.isEmpty()) {
            out.add(sinkOrigin(cfg) + ": sinks: none: alerts are evaluated and counted, and delivered nowhere");
        }
        out.addAll(fileSinkProblems(cfg));
        return out;
    }

    /** The file sinks of {@link #sinkWarnings} whose path cannot take a file now. */
    static List<String> fileSinkProblems(AppConfig cfg) {
        List<String> out = new ArrayList<>();
        String file = sinkOrigin(cfg);
        for (int i = 0; i < cfg.sinks.size(); i++) {
            Map<String, Object> spec = cfg.sinks.get(i);
            Path p = "file".equals(spec.get("type")) && spec.get("path") instanceof String ps ? SinkOptions.pathOrNull(ps) : null;
            if (p != null) {
                String problem = io.auditalert.alert.sink.FileSink.writeProblem(p);
                if (problem != null) {
                    YamlNode node = i < cfg.sinkNodes.size() ? cfg.sinkNodes.get(i) : null;
                    out.add(placed(file, node, List.of("path"), "sinks[" + i + "].path: " + problem
                            + ": this sink cannot write its alerts now").toString());
                }
            }
        }
        return out;
    }

    /**
     * A warning for each name or glob in a sink's {@code rules:} that matches none of the rules in
     * force: a typo there makes the sink receive nothing, which no error would show.
     */
    static List<String> unmatchedRuleFilters(AppConfig cfg, RuleEngine rules) {
        List<String> out = new ArrayList<>();
        List<String> names = rules.ruleNames();
        for (int i = 0; i < cfg.sinks.size(); i++) {
            Object filter = cfg.sinks.get(i).get("rules");
            List<?> globs = filter instanceof List<?> l ? l : filter == null ? List.of() : List.of(filter);
            for (Object g : globs) {
                java.util.regex.Pattern p;
                try {
                    p = io.auditalert.alert.sink.SinkOptions.glob(String.valueOf(g));
                } catch (IllegalArgumentException e) {
                    continue; // the sink's own check reports it
                }
                if (names.stream().noneMatch(n -> p.matcher(n).matches())) {
                    out.add("sinks[" + i + "].rules: '" + g + "' matches none of the " + names.size()
                            + " rules loaded; this sink gets no alert it names");
                }
            }
        }
        return out;
    }

    /** The spool directory an entry names ({@code spool: DIR} or {@code spool: {dir: DIR}}), absolute, or null. */
    private static Path spoolOf(Map<String, Object> spec) {
        Object sp = spec.get("spool");
        Object dir = sp instanceof Map<?, ?> m ? m.get("dir") : sp;
        return dir instanceof String d && !d.isEmpty() ? absolute(d) : null;
    }

    /** The path a sink entry's string names, absolute and normalized; null where it names none. */
    private static Path absolute(String name) {
        Path p = SinkOptions.pathOrNull(name);
        return p == null ? null : p.toAbsolutePath().normalize();
    }


    /** The error placed at the key {@code path} leads to under the entry's node, or at 1:1 when it is not there. */
    private static ConfigError placed(String file, YamlNode node, List<Object> path, String message) {
        YamlNode at = locate(node, path);
        return new ConfigError(file, at == null ? 1 : at.line(), at == null ? 1 : at.col(), message);
    }

    /** The node a path of keys and indexes leads to inside a sink entry, or the deepest one found. */
    private static YamlNode locate(YamlNode node, List<Object> path) {
        YamlNode at = node;
        for (Object step : path) {
            YamlNode next = null;
            if (step instanceof String && at != null && at.isMap()) {
                next = at.get((String) step);
            } else if (step instanceof Integer && at != null && at.isSeq() && (Integer) step < at.items().size()) {
                next = at.items().get((Integer) step);
            }
            if (next == null) {
                break;
            }
            at = next;
        }
        return at;
    }

    /**
     * The files to read, in the order to read them: oldest first ({@link Inputs#oldestFirst}, said on
     * stderr when that is not the order given) and without those that cannot hold events of the range
     * ({@link #withinRange}). Each file's first record is peeked once for both.
     */
    static List<Path> inputs(List<Path> files, TimeRange range, String command) {
        if (files.size() < 2) {
            return files;
        }
        files = once(files, command);
        Map<Path, Long> first = Inputs.firstRecordTimes(files);
        List<Path> ordered = Inputs.oldestFirst(files, first);
        if (first == null) {
            // stdin, a pipe or a device cannot be peeked and put back: the order given is the order read,
            // and a newer file before an older one splits events and misleads throttle windows
            System.err.println("auditalert " + command + ": reading the inputs in the order given (stdin, a pipe or a"
                    + " device among them is not sorted by time; give the oldest first): " + names(ordered));
        } else if (ordered != files) {
            System.err.println("auditalert " + command + ": reading the files oldest first: " + names(ordered));
        }
        return first == null ? ordered : withinRange(ordered, first, range, command);
    }

    /**
     * The files with a file named twice (the same path, a link to it, {@code audit.log/}) kept once: read
     * twice, every event of it was alerted twice. Said on stderr; stdin and pipes are left as given.
     */
    private static List<Path> once(List<Path> files, String command) {
        java.util.Map<Object, Path> seen = new java.util.LinkedHashMap<>();
        List<Path> twice = new ArrayList<>();
        for (Path f : files) {
            Object key;
            if (Files.isRegularFile(f)) {
                try {
                    key = f.toRealPath();
                } catch (IOException e) {
                    key = f; // reported when it is opened
                }
            } else {
                key = new Object(); // stdin, a pipe, a missing file: each as given
            }
            if (seen.putIfAbsent(key, f) != null) {
                twice.add(f);
            }
        }
        if (twice.isEmpty()) {
            return files;
        }
        System.err.println("auditalert " + command + ": reading once what was named twice: " + names(twice));
        return new ArrayList<>(seen.values());
    }

    /** The names, space-separated; of a long list the first and last few around how many are left out. */
    static String names(List<Path> files) {
        List<String> all = files.stream().map(Path::toString).toList();
        if (all.size() <= 8) {
            return String.join(" ", all);
        }
        return String.join(" ", all.subList(0, 4)) + " … (" + (all.size() - 6) + " more) … "
                + String.join(" ", all.subList(all.size() - 2, all.size()));
    }

    /**
     * Opens one input ({@code -} is stdin), or says on stderr why it cannot be read and returns null,
     * so the other files are still read: missing, not readable by this user, a directory.
     */
    static LineFramer.ByteSource openInput(Path file, String command) throws IOException {
        if (file.toString().equals("-")) {
            return Inputs.logsOnStdin();
        }
        String why;
        try {
            if (Files.isDirectory(file)) {
                why = "is a directory: " + file;
            } else {
                return Inputs.file(file);
            }
        } catch (NoSuchFileException e) {
            why = "no such file: " + file;
        } catch (AccessDeniedException e) {
            why = "permission denied: " + file;
        } catch (IOException e) {
            String reason = reason(e);
            String named = file + ": ";
            why = "cannot read " + named + (reason.startsWith(named) ? reason.substring(named.length()) : reason);
        }
        System.err.println("auditalert " + command + ": " + why);
        return null;
    }

    /** An I/O error's reason without the file name that a FileSystemException repeats. */
    private static String reason(IOException e) {
        if (e instanceof java.nio.file.FileSystemException f && f.getReason() != null) {
            return f.getReason();
        }
        return e.getMessage() != null ? e.getMessage() : e.getClass().getSimpleName();
    }

    /**
     * Until {@link #done}, a SIGINT or SIGTERM (the JVM's shutdown) makes a replay or events run say on stderr
     * that it was cut short, and how far it got: a cut run must not pass for a finished one.
     */
    static final class InterruptNotice {
        private volatile boolean done;
        private volatile boolean inputRead;

        InterruptNotice(String command, io.auditalert.metrics.PipelineStats stats) {
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                if (done) {
                    return;
                }
                System.err.println("auditalert " + command + ": interrupted " + (inputRead
                        ? "after reading all the input (" + stats.events + " event(s)), while alerts were still"
                                + " being delivered: some may not be"
                        : "after " + stats.events + " event(s); the rest of the input was not read")
                        + ", and stdout may end in a cut line");
            }, "interrupt-notice"));
        }

        /** The whole input was read: what a stop now cuts short is delivery. */
        void inputRead() {
            inputRead = true;
        }

        /** The run ended of itself: nothing to say at shutdown. */
        void done() {
            done = true;
        }
    }

    /** What reads one input through to its end (a pipeline's or a framer's pump). */
    interface Pump {
        void pump(LineFramer.ByteSource in) throws IOException;
    }

    /**
     * Reads stdin when no file was given, else each of {@code inputs} in turn, closing each after it;
     * a file that cannot be opened ({@link #openInput}) or fails part way is reported, and the others
     * are still read.
     *
     * @return true when every input was read through
     */
    static boolean pumpInputs(List<Path> files, List<Path> inputs, String command, PipelineStats stats, Pump pump)
            throws IOException {
        List<Path> all = files.isEmpty() ? List.of(Path.of("-")) : inputs;
        if (files.isEmpty() && Progress.isTerminal(0)) {
            // else it waits in silence for a terminal to type audit records into
            System.err.println("auditalert " + command + ": no file given: reading audit records from the terminal"
                    + " (Ctrl-D ends; name files, or pipe them in)");
        }
        boolean read = true;
        for (Path file : all) {
            LineFramer.ByteSource in = openInput(file, command);
            if (in == null) {
                read = false;
                continue;
            }
            String name = file.toString().equals("-") ? "stdin" : file.toString();
            stats.startInput(name);
            try (in) {
                pump.pump(in);
            } catch (IOException e) {
                // a corrupt archive, a disk error: what was read counts, the next files are still read
                String reason = reason(e);
                if (reason.startsWith(name + ": ")) {
                    reason = reason.substring(name.length() + 2); // named once is enough
                }
                System.err.println("auditalert " + command + ": " + name + ": " + reason
                        + "; the rest of this input is not read");
                read = false;
            }
        }
        return read;
    }

    /**
     * How far out of order a log's timestamps may run (records wait in the kernel's backlog and in
     * auditd's queue): a file whose first and last records are this long before --since holds no event of
     * the range.
     */
    static final long LOG_SKEW_MILLIS = 10 * 60_000L;

    /**
     * Of the files, those that may hold events of the range: a file whose first and last records are
     * {@link #LOG_SKEW_MILLIS} or more before since was written before it, and a file whose first and
     * last records are at or after until after it. Each file is judged by its own first and last record, not
     * by its neighbours: the files need not be one log's rotations (two hosts' logs overlap in time).
     * Skipped files are named on stderr. A compressed file's last record is not read: it is judged by its
     * first for until, and kept for since.
     */
    private static List<Path> withinRange(List<Path> files, Map<Path, Long> first, TimeRange range, String command) {
        if (range.isAll()) {
            return files;
        }
        List<Path> keep = new ArrayList<>();
        List<Path> skipped = new ArrayList<>();
        for (int i = 0; i < files.size(); i++) {
            long own = first.get(files.get(i));
            long last = -1;
            if (range.hasSince() || own >= 0 && own >= range.untilMillis()) { // else only its first counts
                try {
                    last = Inputs.lastRecordMillis(files.get(i));
                } catch (IOException e) {
                    last = -1; // kept: its failure is reported when it is read
                }
            }
            // by its first record too: a log concatenated newest first ends with its oldest records
            boolean before = range.hasSince() && last >= 0 && last <= range.sinceMillis() - LOG_SKEW_MILLIS
                    && own <= range.sinceMillis() - LOG_SKEW_MILLIS;
            // by its last record too: one concatenated newest first starts with its newest records
            boolean after = own >= 0 && own >= range.untilMillis() && (last < 0 || last >= range.untilMillis());
            (before || after ? skipped : keep).add(files.get(i));
        }
        if (skipped.isEmpty()) {
            return files;
        }
        System.err.println("auditalert " + command + ": skipping " + skipped.size() + " file(s) outside --since/--until: "
                + names(skipped));
        return keep;
    }

    /** After a replay or events run limited by --since/--until: how many events that left out. */
    static void reportOutsideRange(String command, PipelineStats stats) {
        System.err.println(String.format(Locale.ROOT,
                "auditalert %s: %,d of %,d events were outside --since/--until and left out", command,
                stats.outsideTimeRange, stats.events));
    }

    static ThrottleGate throttle() {
        Throttler throttler = new Throttler(THROTTLE_KEYS);
        return throttler::admit;
    }

    /**
     * Serves /metrics; {@code live} (run) also reads the kernel's audit status for them, which a
     * replay of old logs must not mix in with its own counts.
     */
    static AutoCloseable startMetrics(String listen, Path webConfig, Telemetry telemetry, boolean live)
            throws IOException {
        AutoCloseable server = MetricsServer.start(listen, webConfig, telemetry, live
                ? io.auditalert.metrics.MetricsOptions.DEFAULTS
                : io.auditalert.metrics.MetricsOptions.DEFAULTS.withKernelStatusInterval(java.time.Duration.ZERO));
        return server == null ? () -> {} : server;
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

    private static List<String> strings(List<ConfigError> errors) {
        List<String> out = new ArrayList<>();
        for (ConfigError e : errors) {
            out.add(e.toString());
        }
        return out;
    }
}
