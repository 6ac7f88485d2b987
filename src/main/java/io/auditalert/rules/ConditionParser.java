package io.auditalert.rules;

import java.util.ArrayList;
import java.util.List;

/**
 * Parses a condition string into an {@link Ast}. Grammar (lowest precedence first; keywords are lower
 * case):
 *
 * <pre>
 *   expr    := and ( "or" and )*
 *   and     := unary ( "and" unary )*
 *   unary   := "not" unary | primary
 *   primary := "(" expr ")"
 *            | FIELD "exists"
 *            | FIELD OP values          OP: = != &lt; &lt;= &gt; &gt;= in startswith endswith
 *            | MACRO                        contains icontains glob matches
 *   values  := value | "(" value ( "," value )* ")"
 *   value   := "double-quoted" | 'single-quoted' | bare-word
 * </pre>
 *
 * A bare word is a run of characters other than white space, parentheses, commas, quotes and
 * {@code = ! < >}. Inside quotes, {@code \"}, {@code \'} and {@code \\} escape. Every node keeps the
 * character offset of its token, so errors point into the condition. Syntax errors are reported to the
 * {@link Errors} sink and parsing stops (returns null) at the first one.
 */
final class ConditionParser {
    /** Where parse and compile errors go: a character offset inside the condition and a message. */
    interface Errors {
        void error(int offset, String message);
    }

    enum Kind { WORD, STRING, LPAREN, RPAREN, COMMA, OP, END }

    record Token(Kind kind, String text, int pos) {}

    static final List<String> OPERATORS = List.of("=", "!=", "<", "<=", ">", ">=", "in", "startswith",
            "endswith", "contains", "icontains", "glob", "matches");

    private final String src;
    private final Errors errors;
    private final List<Token> tokens = new ArrayList<>();
    private int next;
    private boolean failed;

    private ConditionParser(String src, Errors errors) {
        this.src = src;
        this.errors = errors;
    }

    /** The AST of {@code condition}, or null after reporting a syntax error. */
    static Ast parse(String condition, Errors errors) {
        ConditionParser p = new ConditionParser(condition, errors);
        if (!p.lex()) {
            return null;
        }
        Ast a = p.expr();
        if (a != null && p.peek().kind != Kind.END) {
            Token t = p.peek();
            p.fail(t.pos, "unexpected '" + t.text + "'; expected 'and', 'or' or the end" + connectiveHint(t));
            return null;
        }
        return p.failed ? null : a;
    }

    // ---- lexer ----

    private boolean lex() {
        int i = 0;
        int n = src.length();
        while (true) {
            while (i < n && Character.isWhitespace(src.charAt(i))) {
                i++;
            }
            if (i >= n) {
                tokens.add(new Token(Kind.END, "end of condition", n));
                return true;
            }
            char c = src.charAt(i);
            int start = i;
            switch (c) {
                case '(' -> {
                    tokens.add(new Token(Kind.LPAREN, "(", i));
                    i++;
                }
                case ')' -> {
                    tokens.add(new Token(Kind.RPAREN, ")", i));
                    i++;
                }
                case ',' -> {
                    tokens.add(new Token(Kind.COMMA, ",", i));
                    i++;
                }
                case '=' -> {
                    tokens.add(new Token(Kind.OP, "=", i));
                    i++;
                }
                case '!', '<', '>' -> {
                    if (i + 1 < n && src.charAt(i + 1) == '=') {
                        tokens.add(new Token(Kind.OP, src.substring(i, i + 2), i));
                        i += 2;
                    } else if (c == '!') {
                        fail(i, "'!' must be followed by '='; use 'not' to negate");
                        return false;
                    } else {
                        tokens.add(new Token(Kind.OP, String.valueOf(c), i));
                        i++;
                    }
                }
                case '"', '\'' -> {
                    StringBuilder sb = new StringBuilder();
                    i++;
                    boolean closed = false;
                    while (i < n) {
                        char d = src.charAt(i);
                        if (d == '\\' && i + 1 < n && (src.charAt(i + 1) == c || src.charAt(i + 1) == '\\')) {
                            sb.append(src.charAt(i + 1));
                            i += 2;
                        } else if (d == c) {
                            closed = true;
                            i++;
                            break;
                        } else {
                            sb.append(d);
                            i++;
                        }
                    }
                    if (!closed) {
                        fail(start, "unterminated string");
                        return false;
                    }
                    tokens.add(new Token(Kind.STRING, sb.toString(), start));
                }
                default -> {
                    while (i < n && isWordChar(src.charAt(i))) {
                        i++;
                    }
                    String w = src.substring(start, i);
                    if ("\u201C\u201D\u2018\u2019".indexOf(c) >= 0) {
                        fail(start, "'" + w + "' starts with a typographic quote (pasted from a word processor?);"
                                + " quote values with \" or '");
                        return false;
                    }
                    tokens.add(new Token(OPERATORS.contains(w) ? Kind.OP : Kind.WORD, w, start));
                }
            }
        }
    }

