package io.auditalert.cli;

import io.auditalert.alert.Sink;
import io.auditalert.config.AppConfig;
import io.auditalert.ingest.LineFramer;
import io.auditalert.metrics.SinkStats;
import io.auditalert.metrics.Telemetry;
import io.auditalert.pipeline.AlertStage;
import io.auditalert.pipeline.Pipeline;
import io.auditalert.pipeline.RuleEngine;
import io.auditalert.pipeline.TimeRange;
import io.auditalert.ring.EventRing;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code auditalert replay [--config FILE] [--rules FILE]… [--metrics HOST:PORT [--linger SECONDS]]
 * [--progress MODE] [--since TIME] [--until TIME] [FILE…]}: the live pipeline over audit logs (rotated ones too, oldest first, gzip-compressed ones
 * too; {@code -} is stdin), alerts as JSON lines on stdout and a {@link Progress} line on stderr;
 * events outside the {@link TimeArg} range are not evaluated. Waits (bounded) for the sinks to
 * deliver before it exits.
 */
final class ReplayCommand {
    static final Duration SINK_DRAIN = Duration.ofSeconds(60);

    private ReplayCommand() {}

    static int run(String[] args) {
        Args a = new Args(args);
        a.allow("--config", "--rules", "--metrics", "--linger", "--progress", "--since", "--until");
        Path config = a.path("--config");
        List<Path> rules = a.paths("--rules");
        String metrics = a.listen("--metrics");
        long linger = a.seconds("--linger", 0);
        if (linger > 0 && (metrics == null || metrics.isEmpty())) {
            throw new Main.UsageException("--linger keeps /metrics up after the replay: it needs --metrics HOST:PORT");
        }
        Progress.Mode progress = Progress.Mode.parse(a.value("--progress"));
        TimeRange range = TimeArg.range(a.value("--since"), a.value("--until"), Clock.systemDefaultZone());
        List<Path> files = a.positional();
        try {
            AppConfig cfg = config != null ? Components.loadConfig(config) : new AppConfig();
            return replay(cfg, rules, metrics, files, "replay", linger, progress, range);
        } catch (ConfigException e) {
            e.errors().forEach(System.err::println);
            return Main.EXIT_USAGE;
        }
    }

