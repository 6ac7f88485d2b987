package io.auditalert.rules;

import io.auditalert.alert.Severity;
import io.auditalert.config.ConfigError;
import io.auditalert.config.YamlDoc;
import io.auditalert.config.YamlNode;
import io.auditalert.metrics.RuleStats;
import io.auditalert.metrics.Telemetry;
import io.auditalert.rules.ConditionParser.Kind;
import io.auditalert.rules.ConditionParser.Token;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.snakeyaml.engine.v2.common.ScalarStyle;

/**
 * Loads rules files (DESIGN §3.3) into a {@link RuleSet}. A file is a YAML list whose items are
 * {@code - list:}, {@code - macro:}, {@code - rule:} or {@code - secret_patterns:} mappings. Files are
 * read in order; a list, macro or rule defined again in a later file replaces the earlier definition
 * and adds a warning; defined twice in one file, it is an error. Macros and lists may be used before
 * they are defined.
 *
 * <p>All errors of all files are collected; the result holds either a rule set or the errors, never a
 * partial set, so a caller that reloads keeps its old set when the new files are broken. Error
 * positions point at the offending token; inside a condition or output string the column is mapped
 * through {@link YamlNode#positionOf}, exact for plain, quoted and block ({@code |}, {@code >})
 * scalars.
 */
public final class RuleLoader {
    /** What {@link #load} produced: a rule set, or the errors; warnings either way. */
    public record Result(RuleSet ruleSet, List<ConfigError> errors, List<ConfigError> warnings) {
        public boolean ok() {
            return ruleSet != null;
        }
    }

    /**
     * The errors by file (in the order files were read), then line and column: they are found in passes
     * (every item's keys first, then the conditions), and a reader goes down the file.
     */
    static List<ConfigError> inFileOrder(List<ConfigError> errors) {
        Map<String, Integer> fileOrder = new HashMap<>();
        for (ConfigError e : errors) {
            fileOrder.putIfAbsent(e.file(), fileOrder.size());
        }
        List<ConfigError> sorted = new ArrayList<>(errors);
        sorted.sort(Comparator.<ConfigError>comparingInt(e -> fileOrder.get(e.file()))
                .thenComparingInt(ConfigError::line).thenComparingInt(ConfigError::col));
        return List.copyOf(sorted);
    }

    private static final String[] RULE_KEYS = {"rule", "desc", "condition", "severity", "output", "tags",
        "enabled", "exceptions", "throttle"};

    private final Names names;
    private final Telemetry telemetry;
    private final List<ConfigError> errors = new ArrayList<>();
    private final List<ConfigError> warnings = new ArrayList<>();
    private final Map<String, RuleCompiler.ListDef> lists = new LinkedHashMap<>();
    private final Map<String, RuleCompiler.MacroDef> macros = new LinkedHashMap<>();
    private final Map<String, YamlNode> rules = new LinkedHashMap<>();
    private final List<String> secretPatterns = new ArrayList<>();

    private RuleLoader(Names names, Telemetry telemetry) {
        this.names = names;
        this.telemetry = telemetry == null ? new Telemetry() : telemetry;
    }

    /** Loads the files in order; see {@link Result}. */
    public static Result load(List<Path> files, Names names, Telemetry telemetry) {
        return load(files, names, telemetry, List.of());
    }

    /**
     * As {@link #load(List, Names, Telemetry)}, with extra secret patterns (from the configuration)
     * added to the built-in secrets ({@link Redactor}) and the files' {@code secret_patterns}.
     */
    public static Result load(List<Path> files, Names names, Telemetry telemetry, List<String> extraSecretPatterns) {
        RuleLoader l = new RuleLoader(names, telemetry);
        List<YamlDoc> docs = new ArrayList<>();
        for (Path p : files) {
            docs.add(YamlDoc.load(p, l.errors));
        }
        return l.run(docs, extraSecretPatterns);
    }

    /** Loads documents given as (name, text) pairs in order: for tests and embedded defaults. */
    public static Result loadTexts(Map<String, String> texts, Names names, Telemetry telemetry) {
        RuleLoader l = new RuleLoader(names, telemetry);
        List<YamlDoc> docs = new ArrayList<>();
        for (Map.Entry<String, String> e : texts.entrySet()) {
            docs.add(YamlDoc.parse(e.getKey(), e.getValue(), l.errors));
        }
        return l.run(docs, List.of());
    }

