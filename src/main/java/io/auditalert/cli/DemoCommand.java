package io.auditalert.cli;

import io.auditalert.config.AppConfig;
import io.auditalert.pipeline.TimeRange;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * {@code auditalert demo [--metrics HOST:PORT] [--linger SECONDS]}: replays a real audit capture
 * bundled in the jar through the bundled default rules, prints the alerts as JSON lines, and serves
 * /metrics while it runs (and for {@code --linger} seconds after, default 5, so it can be looked at).
 */
final class DemoCommand {
    static final String CAPTURE = "/demo/audit.log";

    private DemoCommand() {}

    static int run(String[] args) {
        ReplayCommand.Args a = new ReplayCommand.Args(args);
        a.allow("--metrics", "--linger");
        if (!a.positional().isEmpty()) {
            throw new Main.UsageException("demo takes no files");
        }
        String metrics = a.listen("--metrics") != null ? a.listen("--metrics") : "127.0.0.1:8617";
        long linger = a.seconds("--linger", 5);
        try {
            Path capture = Files.createTempFile("auditalert-demo", ".log");
            capture.toFile().deleteOnExit();
            try (InputStream in = DemoCommand.class.getResourceAsStream(CAPTURE)) {
                if (in == null) {
                    System.err.println("auditalert demo: the bundled capture is missing from this jar");
                    return Main.EXIT_FAILURE;
                }
                Files.copy(in, capture, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            }
            System.err.println("auditalert demo: replaying a real auditd capture (" + Files.size(capture)
                    + " bytes) through the bundled default rules; "
                    + (metrics.isEmpty() ? "metrics off" : "metrics on http://" + metrics + "/metrics while it runs"));
            int status = ReplayCommand.replay(new AppConfig(), null, metrics, List.of(capture), "demo", linger,
                    Progress.Mode.NEVER, TimeRange.ALL);
            return status;
        } catch (ConfigException e) {
            e.errors().forEach(System.err::println);
            return Main.EXIT_FAILURE;
        } catch (IOException e) {
            System.err.println("auditalert demo: " + e.getMessage());
            return Main.EXIT_FAILURE;
        }
    }
}
