package io.auditalert.config;

import java.io.IOException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Optional;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.api.lowlevel.Compose;
import org.snakeyaml.engine.v2.exceptions.Mark;
import org.snakeyaml.engine.v2.exceptions.MarkedYamlEngineException;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;
import org.snakeyaml.engine.v2.nodes.MappingNode;
import org.snakeyaml.engine.v2.nodes.Node;
import org.snakeyaml.engine.v2.nodes.NodeTuple;
import org.snakeyaml.engine.v2.nodes.ScalarNode;
import org.snakeyaml.engine.v2.nodes.SequenceNode;

/**
 * One YAML file composed into a node tree that keeps source positions, plus the list its readers add
 * {@link ConfigError}s to. Reading never throws for bad content: syntax errors, wrong types and
 * unknown keys all become errors with file, line and column, so a caller can report every problem of
 * a file at once.
 *
 * <pre>
 *   List&lt;ConfigError&gt; errors = new ArrayList&lt;&gt;();
 *   YamlDoc doc = YamlDoc.load(path, errors);
 *   YamlNode root = doc.root();               // null when the file is empty or did not parse
 *   if (root != null &amp;&amp; root.checkKeys("workers", "ring")) {
 *       long workers = root.getLong("workers", 2);
 *       YamlNode ring = root.get("ring");       // null when absent
 *   }
 *   if (!errors.isEmpty()) ... // every problem, in file order of discovery
 * </pre>
 *
 * Positions are 1-based. {@link YamlNode#positionOf(int)} maps an offset inside a scalar's value back
 * to the source, so an error inside a string (a rule condition, say) points at the offending token.
 */
public final class YamlDoc {
    private final String file;
    private final List<ConfigError> errors;
    private final int[] source;
    private final YamlNode root;

    /** Lists and maps nested deeper than this are an error: no configuration or rules file needs a tenth of it. */
    static final int MAX_DEPTH = 64;

    private YamlDoc(String file, String text, List<ConfigError> errors) {
        this.file = file;
        this.errors = errors;
        String lf = withLineFeeds(text);
        this.source = lf.codePoints().toArray();
        this.root = compose(lf);
    }

    /**
     * The text with YAML's line breaks (CR LF, and a CR alone as old Mac editors write it) as LF: the
     * parser counts a lone CR as a line of its own, and so then does every position reported here.
     */
    static String withLineFeeds(String text) {
        return text.indexOf('\r') < 0 ? text : text.replace("\r\n", "\n").replace('\r', '\n');
    }

    /** snakeyaml-engine's default limit on a document's characters (code points). */
    private static final int CODE_POINT_LIMIT = 3 * 1024 * 1024;
    /** The most bytes {@link #CODE_POINT_LIMIT} characters of UTF-8 can take. */
    private static final int MAX_BYTES = 4 * CODE_POINT_LIMIT;

