package io.auditalert.rules;

import io.auditalert.config.YamlDoc;
import io.auditalert.config.YamlNode;
import io.auditalert.parse.RecordTypes;
import io.auditalert.rules.ConditionParser.Errors;
import io.auditalert.rules.ConditionParser.Kind;
import io.auditalert.rules.ConditionParser.Token;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * Turns parsed conditions into {@link Condition} trees: resolves fields, expands lists, inlines
 * macros (each compiled once and shared), reads literals by the field's kind (user and group names to
 * ids, errno names to negative exits, syscall names to per-arch numbers, record type names to
 * numbers) and compiles regular expressions and globs once. Every problem is reported to the
 * {@link Errors} sink of the condition being compiled, at the offending token.
 *
 * <p>Decisions worth knowing: string operators work on the text of any field, numeric fields
 * included ({@code pid startswith 12} is allowed); {@code < <= > >=} need a number (or, for identity
 * fields, a name); {@code =} on a numeric or identity field needs a number or a name that resolves.
 * {@code !=} compiles to {@code not (=)}. A bare word in value position that names a list is replaced
 * by the list's items (a lone one after {@code =}, {@code !=} or an order operator is an error: the
 * word or the list?); a quoted string never is. Case folding ({@code icontains}) is ASCII-only.
 * Regular expressions see an ASCII value's bytes as chars (compiled from the pattern's UTF-8 bytes
 * the same way), and any other value decoded as UTF-8, so a {@code .} matches one character and
 * {@code (?i)} folds non-ASCII letters too.
 */
final class RuleCompiler {
    record ListDef(String name, List<Token> items, YamlNode node) {}

    /** A macro: its parsed condition, the node errors in it point into, and its {@code - macro:} item. */
    record MacroDef(String name, Ast ast, YamlNode node, YamlNode item) {}

    private final Map<String, ListDef> lists;
    private final Map<String, MacroDef> macros;
    private final Names names;
    private final Map<String, Condition> compiledMacros = new HashMap<>();
    private final Set<String> compiling = new LinkedHashSet<>();
    private int regexCount;
    private boolean chainTooDeep;
    /** How deep each compiled macro's chain of macros goes (a macro using none: 1). */
    private final Map<String, Integer> macroDepth = new HashMap<>();
    /** The deepest macro chain the condition being compiled uses so far. */
    private int refDepth;

    RuleCompiler(Map<String, ListDef> lists, Map<String, MacroDef> macros, Names names) {
        this.lists = lists;
        this.macros = macros;
        this.names = names;
    }

    /** Compiles every macro once, so errors in unused macros are reported too. */
    void compileAllMacros() {
        for (MacroDef m : macros.values()) {
            macro(m);
        }
    }

    private Condition macro(MacroDef m) {
        Condition c = compiledMacros.get(m.name());
        if (c != null) {
            return c;
        }
        compiling.add(m.name());
        int outer = refDepth;
        refDepth = 0;
        Errors errs = (off, msg) -> m.node().errorAt(off, msg);
        c = m.ast() == null ? null : compile(m.ast(), errs);
        compiling.remove(m.name());
        macroDepth.put(m.name(), refDepth + 1);
        refDepth = outer;
        if (c == null) {
            c = new Condition.Const(false);
        }
        compiledMacros.put(m.name(), c);
        return c;
    }

    /** Compiles an AST; returns null when it reported an error. */
    Condition compile(Ast ast, Errors errs) {
        boolean[] failed = {false};
        Errors tracking = (off, msg) -> {
            failed[0] = true;
            errs.error(off, msg);
        };
        Condition c = node(ast, tracking);
        return failed[0] || c == null ? null : c;
    }

