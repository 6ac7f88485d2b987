package io.auditalert.rules;

import io.auditalert.config.ConfigError;
import io.auditalert.parse.ByteBuf;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Masks secrets in rendered text (alert output, and any bytes the caller passes) with {@code ***}.
 * Each pattern is a Java regular expression; when it has a named group {@code secret}, only that group
 * is masked, otherwise the whole match. Patterns run over the UTF-8 bytes one char per byte, like rule
 * regexes. {@link #DEFAULT_PATTERNS} covers {@code --password=…}, {@code --token …},
 * {@code password=…}, HTTP authorization headers and credentials in URLs. Rules files add patterns with
 * a {@code - secret_patterns: [...]} item; the configuration can add more.
 *
 * <p>Thread-safe: each call uses its own matchers (alerts are rare next to events, so this allocates).
 */
public final class Redactor {
    public static final List<String> DEFAULT_PATTERNS = List.of(
            // --password=x, --password x, -token x, password=x, token:x, and environment-style assignments
            // DB_PASSWORD=x, AWS_SECRET_ACCESS_KEY=x (but not /etc/passwd or "passwd file")
            "(?i)(?<![A-Za-z0-9/._-])(?:--?" + Redactor.KEYWORDS + "(?:=|\\s+)|(?:[A-Za-z0-9]+[_-])*"
                    + Redactor.KEYWORDS + "[=:])"
                    + "(?<secret>[^\\s\"']+)",
            "(?i)authorization:\\s*(?:bearer|basic|token)\\s+(?<secret>\\S+)",
            "://[^/\\s:@]+:(?<secret>[^@\\s/]+)@");

    private static final String KEYWORDS = "(?:password|passwd|pass|pwd|passphrase|token|secret|api[-_]?key"
            + "|access[-_]?key|client[-_]?secret|auth[-_]?token)";

    private static final byte[] MASK = {'*', '*', '*'};
    public static final Redactor NONE = new Redactor(List.of());

    /**
     * For each default pattern, words of which a text must contain one (ASCII case ignored) for the
     * pattern to match: most outputs contain none, and then the pattern is not run.
     */
    private static final ValueTest.Strings[] DEFAULT_TRIGGERS = {
        containsOneOf("pass", "pwd", "token", "secret", "key"),
        containsOneOf("authorization"),
        containsOneOf("://"),
    };

    private static ValueTest.Strings containsOneOf(String... words) {
        byte[][] w = new byte[words.length][];
        for (int i = 0; i < words.length; i++) {
            w[i] = words[i].getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        }
        return new ValueTest.Strings(ValueTest.StringOp.CONTAINS, w, true);
    }

    private final List<Pattern> patterns;
    private final boolean[] hasSecretGroup;
    /** Per pattern, the test its trigger words make, or null: always run. */
    private final ValueTest.Strings[] triggers;

    private Redactor(List<Pattern> patterns) {
        this.patterns = patterns;
        this.hasSecretGroup = new boolean[patterns.size()];
        this.triggers = new ValueTest.Strings[patterns.size()];
        for (int i = 0; i < patterns.size(); i++) {
            hasSecretGroup[i] = patterns.get(i).pattern().contains("(?<secret>");
            int d = DEFAULT_PATTERNS.indexOf(patterns.get(i).pattern());
            triggers[i] = d >= 0 ? DEFAULT_TRIGGERS[d] : null;
        }
    }

    /** A redactor of these patterns; a pattern that does not compile goes to {@code onError} and is skipped. */
    public static Redactor of(List<String> patterns, Consumer<String> onError) {
        List<Pattern> out = new ArrayList<>();
        for (String p : patterns) {
            try {
                out.add(Pattern.compile(RuleCompiler.latin1View(p)));
            } catch (PatternSyntaxException e) {
                onError.accept("bad secret pattern '" + p + "': " + e.getDescription());
            }
        }
        return new Redactor(out);
    }

    /** {@link #DEFAULT_PATTERNS} plus the given ones (errors dropped: check them with {@link #of}). */
    public static Redactor withDefaults(List<String> extra) {
        List<String> all = new ArrayList<>(DEFAULT_PATTERNS);
        all.addAll(extra);
        return of(all, e -> {});
    }

    /** Validates patterns, reporting each bad one as a {@link ConfigError} at the given position. */
    static void check(String pattern, String file, int line, int col, List<ConfigError> errors) {
        try {
            Pattern.compile(pattern);
        } catch (PatternSyntaxException e) {
            errors.add(new ConfigError(file, line, col, "bad secret pattern: " + e.getDescription()));
        }
    }

    public boolean isEmpty() {
        return patterns.isEmpty();
    }

    /** Masks secrets in {@code buf[from, length())} in place. */
    public void redact(ByteBuf buf, int from) {
        if (patterns.isEmpty()) {
            return;
        }
        ByteChars view = null; // now called once per value of an output: most meet no pattern's trigger
        ByteBuf tmp = null;
        for (int p = 0; p < patterns.size(); p++) {
            if (triggers[p] != null && !triggers[p].containsAny(buf.array(), from, buf.length() - from)) {
                continue;
            }
            if (view == null) {
                view = new ByteChars();
            }
            Matcher m = patterns.get(p).matcher(view.wrap(buf.array(), from, buf.length() - from));
            if (!m.find()) {
                continue;
            }
            if (tmp == null) {
                tmp = new ByteBuf(buf.length() + 16);
            }
            tmp.clear();
            int last = 0;
            byte[] a = buf.array();
            do {
                int s = hasSecretGroup[p] ? m.start("secret") : m.start();
                int e = hasSecretGroup[p] ? m.end("secret") : m.end();
                if (s < 0) {
                    continue;
                }
                tmp.put(a, from + last, s - last);
                tmp.put(MASK);
                last = e;
            } while (m.find());
            tmp.put(a, from + last, buf.length() - from - last);
            buf.setLength(from);
            buf.put(tmp.array(), 0, tmp.length());
        }
    }

    /**
     * Whether a secret these patterns find in {@code text[0, len)} overlaps {@code [from, to)}, a part of
     * the value {@code [valueFrom, valueTo)} (the value itself, or a chunk {@code a2[1]} of argument 2);
     * if so, appends {@code text[from, to)} to {@code out} with those secrets masked, one that starts the
     * value being all of the value, whichever part of it is shown. A value taken out of a longer text
     * (one argument of a command line) needs it: {@code --password s3cret} as two arguments shows nothing
     * secret in the second alone.
     */
    public boolean maskWithin(byte[] text, int len, int valueFrom, int valueTo, int from, int to, ByteBuf out) {
        List<int[]> spans = new ArrayList<>();
        for (int[] secret : secrets(text, len)) {
            int s = secret[0];
            // a secret that starts the value is all of it: "my secret", the argument after
            // --password, is one value though the pattern stops at its space
            int end = s == valueFrom ? Math.max(secret[1], valueTo) : secret[1];
            if (s < to && end > from) {
                spans.add(new int[] {Math.max(s, from), Math.min(end, to)});
            }
        }
        return writeMasked(text, from, to, spans, out);
    }

    /** Where the patterns find a secret (the secret group, else the whole match) in {@code text[0, len)}. */
    private List<int[]> secrets(byte[] text, int len) {
        List<int[]> out = new ArrayList<>();
        ByteChars view = new ByteChars();
        for (int p = 0; p < patterns.size(); p++) {
            if (triggers[p] != null && !triggers[p].containsAny(text, 0, len)) {
                continue;
            }
            Matcher m = patterns.get(p).matcher(view.wrap(text, 0, len));
            while (m.find()) {
                int s = hasSecretGroup[p] ? m.start("secret") : m.start();
                int e = hasSecretGroup[p] ? m.end("secret") : m.end();
                if (s >= 0 && s < e) {
                    out.add(new int[] {s, e});
                }
            }
        }
        return out;
    }

    /**
     * Masks the secrets these patterns find in a command line {@code text[0, len)} whose arguments begin
     * at {@code starts} (joined by one space each): a secret that starts an argument is all of that
     * argument, as {@link #maskWithin} has it for one. Appends the result to {@code out}; false, and
     * nothing appended, when there is no secret.
     */
    public boolean maskArguments(byte[] text, int len, List<Integer> starts, ByteBuf out) {
        List<int[]> spans = secrets(text, len);
        for (int[] span : spans) {
            int arg = java.util.Collections.binarySearch(starts, span[0]);
            if (arg >= 0) { // starts an argument: to its end (the space before the next, or the end)
                span[1] = Math.max(span[1], arg + 1 < starts.size() ? starts.get(arg + 1) - 1 : len);
            }
        }
        return writeMasked(text, 0, len, spans, out);
    }

    /**
     * Appends {@code text[from, to)} with each of {@code spans} (within it) replaced by the mask; spans that
     * overlap make one mask. False, and nothing appended, when there is no span.
     */
    private static boolean writeMasked(byte[] text, int from, int to, List<int[]> spans, ByteBuf out) {
        if (spans.isEmpty()) {
            return false;
        }
        spans.sort((x, y) -> Integer.compare(x[0], y[0]));
        int pos = from;
        for (int[] span : spans) {
            if (span[1] <= pos) {
                continue;
            }
            if (span[0] >= pos) {
                out.put(text, pos, span[0] - pos);
                out.put(MASK);
            }
            pos = span[1];
        }
        out.put(text, pos, to - pos);
        return true;
    }

    /** Convenience for cold paths: the redacted form of a string. */
    public String redact(String s) {
        ByteBuf b = new ByteBuf(s.length() + 16).putUtf8(s);
        redact(b, 0);
        return b.toUtf8String();
    }
}