    private Result run(List<YamlDoc> docs, List<String> extraSecretPatterns) {
        for (YamlDoc doc : docs) {
            readDoc(doc);
        }
        secretPatterns.addAll(extraSecretPatterns);
        // each pattern was checked where it was written (a rules file's secret_patterns, the configuration's
        // redact): one that does not compile is an error there already, and is skipped here
        Redactor redactor = Redactor.of(secretPatterns, msg -> {});
        RuleCompiler compiler = new RuleCompiler(lists, macros, names);
        compiler.compileAllMacros();
        for (YamlNode node : twiceInAFile) {
            compileRule(node, compiler, redactor); // an error already; its own errors are reported too
        }
        // Compiled against the lists and macros in force, which a later file may have replaced too:
        // what fails is said, as a warning, and does not stop the rules that will run.
        for (YamlNode node : replaced) {
            int before = errors.size();
            compileRule(node, compiler, redactor);
            List<ConfigError> own = new ArrayList<>(errors.subList(before, errors.size()));
            errors.subList(before, errors.size()).clear();
            for (ConfigError e : own) {
                warnings.add(new ConfigError(e.file(), e.line(), e.col(), e.message()
                        + " (in a rule a later file replaces: that file breaks once the other is gone)"));
            }
        }
        List<CompiledRule> compiled = new ArrayList<>();
        for (YamlNode node : rules.values()) {
            CompiledRule r = compileRule(node, compiler, redactor);
            if (r != null) {
                compiled.add(r);
            }
        }
        if (!errors.isEmpty()) {
            return new Result(null, inFileOrder(errors), List.copyOf(warnings));
        }
        telemetry.rulesLoaded = compiled.size();
        return new Result(new RuleSet(compiled), List.of(), List.copyOf(warnings));
    }

    // ---- first pass: definitions ----

    private void readDoc(YamlDoc doc) {
        YamlNode root = doc.root();
        if (root == null || root.isNull()) {
            return;
        }
        if (!root.isSeq()) {
            root.error("a rules file is a list of '- list:', '- macro:' and '- rule:' items");
            return;
        }
        for (YamlNode item : root.items()) {
            if (!item.isMap()) {
                item.error("expected a '- list:', '- macro:' or '- rule:' item");
                continue;
            }
            if (item.has("rule")) {
                readRule(item);
            } else if (item.has("macro")) {
                readMacro(item);
            } else if (item.has("list")) {
                readList(item);
            } else if (item.has("secret_patterns")) {
                if (item.checkKeys("secret_patterns")) {
                    for (YamlNode p : item.get("secret_patterns").isScalar()
                            ? List.of(item.get("secret_patterns")) : item.get("secret_patterns").items()) {
                        if (p.isScalar()) {
                            Redactor.check(p.text(), doc.file(), p.line(), p.col(), errors);
                            secretPatterns.add(p.text());
                        } else {
                            p.error("expected a regular expression");
                        }
                    }
                }
            } else {
                item.error("an item needs one of 'rule', 'macro', 'list' or 'secret_patterns'");
            }
        }
    }

    private String name(YamlNode item, String key) {
        YamlNode n = item.get(key);
        if (n == null || !n.isScalar() || n.isNull() || n.text().isBlank()) {
            (n == null ? item : n).error("'" + key + "' needs a name");
            return null;
        }
        return n.text();
    }

    /**
     * A second definition of a name: in a later file it replaces the first, with a warning (how a
     * local file overrides a default); in the same file it is an error, a copy that was meant to be
     * renamed, which would otherwise make the first one vanish.
     */
    private void redefined(String kind, String name, YamlNode previous, YamlNode now) {
        if (previous.doc() == now.doc()) {
            now.error(kind + " '" + name + "' is defined twice in this file (first at line " + previous.line() + ")");
            return;
        }
        warnings.add(new ConfigError(now.doc().file(), now.line(), now.col(), kind + " '" + name
                + "' replaces the one defined at " + previous.doc().file() + ":" + previous.line()));
    }

    private void readList(YamlNode item) {
        item.checkKeys("list", "items");
        String name = name(item, "list");
        YamlNode items = item.require("items");
        if (name == null) {
            return;
        }
        List<Token> tokens = new ArrayList<>();
        if (items != null) {
            for (YamlNode v : items.items()) {
                if (!v.isScalar() || v.isNull()) {
                    v.error("a list item must be a string or number");
                    continue;
                }
                boolean plain = v.style() == ScalarStyle.PLAIN;
                tokens.add(new Token(plain ? Kind.WORD : Kind.STRING, v.text(), 0));
            }
        }
        RuleCompiler.ListDef prev = lists.remove(name);
        if (prev != null) {
            redefined("list", name, prev.node(), item);
        }
        lists.put(name, new RuleCompiler.ListDef(name, tokens, item));
    }

    private void readMacro(YamlNode item) {
        item.checkKeys("macro", "condition", "desc");
        String name = name(item, "macro");
        YamlNode cond = item.require("condition");
        if (name == null) {
            return;
        }
        Ast ast = null;
        if (cond != null && cond.isScalar()) {
            ast = ConditionParser.parse(cond.text(), cond::errorAt);
        } else if (cond != null) {
            cond.error("a condition is a string");
        }
        RuleCompiler.MacroDef prev = macros.remove(name);
        if (prev != null) {
            redefined("macro", name, prev.item(), item);
        }
        macros.put(name, new RuleCompiler.MacroDef(name, ast, cond != null ? cond : item, item));
    }