    private Condition node(Ast ast, Errors errs) {
        if (ast instanceof Ast.And a) {
            List<Condition> parts = new ArrayList<>();
            for (Ast p : a.parts()) {
                parts.add(node(p, errs));
            }
            return parts.contains(null) ? null : new Condition.And(parts);
        }
        if (ast instanceof Ast.Or o) {
            List<Condition> parts = new ArrayList<>();
            for (Ast p : o.parts()) {
                parts.add(node(p, errs));
            }
            return parts.contains(null) ? null : Condition.Or.of(parts);
        }
        if (ast instanceof Ast.Not n) {
            Condition inner = node(n.inner(), errs);
            return inner == null ? null : new Condition.Not(inner);
        }
        if (ast instanceof Ast.Exists e) {
            Field f = field(e.field(), errs);
            return f == null ? null : new Condition.Exists(f);
        }
        if (ast instanceof Ast.MacroRef m) {
            String name = m.name().text();
            MacroDef def = macros.get(name);
            if (def == null) {
                errs.error(m.name().pos(), KnownFields.isKnown(name)
                        ? "'" + name + "' is a field but has no operator (expected =, in, exists, ...)"
                        : "unknown macro '" + name + "'");
                return null;
            }
            if (compiling.contains(name)) {
                errs.error(m.name().pos(), "macro '" + name + "' refers to itself (through " + compiling + ")");
                return null;
            }
            if (compiling.size() >= ConditionParser.MAX_DEPTH && !compiledMacros.containsKey(name)) {
                chainTooDeep(errs, m.name().pos(), name);
                return null;
            }
            Condition c = macro(def);
            int depth = macroDepth.getOrDefault(name, 1);
            if (depth > ConditionParser.MAX_DEPTH) {
                // compiled before (defined earlier), so not caught above: evaluating it would overflow the stack
                chainTooDeep(errs, m.name().pos(), name);
                return null;
            }
            refDepth = Math.max(refDepth, depth);
            return c;
        }
        return compare((Ast.Compare) ast, errs);
    }

    /** Reports a macro chain deeper than the limit, once: each macro further down it would say it again. */
    private void chainTooDeep(Errors errs, int pos, String name) {
        if (!chainTooDeep) {
            chainTooDeep = true;
            errs.error(pos, "macros refer to macros more than " + ConditionParser.MAX_DEPTH + " deep here (through "
                    + name + ")");
        }
    }

    // ---- fields ----

    /** Resolves a field token; reports unknown fields and record types. */
    Field field(Token t, Errors errs) {
        String name = t.text();
        switch (name) {
            case "type":
                return new Field.TypeName();
            case "syscall":
                return new Field.SyscallName(names);
            case "argv":
                return new Field.Argv();
            case "proctitle":
                return new Field.Proctitle();
            case "key":
                return new Field.AnyKey();
            case "node":
                return new Field.Node();
            case "path":
                return new Field.PathName(listSlots.computeIfAbsent(RecordTypes.PATH + ".name", k -> listSlots.size()));
            default:
                break;
        }
        int dot = name.indexOf('.');
        if (dot > 0) {
            String typeName = name.substring(0, dot);
            String fieldName = name.substring(dot + 1);
            int type = RecordTypes.number(typeName);
            if (type == RecordTypes.UNKNOWN) {
                errs.error(t.pos(), "unknown record type '" + typeName + "'");
                return null;
            }
            if (fieldName.isEmpty()) {
                errs.error(t.pos() + dot + 1, "no field name after '" + typeName + ".'");
                return null;
            }
            if (!KnownFields.isKnown(fieldName)) {
                errs.error(t.pos() + dot + 1, "unknown field '" + fieldName + "'");
                return null;
            }
            if (fieldName.equals("node")) { // it loaded, and never matched: node= prefixes the line, not a field
                errs.error(t.pos() + dot + 1, "node is the event's, not a field of one record: write node");
                return null;
            }
            if (type == RecordTypes.SYSCALL && fieldName.equals("syscall")) {
                return new Field.SyscallName(names); // by name for the record's arch, as a bare syscall
            }
            if (type == RecordTypes.PROCTITLE && fieldName.equals("proctitle")) {
                return new Field.Proctitle(); // the command line with its NULs as spaces, as libauparse shows it
            }
            Field.OfType field = new Field.OfType(name, type, fieldName, Field.kindOf(type, fieldName));
            field.slot = listSlots.computeIfAbsent(type + "." + fieldName, k -> listSlots.size());
            return field;
        }
        if (!KnownFields.isKnown(name)) {
            errs.error(t.pos(), "unknown field '" + name + "'");
            return null;
        }
        Field.First first = new Field.First(name, Field.kindOf(name));
        first.slot = slots.computeIfAbsent(name, k -> slots.size());
        return first;
    }