    static boolean isWordChar(char c) {
        return !Character.isWhitespace(c) && c != '(' && c != ')' && c != ',' && c != '"' && c != '\''
                && c != '=' && c != '!' && c != '<' && c != '>';
    }

    // ---- parser ----

    private Token peek() {
        return tokens.get(next);
    }

    private Token take() {
        Token t = tokens.get(next);
        if (t.kind != Kind.END) {
            next++;
        }
        return t;
    }

    private boolean isWord(Token t, String w) {
        return t.kind == Kind.WORD && t.text.equals(w);
    }

    /**
     * Nesting a condition may have: deep enough for any rule a person writes, shallow enough that
     * parsing, compiling and evaluating it (recursive, with macros inlined) cannot overflow a stack.
     */
    static final int MAX_DEPTH = 64;
    private int depth;

    private Ast fail(int pos, String message) {
        if (!failed) {
            failed = true;
            errors.error(pos, message);
        }
        return null;
    }

    private Ast expr() {
        Ast left = and();
        if (left == null) {
            return null;
        }
        List<Ast> parts = null;
        while (isWord(peek(), "or")) {
            take();
            Ast right = and();
            if (right == null) {
                return null;
            }
            if (parts == null) {
                parts = new ArrayList<>();
                parts.add(left);
            }
            parts.add(right);
        }
        return parts == null ? left : new Ast.Or(parts);
    }

    private Ast and() {
        Ast left = unary();
        if (left == null) {
            return null;
        }
        List<Ast> parts = null;
        while (isWord(peek(), "and")) {
            take();
            Ast right = unary();
            if (right == null) {
                return null;
            }
            if (parts == null) {
                parts = new ArrayList<>();
                parts.add(left);
            }
            parts.add(right);
        }
        return parts == null ? left : new Ast.And(parts);
    }

    private Ast unary() {
        if (isWord(peek(), "not")) {
            Token not = take();
            if (++depth > MAX_DEPTH) {
                return fail(not.pos, "the condition nests deeper than " + MAX_DEPTH + " levels of 'not' and '('");
            }
            Ast inner = unary();
            depth--;
            return inner == null ? null : new Ast.Not(inner, not.pos);
        }
        return primary();
    }

