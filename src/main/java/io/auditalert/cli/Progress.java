package io.auditalert.cli;

import io.auditalert.ingest.Inputs;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.sys.TerminalWidth;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;

/**
 * The progress line of a long {@code replay} or {@code events} run, on stderr: bytes read of the
 * total, events, alerts, rate and time left, redrawn in place once a second on a terminal.
 *
 * <pre>
 *   auditalert replay: 412 MB of 959 MB (42 %), 431,002 events, 25,100 alerts, 206 MB/s, 3 s left
 *   auditalert replay: 959 MB, 1,000,000 events, 58,477 alerts in 6.1 s          (when it ends)
 * </pre>
 *
 * {@link Mode#AUTO} (the default) shows it only when stderr is a terminal and stdout is not (alerts
 * written to the screen would be torn by the redraw), and only once the run has lasted
 * {@link #FIRST_AFTER_NANOS}: short runs print nothing. {@link Mode#ALWAYS} shows it anyway, one line
 * per update where stderr is not a terminal. The counters are the reader thread's plain fields, read
 * here a moment old (see {@link PipelineStats}).
 */
final class Progress {
    /** {@code --progress auto|always|never}. */
    enum Mode {
        AUTO, ALWAYS, NEVER;

        static Mode parse(String s) {
            if (s == null) {
                return AUTO;
            }
            switch (s) {
                case "auto":
                    return AUTO;
                case "always":
                    return ALWAYS;
                case "never":
                    return NEVER;
                default:
                    throw new Main.UsageException("--progress takes auto, always or never, not '" + s + "'");
            }
        }
    }

    static final long FIRST_AFTER_NANOS = 2_000_000_000L;
    static final long TERMINAL_EVERY_NANOS = 1_000_000_000L;
    static final long LINES_EVERY_NANOS = 10_000_000_000L;

    private final String command;
    private final long totalBytes;
    private final PipelineStats stats;
    private final LongSupplier alerts;
    private final PrintStream err;
    private final boolean terminal;
    private final boolean enabled;
    private final boolean always;
    private final long startNanos;
    private long nextNanos;
    /** When the line was last drawn and what had been read then: the rate is measured since. */
    private long lastNanos;
    private long lastBytes;
    private boolean shown;
    private boolean closed;
    private Thread ticker;
    /** The terminal's width in columns (0: unknown), asked at each redraw so a resized window is followed. */
    private IntSupplier columns = () -> 0;

    /**
     * @param totalBytes what the inputs hold, or -1 when unknown (stdin)
     * @param alerts alerts so far, or null for a command that makes none
     */
    Progress(String command, long totalBytes, PipelineStats stats, LongSupplier alerts, PrintStream err,
            boolean terminal, Mode mode, long startNanos) {
        this.command = command;
        this.totalBytes = totalBytes;
        this.stats = stats;
        this.alerts = alerts;
        this.err = err;
        this.terminal = terminal;
        this.always = mode == Mode.ALWAYS;
        this.enabled = always || mode == Mode.AUTO && terminal;
        this.startNanos = startNanos;
        this.nextNanos = startNanos + FIRST_AFTER_NANOS;
        this.lastNanos = startNanos;
    }

    /** The progress of a command over these files (stdin when none) on System.err, ticking once started. */
    static Progress forFiles(Mode mode, String command, List<Path> files, PipelineStats stats, LongSupplier alerts) {
        if (mode == Mode.AUTO && isTerminal(1)) {
            mode = Mode.NEVER; // alerts or events on the screen: a redrawn line would tear them
        }
        boolean terminal = isTerminal(2);
        Progress p = new Progress(command, totalBytes(files), stats, alerts, System.err, terminal, mode,
                System.nanoTime());
        if (terminal) {
            p.columns(() -> TerminalWidth.of(2));
        }
        p.start();
        return p;
    }

    /** Sets where the terminal's width comes from (the redrawn line is kept to one row of it). */
    void columns(IntSupplier width) {
        this.columns = width;
    }

    /** The summed size of the files, or -1 when reading stdin or any of them is not a plain regular file. */
    static long totalBytes(List<Path> files) {
        if (files.isEmpty()) {
            return -1;
        }
        long sum = 0;
        for (Path f : files) {
            try {
                if (f.toString().equals("-") || !Files.isRegularFile(f) || Inputs.isGzip(f)) {
                    return -1; // stdin, a pipe, or compressed: what will be read is not known
                }
                sum += Files.size(f);
            } catch (IOException e) {
                return -1; // reported by the reader, which fails on the same file
            }
        }
        return sum;
    }