    /** Cache slots of bare field names: each name is looked up once per event, whatever uses it. */
    private final Map<String, Integer> slots = new HashMap<>();
    /** Cache slots of TYPE.field lists (PATH.name and path share one). */
    private final Map<String, Integer> listSlots = new HashMap<>();

    // ---- comparisons ----

    /** A literal after list expansion, remembering the token it came from for errors. */
    /** A value to compare with, where the condition names it, and the list it came from (or null). */
    private record Lit(String text, int pos, String list) {
        Lit(String text, int pos) {
            this(text, pos, null);
        }

        /** An error about this value; one from a list says which list and item, as the rule only names the list. */
        void error(Errors errs, String message) {
            errs.error(pos, list == null ? message : message + " (list '" + list + "', item \"" + text + "\")");
        }
    }

    /** The values to compare with, lists expanded; null when a list could not be (the error is recorded). */
    private List<Lit> expand(List<Token> values, Errors errs) {
        List<Lit> out = new ArrayList<>();
        for (Token v : values) {
            if (v.kind() == Kind.WORD && lists.containsKey(v.text())) {
                if (!expandList(v.text(), v.pos(), out, new HashSet<>(), errs)) {
                    return null;
                }
            } else {
                out.add(new Lit(v.text(), v.pos()));
            }
        }
        return out;
    }

    /** Values a list may expand to, its lists included: lists that each name a list twice double at every level. */
    static final int MAX_LIST_VALUES = 100_000;

    /** Adds the values of list {@code name} (and of the lists it names) to {@code out}; false: an error stopped it. */
    private boolean expandList(String name, int pos, List<Lit> out, Set<String> seen, Errors errs) {
        if (!seen.add(name)) {
            errs.error(pos, "list '" + name + "' contains itself");
            return false;
        }
        if (seen.size() > ConditionParser.MAX_DEPTH) {
            errs.error(pos, "lists name lists more than " + ConditionParser.MAX_DEPTH + " deep here (through " + name + ")");
            return false;
        }
        for (Token item : lists.get(name).items()) {
            if (item.kind() == Kind.WORD && lists.containsKey(item.text())) {
                if (!expandList(item.text(), pos, out, seen, errs)) {
                    return false;
                }
            } else if (out.size() == MAX_LIST_VALUES) {
                errs.error(pos, "list '" + name + "' expands to more than " + MAX_LIST_VALUES + " values (lists it names"
                        + " included)");
                return false;
            } else {
                out.add(new Lit(item.text(), pos, name));
            }
        }
        seen.remove(name);
        return true;
    }

    private Condition compare(Ast.Compare c, Errors errs) {
        Token ft = c.field();
        String op = c.op().text();
        if (op.equals("!=")) {
            Condition eq = compareOp(c, "=", errs);
            return eq == null ? null : new Condition.Not(eq);
        }
        return compareOp(c, op, errs);
    }

