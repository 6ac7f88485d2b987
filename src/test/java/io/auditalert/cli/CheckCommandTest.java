package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.config.AppConfig;
import io.auditalert.metrics.Telemetry;
import io.auditalert.pipeline.RuleEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** {@code check --config}: every error of the configuration and of the rules and sinks it names, in one run. */
class CheckCommandTest {
    @TempDir
    Path dir;

    @RegisterExtension
    final StderrCapture stderr = new StderrCapture();

    @Test
    void shouldCheckTheRulesAndSinksOfAConfigThatHasErrorsOfItsOwn() throws Exception {
        Files.writeString(dir.resolve("broken.yml"), "- rule: r\n  condition: exe in shels\n");
        Path config = Files.writeString(dir.resolve("auditalert.yaml"),
                "workers: 99\nrules: [broken.yml, absent.yml]\nsinks:\n  - {type: file}\n");

        assertThat(CheckCommand.run(new String[] {"--config", config.toString()})).isEqualTo(Main.EXIT_USAGE);

        String n = System.lineSeparator();
        assertThat(stderr.text()).isEqualTo(
                config + ":1:10: workers must be between 0 and 64" + n
                + config + ":2:21: rules file not found: " + dir.resolve("absent.yml") + n
                + dir.resolve("broken.yml") + ":2:21: unknown list 'shels' (a value of its own is written in parentheses: (shels))" + n
                + config + ":4:5: sinks[0].path: required" + n
                + "auditalert check: 4 error(s)" + n);
    }

