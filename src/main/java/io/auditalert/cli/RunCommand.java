package io.auditalert.cli;

import io.auditalert.alert.Sink;
import io.auditalert.config.AppConfig;
import io.auditalert.ingest.Inputs;
import io.auditalert.ingest.LineFramer;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.metrics.Telemetry;
import io.auditalert.pipeline.AlertStage;
import io.auditalert.pipeline.Pipeline;
import io.auditalert.pipeline.RuleEngine;
import io.auditalert.sys.Signals;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code auditalert run [--config FILE] [--input stdin|unix:PATH] [--metrics HOST:PORT]}: the plugin
 * (stdin from auditd) or the relay-mode service (a unix socket the native wrapper connects to).
 * SIGHUP reloads configuration and rules atomically, keeping the old set when the new one fails;
 * SIGTERM, SIGINT and end of input stop cleanly: open events are completed, the ring drained, sinks
 * given their pending alerts, exit 0.
 */
final class RunCommand {
    private static final Logger LOG = LoggerFactory.getLogger(RunCommand.class);
    static final Duration STOP_BUDGET = Duration.ofMillis(900);

    /** How long a sink that a reload removed or replaced gets to deliver what it holds. */
    static final Duration RETIRED_SINK_DRAIN = Duration.ofSeconds(10);

    /** --config, or null. */
    private final Path explicitConfig;
    /** The configuration file read last (see {@link #configPath}), or null: none. */
    private Path configPath;
    private final Telemetry telemetry = new Telemetry();
    private Pipeline pipeline;
    /** The configuration in force, and the running sink of each of its sinks entries. */
    private AppConfig inForce;
    /** The configuration run started with: the settings only a restart changes are still its own. */
    private AppConfig startedWith;
    private volatile List<Sink> sinks;
    /** Sinks a reload removed or replaced that are still delivering what they hold ({@link #retire}). */
    private final java.util.Queue<Sink> retiring = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private AutoCloseable metrics = () -> {};
    /** --input and --metrics, which replace the configuration's input and metrics.listen for the whole run. */
    private String inputOption;
    private String metricsOption;
    private boolean stopped;
    private int threads = 1;
    private volatile ServerSocketChannel server;
    /** Relay mode: the connection the reader is reading, while it is; guarded by itself. */
    private final Object relayLock = new Object();
    private SocketChannel relay;
    /** stdin read since start-up began (auditd's socket or a pipe), or null. */
    private io.auditalert.ingest.EarlyInput earlyInput;
    /** The input, once {@link #holdUntilReload} has taken it over from {@link #earlyInput}. */
    private LineFramer.ByteSource heldInput;
    private boolean logFileAdded;

    private RunCommand(Path explicitConfig) {
        this.explicitConfig = explicitConfig;
    }

    static int run(String[] args) {
        LogSetup.addSyslogIfStderrIsDiscarded();
        ReplayCommand.Args a = new ReplayCommand.Args(args);
        a.allow("--config", "--input", "--metrics");
        if (!a.positional().isEmpty()) {
            throw new Main.UsageException("run takes no files; use replay for files");
        }
        String input = a.value("--input");
        String problem = input == null ? null : io.auditalert.config.ConfigLoader.inputProblem("--input", input);
        if (problem != null) {
            throw new Main.UsageException(problem);
        }
        RunCommand cmd = new RunCommand(a.path("--config"));
        if (input == null || input.equals("stdin")) {
            cmd.earlyInput = readStdinEarly(); // before the configuration, rules and sinks load: see EarlyInput
        }
        boolean hup = SignalGate.hupHandled();
        boolean term = SignalGate.termHandled();
        if (!hup && SignalGate.hupTakeoverFailed()) {
            LOG.warn("SIGHUP stays ignored: the wrapper hands it over ignored, and the native library (JNA) that gives"
                    + " it its default action back did not load here; auditd's reloads do not reach auditalert (restart"
                    + " it to load a new configuration)");
            hup = true; // said: not the nohup case below
        }
        if (!hup || !term) {
            LOG.warn("{} ignored by this process (started so, as under nohup?): {}",
                    !hup && !term ? "SIGHUP and SIGTERM are" : hup ? "SIGTERM is" : "SIGHUP is",
                    !hup && !term ? "reload by signal does not work, and a clean stop works only through end of input"
                    : hup ? "a clean stop works only through end of input"
                    : "no reload by signal; a clean stop still works by SIGTERM");
        }
        while (true) {
            try {
                return cmd.start(a.value("--input"), a.listen("--metrics"));
            } catch (ConfigException e) {
                e.errors().forEach(System.err::println);
                LOG.error("configuration failed to load: {}", String.join("; ", e.errors()));
                if (cmd.earlyInput == null || !"direct".equals(System.getProperty("auditalert.wrapper"))) {
                    return Main.EXIT_USAGE;
                }
                if (!cmd.holdUntilReload()) {
                    return Main.EXIT_OK;
                }
            }
        }
    }

