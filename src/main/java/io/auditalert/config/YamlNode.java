package io.auditalert.config;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.snakeyaml.engine.v2.common.ScalarStyle;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;
import org.snakeyaml.engine.v2.nodes.Tag;

/**
 * A node of a {@link YamlDoc} with its source position and typed, error-recording accessors. Every
 * accessor that meets a value of the wrong shape records a {@link ConfigError} at the value's position
 * and returns the given default (or null / an empty list), so reading goes on and all problems of a
 * file are reported together.
 *
 * <p>Values: {@code getString} accepts any scalar; {@code getBool} takes {@code true}/{@code false};
 * {@code getLong} a decimal integer; {@code getDurationMillis} a number with a unit ({@code 500ms},
 * {@code 2s}, {@code 1m}, {@code 1h}, {@code 1d}); {@code getBytes} a number with an optional unit
 * ({@code B}, {@code KiB}, {@code MiB}, {@code GiB}, also {@code KB}/{@code MB}/{@code GB} as powers of
 * 1000).
 */
public final class YamlNode {
    private final YamlDoc doc;
    private final Node node;

    YamlNode(YamlDoc doc, Node node) {
        this.doc = doc;
        this.node = node;
    }

    public YamlDoc doc() {
        return doc;
    }

    /** 1-based line where the node starts. */
    public int line() {
        return node.getStartMark().map(m -> m.getLine() + 1).orElse(1);
    }

    /** 1-based column where the node starts (for a quoted scalar: the opening quote). */
    public int col() {
        return node.getStartMark().map(m -> m.getColumn() + 1).orElse(1);
    }

    public boolean isMap() {
        return node instanceof MappingNode;
    }

    public boolean isSeq() {
        return node instanceof SequenceNode;
    }

    public boolean isScalar() {
        return node instanceof ScalarNode;
    }

    /** An explicit null: {@code ~}, {@code null}, or nothing after the colon. */
    public boolean isNull() {
        return node instanceof ScalarNode s && s.isPlain()
                && (Tag.NULL.equals(s.getTag()) || s.getValue().isEmpty() || s.getValue().equals("~")
                        || s.getValue().equals("null"));
    }

    /**
     * A tag written in the file ({@code !key} of {@code condition: !key exists}, which YAML reads as a
     * tag, not as the start of the value), or null.
     */
    public String localTag() {
        String t = node.getTag().getValue();
        return t.startsWith("!") && !t.startsWith("!!") ? t : null;
    }

    /** The scalar's text, or null for a mapping or sequence. */
    public String text() {
        return node instanceof ScalarNode s ? s.getValue() : null;
    }

    /** The scalar's style: plain, single or double quoted, literal ({@code |}) or folded ({@code >}). */
    public ScalarStyle style() {
        return node instanceof ScalarNode s ? s.getScalarStyle() : null;
    }

    /** Records an error at this node's start. */
    public void error(String message) {
        doc.error(line(), col(), message);
    }

    /** Records an error at the character {@code offset} (UTF-16 index) of this scalar's value. */
    public void errorAt(int offset, String message) {
        int[] pos = positionOf(offset);
        doc.error(pos[0], pos[1], message);
    }