    private Condition compareOp(Ast.Compare c, String op, Errors errs) {
        Token ft = c.field();
        Field field = field(ft, errs);
        if (field == null) {
            return null;
        }
        if (op.equals("in") && !c.parenthesized() && c.values().get(0).kind() == Kind.WORD
                && !lists.containsKey(c.values().get(0).text())) {
            // `exe in shels` would otherwise compare with the word itself: a rule that never fires
            Token v = c.values().get(0);
            errs.error(v.pos(), "unknown list '" + v.text() + "' (a value of its own is written in parentheses: ("
                    + v.text() + "))");
            return null;
        }
        boolean single = op.equals("=") || op.equals("<") || op.equals("<=") || op.equals(">") || op.equals(">=");
        if (single && !c.parenthesized() && c.values().get(0).kind() == Kind.WORD
                && lists.containsKey(c.values().get(0).text())) {
            // `uid = root` with a list named root: the word or the list? Either guess hides a mistake
            Token v = c.values().get(0);
            errs.error(v.pos(), "'" + v.text() + "' is a list here; write 'in " + v.text()
                    + "' to compare with its items, or \"" + v.text() + "\" for the word itself");
            return null;
        }
        List<Lit> lits = expand(c.values(), errs);
        if (lits == null) {
            return null;
        }
        if (field.isRegister() && (op.equals("=") || op.equals("in"))) {
            lits = registerLiterals(lits); // a0 = 0x4206 means the a0=4206 the record holds
        }
        if (lits.isEmpty()) {
            errs.error(c.op().pos(), "'" + op + "' has no values (empty list)");
            return null;
        }
        Set<String> keys = field.isKey() && (op.equals("=") || op.equals("in")) ? texts(lits) : null;
        switch (op) {
            case "=", "in": {
                if (field.kind == Field.Kind.TYPE) {
                    return typeIn(lits, errs);
                }
                if (field.kind == Field.Kind.SYSCALL) {
                    return syscallIn(lits, errs);
                }
                if (field.kind == Field.Kind.STRING && baseName(field).equals("success")) {
                    for (Lit l : lits) {
                        if (!l.text().equals("yes") && !l.text().equals("no")) {
                            l.error(errs, "'" + ft.text() + "' is yes or no, not '" + l.text() + "'");
                            return null;
                        }
                    }
                }
                if (field.kind == Field.Kind.STRING) {
                    return new Condition.FieldTest(field,
                            new ValueTest.Strings(ValueTest.StringOp.EQUALS, utf8(lits), false), keys);
                }
                long[] nums = numbers(field, lits, errs);
                return nums == null ? null : new Condition.FieldTest(field,
                        new ValueTest.Numbers(ValueTest.NumOp.EQ, nums, reading(field)), null);
            }
            case "<", "<=", ">", ">=": {
                if (lits.size() != 1) {
                    errs.error(c.op().pos(), "'" + op + "' compares with exactly one value");
                    return null;
                }
                if (field.kind == Field.Kind.TYPE || field.kind == Field.Kind.SYSCALL) {
                    errs.error(c.op().pos(), "'" + op + "' does not apply to '" + ft.text() + "'");
                    return null;
                }
                if (field.kind == Field.Kind.STRING && baseName(field).equals("success")) {
                    errs.error(c.op().pos(), "'" + op + "' does not apply to '" + ft.text() + "', which is yes or no");
                    return null;
                }
                if (isText(field)) {
                    errs.error(c.op().pos(), "'" + op + "' compares numbers, and '" + ft.text()
                            + "' is text (startswith, contains, glob and matches compare text)");
                    return null;
                }
                boolean register = field.isRegister();
                long[] nums = register ? registerNumbers(lits, errs) : numbers(field, lits, errs);
                if (nums == null) {
                    return null;
                }
                ValueTest.NumOp nop = switch (op) {
                    case "<" -> ValueTest.NumOp.LT;
                    case "<=" -> ValueTest.NumOp.LE;
                    case ">" -> ValueTest.NumOp.GT;
                    default -> ValueTest.NumOp.GE;
                };
                return new Condition.FieldTest(field, new ValueTest.Numbers(nop, nums,
                        register ? ValueTest.Reading.REGISTER : reading(field)), null);
            }
            case "startswith":
                return new Condition.FieldTest(field,
                        new ValueTest.Strings(ValueTest.StringOp.STARTS_WITH, utf8(lits), false), null);
            case "endswith":
                return new Condition.FieldTest(field,
                        new ValueTest.Strings(ValueTest.StringOp.ENDS_WITH, utf8(lits), false), null);
            case "contains":
                return new Condition.FieldTest(field,
                        new ValueTest.Strings(ValueTest.StringOp.CONTAINS, utf8(lits), false), null);
            case "icontains":
                return new Condition.FieldTest(field,
                        new ValueTest.Strings(ValueTest.StringOp.CONTAINS, utf8(lits), true), null);
            case "glob": {
                StringBuilder bytes = new StringBuilder();
                StringBuilder chars = new StringBuilder();
                for (Lit l : lits) {
                    String mistake = Glob.likelyMistake(l.text());
                    if (mistake != null) {
                        l.error(errs, mistake);
                        return null;
                    }
                    try {
                        bytes.append(bytes.length() == 0 ? "" : "|").append("(?:")
                                .append(Glob.toRegex(latin1View(l.text()))).append(')');
                        chars.append(chars.length() == 0 ? "" : "|").append("(?:").append(Glob.toRegex(l.text()))
                                .append(')');
                    } catch (IllegalArgumentException e) {
                        l.error(errs, "bad glob: " + e.getMessage());
                        return null;
                    }
                }
                try {
                    return new Condition.FieldTest(field, regex(Pattern.compile(bytes.toString(), Pattern.DOTALL),
                            Pattern.compile(chars.toString(), Pattern.DOTALL | Pattern.UNICODE_CASE), true), null);
                } catch (PatternSyntaxException e) { // no glob should make one
                    errs.error(lits.get(0).pos(), "bad glob: " + e.getDescription());
                    return null;
                }
            }
            case "matches": {
                int groups = 0;
                StringBuilder bytes = new StringBuilder();
                StringBuilder chars = new StringBuilder();
                for (Lit l : lits) {
                    try {
                        Pattern.compile(l.text());
                    } catch (PatternSyntaxException e) {
                        l.error(errs, "bad regular expression: " + e.getDescription()
                                + (e.getIndex() >= 0 ? " near index " + e.getIndex() : ""));
                        return null;
                    }
                    String pattern = withoutLeadingDotStar(l.text());
                    if (YamlDoc.loneSurrogate(pattern) >= 0) { // a "\ud800" escape in YAML: no character, and no UTF-8 bytes
                        l.error(errs, "bad regular expression: a lone UTF-16 surrogate is not a character");
                        return null;
                    }
                    // joined into one alternation: an unclosed \\Q would quote the group's ")", and the
                    // groups a later pattern's backreferences count start after the earlier patterns' groups
                    pattern = closeQuote(pattern);
                    int groupsBefore = groups;
                    groups += Pattern.compile(pattern).matcher("").groupCount();
                    bytes.append(bytes.length() == 0 ? "" : "|")
                            .append(asAlternative(shiftBackreferences(latin1View(pattern), groupsBefore)));
                    chars.append(chars.length() == 0 ? "" : "|")
                            .append(asAlternative(shiftBackreferences(pattern, groupsBefore)));
                }
                try {
                    return new Condition.FieldTest(field, regex(Pattern.compile(bytes.toString()),
                            Pattern.compile(chars.toString(), Pattern.UNICODE_CASE), false), null);
                } catch (PatternSyntaxException e) { // two patterns naming the same group
                    errs.error(lits.get(0).pos(), "bad regular expression: the patterns of this list cannot be joined ("
                            + e.getDescription() + "); write them as conditions joined with or");
                    return null;
                }
            }
            default:
                errs.error(c.op().pos(), "unknown operator '" + op + "'");
                return null;
        }
    }