    /**
     * Under auditd (started by the launcher in direct mode), a configuration that does not load at start
     * does not end the plugin: auditd restarts a plugin that exits max_restarts times, then never again,
     * and alerting would stay off until auditd itself restarts. The plugin reads and drops its input
     * instead (auditd's dispatcher would otherwise block every plugin), and on a SIGHUP (auditd's reload,
     * after the file is fixed) starts again. Returns false when it should end: SIGTERM, or end of input.
     */
    private boolean holdUntilReload() {
        java.util.concurrent.BlockingQueue<String> signals = new java.util.concurrent.LinkedBlockingQueue<>();
        SignalGate.attach(signals::add).forEach(signals::add);
        if (heldInput == null) {
            heldInput = earlyInput.handOver();
        }
        LOG.error("holding until a SIGHUP (auditd's reload, e.g. `auditctl --signal hup`) brings a configuration"
                + " that loads: its input is read and dropped meanwhile, and nothing is alerted");
        io.auditalert.ingest.EarlyInput drain = io.auditalert.ingest.EarlyInput.discarding(heldInput,
                () -> signals.add("end of input"));
        try {
            String s = signals.take();
            heldInput = drain.handOver(); // what is read from now on is kept for the pipeline
            // counted for /metrics once it is up again: auditalert_dropped_total{stage="held_no_config"}
            telemetry.pipeline.heldDroppedRecords += drain.droppedLines();
            if (s.equals("SIGHUP")) {
                LOG.info("SIGHUP: loading the configuration again ({} records, {} bytes of input dropped while held)",
                        drain.droppedLines(), drain.droppedBytes());
                return true;
            }
            LOG.info("stopping ({}) with no configuration in force; {} records, {} bytes of input dropped while held",
                    s, drain.droppedLines(), drain.droppedBytes());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Most of start-up's input kept in memory; more waits in the socket, as before. */
    static final long EARLY_INPUT_LIMIT = 32L << 20;

    /**
     * Starts reading stdin ahead when it is a socket (auditd's) or a pipe; not a file (nothing waits
     * on it) or a terminal (input typed there would be taken from whatever else reads it). Null when not.
     */
    private static io.auditalert.ingest.EarlyInput readStdinEarly() {
        String target;
        try {
            target = Files.readSymbolicLink(Path.of("/proc/self/fd/0")).toString();
        } catch (IOException | UnsupportedOperationException e) {
            return null;
        }
        if (!target.startsWith("socket:") && !target.startsWith("pipe:")) {
            return null;
        }
        try {
            return io.auditalert.ingest.EarlyInput.start(Inputs.stdin(), EARLY_INPUT_LIMIT);
        } catch (IOException e) {
            return null; // read as before, once running
        }
    }

    private AppConfig loadConfig() throws ConfigException {
        configPath = configPath();
        return configPath == null ? new AppConfig() : Components.loadConfig(configPath);
    }

    /**
     * --config, else /etc/auditalert/auditalert.yml when it exists, looked for at every start and reload:
     * a run that started without it (the built-in stdout sink) takes it up at the next SIGHUP. Once read,
     * it stays the configuration: removed, a reload fails and keeps what is in force rather than fall back
     * to the built-in one.
     */
    private Path configPath() {
        if (explicitConfig != null) {
            return explicitConfig;
        }
        return configPath != null || Files.exists(AppConfig.DEFAULT_PATH) ? AppConfig.DEFAULT_PATH : null;
    }

    /**
     * At a start and a reload, what would make alerts go nowhere: a stdout sink writing to /dev/null (under
     * auditd a plugin's stdout is discarded), a sink's rules filter that matches no rule, no sinks, a file
     * sink that cannot write now.
     */
    private void warnOfSinks(AppConfig cfg, RuleEngine rules, List<Sink> running) {
        if (running.stream().anyMatch(s -> s instanceof io.auditalert.alert.sink.StdoutSink) && LogSetup.isDiscarded(1)) {
            LOG.warn("alerts go to stdout, which is /dev/null here (auditd discards a plugin's stdout): they are lost;"
                    + " configure a file or syslog sink in {}", configPath != null ? configPath : AppConfig.DEFAULT_PATH);
        }
        Components.unmatchedRuleFilters(cfg, rules).forEach(LOG::warn);
        Components.sinkWarnings(cfg).forEach(LOG::warn);
    }

    /**
     * The configured rules; without a configuration file and with no installed rules.d, the rules
     * bundled in the jar, so that a bare {@code run} still alerts.
     */
    private RuleEngine loadRules(AppConfig cfg, int threads) throws ConfigException {
        if (configPath == null && !java.nio.file.Files.isDirectory(AppConfig.DEFAULT_RULES_DIR)) {
            return Components.bundledRules(telemetry, threads);
        }
        return Components.loadRules(cfg, telemetry, threads);
    }

    private int start(String inputOption, String metricsOption) throws ConfigException {
        this.inputOption = inputOption;
        this.metricsOption = metricsOption;
        AppConfig cfg = loadConfig();
        if (cfg.logFile != null && !logFileAdded) {
            logFileAdded = true;
            LogSetup.addFile(cfg.logFile);
        }
        Pipeline.Options o = Components.pipelineOptions(cfg, true);
        o.onRelayReload = this::requestReload;
        threads = Math.max(1, o.workers);
        RuleEngine rules = loadRules(cfg, threads);
        telemetry.rulesLoaded = rules.ruleCount();
        sinks = Components.createSinks(cfg, telemetry, false);
        warnOfSinks(cfg, rules, sinks);
        inForce = cfg;
        startedWith = cfg;
        AlertStage stage = new AlertStage(new AlertStage.Snapshot(rules, sinks), Components.throttle(), telemetry,
                threads, true);
        pipeline = new Pipeline(o, telemetry, stage);
        pipeline.start();
        String listen = metricsOption != null ? metricsOption : cfg.metricsListen;
        if (listen != null && !listen.isEmpty()) {
            try {
                metrics = Components.startMetrics(listen, cfg.metricsWebConfig, telemetry, true);
            } catch (IOException e) {
                LOG.error("metrics endpoint {} could not start: {}; running without it", listen, e.getMessage());
            }
        }
        String early = started();
        String input = inputOption != null ? inputOption : cfg.input;
        if (early != null) {
            // auditd (4.2 and later, at every reload) closes the input and sends SIGTERM 50 ms later, often
            // before the JVM is up: what it had sent is evaluated, nothing more is waited for
            if (earlyInput != null && heldInput == null && input.equals("stdin") && earlyInput.bufferedBytes() > 0) {
                LOG.info("{} during start-up: evaluating the {} bytes of input read while starting", early,
                        earlyInput.bufferedBytes());
                try {
                    pipeline.pump(earlyInput.bufferedOnly());
                } catch (IOException e) {
                    LOG.warn("input read while starting: {}", e.getMessage());
                }
            }
            stop(early + " during start-up");
            return Main.EXIT_OK;
        }
        LOG.info("running: {} rules, {} sinks, input {}", rules.ruleCount(), sinks.size(), input);
        try {
            if (input.startsWith("unix:")) {
                serveUnix(Path.of(input.substring(5)));
            } else if (input.equals("stdin")) {
                if (Files.isRegularFile(Path.of("/proc/self/fd/0"))) {
                    LOG.warn("stdin is a file: run drops the events its rules cannot keep up with, as live input"
                            + " must; `auditalert replay FILE` evaluates every one");
                }
                if (heldInput != null) {
                    pipeline.pump(heldInput);
                } else if (earlyInput != null) {
                    long ahead = earlyInput.bufferedBytes();
                    if (ahead > 0) {
                        LOG.info("read {} bytes of input while starting", ahead);
                    }
                    pipeline.pump(earlyInput.handOver());
                } else {
                    pipeline.pump(Inputs.stdin());
                }
            } else {
                throw new Main.UsageException("input must be stdin or unix:PATH, not " + input);
            }
        } catch (IOException e) {
            if (!isStopped()) {
                LOG.error("input {} failed: {}", input, e.getMessage());
                stop("input failed");
                return Main.EXIT_FAILURE; // a service manager restarts it (Restart=on-failure)
            }
        }
        stop("end of input");
        return Main.EXIT_OK;
    }

    /** Whether the path is still a special file (the socket bound there), not a link or a file put in its place. */
    private static boolean isSpecialFile(Path path) throws IOException {
        return Files.readAttributes(path, java.nio.file.attribute.BasicFileAttributes.class,
                java.nio.file.LinkOption.NOFOLLOW_LINKS).isOther();
    }

    /** Relay mode: listen on a unix socket that only owner and group may use; one connection at a time. */
    private void serveUnix(Path path) throws IOException {
        removeStaleSocket(path);
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(path));
            // not through a link someone put in the socket's place since the bind (that chmod-ed any file);
            // a swap between this check and the chmod stays possible where others can write the directory
            if (!isSpecialFile(path)) {
                throw new IOException(path + " is no longer the socket bound there; not changing its mode");
            }
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            server = s;
            while (!isStopped()) {
                try (SocketChannel c = s.accept()) {
                    synchronized (relayLock) {
                        relay = c;
                    }
                    LOG.info("relay connected");
                    try {
                        pipeline.pumpRelayConnection(Inputs.channel(c));
                    } finally {
                        synchronized (relayLock) {
                            relay = null;
                            relayLock.notifyAll();
                        }
                    }
                    LOG.info("relay disconnected");
                }
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    /**
     * Removes the socket a previous run left at {@code path}. Anything else there (a file, a
     * directory: a typo in the path) is left alone and fails the start, and so does a socket that
     * another process still serves.
     */
    static void removeStaleSocket(Path path) throws IOException {
        if (!Files.exists(path, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        int mode = (Integer) Files.getAttribute(path, "unix:mode", java.nio.file.LinkOption.NOFOLLOW_LINKS);
        if ((mode & 0170000) != 0140000) {
            throw new IOException(path + " exists and is not a socket; not replacing it");
        }
        boolean served;
        try (SocketChannel probe = SocketChannel.open(StandardProtocolFamily.UNIX)) {
            served = probe.connect(UnixDomainSocketAddress.of(path));
        } catch (java.net.ConnectException stale) {
            served = false;
        }
        if (served) {
            throw new IOException(path + " is served by another process");
        }
        Files.delete(path); // nobody listens: left by a run that did not stop cleanly
    }

    /** A signal, from {@link SignalGate}: SIGHUP reloads, SIGTERM and SIGINT stop. */
    private void onSignal(String name) {
        if (name.equals("SIGHUP")) {
            requestReload();
        } else {
            stopAndExit(name);
        }
    }

    /**
     * Marks the set-up done: signals go to {@link #onSignal} from now on. Returns the stop signal
     * that arrived during the set-up, if any; a SIGHUP that arrived during it starts a reload now
     * (the configuration may have changed after it was read).
     */
    private String started() {
        List<String> early = SignalGate.attach(this::onSignal);
        for (String name : early) {
            if (!name.equals("SIGHUP")) {
                return name;
            }
        }
        if (early.contains("SIGHUP")) {
            LOG.info("SIGHUP during start-up: reloading");
            requestReload();
        }
        return null;
    }

    private void requestReload() {
        Thread t = new Thread(() -> retire(reload()), "reloader");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Loads the configuration and rules again and puts them in force together: rules, redaction and
     * sinks. A sinks entry that did not change keeps its running sink (and what it holds); a new or
     * changed one starts. Anything that fails keeps everything as it was.
     *
     * @return the snapshot put out of force and the sinks only it had, for {@link #retire}; null when
     *     the reload failed
     */
    private synchronized Retired reload() {
        if (stopped) {
            return null;
        }
        List<Sink> started = new ArrayList<>();
        try {
            AppConfig cfg = loadConfig();
            telemetry.startRuleLoad();
            RuleEngine rules = loadRules(cfg, threads);
            List<Sink> next = new ArrayList<>();
            boolean[] kept = new boolean[sinks.size()];
            for (int i = 0; i < cfg.sinks.size(); i++) {
                Map<String, Object> spec = cfg.sinks.get(i);
                int same = unchanged(spec, kept);
                if (same >= 0) { // wherever it now is in the list: a sink added before it changes nothing
                    kept[same] = true;
                    next.add(sinks.get(same));
                } else {
                    Sink s = startSink(i, spec);
                    started.add(s);
                    next.add(s);
                }
            }
            for (Sink s : started) {
                for (Sink k : next) {
                    if (k != s && !started.contains(k) && k.name().equals(s.name())) {
                        LOG.warn("reload: the new sink {} has the name of a running one (names default to TYPE-POSITION):"
                                + " their logs and metrics mix until a restart; a name: key in each entry keeps them"
                                + " apart", s.name());
                    }
                }
            }
            List<Sink> retired = new ArrayList<>(sinks);
            retired.removeIf(s -> next.stream().anyMatch(n -> n == s));
            AlertStage.Snapshot old = pipeline.stage().swap(new AlertStage.Snapshot(rules, next));
            // against the values running, not the last file read: a reload after one that changed workers still
            // says so, and one that restores them says nothing
            List<String> restartOnly = restartOnlyChanges(startedWith, cfg);
            restartOnly.removeIf(k -> k.equals("input") && inputOption != null
                    || k.equals("metrics") && metricsOption != null);
            sinks = next;
            inForce = cfg;
            warnOfSinks(cfg, rules, next);
            telemetry.rulesLoaded = rules.ruleCount();
            telemetry.keepOnlyRulesLoaded();
            telemetry.reloads.increment();
            telemetry.lastReloadOk = true;
            retiring.addAll(retired);
            LOG.info("reloaded: {} rules in force; {} sinks ({} kept, {} started, {} retired)", rules.ruleCount(),
                    next.size(), next.size() - started.size(), started.size(), retired.size());
            if (!restartOnly.isEmpty()) {
                LOG.warn("reload: {} changed, which takes a restart (the running values stay in force)",
                        String.join(", ", restartOnly));
            }
            return new Retired(old, retired);
        } catch (ConfigException e) {
            reloadFailed(started);
            LOG.error("reload failed, keeping the rules and sinks in force: {}", String.join("; ", e.errors()));
        } catch (RuntimeException e) {
            reloadFailed(started);
            LOG.error("reload failed, keeping the rules and sinks in force", e);
        }
        return null;
    }

    /** The position of a running sink, not yet kept, whose entry equals {@code spec}; -1 when none. */
    private int unchanged(Map<String, Object> spec, boolean[] kept) {
        for (int j = 0; j < inForce.sinks.size(); j++) {
            if (!kept[j] && inForce.sinks.get(j).equals(spec)) {
                return j;
            }
        }
        return -1;
    }

    /** A snapshot a reload put out of force, and the sinks that only it had. */
    private record Retired(AlertStage.Snapshot snapshot, List<Sink> sinks) {}

    /**
     * Stops the sinks a reload removed or replaced, once no thread can still offer them an alert and
     * after they delivered what they hold. Outside the lock, so that a SIGTERM meanwhile stops at once.
     */
    private void retire(Retired r) {
        if (r == null) {
            return;
        }
        if (!pipeline.stage().awaitRelease(r.snapshot(), RETIRED_SINK_DRAIN)) {
            LOG.warn("reload: an event was still being evaluated under the old rules after {} s",
                    RETIRED_SINK_DRAIN.toSeconds());
        }
        for (Sink s : r.sinks()) {
            if (!s.drain(RETIRED_SINK_DRAIN)) {
                LOG.warn("reload: sink {} (removed or changed) still held alerts when it stopped (it delivers for up"
                        + " to {} s, less when auditalert stops)", s.name(), RETIRED_SINK_DRAIN.toSeconds());
            }
            if (retiring.remove(s)) { // else a stop took it over, and closes it
                s.close();
                retireStats(s);
            }
        }
    }

    /** Ends the series of a stopped sink, unless a running sink continues them (same name and type). */
    private void retireStats(Sink stopped) {
        io.auditalert.metrics.SinkStats st = stopped.stats();
        if (st != null && sinks.stream().noneMatch(k -> k.stats() == st)) {
            telemetry.retireSink(st);
        }
    }

    /** Starts the sink of a new or changed entry; a spool still held by the running sink says what to do. */
    private Sink startSink(int i, Map<String, Object> spec) throws ConfigException {
        try {
            return Components.createSink(i, spec, telemetry, false);
        } catch (java.io.UncheckedIOException e) {
            throw new ConfigException(List.of("sinks[" + i + "]: " + e.getCause().getMessage()
                    + " (a sink whose spool the running sink holds changes on restart)"));
        }
    }

    private void reloadFailed(List<Sink> started) {
        telemetry.abandonRuleLoad();
        for (Sink s : started) {
            s.close();
            retireStats(s); // the series a sink of the failed reload started
        }
        telemetry.reloadFailures.increment();
        telemetry.lastReloadOk = false;
    }

    /** The settings that differ between two configurations and that only a start puts in force. */
    static List<String> restartOnlyChanges(AppConfig was, AppConfig now) {
        List<String> out = new ArrayList<>();
        if (!was.input.equals(now.input)) {
            out.add("input");
        }
        if (was.workers != now.workers) {
            out.add("workers");
        }
        if (was.ringCapacity != now.ringCapacity || was.ringMaxBytes != now.ringMaxBytes
                || !Objects.equals(was.ringWhenFull, now.ringWhenFull)) {
            out.add("ring");
        }
        if (was.assemblyTimeoutMillis != now.assemblyTimeoutMillis || was.assemblyMaxInflight != now.assemblyMaxInflight) {
            out.add("assembly");
        }
        if (!Objects.equals(was.metricsListen, now.metricsListen) || !Objects.equals(was.metricsWebConfig, now.metricsWebConfig)
                || !Objects.equals(was.metricsWebConfigFingerprint, now.metricsWebConfigFingerprint)) {
            // a web.yml, certificate or key rewritten in place too: the endpoint keeps what it started with
            out.add("metrics");
        }
        if (!Objects.equals(was.logFile, now.logFile)) {
            out.add("log_file");
        }
        return out;
    }

    private synchronized boolean isStopped() {
        return stopped;
    }

    private void stopAndExit(String why) {
        Thread t = new Thread(() -> {
            stop(why);
            System.exit(Main.EXIT_OK);
        }, "stopper");
        t.start();
    }

    /** Lets a sink deliver until the stop's deadline (a millisecond at least), then closes it. */
    private static void finish(Sink sink, long deadline) {
        boolean drained = sink.drain(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
        long held = drained ? 0 : sink.pending();
        sink.close();
        if (held > 0 && sink.spooled()) { // without a spool, the close logs what it dropped
            LOG.warn("sink {}: {} alert(s) not delivered by the stop are kept in its spool; the next start delivers them",
                    sink.name(), held);
        }
    }

    /**
     * Relay mode, at a stop: no new connection is taken, and the relay is asked to stop sending
     * ({@code stop}): it shuts down its end, and the reader reads what was queued to its end, so
     * every record sent to this process is evaluated here and every other one goes to the next
     * service. A relay that does not answer by {@code until} (one from before this request) has its
     * connection closed: what it had queued then is thrown away by the kernel, and a relay that
     * watches its queue sends it again.
     */
    private void stopRelay(long until) {
        ServerSocketChannel s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("socket close", e);
            }
        }
        synchronized (relayLock) {
            SocketChannel c = relay;
            if (c == null) {
                return;
            }
            try {
                c.write(ByteBuffer.wrap(RELAY_STOP));
            } catch (IOException e) {
                LOG.debug("relay stop request", e);
            }
            try {
                for (long left = until - System.nanoTime(); relay == c && left > 0; left = until - System.nanoTime()) {
                    relayLock.wait(Math.max(1, left / 1_000_000));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            if (relay == c) {
                LOG.warn("stopping: the relay went on sending after the stop request; closing its connection");
                try {
                    c.close();
                } catch (IOException e) {
                    LOG.debug("relay close", e);
                }
            }
        }
    }

    /** What run writes to the relay when it stops (the relay writes records; this is all that goes back). */
    static final byte[] RELAY_STOP = "stop\n".getBytes(StandardCharsets.US_ASCII);

    /** Completes open events, drains the ring, gives sinks their budget; idempotent. */
    private synchronized void stop(String why) {
        if (stopped) {
            return;
        }
        stopped = true;
        long deadline = System.nanoTime() + STOP_BUDGET.toNanos();
        LOG.info("stopping ({})", why);
        stopRelay(System.nanoTime() + STOP_BUDGET.toNanos() / 3);
        long drainDeadline = System.nanoTime() + (deadline - System.nanoTime()) * 2 / 3;
        if (!pipeline.finishInput(drainDeadline)) {
            // the reader still holds the pipeline: rules on the reader thread (workers: 0) wait for a sink that
            // blocks when full; closing the sinks below frees it
            LOG.warn("stopping: the reader was still held up (by a sink that blocks when full) when the stop budget of"
                    + " {} ms ran out; events still being assembled are not evaluated", STOP_BUDGET.toMillis());
        }
        if (!pipeline.drain(Duration.ofNanos(Math.max(0, drainDeadline - System.nanoTime())))) {
            // auditd does not wait long for a plugin that stops: what the budget did not cover is lost
            LOG.warn("stopping: {} event(s) still queued for the rules two thirds into the stop budget of {} ms;"
                    + " what the rules do not finish before the sinks close is not alerted", pipeline.queued(),
                    STOP_BUDGET.toMillis());
        }
        for (Sink sink : sinks) { // the workers go on meanwhile: what they alert before a sink closes still goes out
            finish(sink, deadline);
        }
        for (Sink sink = retiring.poll(); sink != null; sink = retiring.poll()) { // taken over from the reloader
            finish(sink, deadline);
        }
        pipeline.close(Duration.ZERO); // alerts raised from here on could only be refused by the closed sinks
        PipelineStats p = telemetry.pipeline;
        LOG.info("stopped: {} events, {} alerts, {} not delivered since the start (auditalert_dropped_total{stage=\"sink\"})",
                p.events, telemetry.alertsSinceStart(), telemetry.sinksLost());
        if (p.ringDropped > 0 || p.evaluationFailures.sum() > 0) {
            LOG.warn("events lost: {} dropped because the ring was full (the rules did not keep up with the input),"
                    + " {} whose evaluation failed (auditalert_dropped_total counts them by stage)", p.ringDropped,
                    p.evaluationFailures.sum());
        }
        try {
            metrics.close();
        } catch (Exception e) {
            LOG.debug("metrics close", e);
        }
    }
}
