package io.auditalert.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** The shipped alerting rules parse and pass their promtool unit tests. */
@Tag("integration")
class PrometheusRulesTest {
    static final Path RULES = Path.of("packaging", "prometheus", "auditalert-rules.yml");
    static final Path RULE_TESTS = Path.of("packaging", "prometheus", "auditalert-rules.test.yml");

    @Test
    void shippedRulesShouldPassPromtoolCheckAndUnitTests() throws Exception {
        Path promtool = Peers.require("promtool", "prometheus");
        Peers.Result check = Peers.run(null, promtool.toString(), "check", "rules", RULES.toString());
        assertThat(check.rc()).as(check.output()).isZero();
        assertThat(check.output()).contains("SUCCESS: 10 rules found");
        Peers.Result test = Peers.run(null, promtool.toString(), "test", "rules", RULE_TESTS.toString());
        assertThat(test.rc()).as(test.output()).isZero();
        assertThat(test.output()).contains("SUCCESS").doesNotContain("FAILED");
    }
}