    private Ast primary() {
        Token t = take();
        if (t.kind == Kind.LPAREN) {
            if (++depth > MAX_DEPTH) {
                return fail(t.pos, "the condition nests deeper than " + MAX_DEPTH + " levels of 'not' and '('");
            }
            Ast inner = expr();
            depth--;
            if (inner == null) {
                return null;
            }
            Token close = take();
            if (close.kind == Kind.END) {
                return fail(t.pos, "this '(' is not closed");
            }
            if (close.kind != Kind.RPAREN) {
                return fail(close.pos, "expected ')' but found '" + close.text + "'");
            }
            return inner;
        }
        if (t.kind != Kind.WORD || isKeyword(t.text)) {
            return fail(t.pos, "expected a field, a macro, 'not' or '(' but found '" + t.text + "'");
        }
        Token op = peek();
        if (isWord(op, "exists")) {
            take();
            return new Ast.Exists(t);
        }
        if (op.kind == Kind.STRING || op.kind == Kind.WORD && !isKeyword(op.text) && connectiveHint(op).isEmpty()
                || isWord(op, "not")) {
            // `exe startwith "/tmp/"`, `exe not startswith …`, `exe "/tmp"`: no macro is followed by these
            String found = op.kind == Kind.STRING ? '"' + op.text + '"' : op.text;
            return fail(op.pos, "expected an operator after '" + t.text + "' but found '" + found + "'"
                    + operatorHint(op));
        }
        if (op.kind != Kind.OP) {
            return new Ast.MacroRef(t);
        }
        take();
        List<Token> values = new ArrayList<>();
        boolean parenthesized = false;
        Token v = take();
        if (v.kind == Kind.LPAREN) {
            parenthesized = true;
            while (true) {
                Token item = take();
                if (item.kind != Kind.WORD && item.kind != Kind.STRING) {
                    return fail(item.pos, "expected a value but found '" + item.text + "'");
                }
                values.add(item);
                Token sep = take();
                if (sep.kind == Kind.RPAREN) {
                    break;
                }
                if (sep.kind != Kind.COMMA) {
                    return fail(sep.pos, "expected ',' or ')' but found '" + sep.text + "'");
                }
            }
        } else if (v.kind == Kind.WORD || v.kind == Kind.STRING) {
            if (v.kind == Kind.WORD && v.text.startsWith("[") && peek().kind == Kind.COMMA) {
                return fail(v.pos, "a list of values is written in parentheses here: (a, b), not [a, b]");
            }
            if (v.kind == Kind.WORD && isKeyword(v.text)) {
                return fail(v.pos, "expected a value after '" + op.text + "' but found '" + v.text + "'");
            }
            if (v.kind == Kind.WORD && op.text.equals("=") && v.text.startsWith("~") && v.pos == op.pos + 1) {
                return fail(op.pos, "'=~' is no operator here: write 'matches' for a regular expression");
            }
            values.add(v);
        } else {
            return fail(v.pos, "expected a value after '" + op.text + "' but found '" + v.text + "'"
                    + (op.text.equals("=") && v.text.equals("=") ? " (equality is one '=')" : ""));
        }
        return new Ast.Compare(t, op, values, parenthesized);
    }

    /** How to write a connective that is spelled another way ({@code AND}, {@code &&}, {@code ||}), or "". */
    private static String connectiveHint(Token t) {
        if (t.kind != Kind.WORD) {
            return "";
        }
        String w = t.text.equals("&&") ? "and" : t.text.equals("||") ? "or" : t.text.toLowerCase(java.util.Locale.ROOT);
        return !w.equals(t.text) && (w.equals("and") || w.equals("or") || w.equals("not"))
                ? " (write '" + w + "': keywords are lower case words)" : "";
    }

    /** After a field, a word that is no operator: the operator it was probably meant to be, or why not. */
    private static String operatorHint(Token t) {
        if (t.kind != Kind.WORD) {
            return "; the operators are " + String.join(" ", OPERATORS) + " and exists";
        }
        if (t.text.equals("not")) {
            return "; put 'not' before the field: not FIELD OP VALUE";
        }
        String w = t.text.toLowerCase(java.util.Locale.ROOT);
        String best = null;
        int bestDistance = 3;
        for (String o : concat(OPERATORS, "exists")) {
            int d = editDistance(w, o);
            if (d < bestDistance && o.length() > 2) {
                best = o;
                bestDistance = d;
            }
        }
        return best != null ? "; did you mean '" + best + "'?"
                : "; the operators are " + String.join(" ", OPERATORS) + " and exists";
    }

    private static List<String> concat(List<String> a, String b) {
        List<String> out = new ArrayList<>(a);
        out.add(b);
        return out;
    }

    /** Levenshtein distance, for the few short words of an operator hint. */
    static int editDistance(String a, String b) {
        int[] prev = new int[b.length() + 1];
        int[] cur = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            prev[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            cur[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int sub = prev[j - 1] + (a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1);
                cur[j] = Math.min(sub, Math.min(prev[j] + 1, cur[j - 1] + 1));
            }
            int[] t = prev;
            prev = cur;
            cur = t;
        }
        return prev[b.length()];
    }

    private static boolean isKeyword(String w) {
        return w.equals("and") || w.equals("or") || w.equals("not") || w.equals("exists");
    }
}