    /**
     * The 1-based {line, column} of the character at {@code offset} (a UTF-16 index into
     * {@link #text()}), for any scalar style. The value is matched against the source between the
     * node's start and end marks: each value character is found at the next source position holding
     * the same character, skipping what YAML removed (quotes, indentation, line breaks, escape
     * backslashes). That is exact for plain, single- and double-quoted scalars on one or several lines
     * and for literal ({@code |}) and folded ({@code >}) block scalars, whose content lines keep their
     * own line numbers and columns after the indentation. An escape that stands for another character
     * ({@code \n}, {@code \x41} and its u and U forms) is decoded and matched as the one character it
     * is, at its backslash.
     */
    public int[] positionOf(int offset) {
        String value = text();
        Mark start = node.getStartMark().orElse(null);
        if (value == null || start == null) {
            return new int[] {line(), col()};
        }
        int[] src = doc.source();
        int end = node.getEndMark().map(Mark::getIndex).orElse(src.length);
        int targetCp = value.codePointCount(0, Math.max(0, Math.min(offset, value.length())));
        int[] cps = value.codePoints().toArray();
        Cursor at = new Cursor(src, start.getIndex(), start.getLine(), start.getColumn());
        if (style() == ScalarStyle.DOUBLE_QUOTED || style() == ScalarStyle.SINGLE_QUOTED) {
            at.advance(1, end); // the opening quote
        }
        boolean doubleQuoted = style() == ScalarStyle.DOUBLE_QUOTED;
        for (int k = 0; k < cps.length && at.i < end; k++) {
            int width = 1; // source characters of the value's character k
            while (at.i < end) {
                int i = at.i;
                if (doubleQuoted && src[i] == '\\' && i + 1 < end && src[i + 1] != '\n'
                        && changingEscape(src, i, end) == 0) {
                    at.advance(1, end); // \" \\ \/: the backslash goes, the next character is the value's as it is
                    if (src[at.i] == cps[k]) {
                        break;
                    }
                    at.advance(1, end);
                    continue;
                }
                int escaped = doubleQuoted && src[i] == '\\' ? changingEscape(src, i, end) : 0;
                if (escaped > 0) { // \t, \xe9: one character written as several
                    if (decode(src, i, escaped) == cps[k]) {
                        width = escaped;
                        break;
                    }
                } else if (src[i] == cps[k]) {
                    break;
                }
                at.advance(Math.max(1, escaped), end);
            }
            if (at.i >= end) {
                break;
            }
            if (k == targetCp) {
                return new int[] {at.line + 1, at.column + 1};
            }
            at.advance(width, end);
        }
        if (targetCp >= cps.length && at.i <= end) {
            return new int[] {at.line + 1, at.column + 1};
        }
        // matching lost track: fall back to start column + offset on the first line
        return new int[] {line(), col() + targetCp + (style() == ScalarStyle.PLAIN ? 0 : 1)};
    }

    /** A position in the source: index, and 0-based line and column. */
    private static final class Cursor {
        private final int[] src;
        int i;
        int line;
        int column;

        Cursor(int[] src, int i, int line, int column) {
            this.src = src;
            this.i = i;
            this.line = line;
            this.column = column;
        }

        /** Steps over n source characters (fewer at {@code end}), counting lines. */
        void advance(int n, int end) {
            for (; n > 0 && i < end; n--, i++) {
                if (src[i] == '\n') {
                    line++;
                    column = 0;
                } else {
                    column++;
                }
            }
        }
    }

    /**
     * The length in the source of a double-quoted escape at {@code i} that stands for another character
     * than the one after its backslash ({@code \t}, {@code \n}, {@code \xNN} and its u and U forms,
     * …), or 0 ({@code \"}, {@code \\}, {@code \/} and an escaped line break,
     * which the matching steps over as it is).
     */
    private static int changingEscape(int[] src, int i, int end) {
        if (i + 1 >= end) {
            return 0;
        }
        int hex = switch (src[i + 1]) {
            case 'x' -> 2;
            case 'u' -> 4;
            case 'U' -> 8;
            default -> -1;
        };
        if (hex > 0) {
            return i + 2 + hex <= end ? 2 + hex : 0;
        }
        return "0abtnvfreN_LP\t".indexOf(src[i + 1]) >= 0 ? 2 : 0;
    }

    /** The character the escape of {@code len} source characters at {@code i} stands for. */
    private static int decode(int[] src, int i, int len) {
        if (len > 2) {
            int cp = 0;
            for (int j = i + 2; j < i + len; j++) {
                int d = Character.digit(src[j], 16);
                if (d < 0) {
                    return -1;
                }
                cp = cp * 16 + d;
            }
            return cp;
        }
        return switch (src[i + 1]) {
            case '0' -> 0;
            case 'a' -> 7;
            case 'b' -> 8;
            case 't', '\t' -> '\t';
            case 'n' -> '\n';
            case 'v' -> 11;
            case 'f' -> 12;
            case 'r' -> '\r';
            case 'e' -> 0x1b;
            case 'N' -> 0x85;
            case '_' -> 0xa0;
            case 'L' -> 0x2028;
            case 'P' -> 0x2029;
            default -> -1;
        };
    }

