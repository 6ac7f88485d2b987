package io.auditalert.cli;

import io.auditalert.alert.Sink;
import io.auditalert.config.AppConfig;
import io.auditalert.ingest.Inputs;
import io.auditalert.metrics.Telemetry;
import io.auditalert.pipeline.AlertStage;
import io.auditalert.pipeline.Pipeline;
import io.auditalert.pipeline.RuleEngine;
import io.auditalert.sys.Signals;
import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.List;
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

    private final Path configPath;
    private final Telemetry telemetry = new Telemetry();
    private Pipeline pipeline;
    private List<Sink> sinks;
    private AutoCloseable metrics = () -> {};
    private boolean stopped;
    private int threads = 1;
    private volatile ServerSocketChannel server;

    private RunCommand(Path configPath) {
        this.configPath = configPath;
    }

    static int run(String[] args) {
        ReplayCommand.Args a = new ReplayCommand.Args(args);
        a.allow("--config", "--input", "--metrics");
        if (!a.positional().isEmpty()) {
            throw new Main.UsageException("run takes no files; use replay for files");
        }
        Path config = a.path("--config");
        if (config == null && Files.exists(AppConfig.DEFAULT_PATH)) {
            config = AppConfig.DEFAULT_PATH;
        }
        RunCommand cmd = new RunCommand(config);
        try {
            return cmd.start(a.value("--input"), a.value("--metrics"));
        } catch (ConfigException e) {
            e.errors().forEach(System.err::println);
            LOG.error("configuration failed to load: {}", String.join("; ", e.errors()));
            return Main.EXIT_USAGE;
        }
    }

    private AppConfig loadConfig() throws ConfigException {
        return configPath == null ? new AppConfig() : Components.loadConfig(configPath);
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
        AppConfig cfg = loadConfig();
        Pipeline.Options o = Components.pipelineOptions(cfg, true);
        o.onRelayReload = this::requestReload;
        threads = Math.max(1, o.workers);
        RuleEngine rules = loadRules(cfg, threads);
        telemetry.rulesLoaded = rules.ruleCount();
        sinks = Components.createSinks(cfg, telemetry);
        AlertStage stage = new AlertStage(new AlertStage.Snapshot(rules, sinks), Components.throttle(), telemetry,
                threads, true);
        pipeline = new Pipeline(o, telemetry, stage);
        pipeline.start();
        String listen = metricsOption != null ? metricsOption : cfg.metricsListen;
        if (listen != null && !listen.isEmpty()) {
            try {
                metrics = Components.startMetrics(listen, cfg.metricsWebConfig, telemetry);
            } catch (IOException e) {
                LOG.error("metrics endpoint {} could not start: {}; running without it", listen, e.getMessage());
            }
        }
        boolean hup = Signals.install("HUP", this::requestReload);
        boolean term = Signals.install("TERM", () -> stopAndExit("SIGTERM"));
        Signals.install("INT", () -> stopAndExit("SIGINT"));
        if (!hup || !term) {
            LOG.warn("SIGHUP/SIGTERM are ignored by this process (started with them ignored?); "
                    + "reload and clean stop work only through end of input");
        }
        String input = inputOption != null ? inputOption : cfg.input;
        LOG.info("running: {} rules, {} sinks, input {}", rules.ruleCount(), sinks.size(), input);
        try {
            if (input.startsWith("unix:")) {
                serveUnix(Path.of(input.substring(5)));
            } else if (input.equals("stdin")) {
                pipeline.pump(Inputs.stdin());
            } else {
                throw new Main.UsageException("input must be stdin or unix:PATH, not " + input);
            }
        } catch (IOException e) {
            if (!isStopped()) {
                LOG.error("input failed: {}", e.getMessage());
            }
        }
        stop("end of input");
        return Main.EXIT_OK;
    }

    /** Relay mode: listen on a unix socket that only owner and group may use; one connection at a time. */
    private void serveUnix(Path path) throws IOException {
        Files.deleteIfExists(path);
        try (ServerSocketChannel s = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            s.bind(UnixDomainSocketAddress.of(path));
            Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-rw----"));
            server = s;
            while (!isStopped()) {
                try (SocketChannel c = s.accept()) {
                    LOG.info("relay connected");
                    pipeline.pumpRelayConnection(Inputs.channel(c));
                    LOG.info("relay disconnected");
                }
            }
        } finally {
            Files.deleteIfExists(path);
        }
    }

    private void requestReload() {
        Thread t = new Thread(this::reload, "reloader");
        t.setDaemon(true);
        t.start();
    }

    private synchronized void reload() {
        if (stopped) {
            return;
        }
        try {
            AppConfig cfg = loadConfig();
            RuleEngine rules = loadRules(cfg, threads);
            AlertStage.Snapshot old = pipeline.stage().snapshot();
            pipeline.stage().swap(new AlertStage.Snapshot(rules, old.sinks()));
            telemetry.rulesLoaded = rules.ruleCount();
            telemetry.reloads.increment();
            telemetry.lastReloadOk = true;
            LOG.info("reloaded: {} rules in force", rules.ruleCount());
        } catch (ConfigException e) {
            telemetry.reloadFailures.increment();
            telemetry.lastReloadOk = false;
            LOG.error("reload failed, keeping the rules in force: {}", String.join("; ", e.errors()));
        } catch (RuntimeException e) {
            telemetry.reloadFailures.increment();
            telemetry.lastReloadOk = false;
            LOG.error("reload failed, keeping the rules in force", e);
        }
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

    /** Completes open events, drains the ring, gives sinks their budget; idempotent. */
    private synchronized void stop(String why) {
        if (stopped) {
            return;
        }
        stopped = true;
        long deadline = System.nanoTime() + STOP_BUDGET.toNanos();
        LOG.info("stopping ({})", why);
        pipeline.finishInput();
        pipeline.drain(Duration.ofNanos(Math.max(0, (deadline - System.nanoTime()) * 2 / 3)));
        for (Sink sink : sinks) {
            sink.drain(Duration.ofNanos(Math.max(1_000_000, deadline - System.nanoTime())));
            sink.close();
        }
        pipeline.close();
        try {
            metrics.close();
        } catch (Exception e) {
            LOG.debug("metrics close", e);
        }
        ServerSocketChannel s = server;
        if (s != null) {
            try {
                s.close();
            } catch (IOException e) {
                LOG.debug("socket close", e);
            }
        }
    }
}
