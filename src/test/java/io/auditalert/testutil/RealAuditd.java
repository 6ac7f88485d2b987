package io.auditalert.testutil;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A private auditd for one test: its own config directory (auditd -c DIR) with auditd.conf writing an
 * ENRICHED log into DIR, and a plugins.d holding one capture plugin (a root-owned 0755 shell script
 * that copies its stdin, the dispatcher stream with EOE records, into a file). It is started in the
 * foreground ({@code auditd -n}) as a child of the test and stopped by that child's PID; exactly the
 * rules it added are deleted (not {@code auditctl -D}, which would also delete rules someone else
 * loaded) and the kernel's enabled flag is put back as it was found.
 */
public final class RealAuditd implements AutoCloseable {
    static final Path AUDITD = Path.of("/sbin/auditd");
    static final Path AUDITCTL = Path.of("/sbin/auditctl");

    private final Path dir;
    private final Path log;
    private final Path stream;
    private final List<List<String>> rulesAdded = new ArrayList<>();
    private final String enabledBefore;
    private Process daemon;

    private RealAuditd(Path dir, String enabledBefore) {
        this.dir = dir;
        this.log = dir.resolve("audit.log");
        this.stream = dir.resolve("plugin.stream");
        this.enabledBefore = enabledBefore;
    }

    /** Why a private auditd cannot run here, or null when it can. */
    public static String whyNot() {
        if (!isRoot()) {
            return "needs root (auditd and auditctl talk to the kernel's audit netlink socket)";
        }
        if (!Files.isExecutable(AUDITD) || !Files.isExecutable(AUDITCTL)) {
            return "needs the auditd package (" + AUDITD + ", " + AUDITCTL + ")";
        }
        return null;
    }

    /**
     * Waits up to {@code waitSeconds} until no audit daemon is registered with the kernel (only one
     * can be); returns the PID still registered, or 0.
     */
    public static long waitForNoDaemon(int waitSeconds) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(waitSeconds);
        while (true) {
            long pid = status("pid");
            if (pid == 0 || ProcessHandle.of(pid).isEmpty()) {
                return 0;
            }
            if (System.nanoTime() > deadline) {
                return pid;
            }
            Thread.sleep(1000);
        }
    }

    public static RealAuditd start(Path dir) throws IOException, InterruptedException {
        RealAuditd d = new RealAuditd(dir, Long.toString(status("enabled")));
        try {
            d.configure();
            d.daemon = new ProcessBuilder(AUDITD.toString(), "-n", "-s", "enable", "-c", dir.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(dir.resolve("auditd.out").toFile())
                    .start();
            d.awaitStart();
        } catch (IOException | InterruptedException | RuntimeException e) {
            d.close();
            throw e;
        }
        return d;
    }

    public Path log() {
        return log;
    }

    public Path stream() {
        return stream;
    }

    public long pid() {
        return daemon.pid();
    }

    /** Adds one rule with auditctl (arguments as an operator types them); it is deleted on close. */
    public void addRule(String... rule) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of(AUDITCTL.toString()));
        cmd.addAll(List.of(rule));
        run(cmd);
        rulesAdded.add(List.of(rule));
    }

    private void configure() throws IOException {
        Path plugins = dir.resolve("plugins.d");
        Files.createDirectories(plugins);
        Path capture = dir.resolve("capture-plugin.sh");
        Files.writeString(capture, "#!/bin/sh\nexec /bin/cat > " + stream + "\n", StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(capture, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path conf = plugins.resolve("capture.conf");
        Files.writeString(conf, String.join("\n", "active = yes", "direction = out", "path = " + capture,
                "type = always", "format = string", ""), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(conf, PosixFilePermissions.fromString("rw-r-----"));
        Path auditdConf = dir.resolve("auditd.conf");
        Files.writeString(auditdConf, String.join("\n",
                "local_events = yes",
                "write_logs = yes",
                "log_file = " + log,
                "log_format = ENRICHED",
                "flush = INCREMENTAL_ASYNC",
                "freq = 50",
                "max_log_file = 256",
                "num_logs = 2",
                "max_log_file_action = IGNORE",
                "space_left = 2",
                "space_left_action = IGNORE",
                "admin_space_left = 1",
                "admin_space_left_action = IGNORE",
                "disk_full_action = IGNORE",
                "disk_error_action = IGNORE",
                "name_format = NONE",
                "q_depth = 20000",
                "overflow_action = SYSLOG",
                "max_restarts = 0",
                "plugin_dir = " + plugins,
                "end_of_event_timeout = 2",
                ""), StandardCharsets.US_ASCII);
        Files.setPosixFilePermissions(auditdConf, PosixFilePermissions.fromString("rw-r-----"));
        Files.setPosixFilePermissions(dir, PosixFilePermissions.fromString("rwxr-xr-x"));
    }

    private void awaitStart() throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!daemon.isAlive()) {
                throw new IllegalStateException("auditd exited with " + daemon.exitValue() + ": "
                        + Files.readString(dir.resolve("auditd.out"), StandardCharsets.ISO_8859_1));
            }
            if (status("pid") == daemon.pid() && Files.exists(log) && Files.exists(stream)
                    && Files.readString(log, StandardCharsets.ISO_8859_1).contains("type=DAEMON_START")) {
                return;
            }
            Thread.sleep(100);
        }
        throw new IllegalStateException("auditd did not register with the kernel within 20 s: "
                + Files.readString(dir.resolve("auditd.out"), StandardCharsets.ISO_8859_1));
    }

    /** Deletes the rules this test added, stops the daemon by its PID, restores the enabled flag. */
    @Override
    public void close() {
        try {
            for (List<String> rule : rulesAdded) {
                List<String> cmd = new ArrayList<>(List.of(AUDITCTL.toString()));
                for (String arg : rule) {
                    cmd.add(arg.equals("-a") || arg.equals("-A") ? "-d" : arg.equals("-w") ? "-W" : arg);
                }
                runQuietly(cmd);
            }
        } finally {
            if (daemon != null && daemon.isAlive()) {
                daemon.destroy();   // SIGTERM to this PID only
                try {
                    if (!daemon.waitFor(20, TimeUnit.SECONDS)) {
                        daemon.destroyForcibly();
                        daemon.waitFor(10, TimeUnit.SECONDS);
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            runQuietly(List.of(AUDITCTL.toString(), "-e", enabledBefore));
        }
    }

    public static long status(String key) throws IOException, InterruptedException {
        Matcher m = Pattern.compile("(?m)^" + key + " (\\d+)").matcher(run(List.of(AUDITCTL.toString(), "-s")));
        return m.find() ? Long.parseLong(m.group(1)) : -1;
    }

    public static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException(String.join(" ", cmd) + " failed: " + out.trim());
        }
        return out;
    }

    private static void runQuietly(List<String> cmd) {
        try {
            run(cmd);
        } catch (IOException | RuntimeException e) {
            System.err.println("cleanup: " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static boolean isRoot() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("Uid:")) {
                    return line.split("\\s+")[1].equals("0");
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return false;
    }
}