    /** The pattern with a \\E added when it ends inside a \\Q quote (legal alone, not inside a group). */
    static String closeQuote(String p) {
        boolean quoted = false;
        for (int i = 0; i + 1 < p.length(); i++) {
            if (p.charAt(i) != '\\') {
                continue;
            }
            char n = p.charAt(i + 1);
            if (quoted) {
                quoted = n != 'E';
                i += n == 'E' ? 1 : 0;
            } else {
                quoted = n == 'Q';
                i++;
            }
        }
        return quoted ? p + "\\E" : p;
    }

    /**
     * The pattern with each numbered backreference {@code \\N} made {@code \\(N + by)}. N is read as Java
     * reads it: digits while they still name a group opened before it ({@code \\11} after one group is
     * {@code \\1} and a 1); one naming no group never matches, as alone. {@code \\cX} is a control
     * character, whatever X is.
     */
    static String shiftBackreferences(String p, int by) {
        if (by == 0) {
            return p;
        }
        StringBuilder out = new StringBuilder(p.length() + 8);
        boolean quoted = false;
        int opened = 0;
        int classDepth = 0;
        for (int i = 0; i < p.length(); i++) {
            char c = p.charAt(i);
            if (c != '\\' || i + 1 == p.length()) {
                if (!quoted) {
                    if (c == '[') {
                        classDepth++;
                    } else if (c == ']' && classDepth > 0) {
                        classDepth--;
                    } else if (c == '(' && classDepth == 0 && opensGroup(p, i)) {
                        opened++;
                    }
                }
                out.append(c);
                continue;
            }
            char n = p.charAt(i + 1);
            if (quoted) { // inside \Q…\E a backslash is a character, and only \E means something
                if (n == 'E') {
                    quoted = false;
                    out.append(c).append(n);
                    i++;
                } else {
                    out.append(c);
                }
                continue;
            }
            if (n == 'c' && i + 2 < p.length()) { // \cX: X is the control character's letter, even a \
                out.append(p, i, i + 3);
                i += 2;
                continue;
            }
            if (n < '1' || n > '9' || classDepth > 0) {
                quoted = n == 'Q';
                out.append(c).append(n);
                i++;
                continue;
            }
            int group = n - '0';
            int j = i + 2;
            while (j < p.length() && Character.isDigit(p.charAt(j)) && group * 10 + (p.charAt(j) - '0') <= opened) {
                group = group * 10 + (p.charAt(j) - '0');
                j++;
            }
            out.append(group <= opened ? "\\" + (group + by) : "(?!)");
            if (group <= opened && j < p.length() && Character.isDigit(p.charAt(j))) {
                out.append("(?:)"); // the digit after the reference stays a digit, not part of the number
            }
            i = j - 1;
        }
        return out.toString();
    }