    static int replay(AppConfig cfg, List<Path> ruleFiles, String metrics, List<Path> files, String command,
            long lingerSeconds, Progress.Mode progressMode, TimeRange range) throws ConfigException {
        Telemetry telemetry = new Telemetry();
        Pipeline.Options o = Components.pipelineOptions(cfg, false);
        o.range = range;
        if (!cfg.workersSet) {
            // replay wants the fewest CPU-seconds, and a hand-off to other threads only adds to them
            o.workers = 0;
        }
        if ("drop".equals(cfg.ringWhenFull)) {
            // drop keeps auditd from stalling; a file waits, and a replay that dropped events would be a
            // backtest that misses alerts (it dropped two in three of a 1M-event stream with workers: 2)
            System.err.println("auditalert " + command + ": ring.when_full: drop applies to run; a replay waits for"
                    + " room in the ring instead, so it evaluates every event");
        }
        o.whenFull = EventRing.WhenFull.BLOCK;
        int threads = Math.max(1, o.workers);
        if (ruleFiles != null && ruleFiles.isEmpty() && cfg.source == null
                && !java.nio.file.Files.isDirectory(AppConfig.DEFAULT_RULES_DIR)) {
            // as run does: on a machine without the package (logs copied to a laptop) a bare replay still alerts
            System.err.println("auditalert " + command + ": no --rules, no --config and no " + AppConfig.DEFAULT_RULES_DIR
                    + ": replaying through the bundled default rules");
            ruleFiles = null;
        }
        if (ruleFiles != null && (!ruleFiles.isEmpty() || cfg.source != null)) {
            // as check says: a typo'd --rules glob or directory alerted nothing and exited 0
            String none = Components.noRuleFileFound(ruleFiles, cfg);
            if (none != null) {
                throw new ConfigException(List.of(none));
            }
        }
        RuleEngine rules = ruleFiles == null ? Components.bundledRules(telemetry, threads)
                : ruleFiles.isEmpty() ? Components.loadRules(cfg, telemetry, threads)
                : Components.loadRuleArguments(ruleFiles, cfg, telemetry, threads);
        telemetry.rulesLoaded = rules.ruleCount();
        // a replay is over in minutes: a file sink that cannot write would only hold it up, retrying
        List<String> unwritable = Components.fileSinkProblems(cfg);
        if (!unwritable.isEmpty()) {
            throw new ConfigException(unwritable);
        }
        if (cfg.sinks.isEmpty()) {
            Components.sinkWarnings(cfg).forEach(w -> System.err.println("auditalert " + command + ": warning: " + w));
        }
        List<Sink> sinks = Components.createSinks(cfg, telemetry, true);
        Components.unmatchedRuleFilters(cfg, rules).forEach(w -> System.err.println("auditalert " + command + ": " + w));
        AlertStage stage = new AlertStage(new AlertStage.Snapshot(rules, sinks), Components.throttle(), telemetry,
                threads, false);
        int status = Main.EXIT_OK;
        AutoCloseable endpoint = () -> {};
        List<Path> inputs = Components.inputs(files, range, command);
        Progress progress = Progress.forFiles(progressMode, command, inputs, telemetry.pipeline, telemetry::alertsSinceStart);
        Components.InterruptNotice notice = new Components.InterruptNotice(command, telemetry.pipeline);
        try (Pipeline pipeline = new Pipeline(o, telemetry, stage)) {
            if (metrics != null) {
                endpoint = Components.startMetrics(metrics, cfg.metricsWebConfig, telemetry, false);
            }
            pipeline.start();
            java.util.concurrent.atomic.AtomicBoolean cut = new java.util.concurrent.atomic.AtomicBoolean();
            if (!Components.pumpInputs(files, inputs, command, telemetry.pipeline,
                    in -> pipeline.pump(untilSinksGone(in, sinks, cut)))) {
                status = Main.EXIT_FAILURE;
            }
            // whether reading stopped because every sink was gone, not whether they are gone now (a stdout
            // that failed after the last read leaves the input read to its end)
            boolean stoppedEarly = cut.get();
            if (!stoppedEarly) {
                notice.inputRead(); // read to its end (a reader of stdout that left stops it short)
            }
            pipeline.finishInput();
            if (!range.isAll()) {
                Components.reportOutsideRange(command, telemetry.pipeline);
            }
            pipeline.drain(Duration.ofMinutes(10));
            if (!finishSinks(command, sinks, SINK_DRAIN)) {
                status = Main.EXIT_FAILURE;
            }
            // replay | head (or | less, quit after the input was read): the reader has what it wanted,
            // whenever it left; what its sink could not write is not a loss to report. Decided once the
            // sinks are done, as the reader may leave while they deliver.
            java.util.Set<String> readerLeft = new java.util.HashSet<>();
            sinks.stream().filter(Sink::readerLeft).forEach(sk -> readerLeft.add(sk.name()));
            // stdout failed (> /dev/full) and no other sink is left: said once with the count of alerts lost
            String stopped = stoppedEarly && readerLeft.size() < sinks.size()
                    ? "; nothing could take the alerts any more, so the input was not read to its end" : "";
            if (reportUndelivered(command, telemetry, readerLeft, stopped)) {
                status = Main.EXIT_FAILURE;
            } else if (!stopped.isEmpty()) {
                System.err.println("auditalert " + command + ": stdout failed (said above)" + stopped);
                status = Main.EXIT_FAILURE;
            }
            if (!readerLeft.isEmpty() && status == Main.EXIT_OK) {
                status = Main.EXIT_READER_LEFT; // as a program killed by SIGPIPE; a failure before it stays 1
            }
            notice.done(); // read, evaluated and delivered: a stop while /metrics lingers cuts nothing
            progress.finish();
            boolean busy = endpoint instanceof io.auditalert.metrics.MetricsServer server
                    && !server.awaitBound(Duration.ZERO);
            if (busy) {
                // announced at the start (demo), retried in the background, and the work is done already
                System.err.println("auditalert " + command + ": " + metrics + " is busy: /metrics was not served"
                        + (lingerSeconds > 0 ? "; trying again for " + lingerSeconds + " s" : ""));
            }
            if (metrics != null && lingerSeconds > 0) {
                if (!busy) {
                    System.err.println("auditalert " + command + ": done; /metrics stays up for " + lingerSeconds + " s");
                }
                Thread.sleep(lingerSeconds * 1000);
            }
        } catch (IOException e) {
            System.err.println("auditalert " + command + ": " + e.getMessage());
            return Main.EXIT_FAILURE;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } finally {
            notice.done();
            progress.finish();
            try {
                endpoint.close();
            } catch (Exception e) {
                System.err.println("auditalert " + command + ": closing metrics: " + e.getMessage());
            }
        }
        return EventsCommand.reportParseErrors(telemetry.pipeline, status);
    }

