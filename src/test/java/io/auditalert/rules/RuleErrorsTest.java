package io.auditalert.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.config.ConfigError;
import io.auditalert.metrics.Telemetry;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Load errors: every planted error of a broken file, each at the line and column of the offending token. */
class RuleErrorsTest {
    @Test
    void shouldReportEveryPlantedErrorAtItsLineAndColumn() throws Exception {
        Path file = Path.of(getClass().getResource("/rules/broken-rules.yml").toURI());
        RuleLoader.Result r = RuleLoader.load(List.of(file), new FakeNames(), new Telemetry());
        assertThat(r.ok()).isFalse();
        assertThat(r.ruleSet()).isNull();
        String f = file.toString();
        assertThat(r.errors()).extracting(ConfigError::toString).containsExactlyInAnyOrder(
                f + ":6:39: unknown field 'nosuchfield'",
                f + ":9:32: unknown field 'exee'",
                f + ":12:14: unknown macro 'not_a_macro'",
                f + ":15:26: bad regular expression: Unclosed group near index 7",
                f + ":18:22: 'pid' compares as a number, and 'abc' is not one",
                f + ":21:14: unknown record type 'PATHH'",
                f + ":25:3: unknown key 'severty' (expected one of: rule, desc, condition, severity, output, tags, "
                        + "enabled, exceptions, throttle)",
                f + ":29:13: severity must be one of info, low, medium, high, critical, not 'urgent'",
                f + ":32:32: this '(' is not closed",
                f + ":37:16: unknown user 'nosuchuser' for 'auid'",
                f + ":41:26: unknown field 'auidd'",
                f + ":45:34: expected a duration such as 500ms, 2s, 1m, 1h, 1d or 1w (units in lower case)",
                f + ":50:3: missing required key 'condition'");
    }

    @Test
    void shouldPointIntoFoldedAndMultiLinePlainConditions() {
        String yaml = "- rule: folded\n"
                + "  condition: >-\n"
                + "    exe exists\n"
                + "    and comm = x and bogus = 1\n"
                + "- rule: plain\n"
                + "  condition: exe exists\n"
                + "    and also_bogus = 2\n";
        RuleLoader.Result r = RuleLoader.loadTexts(Map.of("m.yml", yaml), new FakeNames(), new Telemetry());
        assertThat(r.errors()).extracting(ConfigError::toString).containsExactly(
                "m.yml:4:22: unknown field 'bogus'",
                "m.yml:7:9: unknown field 'also_bogus'");
    }

    @Test
    void shouldReportYamlSyntaxErrorsWithPosition() {
        RuleLoader.Result r = RuleLoader.loadTexts(Map.of("y.yml", "- rule: x\n  condition: [unclosed\n"),
                new FakeNames(), new Telemetry());
        assertThat(r.ok()).isFalse();
        assertThat(r.errors()).hasSize(1);
        ConfigError e = r.errors().get(0);
        assertThat(e.file()).isEqualTo("y.yml");
        // found at the end of the file, reported where the bracket opened
        assertThat(e.line()).isEqualTo(2);
        assertThat(e.col()).isEqualTo(14);
        assertThat(e.message()).startsWith("YAML syntax error");
        ConfigError quote = RuleLoader.loadTexts(Map.of("q.yml", "- rule: x\n  condition: \"exe = a\n  severity: low\n"
                + "- rule: y\n  condition: exe exists\n"), new FakeNames(), new Telemetry()).errors().get(0);
        assertThat(quote.line()).as("the quote never closed: %s", quote).isEqualTo(2);
        assertThat(quote.col()).isEqualTo(14);
    }

    @Test
    void shouldReportTheErrorsOfARuleDefinedTwiceInAFileAsWellAsTheDuplicate() {
        RuleLoader.Result r = RuleLoader.loadTexts(Map.of("d.yml", "- rule: x\n  condition: exe = a and nosuchfield = 1\n"
                + "- rule: x\n  condition: exe exists\n"), new FakeNames(), new Telemetry());
        assertThat(r.errors()).extracting(ConfigError::toString).anySatisfy(e -> assertThat(e).startsWith("d.yml:2:")
                .contains("nosuchfield")).anySatisfy(e -> assertThat(e).contains("defined twice in this file"));
    }

    @Test
    void shouldReportMacroCyclesAndSelfContainingLists() {
        String yaml = "- macro: a\n  condition: b\n- macro: b\n  condition: a\n"
                + "- list: l\n  items: [l, x]\n- rule: r\n  condition: exe in l\n";
        RuleLoader.Result r = RuleLoader.loadTexts(Map.of("c.yml", yaml), new FakeNames(), new Telemetry());
        assertThat(r.errors()).extracting(ConfigError::message).anyMatch(m -> m.startsWith("macro 'a' refers to itself"))
                .anyMatch(m -> m.equals("list 'l' contains itself"));
    }

