package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.SpecReader;
import io.auditalert.metrics.Telemetry;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * {@code {type: exec, command: ["/usr/local/bin/on-alert", "--json"], shell: false, timeout: 10s,
 * concurrency: 2, env: {K: V}}}: runs the command once per item with the item's JSON (one line) on
 * its standard input.
 *
 * <p>That input is a file, not a pipe: the item is written to a file in a directory of its own, made
 * for it (0700, a fresh random name under {@code java.io.tmpdir}, made atomically: no name that
 * another user could plant or swap for a link is ever used again), the child's stdin is opened on
 * it, and file and directory are removed as soon as the child has started. A pipe needs a writer: an item larger than the pipe's
 * buffer blocked that writer until someone read it, and a process the command left in the
 * background holding its stdin without reading held the writer's thread for as long as it lived.
 *
 * <ul>
 *   <li>No shell unless {@code shell: true}, in which case {@code command} is one string run by
 *       {@code /bin/sh -c}.
 *   <li>The child's stdout is discarded (ours carries only JSON lines) and its stderr is ours, for
 *       its diagnostics. It gets an environment of PATH, LANG and the configured {@code env}.
 *   <li>At most {@code concurrency} children run at once; one that outlives {@code timeout} is
 *       killed (SIGTERM, then SIGKILL a second later), with the processes it started. Closing the sink
 *       kills the children still running and the processes they started. A process a command leaves
 *       running in the background after it exits ({@code sleep 60 &}) is no longer its child and is not
 *       stopped: a command that starts a daemon owns it.
 *   <li>Exit status 0 is delivered; another status, a timeout, or a command that cannot start is a
 *       permanent failure (counted, logged with the status) and not retried: a script that fails
 *       on an input fails on it again.
 * </ul>
 */
public final class ExecSink extends DeliverySink {
    private final List<String> argv;
    private final long timeoutMillis;
    private final Map<String, String> env;
    private final ExecutorService pool;
    /** Kills a child at its deadline, whatever its runner thread is blocked in. */
    private final ScheduledExecutorService killer;
    /** The children running now, killed at close. */
    private final java.util.Set<Process> children = java.util.concurrent.ConcurrentHashMap.newKeySet();
    private final AtomicInteger lastExit = new AtomicInteger();
    private volatile boolean closing;

