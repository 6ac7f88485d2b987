package io.auditalert.config;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.cli.Components;
import io.auditalert.metrics.Telemetry;
import io.auditalert.rules.CompiledRule;
import io.auditalert.rules.DefaultRules;
import io.auditalert.rules.EvalScratch;
import io.auditalert.rules.Names;
import io.auditalert.rules.RuleLoader;
import io.auditalert.rules.TestEvents;
import io.auditalert.testutil.FixedNames;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The loaders' contract (DESIGN §3.1 check, §3.2, §3.3) under malformed input: a bad configuration or
 * rules file is a clear error naming FILE:LINE:COL and never an exception. Real seeds (the bundled
 * default rules and configuration, the benchmark rules, a configuration that sets every key and every
 * sink type) are mutated from a fixed seed, and hand-written malformed forms are loaded as they are.
 *
 * <p>Invariants: loading never throws (any Throwable is caught and recorded); every error has a
 * message and a position inside its text (line 1 to lines + 1, column 1 to the line's length + 1); a
 * result that is not ok has errors; a result that is ok is usable (rules count and evaluate an event;
 * a configuration's values are within the ranges §3.2 allows); an unchanged seed loads ok, also after
 * thousands of bad loads. A failure prints the seed, the iteration and the text.
 */
class MalformedConfigTest {
    static final long SEED = 0x5eed_c0f1_6L;
    static final int RULE_ITERATIONS = 1300;
    static final int CONFIG_ITERATIONS = 1200;

    /**
     * Defects this test found and that are not fixed yet, keyed by failure signature, with what they are.
     * Remove an entry once the defect is fixed: the test then guards against it coming back.
     */
    static final Map<String, String> KNOWN_DEFECTS = Map.of();

    @TempDir
    Path dir;

    /** Every failure seen, by signature; the first example of each. */
    private final Map<String, String> failures = new TreeMap<>();
    private final Map<String, Integer> failureCounts = new TreeMap<>();

    // ---- seeds ----

    static final String FULL_CONFIG = """
            input: unix:/run/auditalert/input.sock
            rules: [rules.d/*.yml, /etc/auditalert/local.yml]
            workers: 2
            ring: {capacity: 65536, max_bytes: 64MiB, when_full: drop}
            assembly: {timeout: 2s, max_inflight: 20000}
            metrics: {listen: "127.0.0.1:8617"}
            log_file: /var/log/auditalert/auditalert.log
            redact: ["(?i)token=\\\\S+", 'password=\\S+']
            sinks:
              - {type: stdout, min_severity: low}
              - {type: file, path: /var/log/auditalert/alerts.jsonl, max_size: 100MiB, max_files: 5}
              - {type: syslog, address: "udp://127.0.0.1:514", format: rfc5424, max_size: 8000}
              - {type: alertmanager, urls: ["http://127.0.0.1:9093"], labels: {team: sec}, spool: /var/lib/auditalert/spool/am}
              - type: webhook
                url: "https://hooks.example/x"
                headers:
                  Authorization: "Bearer abc"
                rules: [exec-*, "shadow-read"]
              - {type: email, smtp: "127.0.0.1:25", from: "auditalert@host", to: ["sec@example.org"], starttls: false}
              - {type: exec, command: ["/bin/sh", "-c", "cat >/dev/null"], timeout: 10s}
              - {type: file, what: events, path: /var/log/auditalert/events.jsonl}
            """;

    static String resource(String path) {
        try (var in = MalformedConfigTest.class.getResourceAsStream(path)) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (Exception e) {
            throw new IllegalStateException(path, e);
        }
    }

    /** Rules seeds: each a set of files loaded together (a default file with the lists and macros it uses). */
    static List<Map<String, String>> ruleSeeds() {
        Map<String, String> defaults = DefaultRules.texts();
        List<Map<String, String>> seeds = new ArrayList<>();
        String first = defaults.keySet().iterator().next();
        for (Map.Entry<String, String> e : defaults.entrySet()) {
            Map<String, String> seed = new LinkedHashMap<>();
            if (!e.getKey().equals(first)) {
                seed.put(first, defaults.get(first));
            }
            seed.put(e.getKey(), e.getValue());
            seeds.add(seed);
        }
        try {
            String bench = Files.readString(Path.of("bench/rules-bench.yml")).replace("@KEY@", "shadow");
            seeds.add(new LinkedHashMap<>(Map.of("bench/rules-bench.yml", bench)));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("bench/rules-bench.yml", e);
        }
        return seeds;
    }

    static List<String> configSeeds() {
        return List.of(resource("/defaults/auditalert.yml"), FULL_CONFIG);
    }

    // ---- names and an event, for evaluating what loads ----

    /** The bundled errno, arch and syscall tables; a few users and groups (no system lookups). */
    static final Names NAMES = new FixedNames();

    /** cat /etc/shadow by auid 1000 (SYSCALL, EXECVE, CWD, PATH, PROCTITLE). */
    static final AuditEvent EVENT = TestEvents.one(
            "type=SYSCALL msg=audit(1700000000.000:42): arch=c000003e syscall=59 success=yes exit=0 a0=55d0 a1=55d1"
                    + " a2=55d2 a3=0 items=1 ppid=1 pid=100 auid=1000 uid=0 gid=0 euid=0 suid=0 fsuid=0 egid=0 sgid=0"
                    + " fsgid=0 tty=pts0 ses=1 comm=\"cat\" exe=\"/usr/bin/cat\" key=\"shadow\"",
            "type=EXECVE msg=audit(1700000000.000:42): argc=2 a0=\"cat\" a1=\"/etc/shadow\"",
            "type=CWD msg=audit(1700000000.000:42): cwd=\"/tmp\"",
            "type=PATH msg=audit(1700000000.000:42): item=0 name=\"/etc/shadow\" inode=1 dev=08:01 mode=0100640"
                    + " ouid=0 ogid=42 rdev=00:00 nametype=NORMAL",
            "type=PROCTITLE msg=audit(1700000000.000:42): proctitle=636174002F6574632F736861646F77");

    // ---- loading, with every invariant checked ----

    /** What one rules load gave: ok (with how many rules), or errors; a failure was recorded when it broke a rule. */
    record RulesOutcome(boolean ok, int rules, List<ConfigError> errors) {}

    RulesOutcome loadRules(Map<String, String> texts, String context) {
        RuleLoader.Result r;
        try {
            r = RuleLoader.loadTexts(texts, NAMES, new Telemetry());
        } catch (Throwable t) { // the contract: never an exception, whatever the text
            fail(throwSignature("rules", t), context + "\n" + stack(t), texts);
            return new RulesOutcome(false, 0, List.of());
        }
        if (r == null || r.errors() == null) {
            fail("rules: null result or errors", context, texts);
            return new RulesOutcome(false, 0, List.of());
        }
        checkErrors("rules", r.errors(), texts, context);
        if (!r.ok()) {
            if (r.errors().isEmpty()) {
                fail("rules: not ok and no error", context, texts);
            }
            return new RulesOutcome(false, 0, r.errors());
        }
        if (!r.errors().isEmpty()) {
            fail("rules: ok with errors", context, texts);
        }
        int n;
        try {
            List<CompiledRule> rules = r.ruleSet().rules();
            n = rules.size();
            for (CompiledRule rule : rules) {
                if (rule.name() == null || rule.severity() == null) {
                    fail("rules: loaded rule without name or severity", context, texts);
                }
            }
            int[] hits = {0};
            r.ruleSet().evaluate(EVENT, new EvalScratch(), (rule, e) -> hits[0]++);
        } catch (Throwable t) {
            fail(throwSignature("rules-evaluate", t), context + "\n" + stack(t), texts);
            return new RulesOutcome(true, 0, List.of());
        }
        return new RulesOutcome(true, n, List.of());
    }

    /** What one configuration load gave; a failure was recorded when it broke a rule. */
    record ConfigOutcome(boolean ok, List<ConfigError> errors) {}

    ConfigOutcome loadConfig(byte[] bytes, String context) {
        Path file = dir.resolve("auditalert.yml");
        String text = new String(bytes, StandardCharsets.UTF_8);
        Map<String, String> texts = Map.of(file.toString(), text);
        List<ConfigError> errors = new ArrayList<>();
        AppConfig cfg;
        try {
            Files.write(file, bytes);
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
        try {
            cfg = ConfigLoader.load(file, errors);
            if (!cfg.unparsed) {
                errors.addAll(Components.sinkErrors(cfg)); // as check does: placed at their keys
            }
        } catch (Throwable t) {
            fail(throwSignature("config", t), context + "\n" + stack(t), texts);
            return new ConfigOutcome(false, List.of());
        }
        checkErrors("config", errors, texts, context);
        if (cfg.unparsed && errors.isEmpty()) {
            fail("config: unparsed and no error", context, texts);
        }
        if (errors.isEmpty()) {
            // ok: every value within what §3.2 allows
            boolean sane = cfg.sinks != null && cfg.rules != null && cfg.workers >= 0 && cfg.workers <= 64
                    && cfg.ringCapacity >= 2 && cfg.ringCapacity <= (1 << 22) && cfg.ringMaxBytes >= 64 * 1024
                    && cfg.assemblyTimeoutMillis >= 100 && cfg.assemblyTimeoutMillis <= 600_000
                    && cfg.assemblyMaxInflight >= 1
                    && (cfg.ringWhenFull == null || cfg.ringWhenFull.equals("drop") || cfg.ringWhenFull.equals("block"))
                    && (cfg.input.equals("stdin") || cfg.input.startsWith("unix:/"))
                    && ConfigLoader.listenProblem("metrics.listen", cfg.metricsListen) == null;
            if (!sane) {
                fail("config: ok with a value out of range", context, texts);
            }
        }
        return new ConfigOutcome(errors.isEmpty(), errors);
    }

    private static final Pattern LINE_BREAK = Pattern.compile("\r\n|\r|\n");
    private static final Pattern LONE_CR = Pattern.compile("\r(?!\n)");

    /** Each error has a file among the texts, a message, and a line and column inside the text. */
    void checkErrors(String stage, List<ConfigError> errors, Map<String, String> texts, String context) {
        for (ConfigError e : errors) {
            String text = e.file() == null ? null : texts.get(e.file());
            if (text == null) {
                fail(stage + ": error names a file that was not loaded", context + "\n" + e, texts);
                continue;
            }
            if (e.message() == null || e.message().isBlank()) {
                fail(stage + ": error without a message", context + "\n" + e, texts);
            }
            String[] lines = LINE_BREAK.split(text, -1);
            // YAML (and snakeyaml's marks) take a lone CR for a line break: errors placed by counting LFs only
            // are off in such a text, whatever the message; one signature for them all
            String shape = LONE_CR.matcher(text).find() ? "[text with a lone CR]" : messageShape(e.message());
            if (e.line() < 1 || e.line() > lines.length + 1) {
                fail(stage + ": line out of range: " + shape, context + "\n" + e + " (text has "
                        + lines.length + " lines)", texts);
            } else if (e.col() < 1) {
                fail(stage + ": column < 1: " + shape, context + "\n" + e, texts);
            } else {
                int len = e.line() <= lines.length ? lines[e.line() - 1].codePointCount(0, lines[e.line() - 1].length()) : 0;
                if (e.col() > len + 1) {
                    fail(stage + ": column past the end of its line: " + shape, context + "\n" + e
                            + " (line " + e.line() + " has " + len + " characters)", texts);
                }
            }
        }
    }

    /** A message without what it quotes: the kind of error, for a failure signature. */
    static String messageShape(String m) {
        String s = m == null ? "null" : m.replaceAll("'[^']*'", "'…'").replaceAll("\"[^\"]*\"", "\"…\"")
                .replaceAll("\\d+", "N");
        return s.length() > 60 ? s.substring(0, 60) : s;
    }

    static String throwSignature(String stage, Throwable t) {
        // a deep recursion's trace is cut at 1024 frames: the package of its top frame says whose it is
        String frame = "? (no io.auditalert frame)";
        for (StackTraceElement f : t.getStackTrace()) {
            if (!f.getClassName().startsWith("java.")) {
                frame = f.getClassName().replaceAll("^((?:[^.]+\\.){2}[^.]+).*", "$1") + " (no io.auditalert frame)";
                break;
            }
        }
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().startsWith("io.auditalert.") && !f.getClassName().contains("MalformedConfigTest")) {
                frame = f.getClassName().substring(f.getClassName().lastIndexOf('.') + 1) + "." + f.getMethodName();
                break;
            }
        }
        return stage + ": throws " + t.getClass().getName() + " at " + frame;
    }

    static String stack(Throwable t) {
        StringBuilder sb = new StringBuilder(t.toString());
        int n = 0;
        for (StackTraceElement f : t.getStackTrace()) {
            if (f.getClassName().startsWith("io.auditalert.") || n < 3) {
                sb.append("\n    at ").append(f);
                if (++n >= 12) {
                    break;
                }
            }
        }
        return sb.toString().length() > 3000 ? sb.substring(0, 3000) : sb.toString();
    }

    void fail(String signature, String context, Map<String, String> texts) {
        failureCounts.merge(signature, 1, Integer::sum);
        if (failures.containsKey(signature)) {
            return;
        }
        StringBuilder sb = new StringBuilder(context);
        for (Map.Entry<String, String> e : texts.entrySet()) {
            String t = e.getValue();
            String shown = t.length() > 1500 ? t.substring(0, 1500) + "…(" + t.length() + " chars)" : t;
            sb.append("\n--- ").append(e.getKey()).append(" ---\n").append(escape(shown));
        }
        failures.put(signature, sb.toString());
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\n' || c >= 0x20 && c < 0x7f) {
                sb.append(c);
            } else {
                sb.append(String.format("\\u%04x", (int) c));
            }
        }
        return sb.toString();
    }

    /** Prints every failure (known ones too) and fails on those not in {@link #KNOWN_DEFECTS}. */
    void assertNoNewFailures() {
        StringBuilder report = new StringBuilder();
        List<String> unknown = new ArrayList<>();
        for (Map.Entry<String, String> f : failures.entrySet()) {
            boolean known = KNOWN_DEFECTS.containsKey(f.getKey());
            report.append(known ? "KNOWN " : "NEW   ").append(f.getKey()).append(" (x").append(failureCounts.get(f.getKey()))
                    .append(")\n").append(f.getValue()).append("\n\n");
            if (!known) {
                unknown.add(f.getKey());
            }
        }
        if (report.length() > 0) {
            System.out.println(report);
        }
        assertThat(unknown).as("new failures (seed %d; see the output for each example)", SEED).isEmpty();
    }

    // ---- mutations ----

    static final String SPECIALS = ":-[]{}\"'#|>&*!%@`\0\u00ff\r\ufeff\ud800\t";

    static String mutate(String text, Random rnd, boolean rules) {
        String t = text;
        int n = 1 + rnd.nextInt(3);
        for (int k = 0; k < n; k++) {
            t = mutateOnce(t, rnd, rules);
        }
        return t;
    }

    static String mutateOnce(String text, Random rnd, boolean rules) {
        List<String> lines = new ArrayList<>(List.of(text.split("\n", -1)));
        int li = rnd.nextInt(lines.size());
        int op = rnd.nextInt(rules ? 24 : 21);
        switch (op) {
            case 0 -> lines.remove(li);
            case 1 -> lines.add(li, lines.get(li)); // duplicate line: duplicate keys, items, definitions
            case 2 -> {
                int lj = rnd.nextInt(lines.size());
                String a = lines.get(li);
                lines.set(li, lines.get(lj));
                lines.set(lj, a);
            }
            case 3 -> { // indentation ±1, ±2
                int d = new int[] {-2, -1, 1, 2}[rnd.nextInt(4)];
                String l = lines.get(li);
                lines.set(li, d > 0 ? " ".repeat(d) + l : l.startsWith(" ".repeat(-d)) ? l.substring(-d) : l);
            }
            case 4 -> lines.set(li, insertAt(lines.get(li), rnd, "\t"));
            case 5 -> {
                return text.isEmpty() ? text : text.substring(0, safeCut(text, rnd.nextInt(text.length())));
            }
            case 6 -> { // replace a character
                if (text.isEmpty()) {
                    return text;
                }
                int i = rnd.nextInt(text.length());
                return text.substring(0, i) + SPECIALS.charAt(rnd.nextInt(SPECIALS.length())) + text.substring(i + 1);
            }
            case 7 -> lines.set(li, insertAt(lines.get(li), rnd, String.valueOf(SPECIALS.charAt(rnd.nextInt(SPECIALS.length())))));
            case 8 -> lines.set(li, insertAt(lines.get(li), rnd, rnd.nextBoolean() ? "\"" : "'")); // unterminated quote
            case 9 -> lines.set(li, afterColon(lines.get(li), rnd, new String[] {"[", "{", "[a, ", "{a: ", "[{"}[rnd.nextInt(5)]));
            case 10 -> { // deep nesting of flow or block collections
                int depth = rnd.nextInt(4) == 0 ? 2000 + rnd.nextInt(8000) : 1 + rnd.nextInt(200);
                String nest = switch (rnd.nextInt(3)) {
                    case 0 -> "[".repeat(depth) + "x" + "]".repeat(depth);
                    case 1 -> "{a: ".repeat(depth) + "x" + "}".repeat(depth);
                    default -> "[".repeat(depth);
                };
                lines.set(li, afterColon(lines.get(li), rnd, nest));
            }
            case 11 -> { // very long line or scalar
                String longOne = rnd.nextBoolean() ? "x".repeat(50_000 + rnd.nextInt(100_000))
                        : "\"" + "é".repeat(20_000) + "\"";
                lines.set(li, afterColon(lines.get(li), rnd, longOne));
            }
            case 12 -> { // empty documents
                return new String[] {"", "\n", "---\n", "...\n", "# nothing\n", "---\n...\n", "~\n", "null\n", "[]\n", "{}\n",
                    "\"\"\n", "- \n"}[rnd.nextInt(12)];
            }
            case 13 -> {
                return "\ufeff" + text; // a BOM
            }
            case 14 -> { // anchors and aliases, also recursive ones
                int lj = rnd.nextInt(lines.size());
                lines.set(li, afterColon(lines.get(li), rnd, "&a "));
                lines.set(lj, afterColon(lines.get(lj), rnd, rnd.nextBoolean() ? "*a" : "*nope"));
                if (rnd.nextInt(3) == 0) {
                    lines.add(li, "x: &r [*r]");
                }
            }
            case 15 -> lines.add(li, rnd.nextBoolean() ? "---" : "--- !tag"); // multi-document
            case 16 -> lines.add(li, new String[] {"%YAML 1.1", "%TAG ! tag:x,2000:", "? complex", ": value", "<<: *a",
                "!!binary abc", "key: !!int x", "key: !!set {a}", "- !!map {}"}[rnd.nextInt(9)]);
            case 17 -> lines.set(li, afterColon(lines.get(li), rnd, new String[] {"|", ">", "|-", ">+", "|9", "| #c", "|0"}[rnd.nextInt(7)]));
            case 18 -> lines.set(li, insertAt(lines.get(li), rnd, "\r"));
            case 19 -> lines.set(li, insertAt(lines.get(li), rnd, new String[] {"\\", "\\u", "\\x4", "\\ud800", "\\U0011ffff",
                "\\uDC00", "\u2028", "\u0085", "\u001b"}[rnd.nextInt(9)]));
            case 20 -> lines.set(li, valueSwap(lines.get(li), rnd, CONFIG_VALUES));
            case 21 -> replaceKey(lines, rnd, "condition", MalformedConfigTest::badCondition);
            case 22 -> replaceKey(lines, rnd, "output", MalformedConfigTest::badOutput);
            default -> {
                if (rnd.nextBoolean()) {
                    replaceKey(lines, rnd, "severity", r -> new String[] {"hgh", "HIGH", "High", "", "~", "[high]", "{}", "0", "crit",
                        "\"high \"", "info,low"}[r.nextInt(11)]);
                } else {
                    replaceKey(lines, rnd, "throttle", r -> "{key: [" + new String[] {"auid", "exe", "nope", "PATH.", "[x]", "{}",
                        "\"\"", ""}[r.nextInt(8)] + "], window: " + new String[] {"0s", "-1m", "99999999999d", "999999999999999w",
                        "1M", "1", "1.5s", "", "~", "[1m]", "0", "00001s", "1 m", "1mm", "9223372036854775807ms"}[r.nextInt(15)] + "}");
                }
            }
        }
        return String.join("\n", lines);
    }

    /** Values out of range or of the wrong kind for the configuration's keys. */
    static final String[] CONFIG_VALUES = {"0", "-1", "65", "1", "16777217", "99999999999999999999", "1KiB", "63KiB",
        "99999999999999GiB", "64mib", "1.5MiB", "0s", "1ms", "99ms", "11m", "99999999999999999d", "2S", "\"127.0.0.1:0\"",
        "\"127.0.0.1:65536\"", "\"127.0.0.1:99999\"", "\"[::1]:8617\"", "\"[zz]:1\"", "\":8617\"", "\"host:\"", "\"\"", "maybe",
        "unix:", "unix:relative", "tcp:1", "[1, 2]", "{a: 1}", "~", "true", "0x10", "1_000", "+5", "0755", "\"(unclosed\"",
        "[\"(?<bad\"]", "{type: nope}", "[{type: file}]", "[{type: file, path: ''}]", "[{type: syslog, max_size: 1}]",
        "[{type: exec, command: []}]", "[{type: email, to: []}]", "[{type: webhook, url: 'ftp://x'}]",
        "[{type: stdout, min_severity: hgh}]", "[{type: stdout, rules: ['[']}]", "[{type: stdout, spool: ''}]",
        "[{type: stdout}, {type: stdout}]", "[{type: alertmanager, urls: []}]", "[{type: exec, command: [x], timeout: -1s}]",
        "[{type: file, path: /x, max_files: 99999999999}]", "[{type: syslog, address: 'udp://h:99999'}]"};

    static String valueSwap(String line, Random rnd, String[] values) {
        return afterColon(line, rnd, values[rnd.nextInt(values.length)]);
    }

    /** Puts {@code value} in place of what follows the first ': ' of the line (or appends it). */
    static String afterColon(String line, Random rnd, String value) {
        int c = line.indexOf(": ");
        if (c < 0) {
            c = line.indexOf("- ");
        }
        if (c < 0) {
            return insertAt(line, rnd, value);
        }
        if (rnd.nextBoolean()) {
            return line.substring(0, c + 2) + value; // replace the value
        }
        return line.substring(0, c + 2) + value + line.substring(c + 2); // prefix the value
    }

    static String insertAt(String s, Random rnd, String what) {
        int i = safeCut(s, rnd.nextInt(s.length() + 1));
        return s.substring(0, i) + what + s.substring(i);
    }

    /** An index that does not split a surrogate pair (a lone surrogate is inserted on purpose only). */
    static int safeCut(String s, int i) {
        return i > 0 && i < s.length() && Character.isLowSurrogate(s.charAt(i)) && Character.isHighSurrogate(s.charAt(i - 1))
                ? i - 1 : i;
    }

    /** Replaces the value of a line {@code key:} (the first at or after a random line) with a generated one. */
    static void replaceKey(List<String> lines, Random rnd, String key, java.util.function.Function<Random, String> gen) {
        int start = rnd.nextInt(lines.size());
        for (int k = 0; k < lines.size(); k++) {
            int i = (start + k) % lines.size();
            String l = lines.get(i);
            int at = l.indexOf(key + ":");
            if (at >= 0 && l.substring(0, at).isBlank() || at > 0 && l.substring(0, at).trim().equals("-")) {
                String v = gen.apply(rnd);
                lines.set(i, l.substring(0, at + key.length() + 1) + " " + (key.equals("condition") || key.equals("output") ? quote(v, rnd) : v));
                return;
            }
        }
    }

    /** A condition or output as a YAML scalar: single-quoted, double-quoted with escapes, or a block. */
    static String quote(String v, Random rnd) {
        return switch (rnd.nextInt(4)) {
            case 0 -> "'" + v.replace("'", "''").replace("\n", " ") + "'";
            case 1 -> "\"" + v.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n").replace("\ud800", "\\ud800") + "\"";
            case 2 -> "|\n      " + v.replace("\n", " ");
            default -> v.replace("\n", " "); // plain: YAML may read it otherwise, which is part of the test
        };
    }

    static final String[] FIELDS = {"exe", "uid", "auid", "PATH.name", "syscall", "key", "type", "success", "exit", "a0",
        "EXECVE.a1", "SOCKADDR.saddr", "arch", "ses", "argv", "proctitle", "path", "node", "comm", "bogus_field", "FOO.bar",
        "PATH.", ".name", "SYSCALL.syscall", "USER_AUTH.acct", "gid", "cwd"};
    static final String[] OPS = {"=", "!=", "<", "<=", ">", ">=", "in", "startswith", "endswith", "contains", "icontains",
        "glob", "matches", "exists", "==", "=~", "!", "<>", "like", "startwith", "IN", "not"};
    static final String[] VALUES = {"\"x\"", "'y'", "0", "-1", "99999999999999999999", "root", "nobody", "EACCES", "-EPERM",
        "execve", "yes", "maybe", "(a, b)", "()", "( , )", "(a,", "shells", "unset", "0x4206", "x86_64", "\"[z-a]\"",
        "\"[[:nope:]]\"", "\"(\"", "\"*+\"", "\"\\\\\"", "\"\"", "'\u00e9'", "\"\ud800+\"", "'\ud800*'", "\"a\ud800\"", "\"[\"",
        "\"(?<n>x)\\\\k<m>\"", "\"x{2,1}\"", "\"**/[!\"", "\"[a-\"", "[a, b]", "\"\\u0000\"", "\u201cx\u201d", "99999", "SYSCALL"};
    static final String[] BAD_REGEX = {"(", ")", "[", "*", "+x", "x{2,1}", "(?<", "\\", "\\k<x>", "(?P<x>a)", "[z-a]",
        "\ud800+", "a\ud800*", "\ud800{2}", "\udc00?", "\ud800|\ud800", "x**", "(?", "\\p{Nope}", "\\Q", ".*?\ud800+", "[\ud800-a]"};
    static final String[] BAD_GLOB = {"[", "[z-a]", "[[:nope:]]", "\\", "[!", "**", "[]", "[!]", "[a-", "\ud800",
        "[\ud800-a]", "[[:]", "x[", "[\\"};

    static String badCondition(Random rnd) {
        switch (rnd.nextInt(10)) {
            case 0: { // token soup
                StringBuilder sb = new StringBuilder();
                int n = 1 + rnd.nextInt(8);
                for (int i = 0; i < n; i++) {
                    sb.append(switch (rnd.nextInt(6)) {
                        case 0, 1 -> FIELDS[rnd.nextInt(FIELDS.length)];
                        case 2 -> OPS[rnd.nextInt(OPS.length)];
                        case 3 -> VALUES[rnd.nextInt(VALUES.length)];
                        case 4 -> new String[] {"and", "or", "not", "(", ")", "AND", "&&", "||", ","}[rnd.nextInt(9)];
                        default -> FIELDS[rnd.nextInt(FIELDS.length)] + " " + OPS[rnd.nextInt(OPS.length)] + " "
                                + VALUES[rnd.nextInt(VALUES.length)];
                    }).append(' ');
                }
                return sb.toString().trim();
            }
            case 1:
                return "not ".repeat(rnd.nextInt(4) == 0 ? 1000 + rnd.nextInt(5000) : rnd.nextInt(70)) + "exe exists";
            case 2: {
                int d = rnd.nextInt(4) == 0 ? 1000 + rnd.nextInt(5000) : rnd.nextInt(70);
                return "(".repeat(d) + "exe exists" + ")".repeat(rnd.nextInt(3) == 0 ? Math.max(0, d - 1) : d);
            }
            case 3: {
                int n = rnd.nextBoolean() ? 20_000 : rnd.nextInt(50);
                StringBuilder sb = new StringBuilder("exe in (");
                for (int i = 0; i < n; i++) {
                    sb.append(i == 0 ? "" : ", ").append("\"/bin/x").append(i).append('"');
                }
                return sb.append(rnd.nextBoolean() ? ")" : "").toString();
            }
            case 4:
                return FIELDS[rnd.nextInt(FIELDS.length)] + " matches \"" + BAD_REGEX[rnd.nextInt(BAD_REGEX.length)]
                        .replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            case 5:
                return "exe glob \"" + BAD_GLOB[rnd.nextInt(BAD_GLOB.length)].replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
            case 6:
                return new String[] {"exe in ()", "exe =", "= x", "and", "exe exists and", "or exe exists", "(", ")", "()",
                    "exe in", "not", "exe = (", "exe in (a,)", "exe in (,a)", "exe exists exists", "exe = x y", "exe ! = x",
                    "exe startswith", "", " ", "#", "exe in shels", "uid = shells", "nope_macro", "exe", "exe = \"unterminated",
                    "exe = 'x", "exe = x)", "exe = (x", "exe in [a, b]", "exe = \u201cx\u201d", "uid > root", "exe > 1",
                    "type < 3", "syscall = nosuch", "exit = EWHAT", "arch = nope", "success = maybe", "type = NOPE",
                    "a0 > zz", "uid in (root, nobody, ghost)"}[rnd.nextInt(41)];
            case 7: {
                int n = rnd.nextBoolean() ? 30_000 : rnd.nextInt(100);
                return ("exe exists " + (rnd.nextBoolean() ? "and " : "or ")).repeat(n) + "exe exists";
            }
            case 8:
                return "exe = \"" + "a".repeat(100_000) + "\"";
            default:
                return FIELDS[rnd.nextInt(FIELDS.length)] + " " + OPS[rnd.nextInt(OPS.length)] + " " + VALUES[rnd.nextInt(VALUES.length)];
        }
    }

    static String badOutput(Random rnd) {
        return new String[] {"{", "{exe", "{}", "{ }", "{?}", "{? }", "{{", "}}", "}", "{exe}}", "{{exe}", "{exe {uid}",
            "{nope}", "{PATH.}", "{.}", "{?nope}", "{ exe }", "{\ud800}", "{" + "x".repeat(10_000) + "}", "a{", "{exe}{",
            "{exe}" + "{".repeat(5000), "{e\u00e9}", "{#}", "{:}", "{exe:}", "{a0[}"}[rnd.nextInt(27)];
    }

    // ---- tests ----

    @Test
    void shouldLoadEverySeedAsItIs() {
        for (Map<String, String> seed : ruleSeeds()) {
            RulesOutcome o = loadRules(seed, "seed " + seed.keySet());
            assertThat(o.ok()).as("seed %s: %s", seed.keySet(), o.errors()).isTrue();
        }
        for (String seed : configSeeds()) {
            ConfigOutcome o = loadConfig(seed.getBytes(StandardCharsets.UTF_8), "config seed");
            assertThat(o.ok()).as("config seed %s: %s", seed, o.errors()).isTrue();
        }
        assertNoNewFailures();
    }

    @Test
    void shouldNeverThrowOrMisplaceAnErrorOnMutatedRules() {
        List<Map<String, String>> seeds = ruleSeeds();
        List<Integer> before = new ArrayList<>();
        for (Map<String, String> seed : seeds) {
            before.add(loadRules(seed, "seed").rules());
        }
        for (int it = 0; it < RULE_ITERATIONS; it++) {
            Random rnd = new Random(SEED * 31 + it);
            Map<String, String> seed = seeds.get(rnd.nextInt(seeds.size()));
            Map<String, String> texts = new LinkedHashMap<>(seed);
            List<String> names = new ArrayList<>(texts.keySet());
            String target = names.get(names.size() - 1);
            String mutated = mutate(texts.get(target), rnd, true);
            texts.put(target, mutated);
            String context = "seed " + SEED + ", rules iteration " + it + ", mutated file " + target;
            RulesOutcome o = loadRules(texts, context);
            if (mutated.equals(seed.get(target)) && !o.ok()) {
                fail("rules: unchanged seed does not load", context + "\n" + o.errors(), texts);
            }
        }
        // nothing a bad load did stays behind: each seed loads as before
        for (int i = 0; i < seeds.size(); i++) {
            RulesOutcome o = loadRules(seeds.get(i), "seed reloaded");
            if (!o.ok() || o.rules() != before.get(i)) {
                fail("rules: seed loads differently after the mutations", "seed " + seeds.get(i).keySet() + ": " + o, seeds.get(i));
            }
        }
        assertNoNewFailures();
    }

    @Test
    void shouldNeverThrowOrMisplaceAnErrorOnMutatedConfigs() {
        List<String> seeds = configSeeds();
        for (int it = 0; it < CONFIG_ITERATIONS; it++) {
            Random rnd = new Random(SEED * 37 + it);
            String seed = seeds.get(rnd.nextInt(seeds.size()));
            String mutated = mutate(seed, rnd, false);
            byte[] bytes = mutated.getBytes(StandardCharsets.UTF_8);
            if (rnd.nextInt(8) == 0 && bytes.length > 0) { // bytes that are no UTF-8, or a character cut in two
                int i = rnd.nextInt(bytes.length);
                byte[] b = new byte[] {(byte) 0xff, (byte) 0xc3, (byte) 0xed, (byte) 0xa0, (byte) 0x80, 0}[rnd.nextInt(6)] == 0
                        ? java.util.Arrays.copyOf(bytes, i) : null;
                if (b == null) {
                    bytes = bytes.clone();
                    bytes[i] = new byte[] {(byte) 0xff, (byte) 0xc3, (byte) 0xed, (byte) 0x80, (byte) 0xfe}[rnd.nextInt(5)];
                } else {
                    bytes = b;
                }
            }
            String context = "seed " + SEED + ", config iteration " + it;
            ConfigOutcome o = loadConfig(bytes, context);
            if (java.util.Arrays.equals(bytes, seed.getBytes(StandardCharsets.UTF_8)) && !o.ok()) {
                fail("config: unchanged seed does not load", context + "\n" + o.errors(), Map.of("seed", seed));
            }
        }
        for (String seed : seeds) {
            if (!loadConfig(seed.getBytes(StandardCharsets.UTF_8), "seed reloaded").ok()) {
                fail("config: seed loads differently after the mutations", "", Map.of("seed", seed));
            }
        }
        assertNoNewFailures();
    }

    /** Hand-written rules that must be refused with an error (none may throw). */
    @Test
    void shouldRefuseHandWrittenMalformedRules() {
        Map<String, String> refuse = new LinkedHashMap<>();
        String r = "- rule: r\n  condition: ";
        refuse.put("not x 5000", r + "'" + "not ".repeat(5000) + "exe exists'\n");
        refuse.put("parens 5000", r + "'" + "(".repeat(5000) + "exe exists" + ")".repeat(5000) + "'\n");
        refuse.put("unbalanced (", r + "'(exe exists'\n");
        refuse.put("unbalanced )", r + "'exe exists)'\n");
        refuse.put("operator without operand", r + "'exe ='\n");
        refuse.put("and without operand", r + "'exe exists and'\n");
        refuse.put("unknown field", r + "'bogus = 1'\n");
        refuse.put("unknown operator", r + "'exe like x'\n");
        refuse.put("in ()", r + "'exe in ()'\n");
        refuse.put("bad regex", r + "'exe matches \"(\"'\n");
        refuse.put("bad glob", r + "'exe glob \"[z-a]\"'\n");
        refuse.put("output {", r + "exe exists\n  output: 'x {exe'\n");
        refuse.put("output {}", r + "exe exists\n  output: 'x {}'\n");
        refuse.put("throttle 0s", r + "exe exists\n  throttle: {key: exe, window: 0s}\n");
        refuse.put("throttle -1m", r + "exe exists\n  throttle: {key: exe, window: -1m}\n");
        refuse.put("severity typo", r + "exe exists\n  severity: hgh\n");
        refuse.put("macro chain 3000", macroChain(3000));
        refuse.put("unknown key", r + "exe exists\n  severty: high\n");
        refuse.put("anchor alias rule", "- &a {rule: r, condition: exe exists}\n- *a\n");
        refuse.put("recursive alias", "- &a [*a]\n");
        refuse.put("multi-document", r + "exe exists\n---\n" + r + "uid = 0\n");
        refuse.put("flow nesting 10000", "- {rule: r, condition: exe exists, tags: " + "[".repeat(10_000) + "]".repeat(10_000) + "}\n");
        refuse.put("lone surrogate in regex (YAML escape)", r + "\"exe matches '\\ud800+'\"\n");
        refuse.put("lone surrogate in regex (text)", r + "\"exe matches '\ud800+'\"\n");
        refuse.put("lone surrogate in glob", r + "\"exe glob '\\ud800'\"\n");
        refuse.put("lone surrogate in a macro's regex", "- macro: m\n  condition: \"exe matches '\\ud800+'\"\n" + r + "m\n");
        refuse.put("lone surrogate in an exception's regex", r + "exe exists\n  exceptions: [\"exe matches '\\ud800+'\"]\n");
        refuse.put("lone surrogate in secret_patterns", "- secret_patterns: [\"\\ud800+\"]\n" + r + "exe exists\n");
        refuse.put("NUL in value", r + "\"exe = '\\0'\"\n  output: \"\\0{exe\"\n");
        for (Map.Entry<String, String> c : refuse.entrySet()) {
            Map<String, String> texts = Map.of("hand.yml", c.getValue());
            RulesOutcome o = loadRules(texts, "hand-written rules: " + c.getKey());
            if (o.ok()) {
                fail("rules: accepted: " + c.getKey(), "hand-written rules: " + c.getKey(), texts);
            }
        }
        // these load; what matters is that nothing throws and an ok set is usable
        Map<String, String> any = new LinkedHashMap<>();
        any.put("list chain 20000", listChain(20_000));
        any.put("huge literal list", r + "'exe in (" + "\"/x\", ".repeat(50_000) + "\"/y\")'\n");
        any.put("long or", r + "'" + "exe exists or ".repeat(50_000) + "uid = 0'\n");
        any.put("throttle 99999999999d", r + "exe exists\n  throttle: {key: exe, window: 99999999999d}\n");
        any.put("BOM", "\ufeff" + r + "exe exists\n");
        any.put("CR only", "- rule: r\r  condition: exe exists\r  output: \"x\r  {nope}\"\r");
        any.put("error after CR in block", "- rule: r\r  condition: |\r    exe exists and\r    nope = 1\r");
        for (Map.Entry<String, String> c : any.entrySet()) {
            loadRules(Map.of("hand.yml", c.getValue()), "hand-written rules: " + c.getKey());
        }
        assertNoNewFailures();
    }

    /** Hand-written configurations that must be refused with an error (none may throw). */
    @Test
    void shouldRefuseHandWrittenMalformedConfigs() {
        Map<String, String> refuse = new LinkedHashMap<>();
        refuse.put("port 0", "metrics: {listen: \"127.0.0.1:0\"}\n");
        refuse.put("port 65536", "metrics: {listen: \"127.0.0.1:65536\"}\n");
        refuse.put("workers -1", "workers: -1\n");
        refuse.put("workers 2^64", "workers: 18446744073709551616\n");
        refuse.put("ring capacity 1", "ring: {capacity: 1}\n");
        refuse.put("ring max_bytes 1KiB", "ring: {max_bytes: 1KiB}\n");
        refuse.put("ring max_bytes huge", "ring: {max_bytes: 99999999999999GiB}\n");
        refuse.put("timeout 0s", "assembly: {timeout: 0s}\n");
        refuse.put("timeout huge", "assembly: {timeout: 99999999999999999d}\n");
        refuse.put("max_inflight 0", "assembly: {max_inflight: 0}\n");
        refuse.put("duplicate key", "workers: 1\nworkers: 2\n");
        refuse.put("duplicate key in sink", "sinks:\n  - {type: stdout, type: file}\n");
        refuse.put("unknown key", "wrokers: 1\n");
        refuse.put("when_full typo", "ring: {when_full: dorp}\n");
        refuse.put("unterminated quote", "input: \"stdin\n");
        refuse.put("unterminated flow", "rules: [a.yml, b.yml\n");
        refuse.put("multi-document", "workers: 1\n---\nworkers: 2\n");
        refuse.put("recursive alias in sinks", "sinks: &s [{type: stdout, x: *s}]\n");
        refuse.put("recursive alias in sink map", "sinks:\n  - &m {type: stdout, labels: *m}\n");
        refuse.put("alias to undefined", "workers: *nope\n");
        refuse.put("flow nesting 10000", "sinks: " + "[".repeat(10_000) + "]".repeat(10_000) + "\n");
        refuse.put("block nesting 3000", "sinks:\n" + nestedBlock(3000));
        refuse.put("invalid UTF-8 (text)", "input: std\ufffdin\n");
        refuse.put("sink type typo", "sinks: [{type: stdot}]\n");
        refuse.put("sink syslog port", "sinks: [{type: syslog, address: 'udp://127.0.0.1:99999'}]\n");
        refuse.put("sink min_severity typo", "sinks: [{type: stdout, min_severity: hgh}]\n");
        refuse.put("redact bad regex", "redact: ['(?<x']\n");
        refuse.put("rules map", "rules: {a: b}\n");
        refuse.put("NUL", "workers: 1\0\n");
        refuse.put("NUL in rules path", "rules: [\"a\\0.yml\"]\n");
        refuse.put("NUL in log_file", "log_file: \"/var/log/a\\0\"\n");
        refuse.put("NUL in web_config", "metrics: {web_config: \"w\\0.yml\"}\n");
        refuse.put("NUL in file sink path", "sinks: [{type: file, path: \"/tmp/a\\0\"}]\n");
        refuse.put("NUL in spool", "sinks: [{type: stdout, spool: \"/tmp/s\\0\"}]\n");
        refuse.put("lone surrogate in redact", "redact: [\"\\ud800+\"]\n");
        for (Map.Entry<String, String> c : refuse.entrySet()) {
            byte[] bytes = c.getValue().getBytes(StandardCharsets.UTF_8);
            ConfigOutcome o = loadConfig(bytes, "hand-written config: " + c.getKey());
            if (o.ok()) {
                fail("config: accepted: " + c.getKey(), "hand-written config: " + c.getKey(),
                        Map.of("auditalert.yml", c.getValue()));
            }
        }
        // bytes that are no UTF-8: refused at their position
        for (byte[] bad : List.of(new byte[] {'w', 'o', (byte) 0xff, ':', ' ', '1', '\n'},
                new byte[] {'i', 'n', 'p', 'u', 't', ':', ' ', (byte) 0xed, (byte) 0xa0, (byte) 0x80, '\n'},
                new byte[] {'#', (byte) 0xc3})) {
            ConfigOutcome o = loadConfig(bad, "hand-written config: invalid UTF-8");
            if (o.ok()) {
                fail("config: accepted: invalid UTF-8", "", Map.of("auditalert.yml", new String(bad, StandardCharsets.ISO_8859_1)));
            }
        }
        assertNoNewFailures();
    }

    static String macroChain(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("- macro: m").append(i).append("\n  condition: m").append(i + 1).append(" and exe exists\n");
        }
        sb.append("- macro: m").append(n).append("\n  condition: exe exists\n");
        return sb.append("- rule: r\n  condition: m0\n").toString();
    }

    static String listChain(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("- list: l").append(i).append("\n  items: [l").append(i + 1).append("]\n");
        }
        sb.append("- list: l").append(n).append("\n  items: [/bin/sh]\n");
        return sb.append("- rule: r\n  condition: exe in l0\n").toString();
    }

    static String nestedBlock(int depth) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < depth; i++) {
            sb.append(" ".repeat(2 + i)).append("- \n");
        }
        return sb.toString();
    }
}
