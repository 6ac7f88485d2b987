package io.auditalert.rules;

import io.auditalert.config.ConfigError;
import io.auditalert.parse.ByteBuf;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Masks secrets in the values an alert's output puts in with {@code ***}: those {@link BuiltInSecrets}
 * finds ({@code --password=…}, tokens, URL passwords, authorization headers, a few commands' password
 * options), and those of the patterns rules files ({@code - secret_patterns: [...]}) and the
 * configuration ({@code redact:}) add. A pattern is a Java regular expression; when it has a named
 * group {@code secret} that took part in the match, only that group is masked, otherwise the whole
 * match. Patterns see the value's characters (UTF-8 decoded, case folded as {@code (?i)} says for
 * any letter), as rule regexes do.
 *
 * <p>A pattern that gives up on a value (too many steps, or a stack too deep) masks all of that value:
 * the alert goes out, and nothing the pattern was meant to hide is shown.
 *
 * <p>Thread-safe: each call uses its own matchers (alerts are rare next to events, so this allocates).
 */
public final class Redactor {
    private static final Logger LOG = LoggerFactory.getLogger(Redactor.class);
    private static final byte[] MASK = {'*', '*', '*'};
    /** Masks nothing, not even the built-in secrets (for tests and for outputs that carry none). */
    public static final Redactor NONE = new Redactor(false, List.of());
    private static final long GAVE_UP_LOG_NANOS = 60_000_000_000L;
    private static volatile long gaveUpLoggedAt;

    /** A user's pattern, as run over ASCII values (one char per byte) and over decoded ones. */
    private record UserPattern(String text, Pattern bytes, Pattern chars, boolean hasSecretGroup) {}

    private final boolean builtIns;
    private final List<UserPattern> patterns;

    private Redactor(boolean builtIns, List<UserPattern> patterns) {
        this.builtIns = builtIns;
        this.patterns = patterns;
    }

    /**
     * The built-in secrets and these patterns; a pattern that does not compile goes to {@code onError}
     * and is skipped.
     */
    public static Redactor of(List<String> patterns, Consumer<String> onError) {
        List<UserPattern> out = new ArrayList<>();
        for (String p : patterns) {
            try {
                out.add(new UserPattern(p, Pattern.compile(RuleCompiler.latin1View(p)),
                        Pattern.compile(p, Pattern.UNICODE_CASE), p.contains("(?<secret>")));
            } catch (PatternSyntaxException e) {
                onError.accept("bad secret pattern '" + p + "': " + e.getDescription());
            }
        }
        return new Redactor(true, out);
    }

    /** The built-in secrets plus the given patterns (errors dropped: check them with {@link #of}). */
    public static Redactor withDefaults(List<String> extra) {
        return of(extra, e -> {});
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
        return !builtIns && patterns.isEmpty();
    }

    /** Masks secrets in {@code buf[from, length())} in place. */
    public void redact(ByteBuf buf, int from) {
        if (isEmpty()) {
            return;
        }
        List<int[]> spans = secrets(buf.array(), from, buf.length());
        if (spans.isEmpty()) {
            return;
        }
        ByteBuf masked = new ByteBuf(buf.length() - from + 16);
        writeMasked(buf.array(), from, buf.length(), spans, masked);
        buf.setLength(from);
        buf.put(masked.array(), 0, masked.length());
    }

    /**
     * Whether a secret found in {@code text[0, len)} overlaps {@code [from, to)}, a part of the value
     * {@code [valueFrom, valueTo)} (the value itself, or a chunk {@code a2[1]} of argument 2); if so,
     * appends {@code text[from, to)} to {@code out} with those secrets masked. A secret whose owner
     * (see {@link BuiltInSecrets}) starts the value is all of the value, whichever part of it is shown:
     * {@code --password=my secret} as one argument, or {@code my secret} after {@code --password}.
     * A value taken out of a longer text (one argument
     * of a command line) needs it: {@code --password s3cret} as two arguments shows nothing secret in
     * the second alone.
     */
    public boolean maskWithin(byte[] text, int len, int valueFrom, int valueTo, int from, int to, ByteBuf out) {
        List<int[]> spans = new ArrayList<>();
        for (int[] secret : secrets(text, 0, len)) {
            int s = secret[0];
            int end = secret[2] == valueFrom ? Math.max(secret[1], valueTo) : secret[1];
            if (s < to && end > from) {
                spans.add(new int[] {Math.max(s, from), Math.min(end, to)});
            }
        }
        return writeMasked(text, from, to, spans, out);
    }