    // ---- sequences ----

    /** The items of a sequence; records "expected a list" and returns none when this is not one. */
    public List<YamlNode> items() {
        if (node instanceof SequenceNode s) {
            List<YamlNode> out = new ArrayList<>(s.getValue().size());
            for (Node n : s.getValue()) {
                out.add(new YamlNode(doc, n));
            }
            return out;
        }
        error("expected a list");
        return Collections.emptyList();
    }

    /** A sequence of scalars as strings; a lone scalar counts as a list of one. */
    public List<String> stringList() {
        if (node instanceof ScalarNode) {
            return isNull() ? List.of() : List.of(text());
        }
        List<String> out = new ArrayList<>();
        for (YamlNode item : items()) {
            if (item.isScalar()) {
                out.add(item.text());
            } else {
                item.error("expected a string");
            }
        }
        return out;
    }

    // ---- mappings ----

    /** The keys of a mapping in file order; records "expected a mapping" and returns none otherwise. */
    public List<String> keys() {
        if (!(node instanceof MappingNode m)) {
            error("expected a mapping");
            return Collections.emptyList();
        }
        List<String> out = new ArrayList<>();
        for (NodeTuple t : m.getValue()) {
            out.add(t.getKeyNode() instanceof ScalarNode k ? k.getValue() : "");
        }
        return out;
    }

    /**
     * Reports every key that is not in {@code allowed}, every duplicate key and every non-scalar key,
     * each at the key's position. Returns false when this is not a mapping or something was reported.
     */
    public boolean checkKeys(String... allowed) {
        if (!(node instanceof MappingNode m)) {
            error("expected a mapping");
            return false;
        }
        Set<String> ok = new HashSet<>(Arrays.asList(allowed));
        Set<String> seen = new HashSet<>();
        boolean clean = true;
        for (NodeTuple t : m.getValue()) {
            YamlNode key = new YamlNode(doc, t.getKeyNode());
            String name = key.text();
            if (name == null) {
                key.error("a key must be a plain string");
                clean = false;
            } else if (name.equals("<<") && t.getKeyNode() instanceof ScalarNode k && k.isPlain()) {
                key.error("a YAML merge key (<<) is not supported here: write the keys out");
                clean = false;
            } else if (!ok.contains(name)) {
                key.error("unknown key '" + name + "'" + suggestion(name, allowed));
                clean = false;
            } else if (!seen.add(name)) {
                key.error("duplicate key '" + name + "'");
                clean = false;
            }
        }
        return clean;
    }

    /** Reports every key of this mapping that appears twice, at its second place (a later one would win unseen). */
    public void checkDuplicateKeys() {
        if (!(node instanceof MappingNode m)) {
            return;
        }
        Set<String> seen = new HashSet<>();
        for (NodeTuple t : m.getValue()) {
            YamlNode key = new YamlNode(doc, t.getKeyNode());
            if (key.text() != null && !seen.add(key.text())) {
                key.error("duplicate key '" + key.text() + "'");
            }
        }
    }

    private static String suggestion(String name, String[] allowed) {
        return allowed.length == 0 ? "" : " (expected one of: " + String.join(", ", allowed) + ")";
    }

    public boolean has(String key) {
        return get(key) != null;
    }

