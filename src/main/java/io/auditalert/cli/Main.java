package io.auditalert.cli;

import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;

/** {@code auditalert COMMAND [options]}: see DESIGN §3.1. */
public final class Main {
    static final int EXIT_OK = 0;
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;
    /** stdout's reader went away ({@code replay | head}): 128 + SIGPIPE, what a shell shows for a C program it killed. */
    static final int EXIT_READER_LEFT = 141;

    private Main() {}

    public static void main(String[] args) {
        System.exit(run(args));
    }

    static int run(String[] args) {
        if (args.length == 0) {
            usage(System.err);
            return EXIT_USAGE;
        }
        String[] rest = Arrays.copyOfRange(args, 1, args.length);
        if (asksForHelp(rest)) { // `auditalert replay --help`
            usage(System.out);
            return EXIT_OK;
        }
        try {
            if (List.of("check", "replay", "events", "demo").contains(args[0])) {
                LogSetup.forCommand(args[0]);
            }
            // replay and events load files the operator chose for one run, often under sudo from a home
            // directory: a file root should not trust is said, not refused
            io.auditalert.config.TrustedFiles.warnOnly(args[0].equals("replay") || args[0].equals("events"));
            switch (args[0]) {
                case "events":
                    return EventsCommand.run(rest);
                case "replay":
                    return ReplayCommand.run(rest);
                case "run":
                    SignalGate.install(); // first: see SignalGate
                    return RunCommand.run(rest);
                case "check":
                    return CheckCommand.run(rest);
                case "demo":
                    return DemoCommand.run(rest);
                case "--version":
                case "version":
                    if (rest.length > 0) {
                        throw new UsageException(args[0] + " takes no arguments");
                    }
                    System.out.println("auditalert " + version());
                    return EXIT_OK;
                case "-h":
                case "--help":
                case "help":
                    usage(System.out);
                    return EXIT_OK;
                default:
                    System.err.println("auditalert: unknown command '" + args[0] + "'");
                    usage(System.err);
                    return EXIT_USAGE;
            }
        } catch (UsageException e) {
            System.err.println("auditalert " + args[0] + ": " + e.getMessage());
            return EXIT_USAGE;
        } catch (java.nio.file.InvalidPathException e) {
            // a name this JVM cannot encode: with no UTF-8 locale (cron, env -i) Java's file names are ASCII
            System.err.println("auditalert " + args[0] + ": cannot use the path " + e.getInput() + ": " + e.getReason()
                    + " (file names are encoded as " + System.getProperty("sun.jnu.encoding")
                    + "; run with a UTF-8 locale, e.g. LC_ALL=C.UTF-8)");
            return EXIT_USAGE;
        }
    }

    /** Whether -h or --help comes before any {@code --} (after which everything is a file name). */
    private static boolean asksForHelp(String[] rest) {
        for (String a : rest) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("--help") || a.equals("-h")) {
                return true;
            }
        }
        return false;
    }

    static void usage(PrintStream out) {
        out.println("usage: auditalert COMMAND [options]");
        out.println("  run    [--config FILE] [--input stdin|unix:PATH] [--metrics HOST:PORT]");
        out.println("  replay [--config FILE] [--rules FILE|DIR]... [--metrics HOST:PORT [--linger SECONDS]]");
        out.println("         [--progress auto|always|never] [--since TIME] [--until TIME] [--] [FILE...]");
        out.println("  events [--config FILE] [--progress auto|always|never] [--since TIME] [--until TIME] [--] [FILE...]");
        out.println("  check  [--config FILE] [--rules FILE|DIR]...");
        out.println("  demo   [--metrics HOST:PORT] [--linger SECONDS]");
        out.println("  version | --version");
        out.println("  help | -h | --help      (also after a command: auditalert replay --help)");
        out.println("TIME: 2026-11-20, 2026-11-20T14:30[:00] (local, or with Z or +01:00), epoch seconds,");
        out.println("      90m / 12h / 7d / 2w ago, now, today, yesterday");
        out.println("--: what follows is a file name, even if it starts with '-'. No FILE, or '-': standard input.");
        out.println("Exit: 0 done, 1 input or delivery failed, 2 usage or configuration error, 141 reader of stdout left.");
        out.println("More: man auditalert, and README.md.");
    }

    /** The jar's Implementation-Version (the Maven project version), or "unknown" outside the jar. */
    static String version() {
        String v = Main.class.getPackage().getImplementationVersion();
        return v == null ? "unknown" : v;
    }

    /** A command-line mistake: reported with the usage exit code. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }
}
