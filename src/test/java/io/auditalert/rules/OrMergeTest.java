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
    void shouldCompileToOneTestWhenOnlyOneFieldIsCompared() {
        RuleSet set = ConditionLanguageTest.load("- rule: r\n  condition: 'exit = EACCES or exit = EPERM'\n");
        Condition c = set.rule("r").condition;
        assertThat(c).isInstanceOf(Condition.FieldTest.class);
        RuleSet mixed = ConditionLanguageTest.load("- rule: r\n  condition: 'exit = EACCES or uid = 0 or exit = EPERM'\n");
        assertThat(mixed.rule("r").condition).isInstanceOf(Condition.Or.class);
    }
}