    /** The value under {@code key}, or null when absent (or when this is not a mapping). */
    public YamlNode get(String key) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return new YamlNode(doc, t.getValueNode());
                }
            }
        }
        return null;
    }

    /** The key node of {@code key} (for errors that should point at the key), or null. */
    public YamlNode keyNode(String key) {
        if (node instanceof MappingNode m) {
            for (NodeTuple t : m.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return new YamlNode(doc, k);
                }
            }
        }
        return null;
    }

    /** A required value: records "missing required key" at this mapping and returns null when absent. */
    public YamlNode require(String key) {
        YamlNode v = get(key);
        if (v == null || v.isNull()) {
            if (v == null) {
                error("missing required key '" + key + "'");
            } else {
                v.error("'" + key + "' must not be empty");
            }
            return null;
        }
        return v;
    }

    public String getString(String key, String dflt) {
        YamlNode v = get(key);
        return v == null || v.isNull() ? dflt : v.asString(dflt);
    }

    public boolean getBool(String key, boolean dflt) {
        YamlNode v = get(key);
        return v == null || v.isNull() ? dflt : v.asBool(dflt);
    }

    public long getLong(String key, long dflt) {
        YamlNode v = get(key);
        return v == null || v.isNull() ? dflt : v.asLong(dflt);
    }

    public long getDurationMillis(String key, long dflt) {
        YamlNode v = get(key);
        return v == null || v.isNull() ? dflt : v.asDurationMillis(dflt);
    }

    public long getBytes(String key, long dflt) {
        YamlNode v = get(key);
        return v == null || v.isNull() ? dflt : v.asBytes(dflt);
    }

    /** A list of strings under {@code key} (a lone scalar counts as one), empty when absent. */
    public List<String> getStringList(String key) {
        YamlNode v = get(key);
        return v == null || v.isNull() ? List.of() : v.stringList();
    }

    // ---- scalar conversions ----

    public String asString(String dflt) {
        if (isScalar()) {
            return text();
        }
        error("expected a string");
        return dflt;
    }

    public boolean asBool(boolean dflt) {
        String t = isScalar() ? text() : null;
        if ("true".equals(t)) {
            return true;
        }
        if ("false".equals(t)) {
            return false;
        }
        error("expected true or false");
        return dflt;
    }

    public long asLong(long dflt) {
        String t = isScalar() ? text().trim() : null;
        if (t != null) {
            try {
                return Long.parseLong(t.replace("_", ""));
            } catch (NumberFormatException e) {
                // reported below
            }
        }
        error("expected an integer");
        return dflt;
    }

    public long asDurationMillis(long dflt) {
        // units in lower case only, as Prometheus writes them: 1M could as well be a month as a minute
        String t = isScalar() ? text().trim() : "";
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i > 0 && i <= 15) {
            long n = Long.parseLong(t.substring(0, i));
            long unit = switch (t.substring(i).trim()) {
                case "ms" -> 1;
                case "s" -> 1000;
                case "m" -> 60_000;
                case "h" -> 3_600_000;
                case "d" -> 86_400_000;
                case "w" -> 7 * 86_400_000L;
                default -> -1;
            };
            if (unit > 0 && n <= Long.MAX_VALUE / unit) {
                return n * unit;
            }
        }
        error("expected a duration such as 500ms, 2s, 1m, 1h, 1d or 1w (units in lower case)");
        return dflt;
    }

    public long asBytes(long dflt) {
        String t = isScalar() ? text().trim() : "";
        int i = 0;
        while (i < t.length() && Character.isDigit(t.charAt(i))) {
            i++;
        }
        if (i > 0 && i <= 15) {
            long n = Long.parseLong(t.substring(0, i));
            long unit = switch (t.substring(i).trim()) {
                case "", "B" -> 1L;
                case "KiB" -> 1L << 10;
                case "MiB" -> 1L << 20;
                case "GiB" -> 1L << 30;
                case "KB", "kB" -> 1000L;
                case "MB" -> 1000_000L;
                case "GB" -> 1000_000_000L;
                default -> -1L;
            };
            if (unit > 0 && n <= Long.MAX_VALUE / unit) {
                return n * unit;
            }
        }
        error("expected a size such as 4096, 64KiB or 64MiB");
        return dflt;
    }
}