    ExecSink(SinkOptions options, Telemetry telemetry, List<String> argv, long timeoutMillis, int concurrency,
            Map<String, String> env) {
        super(options, telemetry);
        this.argv = argv;
        this.timeoutMillis = timeoutMillis;
        this.env = env;
        AtomicInteger n = new AtomicInteger();
        this.pool = Executors.newFixedThreadPool(concurrency, r -> {
            Thread t = new Thread(r, "sink-" + options.name() + "-run-" + n.getAndIncrement());
            t.setDaemon(true);
            return t;
        });
        this.killer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "sink-" + options.name() + "-timeout");
            t.setDaemon(true);
            return t;
        });
    }

    /** Where each item's directory is made; null: {@code java.io.tmpdir}. */
    private volatile Path inputBase;

    /** A new directory for one item's input, 0700, under a fresh random name (mkdir fails on any existing one). */
    Path newInputDir() throws IOException {
        var owner = PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwx------"));
        Path base = inputBase;
        return base == null ? Files.createTempDirectory("auditalert-exec-", owner)
                : Files.createTempDirectory(base, "auditalert-exec-", owner);
    }

    /** For tests: make the input directories under this one instead of {@code java.io.tmpdir}. */
    void inputBase(Path base) {
        inputBase = base;
    }

    static ExecSink create(SpecReader r, Telemetry t) {
        boolean shell = r.bool("shell", false);
        int concurrency = (int) r.integer("concurrency", 2, 1, 64);
        SinkOptions o = SinkOptions.read(r, "exec", concurrency);
        List<String> argv = new ArrayList<>();
        if (shell) {
            String cmd = null;
            if (r.raw("command") instanceof List) {
                r.error("command", "with shell: true, command is one string for /bin/sh -c");
            } else {
                cmd = r.requiredString("command");
            }
            argv.add("/bin/sh");
            argv.add("-c");
            argv.add(cmd);
        } else {
            if (r.raw("command") instanceof String) {
                r.error("command", "expected a list (argv); use shell: true to run a string through /bin/sh");
            }
            argv.addAll(r.strings("command", List.of()));
            if (argv.isEmpty()) {
                r.error("command", "required: the program and its arguments, as a list");
            } else if (!argv.get(0).contains("/")) {
                r.error(List.of("command", 0), "give the program's absolute path (PATH is not searched)");
            } else if (java.util.Optional.ofNullable(SinkOptions.pathOrNull(argv.get(0))).filter(Files::isExecutable)
                    .isEmpty()) {
                r.error(List.of("command", 0), argv.get(0) + " is not an executable file");
            } else {
                // a program another user can rewrite would run as root at the next alert
                String refused = io.auditalert.config.TrustedFiles.programRefusal(java.nio.file.Path.of(argv.get(0)));
                if (refused != null) {
                    r.error(List.of("command", 0), refused);
                }
            }
        }
        long timeout = r.duration("timeout", 10_000, 1);
        Map<String, String> env = r.stringMap("env");
        r.finish();
        return r.errors().isEmpty() && t != null ? new ExecSink(o, t, argv, timeout, concurrency, env) : null;
    }

    /** The exit status of the last child that finished (-1 killed by timeout, -2 did not start). */
    public int lastExit() {
        return lastExit.get();
    }

    @Override
    protected void deliver(List<Alert> batch, Outcome out) throws InterruptedException, IOException {
        // every input is written before any command runs: a full or read-only tmp (not the command's
        // fault, and it may pass) then retries the batch after a back-off with none of it run, where a
        // failure in the middle would have run the items after it twice
        List<Path> inputs = new ArrayList<>(batch.size());
        try {
            for (Alert a : batch) {
                inputs.add(writeInput(a));
            }
        } catch (IOException e) {
            inputs.forEach(ExecSink::deleteInput);
            throw e;
        }
        List<Future<String>> runs = new ArrayList<>(batch.size());
        try {
            for (Path input : inputs) {
                runs.add(pool.submit(() -> run(input)));
            }
            for (Future<String> f : runs) {
                String failure;
                try {
                    failure = f.get();
                } catch (ExecutionException e) {
                    failure = e.getCause().toString();
                }
                if (failure == null) {
                    out.accept(1);
                } else {
                    out.reject(1, failure);
                }
            }
        } catch (InterruptedException | java.util.concurrent.RejectedExecutionException e) {
            // stopping: runs that never started leave no input behind (a started child has its file open)
            inputs.forEach(ExecSink::deleteInput);
            throw e;
        }
    }

    /**
     * Writes the item to {@code alert.json} in a new directory of its own: 0700, a fresh random name
     * (mkdir fails on any existing one), the file made new (nothing followed or reused), 0600.
     */
    private Path writeInput(Alert a) throws IOException {
        Path dir = null;
        Path input = null;
        try {
            dir = newInputDir();
            input = dir.resolve("alert.json");
            try (OutputStream out = Files.newOutputStream(input, java.nio.file.StandardOpenOption.CREATE_NEW,
                    java.nio.file.StandardOpenOption.WRITE, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                out.write(a.json());
                out.write('\n');
            }
            return input;
        } catch (IOException ex) {
            if (dir != null) {
                deleteInput(input); // the file, if made, and the directory
            }
            throw new IOException(argv.get(0) + " not started: its input could not be written to a file under "
                    + (inputBase == null ? System.getProperty("java.io.tmpdir") : inputBase) + " (" + ex + ")", ex);
        }
    }

    /** Removes an item's input file and its directory. */
    private static void deleteInput(Path input) {
        deleteQuietly(input);
        deleteQuietly(input.getParent());
    }

    /** Runs the command for one item, its stdin the input file; null on exit status 0, else why not. */
    private String run(Path input) throws InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(argv);
        pb.redirectOutput(ProcessBuilder.Redirect.DISCARD);
        pb.redirectError(ProcessBuilder.Redirect.INHERIT);
        Map<String, String> e = pb.environment();
        e.clear();
        e.put("PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin");
        e.put("LANG", "C.UTF-8");
        e.putAll(env);
        if (closing) {
            deleteInput(input);
            return argv.get(0) + " not started: the sink closed";
        }
        pb.redirectInput(input.toFile());
        Process p;
        try {
            p = pb.start();
        } catch (IOException ex) {
            lastExit.set(-2);
            return argv.get(0) + " did not start: " + ex.getMessage();
        } finally {
            deleteInput(input); // the child holds it open: nothing of the item stays on disk once it has started
        }
        // its events, and those of what it starts, are auditalert's own: not evaluated (DESIGN §2)
        io.auditalert.sys.SelfProcesses.INSTANCE.started(p.pid());
        // once reaped, its pid can go to anyone's process: events after that are not its
        p.onExit().thenRun(() -> io.auditalert.sys.SelfProcesses.INSTANCE.exited(p.pid()));
        children.add(p);
        if (closing) {
            // started while abortDelivery ran: it set closing before it looked at children, so it saw
            // this child or this reads true
            kill(p);
        }
        AtomicBoolean timedOut = new AtomicBoolean();
        java.util.concurrent.atomic.AtomicReference<ScheduledFuture<?>> killLater = new java.util.concurrent.atomic.AtomicReference<>();
        // SIGTERM at the deadline, SIGKILL a second later if it is still there (a child that ignores SIGTERM)
        ScheduledFuture<?> deadline = killer.schedule(() -> {
            timedOut.set(true);
            terminate(p);
            killLater.set(killer.schedule(() -> kill(p), 1, TimeUnit.SECONDS));
        }, timeoutMillis, TimeUnit.MILLISECONDS);
        try {
            if (!p.waitFor(timeoutMillis + 1000, TimeUnit.MILLISECONDS) || timedOut.get()) {
                timedOut.set(true);
                terminate(p);
                if (!p.waitFor(1, TimeUnit.SECONDS)) {
                    kill(p);
                    p.waitFor(1, TimeUnit.SECONDS);
                }
                lastExit.set(-1);
                return argv.get(0) + " killed after the " + timeoutMillis + " ms timeout";
            }
        } finally {
            deadline.cancel(false);
            ScheduledFuture<?> k = killLater.get();
            if (k != null) {
                k.cancel(false);
            }
            children.remove(p);
        }
        int status = p.exitValue();
        lastExit.set(status);
        if (status != 0 && closing) {
            return argv.get(0) + " killed: the sink closed while it ran";
        }
        return status == 0 ? null : argv.get(0) + " exited with status " + status + signalHint(status);
    }

    /**
     * Java reports a death by signal N as status 128 + N, as shells do: the status says which signal,
     * unless the command chose to exit with such a status itself.
     */
    static String signalHint(int status) {
        String[] names = {"HUP", "INT", "QUIT", "ILL", "TRAP", "ABRT", "BUS", "FPE", "KILL", "USR1", "SEGV",
                "USR2", "PIPE", "ALRM", "TERM"};
        int signal = status - 128;
        return signal >= 1 && signal <= names.length ? " (killed by SIG" + names[signal - 1] + "?)" : "";
    }

    /** SIGTERM to the child and what it started. */
    private static void terminate(Process p) {
        p.descendants().forEach(ProcessHandle::destroy);
        p.destroy();
    }

    /** SIGKILL to the child and what it started. */
    private static void kill(Process p) {
        p.descendants().forEach(ProcessHandle::destroyForcibly);
        p.destroyForcibly();
    }

    @Override
    protected void abortDelivery() {
        closing = true;
        for (Process p : children) { // the drain is over: a child still running would hold the stop, then outlive us
            kill(p);
        }
    }

    @Override
    protected void closeTransport() {
        abortDelivery();
        pool.shutdownNow();
        killer.shutdownNow();
        // each run removes its own input directory once its child has started: nothing to clean here
    }

    private static void deleteQuietly(Path p) {
        try {
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // left for tmp cleaning
        }
    }
}