    @Test
    void shouldSayWhatWasMeantForTheMistakesPeopleMakeWhenWritingConditions() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("exe startwith \"/tmp/\"",
                "2:19: expected an operator after 'exe' but found 'startwith'; did you mean 'startswith'?");
        cases.put("exe not startswith /tmp/",
                "2:19: expected an operator after 'exe' but found 'not'; put 'not' before the field: not FIELD OP VALUE");
        cases.put("exe \"/tmp/x\"", "2:19: expected an operator after 'exe' but found '\"/tmp/x\"'; the operators are"
                + " = != < <= > >= in startswith endswith contains icontains glob matches and exists");
        cases.put("exe = /bin/sh AND uid = 0",
                "2:29: unexpected 'AND'; expected 'and', 'or' or the end (write 'and': keywords are lower case words)");
        cases.put("exe = /bin/sh && uid = 0",
                "2:29: unexpected '&&'; expected 'and', 'or' or the end (write 'and': keywords are lower case words)");
        cases.put("exe == /bin/sh", "2:20: expected a value after '=' but found '=' (equality is one '=')");
        cases.put("exe in [/bin/sh, /bin/bash]",
                "2:22: a list of values is written in parentheses here: (a, b), not [a, b]");
        cases.put("exe startswith \u201C/tmp/\u201D",
                "2:30: '\u201C/tmp/\u201D' starts with a typographic quote (pasted from a word processor?); quote values"
                        + " with \" or '");
        cases.put("(exe = /bin/sh or (uid = 0)", "2:15: this '(' is not closed");
        cases.forEach((condition, error) -> {
            String yaml = "- rule: r\n  condition: '" + condition.replace("'", "''") + "'\n";
            assertThat(RuleLoader.loadTexts(Map.of("t.yml", yaml), new FakeNames(), new Telemetry()).errors())
                    .as(condition).extracting(ConfigError::toString).containsExactly("t.yml:" + error);
        });
        // (columns count from the condition's opening quote, at 14)
        // still fine: a macro followed by a connective, and a glob class as a bare word
        assertThat(RuleLoader.loadTexts(Map.of("ok.yml", "- macro: m\n  condition: exe exists\n"
                + "- rule: r\n  condition: m and exe glob [ab]*\n"), new FakeNames(), new Telemetry()).errors()).isEmpty();
    }

    @Test
    void shouldRejectRulesThatLoadButCouldNeverDoWhatTheyLookLike() {
        Map<String, String> cases = new java.util.LinkedHashMap<>();
        cases.put("  condition: exe glob \"/usr/[bin/*\"\n",
                "2:23: the '[' at 6 opens a class that no ']' closes (write \\[ for the character)");
        cases.put("  condition: exe glob \"^/tmp/.*$\"\n",
                "2:23: a glob matches the whole value and '^' and '$' are characters in it; for a regular expression"
                        + " use matches");
        cases.put("  condition: exe exists\n  output: \"\"\n",
                "3:11: the output is empty; leave 'output' out for the default summary of the event");
        cases.put("  condition: exe exists\n  output: {exe}\n",
                "3:11: expected a string; YAML reads a value starting with '{' as a mapping: put the output in quotes"
                        + " (output: \"{exe} ran {argv}\")");
        cases.put("  condition: exe exists\n  output: alert: {exe} ran\n",
                "3:16: YAML syntax error: mapping values are not allowed here (a ': ' inside a value: put the whole"
                        + " value in quotes)");
        cases.put("  condition: !key exists\n",
                "2:14: YAML reads '!key' at the start of a value as a tag: quote the condition, or write 'not' for a"
                        + " negation");
        cases.put("  condition: exe exists\n  output: \"{auid ran {exe}\"\n",
                "3:12: this '{' is not closed before the next '{' (write '{{' for the character)");
        cases.put("  condition: exe exists\n  output: \"x {?} y\"\n", "3:14: no field name in '{?}'");
        cases.put("  condition: exe exists\n  output: \"{EXECVE.}\"\n", "3:20: no field name after 'EXECVE.'");
        cases.put("  condition: exe exists\n  exceptions:\n    - name: known\n      fields: [exe]\n      values: [[/x]]\n",
                "4:7: an exception here is a condition (- exe = /usr/bin/x and uid = 0), not Falco's name, fields and"
                        + " values");
        cases.forEach((rule, error) -> assertThat(RuleLoader.loadTexts(Map.of("g.yml", "- rule: r\n" + rule),
                new FakeNames(), new Telemetry()).errors()).as(rule).extracting(ConfigError::toString)
                .containsExactly("g.yml:" + error));
        // a bad pattern in a list: the rule names the list, the error names the item
        assertThat(RuleLoader.loadTexts(Map.of("l.yml", "- list: pats\n  items: ['^/tmp/', '^/x/(']\n"
                + "- rule: r\n  condition: exe matches pats\n"), new FakeNames(), new Telemetry()).errors())
                .extracting(ConfigError::toString).containsExactly("l.yml:4:26: bad regular expression: Unclosed group"
                        + " near index 5 (list 'pats', item \"^/x/(\")");
        // a class, an escaped [ and an escaped $ at the end are fine
        assertThat(RuleLoader.loadTexts(Map.of("ok.yml", "- rule: r\n  condition: exe glob (\"/usr/[ab]in/*\","
                + " \"/x/\\\\[*\", \"*\\\\$\")\n"), new FakeNames(), new Telemetry()).errors()).isEmpty();
    }

    @Test
    void shouldListTheErrorsDownTheFile() {
        // a rule without a condition is found in a first pass over the file, before any condition is compiled
        String yaml = "- rule: a\n  condition: exe matches pats\n  severity: nope\n"
                + "- list: pats\n  items: ['(']\n- rule: b\n  condition: exee exists\n- rule: c\n  desc: none\n";
        assertThat(RuleLoader.loadTexts(Map.of("o.yml", yaml), new FakeNames(), new Telemetry()).errors())
                .extracting(e -> e.line() + ":" + e.col()).containsExactly("2:26", "3:13", "7:14", "8:3");
    }

    @Test
    void shouldReportAnUnknownListAfterInInsteadOfComparingWithTheWord() {
        String yaml = "- list: shells\n  items: [/bin/sh]\n"
                + "- rule: typo\n  condition: exe in shels\n"
                + "- rule: fine\n  condition: exe in shells or exe in (shels) or exe in \"shels\" or exe = shels\n";
        RuleLoader.Result r = RuleLoader.loadTexts(Map.of("l.yml", yaml), new FakeNames(), new Telemetry());
        assertThat(r.errors()).extracting(ConfigError::toString).containsExactly(
                "l.yml:4:21: unknown list 'shels' (a value of its own is written in parentheses: (shels))");
    }

    // found by MalformedConfigTest: each of these threw out of the loader, or was accepted, or misplaced

    private static List<String> errorsOf(String yaml) {
        RuleLoader.Result r = RuleLoader.loadTexts(Map.of("m.yml", yaml), new FakeNames(), new Telemetry());
        assertThat(r.ok()).isFalse();
        return r.errors().stream().map(ConfigError::toString).toList();
    }

    @Test
    void shouldCountALoneCarriageReturnAsALineBreakInPositions() {
        // old Mac line ends: YAML reads each CR as a line break, so the error is on line 4, not past line 3's end
        assertThat(errorsOf("- rule: r\r  condition: exe exists\r  output: \"x\r  {nope}\"\r"))
                .singleElement().asString().startsWith("m.yml:4:4: ");
        assertThat(errorsOf("- rule: r\r\n  condition: |\r    exe exists and\r    nope = 1\r"))
                .containsExactly("m.yml:4:5: unknown field 'nope'");
    }

    @Test
    void shouldRefuseALoneSurrogateWhereverItIsWritten() {
        // "\ud800" is a YAML escape for half a UTF-16 pair: no character, and no UTF-8 bytes to match
        String lone = ": a lone UTF-16 surrogate (\\ud800) is no character: write the character itself, or its \\U form"
                + " with all eight digits";
        assertThat(errorsOf("- rule: r\n  condition: \"exe matches '\\ud800+'\"\n")).containsExactly(
                "m.yml:2:27: bad regular expression: a lone UTF-16 surrogate is not a character", "m.yml:2:28" + lone);
        assertThat(errorsOf("- rule: r\n  condition: \"comm glob '\\ud800'\"\n")).containsExactly("m.yml:2:26" + lone);
        assertThat(errorsOf("- secret_patterns: [\"\\ud800+\"]\n- rule: r\n  condition: exe exists\n"))
                .containsExactly("m.yml:1:22" + lone);
    }

    @Test
    void shouldRefuseListsNestedTooDeepOrTooLarge() {
        StringBuilder chain = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            chain.append("- list: l").append(i).append("\n  items: [l").append(i + 1).append("]\n");
        }
        chain.append("- list: l20000\n  items: [x]\n- rule: r\n  condition: exe in l0\n");
        assertThat(errorsOf(chain.toString())).containsExactly(
                "m.yml:40004:21: lists name lists more than 64 deep here (through l64)");
        // each list names the next twice: 2^30 values
        StringBuilder doubling = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            doubling.append("- list: d").append(i).append("\n  items: [d").append(i + 1).append(", d").append(i + 1).append("]\n");
        }
        doubling.append("- list: d30\n  items: [x]\n- rule: r\n  condition: exe in d0\n");
        assertThat(errorsOf(doubling.toString())).containsExactly(
                "m.yml:64:21: list 'd30' expands to more than 100000 values (lists it names included)");
    }

    @Test
    void shouldRefuseYamlNestedTooDeepWithAnErrorNotAnOverflow() {
        assertThat(errorsOf("- {rule: r, condition: exe exists, tags: " + "[".repeat(200_000) + "]".repeat(200_000) + "}\n"))
                .containsExactly("m.yml:1:1: YAML error: lists or maps nested deeper than the parser can follow (more than 64"
                        + " levels is an error)");
        assertThat(errorsOf("- {rule: r, condition: exe exists, tags: " + "[".repeat(100) + "]".repeat(100) + "}\n"))
                .containsExactly("m.yml:1:104: lists or maps nested deeper than 64 levels");
        assertThat(errorsOf("- &a [*a]\n")).containsExactly(
                "m.yml:1:3: an alias (*name) inside the value it names: the value would never end");
    }
}