    /** Whether the ( at i opens a capturing group: plain, or named ({@code (?<name>}, not a lookbehind). */
    private static boolean opensGroup(String p, int i) {
        if (i + 1 >= p.length() || p.charAt(i + 1) != '?') {
            return true;
        }
        return i + 3 < p.length() && p.charAt(i + 2) == '<' && Character.isLetter(p.charAt(i + 3));
    }

    /**
     * The pattern wrapped in a group of a list's alternation: a pattern that turns on comments
     * ({@code (?x)}) and ends in one gets a line end first, else the comment would swallow the ")".
     */
    static String asAlternative(String p) {
        return java.util.regex.Pattern.compile("\\(\\?[a-zA-Z]*x[a-zA-Z]*(?:-[a-zA-Z]*)?\\)").matcher(p).find()
                ? "(?:" + p + "\n)" : "(?:" + p + ")";
    }

    /** A regular expression test; it takes two matcher slots (its two patterns). */
    private ValueTest regex(Pattern bytes, Pattern chars, boolean whole) {
        ValueTest t = new ValueTest.Regex(bytes, chars, regexCount, whole);
        regexCount += 2;
        return t;
    }

    /** The field's name without its record type ({@code PATH.name} → {@code name}). */
    private static String baseName(Field field) {
        return field.label.substring(field.label.lastIndexOf('.') + 1);
    }

    /** Fields whose values are text (paths, names, command lines, keys), never numbers. */
    private static boolean isText(Field field) {
        String name = baseName(field);
        return Field.isEscapedName(name) || name.equals("node");
    }

    /**
     * Literals compared by order with an argument register, which the record writes in hex: read as hex
     * too, with or without 0x, as {@code =} reads them ({@code a1 > 10} is a1 above 0x10); null after
     * reporting one that is no hex number.
     */
    private static long[] registerNumbers(List<Lit> lits, Errors errs) {
        long[] out = new long[lits.size()];
        for (int i = 0; i < out.length; i++) {
            String t = registerText(lits.get(i).text());
            if (!t.matches("[0-9a-fA-F]{1,16}")) {
                errs.error(lits.get(i).pos(), "'" + lits.get(i).text() + "' is not a hex number (argument registers"
                        + " are hex)");
                return null;
            }
            out[i] = Long.parseUnsignedLong(t, 16);
        }
        return out;
    }