    /** Reads and composes a UTF-8 file; an unreadable file or bad bytes become an error at 1:1. */
    public static YamlDoc load(Path path, List<ConfigError> errors) {
        String name = path.toString();
        String refused = TrustedFiles.refusal(path);
        if (refused != null) {
            return unread(name, refused, errors);
        }
        byte[] bytes;
        try (java.io.InputStream in = Files.newInputStream(path)) {
            // read no more than the parser would take: a 3 GB file (or /dev/zero) ended in an
            // OutOfMemoryError and a stack trace before the parser's own limit could say anything
            bytes = in.readNBytes(MAX_BYTES + 1);
            if (bytes.length > MAX_BYTES) {
                return unread(name, "the file is larger than " + (MAX_BYTES >> 20) + " MiB; the YAML parser reads at most "
                        + CODE_POINT_LIMIT + " characters", errors);
            }
        } catch (java.nio.file.NoSuchFileException e) {
            return unread(name, "cannot read file: no such file", errors);
        } catch (java.nio.file.AccessDeniedException e) {
            return unread(name, "cannot read file: permission denied (run as root?)", errors);
        } catch (IOException e) {
            return unread(name, "cannot read file: " + e.getMessage(), errors);
        }
        // UTF-8 decodes to at most one UTF-16 unit per byte; where decoding stops is where the bad byte is
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length + 1);
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT).onUnmappableCharacter(CodingErrorAction.REPORT);
        java.nio.charset.CoderResult r = decoder.decode(java.nio.ByteBuffer.wrap(bytes), out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        if (r.isError()) {
            int line = 1;
            int col = 1;
            for (int i = 0; i < out.position(); i++) {
                char c = out.get(i);
                if (c == '\n' || c == '\r' && (i + 1 == out.position() || out.get(i + 1) != '\n')) {
                    line++;
                    col = 1;
                } else if (!Character.isLowSurrogate(c)) { // one column per character, not per UTF-16 unit
                    col++;
                }
            }
            errors.add(new ConfigError(name, line, col, "file is not valid UTF-8 (a Latin-1 editor?)"));
            return new YamlDoc(name, "", errors);
        }
        return new YamlDoc(name, out.flip().toString(), errors);
    }

    /** A document that could not be read: the error at 1:1, and nothing in it. */
    private static YamlDoc unread(String name, String message, List<ConfigError> errors) {
        errors.add(new ConfigError(name, 1, 1, message));
        return new YamlDoc(name, "", errors);
    }

    /** Composes text given in memory; {@code file} is the name errors carry. */
    public static YamlDoc parse(String file, String text, List<ConfigError> errors) {
        return new YamlDoc(file, text, errors);
    }

    public String file() {
        return file;
    }

    /** The errors list shared by everything read from this document. */
    public List<ConfigError> errors() {
        return errors;
    }

    /** The document's root node, or null when the file is empty or could not be parsed. */
    public YamlNode root() {
        return root;
    }

    /** Records an error at a 1-based position. */
    public void error(int line, int col, String message) {
        errors.add(new ConfigError(file, line, col, message));
    }

    int[] source() {
        return source;
    }

    private YamlNode compose(String text) {
        LoadSettings settings = LoadSettings.builder().setLabel(file).setUseMarks(true).build();
        try {
            Optional<Node> node = new Compose(settings).composeString(text);
            return node.filter(n -> height(n, 1, new IdentityHashMap<>()) >= 0).map(n -> new YamlNode(this, n)).orElse(null);
        } catch (StackOverflowError e) {
            // the parser recurses once per level of [ or {: a few thousand of them, closed or not, exhaust the stack
            error(1, 1, "YAML error: lists or maps nested deeper than the parser can follow (more than " + MAX_DEPTH
                    + " levels is an error)");
        } catch (MarkedYamlEngineException e) {
            // a quote or bracket never closed is found at the end of the file: where it opened says more
            boolean atEnd = e.getProblemMark().map(m -> m.getIndex() >= text.stripTrailing().length()).orElse(false);
            Optional<Mark> mark = e.getProblemMark().isPresent() && !(atEnd && e.getContextMark().isPresent())
                    ? e.getProblemMark() : e.getContextMark();
            int line = mark.map(m -> m.getLine() + 1).orElse(1);
            int col = mark.map(m -> m.getColumn() + 1).orElse(1);
            String problem = e.getProblem() != null ? e.getProblem() : e.getMessage();
            String context = e.getContext() != null ? e.getContext() + ": " : "";
            if (problem.startsWith("mapping values are not allowed here")) {
                // output: alert: {exe} ran -- a ': ' inside a plain value
                problem += " (a ': ' inside a value: put the whole value in quotes)";
            }
            error(line, col, "YAML syntax error: " + context + problem);
        } catch (YamlEngineException e) {
            String m = firstLine(e.getMessage());
            if (m.startsWith("Number of aliases for non-scalar nodes exceeds")) {
                // snakeyaml-engine's guard against a "billion laughs" file, which a few lines make huge
                m = "more than " + settings.getMaxAliasesForCollections() + " aliases (*name) of lists or maps in one"
                        + " file (a guard against alias bombs); write some of those values out, or split the file";
            } else {
                m = "YAML error: " + m;
            }
            error(1, 1, m);
        }
        return null;
    }

    private static final int ON_PATH = 0;

    /**
     * The levels from {@code n}, at {@code depth} (1 for the root), down to its deepest scalar (1 for a
     * scalar), or -1 when the readers cannot walk the tree: nested deeper than {@link #MAX_DEPTH},
     * aliases resolved, or an alias inside the value it names ({@code &s [*s]}, which snakeyaml
     * composes into a cycle). Also reports, without refusing the tree, a scalar with a lone UTF-16
     * surrogate (a {@code "\ud800"} escape), which is no character and has no UTF-8 form.
     * {@code heights} keeps each node's (ON_PATH while it is being walked), so a node an alias repeats
     * is walked once and an alias bomb costs nothing.
     */
    private int height(Node n, int depth, IdentityHashMap<Node, Integer> heights) {
        Integer known = heights.get(n);
        if (known != null) {
            if (known == ON_PATH) {
                new YamlNode(this, n).error("an alias (*name) inside the value it names: the value would never end");
                return -1;
            }
            if (depth + known - 1 > MAX_DEPTH) {
                new YamlNode(this, n).error("lists or maps nested deeper than " + MAX_DEPTH + " levels (through an alias)");
                return -1;
            }
            return known;
        }
        if (depth > MAX_DEPTH) {
            new YamlNode(this, n).error("lists or maps nested deeper than " + MAX_DEPTH + " levels");
            return -1;
        }
        if (n instanceof ScalarNode scalar) {
            int at = loneSurrogate(scalar.getValue());
            if (at >= 0) {
                new YamlNode(this, n).errorAt(at, "a lone UTF-16 surrogate (\\u" + Integer.toHexString(scalar.getValue().charAt(at))
                        + ") is no character: write the character itself, or its \\U form with all eight digits");
            }
            heights.put(n, 1);
            return 1;
        }
        heights.put(n, ON_PATH);
        List<Node> children = new ArrayList<>();
        if (n instanceof SequenceNode seq) {
            children.addAll(seq.getValue());
        } else if (n instanceof MappingNode map) {
            for (NodeTuple t : map.getValue()) {
                children.add(t.getKeyNode());
                children.add(t.getValueNode());
            }
        }
        int below = 0;
        for (Node child : children) {
            int h = height(child, depth + 1, heights);
            if (h < 0) {
                return -1;
            }
            below = Math.max(below, h);
        }
        heights.put(n, below + 1);
        return below + 1;
    }

    /**
     * The index of the first surrogate of {@code s} that is not half of a pair, or -1: such a string
     * (from a {@code "\ud800"} escape) has no UTF-8 form.
     */
    public static int loneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++;
            } else if (Character.isSurrogate(c)) {
                return i;
            }
        }
        return -1;
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "unreadable YAML";
        }
        int nl = s.indexOf('\n');
        return nl < 0 ? s : s.substring(0, nl);
    }

    /** All errors in one list, for callers that load several documents. */
    public static List<ConfigError> newErrorList() {
        return new ArrayList<>();
    }
}
