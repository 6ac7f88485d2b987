package io.auditalert.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.config.AppConfig;
import io.auditalert.config.ConfigError;
import io.auditalert.config.ConfigLoader;
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
        Path config = dir.resolve("auditalert.yaml"); // not one of the *.yml it lists
        Files.createDirectories(dir.resolve("d"));
        Files.writeString(dir.resolve("d/30-c.yml"), "");
        Files.writeString(config, "rules:\n  - '*.yml'\n  - missing.yml\n  - none/*.yml\n  - d\n");
        List<ConfigError> errors = new ArrayList<>();
        AppConfig cfg = ConfigLoader.load(config, errors);
        assertThat(errors).isEmpty();
        List<ConfigError> warnings = new ArrayList<>();
        List<Path> files = RuleFiles.expand(cfg.rules, cfg.ruleNodes, config.toString(), errors, warnings);
        assertThat(files).containsExactly(dir.resolve("10-a.yml"), dir.resolve("20-b.yml"), dir.resolve("d/30-c.yml"));
        assertThat(errors).extracting(ConfigError::toString)
                .containsExactly(config + ":3:5: rules file not found: " + dir + "/missing.yml");
        assertThat(warnings).extracting(ConfigError::toString)
                .containsExactly(config + ":4:5: no such directory: " + dir + "/none (" + dir + "/none/*.yml matches no file)");
    }

    @Test
    void shouldTakeDirectoriesAndQuotedPatternsAsRulesArguments(@TempDir Path dir) throws Exception {
        Files.createDirectories(dir.resolve("rules.d"));
        Files.createDirectories(dir.resolve("empty"));
        Files.writeString(dir.resolve("rules.d/20-b.yml"), "");
        Files.writeString(dir.resolve("rules.d/10-a.yml"), "");
        Files.writeString(dir.resolve("rules.d/15-falco.yaml"), ""); // Falco's extension: loaded, in name order
        Files.writeString(dir.resolve("rules.d/notes.txt"), "");
        Files.writeString(dir.resolve("one.yml"), "");
        List<String> errors = new ArrayList<>();
        List<String> warnings = new ArrayList<>();
        List<Path> files = RuleFiles.expandArguments(List.of(dir.resolve("rules.d"), dir.resolve("one.yml"),
                dir.resolve("rules.d/2*.yml"), dir.resolve("gone.yml"), dir.resolve("empty"), dir.resolve("none/*.yml")),
                errors, warnings);
        // a plain path is the loader's to read or report (FILE:1:1: cannot read file)
        assertThat(files).containsExactly(dir.resolve("rules.d/10-a.yml"), dir.resolve("rules.d/15-falco.yaml"),
                dir.resolve("rules.d/20-b.yml"),
                dir.resolve("one.yml"), dir.resolve("rules.d/20-b.yml"), dir.resolve("gone.yml"));
        assertThat(errors).isEmpty();
        assertThat(warnings).containsExactly("no *.yml or *.yaml files in " + dir.resolve("empty"),
                "no such directory: " + dir.resolve("none") + " (" + dir.resolve("none/*.yml") + " matches no file)");

        // a pattern that is no glob is an error, in the configuration and as an argument
        assertThat(RuleFiles.expandArguments(List.of(dir.resolve("rules.d/1[.yml")), errors, warnings)).isEmpty();
        assertThat(errors).singleElement().asString().startsWith("bad pattern '1[.yml': ");
        Path config = Files.writeString(dir.resolve("auditalert.yaml"), "rules: ['rules.d/1[.yml']\n");
        List<ConfigError> configErrors = new ArrayList<>();
        AppConfig cfg = ConfigLoader.load(config, configErrors);
        RuleFiles.expand(cfg.rules, cfg.ruleNodes, config.toString(), configErrors, new ArrayList<>());
        assertThat(configErrors).singleElement().asString().startsWith(config + ":1:9: bad pattern '1[.yml': ");
    }

    @Test
    void shouldPlaceErrorsOfBuiltInEntriesAtTheFileStart(@TempDir Path dir) {
        List<ConfigError> errors = new ArrayList<>();
        List<ConfigError> warnings = new ArrayList<>();
        assertThat(RuleFiles.expand(List.of(dir + "/gone.yml"), List.of(), "auditalert.yml", errors, warnings)).isEmpty();
        assertThat(errors).extracting(ConfigError::toString)
                .containsExactly("auditalert.yml:1:1: rules file not found: " + dir + "/gone.yml");
        assertThat(warnings).isEmpty();
    }
}