    /** Literals as a SYSCALL record writes argument registers: hex without 0x, lower case. */
    private static List<Lit> registerLiterals(List<Lit> lits) {
        List<Lit> out = new ArrayList<>(lits.size());
        for (Lit l : lits) {
            out.add(new Lit(registerText(l.text()), l.pos(), l.list()));
        }
        return out;
    }

    /** A literal as a SYSCALL record writes an argument register: {@code 0x4206} is {@code 4206}. */
    private static String registerText(String t) {
        return t.length() > 2 && (t.startsWith("0x") || t.startsWith("0X")) ? t.substring(2).toLowerCase(java.util.Locale.ROOT)
                : t;
    }

    private static Set<String> texts(List<Lit> lits) {
        Set<String> out = new HashSet<>();
        for (Lit l : lits) {
            out.add(l.text());
        }
        return out;
    }

    private static byte[][] utf8(List<Lit> lits) {
        byte[][] out = new byte[lits.size()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = lits.get(i).text().getBytes(StandardCharsets.UTF_8);
        }
        return out;
    }

    private Condition typeIn(List<Lit> lits, Errors errs) {
        int[] types = new int[lits.size()];
        for (int i = 0; i < types.length; i++) {
            String t = lits.get(i).text();
            int n = RecordTypes.number(t);
            if (n == RecordTypes.UNKNOWN && t.matches("\\d{1,4}")) {
                n = Integer.parseInt(t);
            }
            if (n == RecordTypes.UNKNOWN) {
                errs.error(lits.get(i).pos(), "unknown record type '" + t + "'");
                return null;
            }
            types[i] = n;
        }
        return new Condition.TypeIn(types);
    }

    private Condition syscallIn(List<Lit> lits, Errors errs) {
        List<Long> anyArch = new ArrayList<>();
        List<String> syscallNames = new ArrayList<>();
        List<long[]> pairs = new ArrayList<>();
        String[] arches = names.archNames();
        for (Lit l : lits) {
            String t = l.text();
            if (t.matches("\\d{1,5}")) {
                anyArch.add(Long.parseLong(t));
                continue;
            }
            boolean resolved = false;
            for (String arch : arches) {
                long code = names.archCode(arch);
                if (code == -1) {
                    continue;
                }
                int nr = names.syscallNumber(code, t);
                if (nr >= 0) {
                    pairs.add(new long[] {code, nr});
                    resolved = true;
                }
            }
            if (!resolved) {
                l.error(errs, "unknown syscall '" + t + "'");
                return null;
            }
            syscallNames.add(t);
        }
        long[] codes = new long[pairs.size()];
        int[] nrs = new int[pairs.size()];
        for (int i = 0; i < codes.length; i++) {
            codes[i] = pairs.get(i)[0];
            nrs[i] = (int) pairs.get(i)[1];
        }
        return new Condition.SyscallIn(codes, nrs, anyArch.stream().mapToLong(Long::longValue).toArray(),
                syscallNames.toArray(new String[0]), names);
    }

    private static ValueTest.Reading reading(Field field) {
        return switch (field.kind) {
            case ARCH -> ValueTest.Reading.HEX;
            case MODE -> ValueTest.Reading.OCTAL;
            case UID, GID -> ValueTest.Reading.IDENTITY;
            default -> ValueTest.Reading.DECIMAL;
        };
    }

    /** An unset identity (auid of a process outside any login session) as records write it. */
    static final long UNSET_ID = 4294967295L;

