package io.auditalert.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.config.ConfigError;
import io.auditalert.metrics.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class DefaultRulesBundleTest {
    @Test
    void shouldNameEveryBundledFileInLoadOrder() throws Exception {
        List<String> onDisk = DefaultRulesTest.defaultFiles().stream().map(p -> p.getFileName().toString()).toList();
        assertThat(DefaultRules.FILES).isEqualTo(onDisk);
        RuleLoader.Result r = DefaultRules.load(new FakeNames(), new Telemetry());
        assertThat(r.errors()).isEmpty();
        assertThat(r.ruleSet().rules()).extracting(CompiledRule::name).contains("binary-dir-modified",
                "shell-network-activity", "authentication-failed");
    }

    @Test
    void shouldExpandRulesGlobsSortedByName(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("20-b.yml"), "");
        Files.writeString(dir.resolve("10-a.yml"), "");
        Files.writeString(dir.resolve("notes.txt"), "");
        List<ConfigError> errors = new ArrayList<>();
        List<Path> files = RuleFiles.expand(List.of(dir + "/*.yml", dir + "/missing.yml", dir + "/none/*.yml"),
                "auditalert.yml", errors);
        assertThat(files).containsExactly(dir.resolve("10-a.yml"), dir.resolve("20-b.yml"));
        assertThat(errors).extracting(ConfigError::message).containsExactly("rules file not found: " + dir + "/missing.yml");
    }
}