    /**
     * Masks the secrets found in a command line {@code text[0, len)} whose arguments begin at
     * {@code starts} (joined by one space each): a secret whose owner starts an argument is all of that
     * argument, as {@link #maskWithin} has it for one (a user's pattern owns nothing). Appends the
     * result to {@code out}; false, and nothing appended, when there is no secret.
     */
    public boolean maskArguments(byte[] text, int len, List<Integer> starts, ByteBuf out) {
        List<int[]> spans = secrets(text, 0, len);
        for (int[] span : spans) {
            int arg = span[2] >= 0 ? java.util.Collections.binarySearch(starts, span[2]) : -1;
            if (arg >= 0) { // to the argument's end (the space before the next, or the end)
                span[1] = Math.max(span[1], arg + 1 < starts.size() ? starts.get(arg + 1) - 1 : len);
            }
        }
        return writeMasked(text, 0, len, spans, out);
    }

    /**
     * Where secrets are in {@code text[from, to)}: {@code {start, end, owner}} each (see
     * {@link BuiltInSecrets}); all of it when a pattern gave up.
     */
    private List<int[]> secrets(byte[] text, int from, int to) {
        List<int[]> out = new ArrayList<>();
        try {
            if (builtIns) {
                BuiltInSecrets.find(text, from, to, out);
            }
            if (!patterns.isEmpty()) {
                userSecrets(text, from, to, out);
            }
        } catch (RuntimeException | StackOverflowError e) {
            // a runaway pattern (or a fault) must neither show the value nor lose the alert
            out.clear();
            out.add(new int[] {from, to, -1});
            long now = System.nanoTime();
            if (gaveUpLoggedAt == 0 || now - gaveUpLoggedAt > GAVE_UP_LOG_NANOS) {
                gaveUpLoggedAt = now;
                LOG.warn("a secret pattern gave up on a value of {} bytes ({}); the whole value is masked "
                        + "(logged at most once a minute)", to - from, e instanceof StackOverflowError
                                ? "its stack grew too deep" : e.getMessage());
            }
        }
        return out;
    }

    private void userSecrets(byte[] text, int from, int to, List<int[]> out) {
        boolean ascii = ByteChars.isAscii(text, from, to - from);
        String decoded = ascii ? null : strictUtf8(text, from, to);
        if (decoded == null) { // ASCII (its bytes are its characters), or not UTF-8: a char per byte
            ByteChars view = new ByteChars();
            for (UserPattern p : patterns) {
                Matcher m = (ascii ? p.chars() : p.bytes()).matcher(view.wrap(text, from, to - from));
                while (m.find()) {
                    addMatch(m, p, null, from, out);
                }
            }
            return;
        }
        int[] byteAt = charOffsets(decoded, from);
        ByteChars.Decoded view = new ByteChars.Decoded();
        for (UserPattern p : patterns) {
            Matcher m = p.chars().matcher(view.wrap(decoded, to - from));
            while (m.find()) {
                addMatch(m, p, byteAt, from, out);
            }
        }
    }

    /** Adds the secret group of a match, or all of it when the group took no part; nothing when empty. */
    private static void addMatch(Matcher m, UserPattern p, int[] byteAt, int from, List<int[]> out) {
        int s = m.start();
        int e = m.end();
        if (p.hasSecretGroup() && m.start("secret") >= 0) {
            s = m.start("secret");
            e = m.end("secret");
        }
        if (s < e) {
            out.add(byteAt == null ? new int[] {from + s, from + e, -1} : new int[] {byteAt[s], byteAt[e], -1});
        }
    }

    /** {@code text[from, to)} decoded as UTF-8, or null when it is not UTF-8. */
    private static String strictUtf8(byte[] text, int from, int to) {
        try {
            return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(text, from, to - from)).toString();
        } catch (CharacterCodingException e) {
            return null;
        }
    }

    /**
     * The byte offset, in the text it was decoded from at {@code from}, of each char of {@code decoded}
     * and of its end (a supplementary character's two chars both start at its first byte).
     */
    private static int[] charOffsets(String decoded, int from) {
        int[] at = new int[decoded.length() + 1];
        int pos = from;
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            at[i] = pos;
            if (Character.isHighSurrogate(c) && i + 1 < decoded.length()) {
                at[++i] = pos;
                pos += 4;
            } else {
                pos += c < 0x80 ? 1 : c < 0x800 ? 2 : 3;
            }
        }
        at[decoded.length()] = pos;
        return at;
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
            int s = Math.max(span[0], from);
            int e = Math.min(span[1], to);
            if (e <= pos || s >= e) {
                continue;
            }
            if (s >= pos) {
                out.put(text, pos, s - pos);
                out.put(MASK);
            }
            pos = e;
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