    @Test
    void shouldReplayThroughTheBundledRulesWhenNothingNamesRulesAndNoneAreInstalled() throws Exception {
        // one event of capture-evasion.log: sh -c 'wget -qO- … | bash'
        List<String> lines = Files.readAllLines(Path.of(getClass().getResource("/rules/capture-evasion.log").toURI()),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        Path one = dir.resolve("one.log");
        Files.write(one, lines.stream().filter(l -> l.contains(":2232240)")).toList(),
                java.nio.charset.StandardCharsets.ISO_8859_1);
        assertThat(ReplayCommand.run(new String[] {"--progress", "never", one.toString()})).isEqualTo(Main.EXIT_OK);
        if (Files.isDirectory(AppConfig.DEFAULT_RULES_DIR)) {
            // the package is installed here: its rules.d is what a bare replay loads
            assertThat(stderr.text()).doesNotContain("bundled default rules");
        } else {
            assertThat(stderr.text()).isEqualTo("auditalert replay: no --rules, no --config and no "
                    + AppConfig.DEFAULT_RULES_DIR + ": replaying through the bundled default rules"
                    + System.lineSeparator());
        }
    }

    @Test
    void shouldWarnOfAFileSinkThatCannotWriteAndOfNoSinks() throws Exception {
        Files.writeString(dir.resolve("r.yml"), "- rule: r\n  condition: exe exists\n");
        Path notADir = Files.writeString(dir.resolve("plain"), "");
        Path config = Files.writeString(dir.resolve("auditalert.yaml"),
                "rules: [r.yml]\nsinks:\n  - {type: file, path: " + notADir + "/alerts.jsonl}\n");

        assertThat(CheckCommand.run(new String[] {"--config", config.toString()})).isEqualTo(Main.EXIT_OK);
        assertThat(stderr.text()).contains("auditalert check: warning: " + config + ":3:24: sinks[0].path: " + notADir
                + " is not a directory: this sink cannot write its alerts now").contains("ok: 1 rules, 1 sinks");
        // replay, which would retry it for a minute and write nothing, refuses it
        assertThat(ReplayCommand.run(new String[] {"--config", config.toString(), notADir.toString()}))
                .isEqualTo(Main.EXIT_USAGE);

        Files.writeString(config, "rules: [r.yml]\nsinks: []\n");
        assertThat(CheckCommand.run(new String[] {"--config", config.toString()})).isEqualTo(Main.EXIT_OK);
        assertThat(stderr.text()).contains(config + ": sinks: none: alerts are evaluated and counted, and delivered nowhere");
    }

    @Test
    void shouldWarnThatTheBundledRulesApplyWhereNothingIsNamedOrInstalled() {
        // check failed ("nothing would alert") where replay and run use the bundled rules, and the README
        // and man page said check warns
        org.junit.jupiter.api.Assumptions.assumeFalse(Files.isDirectory(io.auditalert.config.AppConfig.DEFAULT_RULES_DIR),
                "needs a machine without " + io.auditalert.config.AppConfig.DEFAULT_RULES_DIR);
        assertThat(CheckCommand.run(new String[] {})).isEqualTo(Main.EXIT_OK);
        assertThat(stderr.text()).contains("auditalert check: warning: no --rules, no --config and no /etc/auditalert/rules.d:"
                + " replay and run use the default rules bundled in the jar");
    }

    @Test
    void shouldReportEveryErrorThoughAPathHoldsALoneSurrogate() throws Exception {
        // a "\ud800" escape in a sink's path ended check with a locale hint, and the other errors were not said
        Path rules = Files.writeString(dir.resolve("r.yml"), "- rule: a\n  condition: syscall = execve\n");
        Path config = Files.writeString(dir.resolve("sur.yml"), "rules: [" + rules + "]\nworkers: 99\n"
                + "sinks: [{type: file, path: \"" + dir + "/\\ud800x\", spool: \"s\\ud800\"}]\nlog_file: \"\\udc00\"\n"
                + "metrics: {web_config: \"w\\ud800\"}\n");
        assertThat(CheckCommand.run(new String[] {"--config", config.toString()})).isEqualTo(Main.EXIT_USAGE);
        assertThat(stderr.text()).contains(config + ":2:10: workers", config + ":3:", "a lone UTF-16 surrogate")
                .doesNotContain("cannot use the path", "Exception");
    }

    @Test
    void shouldFailWhenNoRuleLoadsAndSayWhatARulesDirectorySkipped() throws Exception {
        Path config = Files.writeString(dir.resolve("auditalert.yaml"), "rules: [" + dir.resolve("typo/*.yml") + "]\n");
        assertThat(CheckCommand.run(new String[] {"--config", config.toString()})).isEqualTo(Main.EXIT_USAGE);
        assertThat(stderr.text()).contains(config + ":1:9: rules: no rules file found at " + dir.resolve("typo/*.yml")
                + ": nothing would alert");
        // the built-in default named them, no line of the file: not placed at one
        Path noRulesEntry = Files.writeString(dir.resolve("no-rules-entry.yaml"), "workers: 1\n");
        AppConfig cfg = io.auditalert.config.ConfigLoader.load(noRulesEntry, new java.util.ArrayList<>());
        cfg.rules = List.of(dir.resolve("none/*.yml").toString());
        assertThat(Components.noRuleFileFound(List.of(), cfg)).isEqualTo(noRulesEntry
                + ": default rules (it has no rules: entry): no rules file found at " + dir.resolve("none/*.yml")
                + ": nothing would alert");
        // a file of lists only, or of disabled rules, is what was asked for
        Path lists = Files.writeString(dir.resolve("lists.yml"), "- list: l\n  items: [a]\n");
        assertThat(CheckCommand.run(new String[] {"--rules", lists.toString()})).isEqualTo(Main.EXIT_OK);
        assertThat(CheckCommand.run(new String[] {"--rules", dir.resolve("nope*.yml").toString()})).isEqualTo(Main.EXIT_USAGE);
        assertThat(stderr.text()).contains("--rules: no rules file found at " + dir.resolve("nope*.yml"));
        // that error alone: not first the warning a run gives that nothing would be alerted
        Path empty = Files.createDirectories(dir.resolve("empty.d"));
        try (io.auditalert.alert.sink.LogCapture logged = io.auditalert.alert.sink.LogCapture.of(Components.class)) {
            assertThat(CheckCommand.run(new String[] {"--rules", empty.toString()})).isEqualTo(Main.EXIT_USAGE);
            assertThat(logged.messages()).noneMatch(m -> m.contains("nothing is alerted"));
        }
        assertThat(stderr.text()).contains("--rules: no rules file found at " + empty);
        // and with another error in the file: both are said
        Path both = Files.writeString(dir.resolve("both.yaml"), "rules: [" + dir.resolve("typo2/*.yml") + "]\n"
                + "sinks:\n  - {type: stdout, bogus: 1}\n");
        assertThat(CheckCommand.run(new String[] {"--config", both.toString()})).isEqualTo(Main.EXIT_USAGE);
        assertThat(stderr.text()).contains(both + ":1:9: rules: no rules file found at " + dir.resolve("typo2/*.yml"),
                "bogus");

        Path rulesDir = Files.createDirectories(dir.resolve("rules.d"));
        Files.writeString(rulesDir.resolve("10-a.yml"), "- rule: r\n  condition: exe exists\n");
        Files.createSymbolicLink(rulesDir.resolve("20-b.yml"), dir.resolve("moved-away.yml"));
        Files.createDirectories(rulesDir.resolve("30-c.yml"));
        Files.writeString(config, "rules: [" + rulesDir + "]\n");
        assertThat(CheckCommand.run(new String[] {"--config", config.toString()})).isEqualTo(Main.EXIT_OK);
        assertThat(stderr.text()).contains("not read in " + rulesDir + ": 20-b.yml (a link to nothing), 30-c.yml (a directory)")
                .contains("ok: 1 rules");
    }

    @Test
    void shouldReportTheBadValuesBesideAnUnknownKeyOfTheSameMapping() throws Exception {
        Path config = Files.writeString(dir.resolve("auditalert.yaml"), "ring: {capacity: many, extra: 1}\n");

        assertThat(CheckCommand.run(new String[] {"--config", config.toString()})).isEqualTo(Main.EXIT_USAGE);

        assertThat(stderr.text()).contains(config + ":1:24: unknown key 'extra'").contains(config + ":1:18: expected an integer")
                .contains("auditalert check: 2 error(s)");
    }

    @Test
    void shouldReportTheRulesOfAConfigThatLoads() throws Exception {
        Files.writeString(dir.resolve("broken.yml"), "- rule: r\n  condition: exe in shels\n");
        Path config = Files.writeString(dir.resolve("auditalert.yaml"), "rules: [broken.yml]\n");

        assertThat(CheckCommand.run(new String[] {"--config", config.toString()})).isEqualTo(Main.EXIT_USAGE);

        String n = System.lineSeparator();
        assertThat(stderr.text()).isEqualTo(
                dir.resolve("broken.yml") + ":2:21: unknown list 'shels' (a value of its own is written in parentheses: (shels))" + n
                + "auditalert check: 1 error(s)" + n);
    }

    @Test
    void shouldNotPlaceTheDefaultRulesWarningInAConfigFileThatDoesNotExist() throws Exception {
        AppConfig builtIn = new AppConfig(); // what run, replay and check use without a config file
        builtIn.rules = List.of(dir.resolve("none/*.yml").toString());

        assertThat(Components.loadRules(builtIn, new Telemetry(), 1)).isSameAs(RuleEngine.NONE);

        assertThat(stderr.text())
                .contains("default rules (no configuration file, no --rules): no such directory: " + dir.resolve("none"))
                .contains("nothing is alerted (name rules with --rules FILE|DIR or the configuration's rules:)")
                .doesNotContain(AppConfig.DEFAULT_PATH + ":1:1");
    }

    @Test
    void shouldSayTheDefaultRulesCameFromNoLineOfAConfigThatHasNoRulesEntry() throws Exception {
        AppConfig noRules = new AppConfig(); // as ConfigLoader leaves a file without rules:
        noRules.source = dir.resolve("auditalert.yml");
        noRules.rules = List.of(dir.resolve("none/*.yml").toString());

        Components.loadRules(noRules, new Telemetry(), 1);

        assertThat(stderr.text()).contains(dir.resolve("auditalert.yml")
                + ": default rules (it has no rules: entry): no such directory: " + dir.resolve("none"));
    }

    @Test
    void shouldReportOnlyTheSyntaxErrorOfAConfigThatDoesNotParse() throws Exception {
        Path config = Files.writeString(dir.resolve("auditalert.yml"), "rules: [a.yml\nworkers: [\n");

        assertThat(CheckCommand.run(new String[] {"--config", config.toString()})).isEqualTo(Main.EXIT_USAGE);

        // nothing about the default rules or sinks that the file may never have meant
        String n = System.lineSeparator();
        assertThat(stderr.text()).matches("(?s)" + java.util.regex.Pattern.quote(config.toString())
                + ":2:\\d+: YAML syntax error: [^\n]*" + n + "auditalert check: 1 error\\(s\\)" + n);
    }
    @Test
    void shouldAcceptTheReadmeExampleConfigWithItsNumbersAndBooleans() throws Exception {
        String readme = Files.readString(Path.of("README.md"));
        int start = readme.indexOf("```yaml", readme.indexOf("## Configuration")) + "```yaml".length();
        String example = readme.substring(start, readme.indexOf("```", start));
        Files.createDirectories(dir.resolve("rules.d"));
        Files.writeString(dir.resolve("rules.d/r.yml"), "- rule: r\n  condition: exe exists\n");
        Files.writeString(dir.resolve("web.yml"), "basic_auth_users: {}\n");
        String config = example.replace("/etc/auditalert/", dir + "/").replace("/var/log/auditalert/", dir + "/log/")
                .replace("/var/lib/auditalert/", dir + "/lib/").replace("web.yml", dir.resolve("web.yml").toString())
                .replace("/usr/local/bin/on-alert", "/bin/cat")
                // sink options that are numbers and booleans, unquoted as YAML users write them
                + "  - {type: file, path: " + dir.resolve("log/x.jsonl") + ", max_files: 3, queue: 1000, batch: 10,"
                + " rate_limit: {per_second: 10, burst: 50}}\n"
                + "  - {type: exec, command: [/bin/cat], concurrency: 2}\n";
        Path file = Files.writeString(dir.resolve("auditalert.yml"), config);

        int status = CheckCommand.run(new String[] {"--config", file.toString()});

        assertThat(stderr.text()).isEqualTo("auditalert check: ok: 1 rules, 10 sinks" + System.lineSeparator());
        assertThat(status).isZero();
    }

    @Test
    void shouldStillRejectNumbersAndBooleansOfTheWrongKind() throws Exception {
        Path file = Files.writeString(dir.resolve("auditalert.yml"), "rules: []\nsinks:\n"
                + "  - {type: email, smtp: '127.0.0.1:25', from: a@b, to: [c@d], starttls: 'no'}\n"
                + "  - {type: file, max_files: 2.5, path: " + dir.resolve("x") + "}\n"
                + "  - {type: stdout, queue: yes}\n");

        assertThat(CheckCommand.run(new String[] {"--config", file.toString()})).isEqualTo(Main.EXIT_USAGE);

        assertThat(stderr.text()).contains("auditalert.yml:3:73: sinks[0].starttls: expected true or false",
                "auditalert.yml:4:29: sinks[1].max_files: expected a whole number",
                "auditalert.yml:5:27: sinks[2].queue: expected a whole number");
    }

    @Test
    void shouldCheckTheMetricsWebConfigAsAStartWould() throws Exception {
        Files.writeString(dir.resolve("bad-web.yml"), "basic_auth_users: {}\nfoo: 1\n");
        Path file = Files.writeString(dir.resolve("auditalert.yml"), "rules: []\nmetrics: {web_config: bad-web.yml}\n");
        Path missing = Files.writeString(dir.resolve("missing.yml"), "rules: []\nmetrics: {web_config: nothere.yml}\n");

        assertThat(CheckCommand.run(new String[] {"--config", file.toString()})).isEqualTo(Main.EXIT_USAGE);
        assertThat(CheckCommand.run(new String[] {"--config", missing.toString()})).isEqualTo(Main.EXIT_USAGE);

        assertThat(stderr.text()).contains(file + ":2:23: metrics.web_config: " + dir.resolve("bad-web.yml")
                + ": unsupported key 'foo'", missing + ":2:23: metrics.web_config: no such file: " + dir.resolve("nothere.yml"));
    }

    @Test
    void shouldRejectADuplicateKeyInASinkEntryAndFilesGivenWithoutAnOption() throws Exception {
        Path file = Files.writeString(dir.resolve("auditalert.yml"), "rules: []\nsinks:\n  - type: file\n    path: "
                + dir.resolve("first.jsonl") + "\n    path: " + dir.resolve("second.jsonl") + "\n");

        assertThat(CheckCommand.run(new String[] {"--config", file.toString()})).isEqualTo(Main.EXIT_USAGE);
        assertThat(stderr.text()).contains(file + ":5:5: duplicate key 'path'");

        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CheckCommand.run(new String[] {file.toString()}))
                .isInstanceOf(Main.UsageException.class).hasMessageStartingWith("check takes no files (" + file + ")");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> CheckCommand.run(
                new String[] {"--config", file.toString(), "--config", file.toString()}))
                .isInstanceOf(Main.UsageException.class).hasMessage("check takes one --config; check each file on its own");
    }

    @Test
    void shouldCheckAConfigOfOnlyCommentsAsEveryDefault() throws Exception {
        Path file = Files.writeString(dir.resolve("auditalert.yml"), "# nothing set yet\n");
        Path rules = Files.writeString(dir.resolve("r.yml"), "- rule: r\n  condition: exe exists\n");

        assertThat(CheckCommand.run(new String[] {"--config", file.toString(), "--rules", rules.toString()})).isZero();

        assertThat(stderr.text()).isEqualTo("auditalert check: ok: 1 rules, 1 sinks" + System.lineSeparator());
    }

    @Test
    void shouldNotRejectTheConfigurationForWhatIsAtAFileSinksPathNow() throws Exception {
        // a link or a directory someone planted at the path must not reject the configuration (and blind
        // every sink at the plugin's next start): the file sink alone fails when it writes
        Path link = Files.createSymbolicLink(dir.resolve("alerts.jsonl"), dir.resolve("elsewhere"));
        Path file = Files.writeString(dir.resolve("auditalert.yml"), "rules: []\nsinks:\n"
                + "  - {type: file, path: " + link + "}\n"
                + "  - {type: file, path: " + dir + "}\n");

        assertThat(CheckCommand.run(new String[] {"--config", file.toString()})).isEqualTo(Main.EXIT_OK);
    }

    @Test
    void shouldReportASizeTooLargeAndANestedUnknownKeyPlainly() throws Exception {
        Path file = Files.writeString(dir.resolve("auditalert.yml"), "rules: []\nring: {max_bytes: 999999999999999GiB}\n"
                + "sinks:\n  - {type: stdout, rate_limit: {per_second: 1, colour: red}}\n");

        assertThat(CheckCommand.run(new String[] {"--config", file.toString()})).isEqualTo(Main.EXIT_USAGE);

        assertThat(stderr.text()).contains(file + ":2:19: expected a size such as 4096, 64KiB or 64MiB")
                .contains("sinks[0].rate_limit.colour: unknown key (known: ").doesNotContain("null")
                .doesNotContain("at least 64KiB");
    }

    @Test
    void shouldRejectASpoolSharedBySinksAndFiltersOnEvents() throws Exception {
        Path file = Files.writeString(dir.resolve("auditalert.yml"), "rules: []\nsinks:\n"
                + "  - {type: file, path: " + dir.resolve("a.jsonl") + ", spool: " + dir.resolve("sp") + "}\n"
                + "  - {type: file, path: " + dir.resolve("b.jsonl") + ", spool: {dir: " + dir.resolve("sp/") + "}}\n"
                + "  - {type: file, what: events, min_severity: high, rules: [x], path: " + dir.resolve("e.jsonl") + "}\n");

        assertThat(CheckCommand.run(new String[] {"--config", file.toString()})).isEqualTo(Main.EXIT_USAGE);

        assertThat(stderr.text()).contains("sinks[1].spool: " + dir.resolve("sp") + " is the spool of sinks[0] too;"
                + " each sink needs its own", "sinks[2].min_severity: filters alerts; a sink with what: events gets every event",
                "sinks[2].rules: filters alerts; a sink with what: events gets every event");
    }

    @Test
    void shouldPlaceANulInASinkPathOrSpoolAtItsKey() throws Exception {
        // the checks across sinks (one file, one spool per sink) made paths of these values and threw:
        // check printed a hint about the locale instead of the errors
        Path file = Files.writeString(dir.resolve("auditalert.yml"),
                "rules: []\nsinks: [{type: file, path: \"/tmp/a\\0\"}, {type: stdout, spool: \"/tmp/s\\0\"}]\n");

        assertThat(CheckCommand.run(new String[] {"--config", file.toString()})).isEqualTo(Main.EXIT_USAGE);

        String n = System.lineSeparator();
        assertThat(stderr.text()).endsWith(
                file + ":2:28: sinks[0].path: a NUL character (\\0) cannot be part of a value" + n
                + file + ":2:63: sinks[1].spool: a NUL character (\\0) cannot be part of a value" + n
                + "auditalert check: 2 error(s)" + n);
    }

    @Test
    void shouldRejectTwoSinksOfOneNameAndTwoFileSinksOfOneFile() throws Exception {
        Path file = Files.writeString(dir.resolve("auditalert.yml"), "rules: []\nsinks:\n"
                + "  - {type: webhook, name: dup, url: \"http://127.0.0.1:1/a\"}\n"
                + "  - {type: webhook, name: dup, url: \"http://127.0.0.1:1/b\"}\n"
                + "  - {type: file, path: " + dir.resolve("a.jsonl") + "}\n"
                + "  - {type: file, path: " + dir.resolve("x/../a.jsonl") + "}\n");

        assertThat(CheckCommand.run(new String[] {"--config", file.toString()})).isEqualTo(Main.EXIT_USAGE);

        assertThat(stderr.text()).contains(file + ":4:27: sinks[1].name: \"dup\" is the name of sinks[0] too; each sink"
                + " needs its own", "sinks[3].path: " + dir.resolve("a.jsonl") + " is the file of sinks[2] too;");
    }

    @Test
    void shouldReportASpoolAnotherProcessHoldsAsAConfigurationError() throws Exception {
        Path spool = dir.resolve("held");
        AppConfig cfg = new AppConfig();
        cfg.sinks = List.of(java.util.Map.of("type", "stdout"),
                java.util.Map.of("type", "file", "path", dir.resolve("a.jsonl").toString(), "spool", spool.toString()));
        try (io.auditalert.alert.spool.Spool held = new io.auditalert.alert.spool.Spool(spool, 1 << 20, false,
                new io.auditalert.metrics.SinkStats("x", "file"))) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> Components.createSinks(cfg, new Telemetry(), true))
                    .isInstanceOf(ConfigException.class)
                    .satisfies(e -> assertThat(((ConfigException) e).errors()).containsExactly("sinks[1]: sink file-1:"
                            + " cannot open spool " + spool + ": spool " + spool + " is in use by another sink or process"));
            assertThat(held.size()).isZero();
        }
    }

    @Test
    void shouldWarnOfASinkRulesFilterThatNamesNoLoadedRule() throws Exception {
        Path rules = Files.writeString(dir.resolve("r.yml"), "- rule: sys-exec\n  condition: exe exists\n");
        Path file = Files.writeString(dir.resolve("auditalert.yml"), "rules: [r.yml]\nsinks:\n"
                + "  - {type: stdout, rules: [sys-exce, 'sys-*']}\n");

        assertThat(CheckCommand.run(new String[] {"--config", file.toString()})).isZero();

        String n = System.lineSeparator();
        assertThat(stderr.text()).isEqualTo("auditalert check: warning: sinks[0].rules: 'sys-exce' matches none of the 1"
                + " rules loaded; this sink gets no alert it names" + n + "auditalert check: ok: 1 rules, 1 sinks" + n);
    }
}