    /** Whether file descriptor fd of this process is a terminal (Linux: where /proc/self/fd/N points). */
    static boolean isTerminal(int fd) {
        try {
            return isTerminalDevice(Files.readSymbolicLink(Path.of("/proc/self/fd/" + fd)).toString());
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    static boolean isTerminalDevice(String target) {
        return target.startsWith("/dev/pts/") || target.startsWith("/dev/tty") || target.equals("/dev/console");
    }

    private void start() {
        if (!enabled) {
            return;
        }
        ticker = new Thread(() -> {
            while (true) {
                long now = System.nanoTime();
                synchronized (this) {
                    if (closed) {
                        return;
                    }
                    tick(now);
                }
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    return;
                }
            }
        }, "progress");
        ticker.setDaemon(true);
        ticker.start();
    }

    /** Draws the line when it is due at {@code now}. */
    synchronized void tick(long now) {
        if (!enabled || closed || now < nextNanos) {
            return;
        }
        long read = stats.bytesRead;
        String line = line(now, read);
        if (terminal) {
            // a line longer than the terminal wraps, and the next \r redraws only its last row: one row
            // per second would scroll up the screen
            err.print('\r' + fit(line, compact(now, read), columns.getAsInt()) + "\033[K");
        } else {
            err.println(line);
        }
        err.flush();
        shown = true;
        lastNanos = now;
        lastBytes = read;
        nextNanos = now + (terminal ? TERMINAL_EVERY_NANOS : LINES_EVERY_NANOS);
    }

    /** The line while the run goes on; the rate is that since the line was last drawn. */
    String line(long now, long read) {
        StringBuilder sb = new StringBuilder("auditalert ").append(command).append(": ").append(mb(read));
        if (totalBytes >= 0) {
            sb.append(" of ").append(mb(totalBytes)).append(" (").append(percent(read)).append(" %)");
        }
        counts(sb);
        sb.append(", ").append(Math.round(rate(now, read) / 1e6)).append(" MB/s");
        return left(sb, now, read).toString();
    }

    private long percent(long read) {
        return totalBytes == 0 ? 100 : Math.min(100, read * 100 / totalBytes);
    }

    /** Bytes per second since the line was last drawn. */
    private double rate(long now, long read) {
        return (read - lastBytes) / Math.max(1e-9, (now - lastNanos) / 1e9);
    }

    /** Appends the time left at that rate, when it is known. */
    private StringBuilder left(StringBuilder sb, long now, long read) {
        double rate = rate(now, read);
        if (totalBytes > read && rate > 0) {
            sb.append(", ").append(Math.round(Math.ceil((totalBytes - read) / rate))).append(" s left");
        }
        return sb;
    }

    /** The line for a narrow terminal: the command, how far, the counts and the time left. */
    String compact(long now, long read) {
        StringBuilder sb = new StringBuilder(command).append(": ");
        if (totalBytes >= 0) {
            sb.append(percent(read)).append(" %");
        } else {
            sb.append(mb(read));
        }
        counts(sb);
        return left(sb, now, read).toString();
    }

    /**
     * The line that fits in a terminal of {@code columns} (0: unknown), leaving the last column free
     * (a character there wraps on some terminals): the full line, else the compact one, else the
     * compact one cut.
     */
    static String fit(String full, String compact, int columns) {
        if (columns <= 0 || full.length() < columns) {
            return full;
        }
        return compact.length() < columns ? compact : compact.substring(0, Math.max(0, columns - 1));
    }

    /** The line when the run ended. */
    String summary(long now) {
        StringBuilder sb = new StringBuilder("auditalert ").append(command).append(": ").append(mb(stats.bytesRead));
        counts(sb);
        return sb.append(String.format(Locale.ROOT, " in %.1f s", (now - startNanos) / 1e9)).toString();
    }

    private void counts(StringBuilder sb) {
        sb.append(", ").append(String.format(Locale.ROOT, "%,d", stats.events)).append(" events");
        if (alerts != null) {
            sb.append(", ").append(String.format(Locale.ROOT, "%,d", alerts.getAsLong())).append(" alerts");
        }
    }

    private static String mb(long bytes) {
        if (bytes < 1_000_000) {
            return (bytes + 999) / 1000 + " kB";
        }
        return bytes < 10_000_000 ? String.format(Locale.ROOT, "%.1f MB", bytes / 1e6) : Math.round(bytes / 1e6) + " MB";
    }

    /** Stops the line; when it was shown, or {@link Mode#ALWAYS} was asked, ends it with the summary. */
    void finish() {
        finish(System.nanoTime());
    }

    void finish(long now) {
        Thread t;
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            t = ticker;
            if (shown || always) {
                String line = summary(now);
                err.println(terminal ? '\r' + line + "\033[K" : line);
                err.flush();
            }
        }
        if (t != null) {
            t.interrupt();
        }
    }
}