    /** Rules a later definition in the same file replaced: compiled only for their errors. */
    private final List<YamlNode> twiceInAFile = new ArrayList<>();
    /**
     * Rules a later file replaced, compiled only for their warnings: check must not call a broken file
     * fine because another file overrides its rule today.
     */
    private final List<YamlNode> replaced = new ArrayList<>();

    private void readRule(YamlNode item) {
        item.checkKeys(RULE_KEYS);
        String name = name(item, "rule");
        item.require("condition");
        if (name == null) {
            return;
        }
        YamlNode prev = rules.remove(name);
        if (prev != null) {
            redefined("rule", name, prev, item);
            (prev.doc() == item.doc() ? twiceInAFile : replaced).add(prev);
        }
        rules.put(name, item);
    }

    // ---- second pass: compile ----

    private CompiledRule compileRule(YamlNode item, RuleCompiler compiler, Redactor redactor) {
        String name = item.get("rule").text();
        int before = errors.size();
        YamlNode condNode = item.get("condition");
        Condition condition = compileCondition(condNode, compiler);

        Severity severity = Severity.MEDIUM;
        YamlNode sev = item.get("severity");
        if (sev != null && !sev.isNull()) {
            severity = Severity.parse(sev.asString(""));
            if (severity == null) {
                sev.error("severity must be one of info, low, medium, high, critical, not '" + sev.asString("") + "'");
                severity = Severity.MEDIUM;
            }
        }
        String desc = item.getString("desc", "");
        List<String> tags = item.getStringList("tags");
        boolean enabled = item.getBool("enabled", true);

        List<Condition> exceptions = new ArrayList<>();
        YamlNode exc = item.get("exceptions");
        if (exc != null && !exc.isNull()) {
            for (YamlNode e : exc.items()) {
                if (e.isMap() && e.get("name") != null && (e.get("fields") != null || e.get("values") != null)) {
                    // Falco's exceptions (name, fields, comps, values) are tables of field values
                    e.error("an exception here is a condition (- exe = /usr/bin/x and uid = 0), not Falco's name,"
                            + " fields and values");
                    continue;
                }
                Condition c = compileCondition(e, compiler);
                if (c != null) {
                    exceptions.add(c);
                }
            }
        }

        OutputTemplate output;
        YamlNode out = item.get("output");
        if (out != null && out.isMap()) {
            // output: {exe} ran {argv} -- YAML reads a value that starts with { as a mapping
            out.error("expected a string; YAML reads a value starting with '{' as a mapping: put the output in"
                    + " quotes (output: \"{exe} ran {argv}\")");
            output = OutputTemplate.summary(names);
        } else if (out != null && !out.isNull()) {
            String text = out.asString("");
            if (text.isBlank() && out.isScalar()) {
                out.error("the output is empty; leave 'output' out for the default summary of the event");
            }
            output = OutputTemplate.compile(text, compiler, out::errorAt, names);
        } else {
            output = OutputTemplate.summary(names);
        }

        List<String> keyNames = new ArrayList<>();
        List<Field> keyFields = new ArrayList<>();
        long window = 0;
        YamlNode thr = item.get("throttle");
        if (thr != null && !thr.isNull()) {
            thr.checkKeys("key", "window"); // an unknown key beside them must not hide their own errors
            if (thr.isMap()) {
                YamlNode w = thr.require("window");
                if (w != null) {
                    window = w.asDurationMillis(-1);
                    if (window == 0) {
                        w.error("the throttle window must be longer than 0");
                    }
                    window = Math.max(window, 0);
                }
                YamlNode k = thr.get("key");
                if (k != null && !k.isNull()) {
                    for (YamlNode kn : k.isScalar() ? List.of(k) : k.items()) {
                        if (!kn.isScalar()) {
                            kn.error("a throttle key is a field name");
                            continue;
                        }
                        Field f = compiler.field(new Token(Kind.WORD, kn.text(), 0), kn::errorAt);
                        if (f != null) {
                            keyNames.add(kn.text());
                            keyFields.add(f);
                        }
                    }
                }
            }
        }
        if (errors.size() > before || condition == null || output == null) {
            return null;
        }
        // disabled rules get counters that are not registered, so they add no metric series
        RuleStats stats = enabled ? telemetry.rule(name, severity.label()) : new RuleStats(name, severity.label());
        return new CompiledRule(name, desc, severity, tags, enabled, condition, exceptions.toArray(new Condition[0]),
                output, keyNames, keyFields.toArray(new Field[0]), window, stats, redactor,
                item.doc().file() + ":" + item.line());
    }

    private Condition compileCondition(YamlNode node, RuleCompiler compiler) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isScalar()) {
            node.error("a condition is a string");
            return null;
        }
        if (node.localTag() != null) {
            // condition: !key exists -- YAML takes the !word at the start for a tag and drops it
            node.error("YAML reads '" + node.localTag() + "' at the start of a value as a tag: quote the condition,"
                    + " or write 'not' for a negation");
            return null;
        }
        Ast ast = ConditionParser.parse(node.text(), node::errorAt);
        return ast == null ? null : compiler.compile(ast, node::errorAt);
    }
}
