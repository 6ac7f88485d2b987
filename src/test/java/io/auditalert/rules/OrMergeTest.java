package io.auditalert.rules;

import static io.auditalert.rules.ConditionLanguageTest.SHADOW_DENIED;
import static io.auditalert.rules.ConditionLanguageTest.SHADOW_READ;
import static io.auditalert.rules.ConditionLanguageTest.matches;
import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/**
 * Alternatives over one field compile into one test ({@code exit = EACCES or exit = EPERM} reads exit
 * once); the merged test must decide exactly as the alternatives did.
 */
class OrMergeTest {
    @Test
    void shouldMergeComparisonsOfOneFieldAndKeepTheirMeaning() {
        assertThat(matches("exit = EACCES or exit = EPERM", SHADOW_DENIED)).isTrue();
        assertThat(matches("exit = EPERM or exit = EACCES", SHADOW_DENIED)).isTrue();
        assertThat(matches("exit = EACCES or exit = EPERM", SHADOW_READ)).isFalse();
        assertThat(matches("exe = \"/usr/bin/cat\" or exe = \"/bin/cat\"", SHADOW_READ)).isTrue();
        assertThat(matches("exe = \"/bin/true\" or exe = \"/bin/false\"", SHADOW_READ)).isFalse();
        // different operators on one field stay separate alternatives
        assertThat(matches("exe startswith \"/nope\" or exe endswith \"/cat\"", SHADOW_READ)).isTrue();
        // a merged pair beside an alternative on another field
        assertThat(matches("exit = ENOENT or uid = 0 or exit = EPERM", SHADOW_READ)).isTrue();
    }

    @Test
    void shouldMergeAnOrOfThousandsOfComparisonsAtOnce() {
        // merged pairwise, 50,000 alternatives copied their literals 50,000 times: 10 s and 845 MB in check
        StringBuilder exes = new StringBuilder();
        StringBuilder keys = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            exes.append("exe = \"/usr/bin/p").append(i).append("\" or ");
            keys.append("key = \"k").append(i).append("\" or ");
        }
        assertThat(matches(exes + "exe = \"/usr/bin/cat\"", SHADOW_READ)).isTrue();
        assertThat(matches(exes + "exe = \"/usr/bin/dog\"", SHADOW_READ)).isFalse();
        assertThat(matches(exes + "exe = \"/usr/bin/dog\" or uid = 0", SHADOW_READ)).isTrue();
        assertThat(matches(keys + "key = \"k20000\"", SHADOW_READ)).isFalse();
        assertThat(matches(keys + "key = \"sensitive_read\"", SHADOW_READ)).isTrue();
        RuleSet set = ConditionLanguageTest.load("- rule: r\n  condition: '" + exes + "exe = \"/bin/cat\"'\n");
        assertThat(set.rule("r").condition).isInstanceOf(Condition.FieldTest.class);
    }

    @Test
    void shouldCompileToOneTestWhenOnlyOneFieldIsCompared() {
        RuleSet set = ConditionLanguageTest.load("- rule: r\n  condition: 'exit = EACCES or exit = EPERM'\n");
        Condition c = set.rule("r").condition;
        assertThat(c).isInstanceOf(Condition.FieldTest.class);
        RuleSet mixed = ConditionLanguageTest.load("- rule: r\n  condition: 'exit = EACCES or uid = 0 or exit = EPERM'\n");
        assertThat(mixed.rule("r").condition).isInstanceOf(Condition.Or.class);
    }
}
