package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Severity;
import io.auditalert.alert.SpecReader;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The keys every sink takes:
 *
 * <pre>
 *   name: am-prod                 # metrics label and thread name; default TYPE-INDEX
 *   what: alerts                  # or events (forwarded events, DESIGN §3.4)
 *   min_severity: medium          # alerts below it are not sent
 *   rules: [passwd-*, exec-from-world-writable]   # names or globs; default all
 *   spool: /var/lib/auditalert/spool/am           # or {dir: …, max_bytes: 256MiB, fsync: interval|always}
 *   queue: 10000                  # in-memory capacity when there is no spool
 *   when_full: drop               # or block (replay): the queue's behaviour when full
 *   rate_limit: {per_second: 10, burst: 50}       # items held back (counted), never dropped for it
 *   retry: {initial: 500ms, max: 30s}             # exponential back-off between failed attempts
 *   batch: 64                     # items per delivery where the transport batches
 * </pre>
 */
public record SinkOptions(
        String type,
        String name,
        boolean events,
        Severity minSeverity,
        List<Pattern> rules,
        Path spoolDir,
        long spoolMaxBytes,
        boolean spoolFsyncAlways,
        int queueCapacity,
        boolean blockWhenFull,
        double ratePerSecond,
        int rateBurst,
        long retryInitialMillis,
        long retryMaxMillis,
        int batch) {

    /** A sink's name when its entry gives none: its type and its position in the list ({@code webhook-2}). */
    public static String defaultName(String type, int index) {
        return type + "-" + index;
    }

    public static SinkOptions read(SpecReader r, String type, int defaultBatch) {
        String name = r.string("name", defaultName(type, r.index()));
        if (name != null && !name.matches("[A-Za-z0-9_.:-]+")) {
            r.error("name", "expected letters, digits and _ . : - only");
        }
        boolean events = "events".equals(r.oneOf("what", "alerts", "alerts", "events"));
        Severity min = Severity.INFO;
        String ms = r.string("min_severity", null);
        if (ms != null) {
            min = Severity.parse(ms);
            if (min == null) {
                r.error("min_severity", "expected one of info, low, medium, high, critical");
                min = Severity.INFO;
            }
        }
        List<Pattern> rules = new ArrayList<>();
        for (String g : r.strings("rules", List.of())) {
            try {
                rules.add(glob(g));
            } catch (IllegalArgumentException e) {
                r.error("rules", "bad glob '" + g + "': " + e.getMessage());
            }
        }
        if (events) { // events have no severity nor rule: the filter would be ignored
            if (r.raw("min_severity") != null) {
                r.error("min_severity", "filters alerts; a sink with what: events gets every event");
            }
            if (r.raw("rules") != null) {
                r.error("rules", "filters alerts; a sink with what: events gets every event");
            }
        }
        Path spool = null;
        long spoolMax = 256L << 20;
        boolean always = false;
        Object sp = r.raw("spool");
        if (sp instanceof String) {
            String dir = r.string("spool", null);
            spool = dir == null ? null : pathOf(dir, r, List.of("spool"));
        } else if (sp != null) {
            SpecReader s = r.nested("spool");
            if (s != null) {
                String dir = s.requiredString("dir");
                spool = dir == null ? null : pathOf(dir, r, List.of("spool", "dir"));
                spoolMax = s.size("max_bytes", spoolMax, 1 << 20);
                always = "always".equals(s.oneOf("fsync", "interval", "interval", "always"));
                s.finishNested();
            }
        }
        if (spool != null) {
            String problem = spoolProblem(spool);
            if (problem != null) {
                r.error(sp instanceof String ? List.of("spool") : List.of("spool", "dir"), problem);
                spool = null;
            }
        }
        int queue = (int) r.integer("queue", 10_000, 1, 10_000_000);
        boolean block = "block".equals(r.oneOf("when_full", "drop", "drop", "block"));
        double rate = 0;
        int burst = 0;
        SpecReader rl = r.nested("rate_limit");
        if (rl != null) {
            Object ps = rl.raw("per_second");
            if (ps instanceof Number && ((Number) ps).doubleValue() > 0) {
                rate = ((Number) ps).doubleValue();
            } else {
                rl.error("per_second", "expected a positive number");
            }
            burst = (int) rl.integer("burst", Math.max(1, (long) Math.ceil(rate)), 1, 1_000_000);
            rl.finishNested();
        }
        long initial = 500;
        long max = 30_000;
        SpecReader rt = r.nested("retry");
        if (rt != null) {
            initial = rt.duration("initial", initial, 1);
            max = rt.duration("max", max, 1);
            if (max < initial) {
                rt.error("max", "must not be less than retry.initial");
                max = initial;
            }
            rt.finishNested();
        }
        int batch = (int) r.integer("batch", defaultBatch, 1, 10_000);
        return new SinkOptions(type, name, events, min, List.copyOf(rules), spool, spoolMax, always, queue, block,
                rate, burst, initial, max, batch);
    }

    /** Whether a sink with these options wants this item. */
    public boolean accepts(Alert a) {
        if (a.isEvent()) {
            return events;
        }
        if (events) {
            return false;
        }
        if (a.severity() != null && a.severity().ordinal() < minSeverity.ordinal()) {
            return false;
        }
        if (rules.isEmpty()) {
            return true;
        }
        for (Pattern p : rules) {
            if (p.matcher(a.rule()).matches()) {
                return true;
            }
        }
        return false;
    }

    /**
     * The path a configured name gives, or null where it can give none: a NUL, or a lone UTF-16
     * surrogate from a {@code "\ud800"} escape (the configuration's loader reports each where it is
     * written).
     */
    public static Path pathOrNull(String name) {
        try {
            return Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            return null;
        }
    }

    private static Path pathOf(String name, SpecReader r, List<Object> key) {
        try {
            return Path.of(name);
        } catch (java.nio.file.InvalidPathException e) {
            r.error(key, "not a usable file name (" + e.getReason() + ")");
            return null;
        }
    }

    /**
     * Why a spool could never be a directory at {@code dir} (something else there, or a file where a
     * directory on its way must be), or null; a directory that does not exist yet is made at the start.
     */
    static String spoolProblem(Path dir) {
        if (java.nio.file.Files.exists(dir) && !java.nio.file.Files.isDirectory(dir)) {
            return dir + " is not a directory";
        }
        for (Path up = dir.toAbsolutePath().getParent(); up != null; up = up.getParent()) {
            if (java.nio.file.Files.exists(up)) {
                return java.nio.file.Files.isDirectory(up) ? null : up + " is not a directory";
            }
        }
        return null;
    }

    /** A shell-style glob (fnmatch(3): {@code *}, {@code ?}, {@code [abc]}) as a pattern of whole names. */
    public static Pattern glob(String g) {
        return Pattern.compile(io.auditalert.rules.Glob.toRegex(g), Pattern.DOTALL);
    }
}