    /** Reads literals as numbers by the field's kind; null after reporting a literal that is none. */
    private long[] numbers(Field field, List<Lit> lits, Errors errs) {
        long[] out = new long[lits.size()];
        for (int i = 0; i < out.length; i++) {
            Lit l = lits.get(i);
            String t = l.text();
            Long v = parseLong(t);
            switch (field.kind) {
                case UID -> {
                    if (v != null && v == -1) {
                        v = UNSET_ID; // auditctl's auid!=-1 idiom: -1 is unset, as libauparse reads it
                    } else if (v == null) {
                        long id = t.equals("unset") ? UNSET_ID : names.uid(t);
                        if (id < 0) {
                            l.error(errs, "unknown user '" + t + "' for '" + field.label + "'" + fieldNamed(t));
                            return null;
                        }
                        v = id;
                    }
                }
                case GID -> {
                    if (v != null && v == -1) {
                        v = UNSET_ID;
                    } else if (v == null) {
                        long id = t.equals("unset") ? UNSET_ID : names.gid(t);
                        if (id < 0) {
                            l.error(errs, "unknown group '" + t + "' for '" + field.label + "'" + fieldNamed(t));
                            return null;
                        }
                        v = id;
                    }
                }
                case EXIT -> {
                    if (v == null) {
                        String e = t.startsWith("-") ? t.substring(1) : t;
                        int errno = names.errno(e);
                        if (errno < 0) {
                            l.error(errs, "'" + t + "' is neither a number nor an errno name");
                            return null;
                        }
                        v = (long) -errno;
                    }
                }
                case MODE -> {
                    if (!t.matches("[0-7]{1,21}")) {
                        l.error(errs, "'" + field.label + "' is a file mode in octal (0100755, 4755), and '" + t
                                + "' is not one");
                        return null;
                    }
                    v = Long.parseLong(t, 8);
                }
                case ARCH -> {
                    long code = names.archCode(t);
                    if (code == -1) {
                        String h = t.startsWith("0x") ? t.substring(2) : t;
                        if (!h.matches("[0-9a-fA-F]{1,16}")) {
                            l.error(errs, "unknown arch '" + t + "'");
                            return null;
                        }
                        code = Long.parseUnsignedLong(h, 16);
                    }
                    v = code;
                }
                default -> {
                    if (isSession(field) && (t.equals("unset") || v != null && v == -1)) {
                        v = UNSET_ID; // a session id is unset as an identity is: ses=4294967295
                    } else if (v == null) {
                        l.error(errs, "'" + field.label + "' compares as a number, and '" + t + "' is not one" + fieldNamed(t));
                        return null;
                    }
                }
            }
            out[i] = v;
        }
        return out;
    }

    /** A hint for a literal that is the name of a field: a comparison of two fields, which the language has not. */
    private static String fieldNamed(String literal) {
        return KnownFields.isKnown(literal) ? " ('" + literal + "' is a field: a value is compared with a literal, not with"
                + " another field)" : "";
    }

    /** ses and old-ses, bare or qualified (LOGIN.old-ses). */
    static boolean isSession(Field field) {
        String name = field.label.substring(field.label.lastIndexOf('.') + 1);
        return name.equals("ses") || name.equals("old-ses");
    }

    private static Long parseLong(String t) {
        if (!t.matches("-?\\d{1,19}")) {
            return null;
        }
        try {
            return Long.parseLong(t);
        } catch (NumberFormatException e) {
            return null;
        }
    }

    /**
     * A pattern found anywhere ({@code matches}) finds the same values without a leading
     * {@code .*} or {@code .*?}: where {@code .*X} matches, X matches at the end of the {@code .*}, and where X
     * does, {@code .*X} does with an empty one. Without it, a value that does not match costs one
     * pass, not one pass from every start: {@code .*curl} over a 60 kB argument is 60 thousand reads
     * instead of 1.8 billion.
     */
    static String withoutLeadingDotStar(String pattern) {
        String p = pattern;
        while (true) {
            if (p.startsWith(".*?")) { // lazy: the same values, found the same way
                p = p.substring(3);
            } else if (p.startsWith(".*") && !(p.length() > 2 && "+{*".indexOf(p.charAt(2)) >= 0)) {
                p = p.substring(2); // not possessive (.*+ never gives back) nor a quantified .*
            } else {
                break;
            }
        }
        try {
            Pattern.compile(p);
            return p;
        } catch (PatternSyntaxException e) {
            return pattern; // what followed only made sense after the .* (.*?? say)
        }
    }

    /** The pattern text as its UTF-8 bytes, one char per byte, to run over {@link ByteChars}. */
    static String latin1View(String pattern) {
        return new String(pattern.getBytes(StandardCharsets.UTF_8), StandardCharsets.ISO_8859_1);
    }

    int regexCount() {
        return regexCount;
    }
}