    /**
     * Lets the sinks deliver what they hold (up to {@code drain} in all: they deliver at the same time,
     * each on its own thread), then closes them; says on stderr which did not. A sink that could not deliver everything drops the rest at close (counted, and
     * reported by {@link #reportUndelivered}), unless it has a spool, which keeps it.
     *
     * @return false when a spool kept alerts: safe, but not delivered
     */
    static boolean finishSinks(String command, List<Sink> sinks, Duration drain) {
        boolean delivered = true;
        long deadline = System.nanoTime() + drain.toNanos();
        for (Sink sink : sinks) {
            if (!sink.drain(Duration.ofNanos(Math.max(0, deadline - System.nanoTime())))) {
                System.err.println("auditalert " + command + ": sink " + sink.name() + " did not deliver everything within "
                        + drain.toSeconds() + " s; see its spool and metrics");
            } else if (sink.pending() > 0) {
                System.err.println("auditalert " + command + ": sink " + sink.name() + ": " + sink.pending()
                        + " alert(s) not delivered within " + drain.toSeconds() + " s are kept in its spool;"
                        + " the next run or replay with that spool delivers them");
                delivered = false;
            }
            sink.close();
        }
        return delivered;
    }

    /**
     * Says which events could not be evaluated and which sinks lost alerts (dropped, or refused for
     * good by their peer); true if anything was lost. A replay that exits 0 has evaluated every event
     * and delivered every alert to every sink that wanted it.
     */
    static boolean reportUndelivered(String command, Telemetry telemetry) {
        return reportUndelivered(command, telemetry, java.util.Set.of(), "");
    }

    /**
     * As {@link #reportUndelivered(String, Telemetry)}; the sinks named in {@code readerLeft} (stdout whose
     * reader went away) are not said to have lost what they could not write, and {@code more} ends each
     * sink's line.
     */
    static boolean reportUndelivered(String command, Telemetry telemetry, java.util.Set<String> readerLeft,
            String more) {
        boolean lost = false;
        long ring = telemetry.pipeline.ringDropped;
        if (ring > 0) {
            System.err.println("auditalert " + command + ": " + ring + " event(s) dropped with the ring full, not evaluated");
            lost = true;
        }
        long failed = telemetry.pipeline.evaluationFailures.sum();
        if (failed > 0) {
            System.err.println("auditalert " + command + ": " + failed + " event(s) could not be evaluated fully, alerts"
                    + " of theirs are lost (the log above says why)");
            lost = true;
        }
        for (SinkStats s : telemetry.sinks()) {
            long n = s.lost();
            if (n > 0 && !readerLeft.contains(s.sink)) {
                System.err.println("auditalert " + command + ": sink " + s.sink + ": " + n + " alert(s) not delivered ("
                        + s.dropped.sum() + " dropped, " + s.permanentFailures.sum() + " refused for good)" + more);
                lost = true;
            }
        }
        return lost;
    }

