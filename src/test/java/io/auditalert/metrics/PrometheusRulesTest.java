package io.auditalert.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The shipped alerting rules parse, each has a promtool unit test, and the tests pass. */
@Tag("integration")
class PrometheusRulesTest {
    static final Path RULES = Path.of("packaging", "prometheus", "auditalert-rules.yml");
    static final Path RULE_TESTS = Path.of("packaging", "prometheus", "auditalert-rules.test.yml");

    @Test
    void shippedRulesShouldPassPromtoolCheckAndUnitTests() throws Exception {
        Path promtool = Peers.require("promtool", "prometheus");
        Peers.Result check = Peers.run(null, promtool.toString(), "check", "rules", RULES.toString());
        assertThat(check.rc()).as(check.output()).isZero();
        List<String> alerts = Pattern.compile("(?m)^\\s*- alert: (\\w+)$").matcher(Files.readString(RULES)).results()
                .map(m -> m.group(1)).toList();
        assertThat(alerts).hasSize(11);
        assertThat(check.output()).contains("SUCCESS: " + alerts.size() + " rules found");
        String tests = Files.readString(RULE_TESTS);
        assertThat(alerts).allSatisfy(a -> assertThat(tests).as("a unit test that fires " + a)
                .containsPattern("alertname: " + a + "\\s+exp_alerts:\\s+- exp_labels"));
        Peers.Result test = Peers.run(null, promtool.toString(), "test", "rules", RULE_TESTS.toString());
        assertThat(test.rc()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS").doesNotContain("FAILED");
    }
}
