package io.auditalert.rules;

import java.util.Map;
import java.util.regex.Pattern;

/** Shell-style patterns, for {@code glob} in conditions and for the rule names a sink takes. */
public final class Glob {
    private Glob() {
    }

    /**
     * fnmatch(3) without flags, as a regular expression: {@code *} any run of characters (slashes
     * included), {@code ?} one character, {@code [...]} a class ({@code [!...]} or {@code [^...]}
     * negated, {@code a-z} ranges, a leading {@code ]} a member, {@code [:alpha:]} and the other POSIX
     * classes), {@code \} makes the next character literal; a {@code [} with no closing {@code ]} is
     * literal. Over a latin1 view of UTF-8 text, characters are bytes.
     *
     * @throws IllegalArgumentException for a range whose ends are out of order or an unknown class name
     */
    public static String toRegex(String g) {
        // Every token but * takes one character, so each run between stars can match at the first place
        // it fits: the runs are atomic groups ((?>.*?run)), and only the last is fitted to the end. As
        // plain .* a three-star glob backtracked cubically ("*x*x*y*" over 324 bytes gave up, and the
        // rule alerted as for a runaway regular expression).
        StringBuilder sb = new StringBuilder();
        int lastStar = -1; // where the last star's group starts in sb: made a plain .* at the end
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            int end = c == '[' ? classEnd(g, i) : -1;
            if (c == '*') {
                if (lastStar >= 0) {
                    sb.append(')');
                }
                lastStar = sb.length();
                sb.append(ATOMIC_RUN);
            } else if (c == '?') {
                sb.append('.');
            } else if (c == '\\' && i + 1 < g.length()) {
                sb.append(Pattern.quote(String.valueOf(g.charAt(++i))));
            } else if (end > 0) {
                appendClass(g, i + 1, end, sb);
                i = end;
            } else {
                sb.append(Pattern.quote(String.valueOf(c)));
            }
        }
        if (lastStar >= 0) {
            sb.replace(lastStar, lastStar + ATOMIC_RUN.length(), ".*"); // the last run is fitted to the end
        }
        return sb.toString();
    }

    private static final String ATOMIC_RUN = "(?>.*?";

    /**
     * What is almost certainly a mistake in a condition's glob, though fnmatch would take it: a
     * {@code [} that no {@code ]} closes (a literal [ to fnmatch, a typo in a rule), or a regular
     * expression's anchors ({@code ^/tmp/.*$}), which a glob compares as characters. Null when none.
     * ({@code \[}, {@code \^} and {@code \$} write those characters.)
     */
    public static String likelyMistake(String g) {
        if (g.startsWith("^") || g.endsWith("$") && !g.endsWith("\\$")) {
            return "a glob matches the whole value and '^' and '$' are characters in it; for a regular expression"
                    + " use matches";
        }
        for (int i = 0; i < g.length(); i++) {
            char c = g.charAt(i);
            if (c == '\\') {
                i++;
            } else if (c == '[') {
                int end = classEnd(g, i);
                if (end < 0) {
                    return "the '[' at " + (i + 1) + " opens a class that no ']' closes (write \\[ for the character)";
                }
                i = end;
            }
        }
        return null;
    }

    /** The index of the ] that closes the class opened at {@code open}, or -1 (then [ is literal). */
    private static int classEnd(String g, int open) {
        int i = open + 1;
        if (i < g.length() && (g.charAt(i) == '!' || g.charAt(i) == '^')) {
            i++;
        }
        if (i < g.length() && g.charAt(i) == ']') {
            i++; // a leading ] is a member
        }
        while (i < g.length()) {
            char c = g.charAt(i);
            if (c == ']') {
                return i;
            }
            int posix = posixEnd(g, i, g.length());
            if (c == '\\' && i + 1 < g.length()) {
                i += 2;
            } else if (posix > 0) {
                i = posix;
            } else {
                i++;
            }
        }
        return -1;
    }

    /**
     * The index after a {@code [:name:]} at {@code i} ending by {@code limit}, or -1: then its [ is an
     * ordinary member ({@code [[:]} and {@code [[:a]} are classes of [, : and a, as for fnmatch).
     */
    private static int posixEnd(String g, int i, int limit) {
        if (g.charAt(i) != '[' || i + 1 >= limit || g.charAt(i + 1) != ':') {
            return -1;
        }
        int j = i + 2;
        while (j < limit && Character.isLetter(g.charAt(j))) {
            j++;
        }
        return j > i + 2 && j + 1 < limit && g.charAt(j) == ':' && g.charAt(j + 1) == ']' ? j + 2 : -1;
    }

    private static final Map<String, String> POSIX_CLASSES = Map.ofEntries(Map.entry("alpha", "\\p{Alpha}"),
            Map.entry("digit", "\\p{Digit}"), Map.entry("alnum", "\\p{Alnum}"), Map.entry("upper", "\\p{Upper}"),
            Map.entry("lower", "\\p{Lower}"), Map.entry("space", "\\p{Space}"), Map.entry("blank", "\\p{Blank}"),
            Map.entry("punct", "\\p{Punct}"), Map.entry("xdigit", "\\p{XDigit}"), Map.entry("cntrl", "\\p{Cntrl}"),
            Map.entry("print", "\\p{Print}"), Map.entry("graph", "\\p{Graph}"));

    /** Appends the class {@code g[from, end)} (the text between [ and ]) with every member literal. */
    private static void appendClass(String g, int from, int end, StringBuilder sb) {
        sb.append('[');
        int i = from;
        if (g.charAt(i) == '!' || g.charAt(i) == '^') {
            sb.append('^');
            i++;
        }
        while (i < end) {
            char c = g.charAt(i);
            int posix = posixEnd(g, i, end);
            if (posix > 0) {
                String name = g.substring(i + 2, posix - 2);
                String cls = POSIX_CLASSES.get(name);
                if (cls == null) {
                    throw new IllegalArgumentException("unknown character class [:" + name + ":] in glob");
                }
                sb.append(cls);
                i = posix;
                continue;
            }
            if (c == '\\' && i + 1 < end) {
                c = g.charAt(++i);
            }
            i++;
            if (i + 1 < end && g.charAt(i) == '-') { // a range c-d (a - at the end is a member)
                char d = g.charAt(i + 1);
                int next = i + 2;
                if (d == '\\' && i + 2 < end) {
                    d = g.charAt(i + 2);
                    next = i + 3;
                }
                if (d < c) {
                    throw new IllegalArgumentException("range " + c + "-" + d + " is out of order in glob");
                }
                appendMember(c, sb);
                sb.append('-');
                appendMember(d, sb);
                i = next;
            } else {
                appendMember(c, sb);
            }
        }
        sb.append(']');
    }

    private static void appendMember(char c, StringBuilder sb) {
        if ("\\[]^-&".indexOf(c) >= 0) {
            sb.append('\\');
        }
        sb.append(c);
    }
}
