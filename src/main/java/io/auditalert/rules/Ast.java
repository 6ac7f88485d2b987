package io.auditalert.rules;

import io.auditalert.rules.ConditionParser.Token;
import java.util.List;

/**
 * The parsed form of a condition, before names are resolved. Only the compiler reads it; events never
 * see it. Tokens keep their offsets so the compiler can point errors into the condition.
 */
sealed interface Ast {
    record And(List<Ast> parts) implements Ast {}

    record Or(List<Ast> parts) implements Ast {}

    record Not(Ast inner, int pos) implements Ast {}

    /** {@code field op value} or {@code field op (v1, v2, ...)}. */
    record Compare(Token field, Token op, List<Token> values, boolean parenthesized) implements Ast {}

    record Exists(Token field) implements Ast {}

    record MacroRef(Token name) implements Ast {}
}