    /** The input, ending early once every sink is gone ({@code replay | head}: nobody reads stdout). */
    private static LineFramer.ByteSource untilSinksGone(LineFramer.ByteSource in, List<Sink> sinks,
            java.util.concurrent.atomic.AtomicBoolean cut) {
        return new LineFramer.ByteSource() {
            private boolean stopped;

            @Override
            public int read(byte[] buf, int off, int len) throws IOException {
                stopped = allGone(sinks);
                if (stopped) {
                    cut.set(true);
                    return -1;
                }
                return in.read(buf, off, len);
            }

            @Override
            public boolean stoppedShort() {
                return stopped; // the line being read is cut: not a malformed line of the input
            }
        };
    }

    private static boolean allGone(List<Sink> sinks) {
        if (sinks.isEmpty()) {
            return false;
        }
        for (Sink s : sinks) {
            if (!s.gone()) {
                return false;
            }
        }
        return true;
    }

    /** Minimal option parsing: {@code --name value} pairs (repeatable) and positional arguments. */
    static final class Args {
        private final List<String[]> options = new ArrayList<>();
        private final List<Path> positional = new ArrayList<>();

        Args(String[] args) {
            for (int i = 0; i < args.length; i++) {
                String s = args[i];
                if (s.equals("--")) { // the rest are file names, even those that start with -
                    for (i++; i < args.length; i++) {
                        positional.add(Path.of(args[i]));
                    }
                } else if (s.startsWith("--")) {
                    int eq = s.indexOf('=');
                    if (eq > 0) {
                        // --rules= (empty) would name the current directory
                        options.add(new String[] {s.substring(0, eq), eq + 1 < s.length() || s.startsWith("--metrics=")
                                ? s.substring(eq + 1) : null});
                    } else if (i + 1 < args.length && !args[i + 1].startsWith("--")) {
                        options.add(new String[] {s, args[++i]});
                    } else {
                        options.add(new String[] {s, null}); // reported by allow(): unknown first
                    }
                } else if (s.startsWith("-") && !s.equals("-")) {
                    throw new Main.UsageException("unknown option " + s);
                } else {
                    positional.add(Path.of(s));
                }
            }
        }

        void allow(String... names) {
            List<String> known = List.of(names);
            for (String[] o : options) {
                if (!known.contains(o[0])) {
                    throw new Main.UsageException("unknown option " + o[0]);
                }
            }
            for (String[] o : options) {
                if (o[1] == null) {
                    throw new Main.UsageException("option " + o[0] + " needs a value");
                }
                if (o[1].isEmpty() && !o[0].equals("--metrics")) {
                    // --rules '' read every *.yml of the working directory, --config '' named no file at all
                    throw new Main.UsageException("option " + o[0] + " needs a value, not an empty one");
                }
            }
        }

        /** The value of an option given at most once (twice is a usage error: which would be meant?). */
        String value(String name) {
            String v = null;
            for (String[] o : options) {
                if (o[0].equals(name)) {
                    if (v != null) {
                        throw new Main.UsageException(name + " is given twice; give it once");
                    }
                    v = o[1];
                }
            }
            return v;
        }

        /** A metrics listen address (HOST:PORT, or "" for off), checked as the configuration's is. */
        String listen(String name) {
            String v = value(name);
            String problem = v == null ? null : io.auditalert.config.ConfigLoader.listenProblem(name, v);
            if (problem != null) {
                throw new Main.UsageException(problem);
            }
            return v;
        }

        /** A whole number of seconds, 0 or more. */
        long seconds(String name, long dflt) {
            String v = value(name);
            if (v == null) {
                return dflt;
            }
            if (!v.matches("\\d{1,9}")) {
                throw new Main.UsageException(name + " takes a whole number of seconds, not '" + v + "'");
            }
            return Long.parseLong(v);
        }

        Path path(String name) {
            String v = value(name);
            return v == null ? null : Path.of(v);
        }

        List<Path> paths(String name) {
            List<Path> out = new ArrayList<>();
            for (String[] o : options) {
                if (o[0].equals(name)) {
                    out.add(Path.of(o[1]));
                }
            }
            return out;
        }

        List<Path> positional() {
            return positional;
        }
    }
}
