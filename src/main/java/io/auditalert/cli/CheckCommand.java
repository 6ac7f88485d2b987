package io.auditalert.cli;

import io.auditalert.config.AppConfig;
import io.auditalert.config.ConfigError;
import io.auditalert.config.ConfigLoader;
import io.auditalert.metrics.Telemetry;
import io.auditalert.pipeline.RuleEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code auditalert check [--config FILE] [--rules FILE]…}: loads everything {@code run} would and
 * reports every error as {@code FILE:LINE:COL: message}; exit 0 when all is well, 2 otherwise.
 */
final class CheckCommand {
    private CheckCommand() {}

    static int run(String[] args) {
        ReplayCommand.Args a = new ReplayCommand.Args(args);
        a.allow("--config", "--rules");
        if (!a.positional().isEmpty()) {
            throw new Main.UsageException("check takes no files (" + a.positional().get(0)
                    + "); name them with --config FILE or --rules FILE|DIR");
        }
        if (a.paths("--config").size() > 1) {
            throw new Main.UsageException("check takes one --config; check each file on its own");
        }
        Path config = a.path("--config");
        List<Path> ruleFiles = a.paths("--rules");
        List<String> errors = new ArrayList<>();
        AppConfig cfg = new AppConfig();
        if (config != null) {
            // a config with errors is still checked whole: its rules and sinks as far as they were read
            List<ConfigError> configErrors = new ArrayList<>();
            cfg = ConfigLoader.load(config, configErrors);
            configErrors.forEach(e -> errors.add(e.toString()));
        }
        Telemetry telemetry = new Telemetry();
        int rules = 0;
        int sinks = 0;
        RuleEngine engine = RuleEngine.NONE;
        // a config that does not parse names rules and sinks nobody knows: the defaults in their place
        // would only be checked for nothing (and warn about a rules.d the file may never have named).
        // Rules named and no file found for them (a path or glob with a typo): nothing is loaded, so the
        // error below comes alone, not after the run's warning that nothing would alert
        String noneFound = cfg.unparsed ? null : Components.noRuleFileFound(ruleFiles, cfg);
        try {
            if (noneFound == null) {
                if (!ruleFiles.isEmpty()) {
                    engine = Components.loadRuleArguments(ruleFiles, cfg, telemetry, 1);
                } else if (!cfg.unparsed) {
                    engine = Components.loadRules(cfg, telemetry, 1);
                }
            }
            rules = engine.ruleCount();
        } catch (ConfigException e) {
            errors.addAll(e.errors());
        }
        try {
            if (!cfg.unparsed) {
                sinks = Components.validateSinks(cfg);
            }
        } catch (ConfigException e) {
            errors.addAll(e.errors());
        }
        // no rules file found: the plugin would alert on nothing, whatever else is wrong (`rules: []`, a
        // file of lists only or of disabled rules are what was asked for, and no error)
        if (ruleFiles.isEmpty() && cfg.source == null
                && !java.nio.file.Files.isDirectory(io.auditalert.config.AppConfig.DEFAULT_RULES_DIR)) {
            if (errors.isEmpty() && rules == 0) {
                // nothing named, nothing installed: replay and run fall back to the bundled rules
                System.err.println("auditalert check: warning: no --rules, no --config and no "
                        + io.auditalert.config.AppConfig.DEFAULT_RULES_DIR + ": replay and run use the default rules"
                        + " bundled in the jar");
            }
        } else if (noneFound != null && (errors.isEmpty() || !ruleFiles.isEmpty() || !cfg.ruleNodes.isEmpty())) {
            // named by --rules or a rules: line, it is said beside the other errors; the default that a
            // configuration without rules: leaves in force, only when nothing else is wrong
            errors.add(noneFound);
        }
        if (!errors.isEmpty()) {
            errors.forEach(System.err::println);
            System.err.println("auditalert check: " + errors.size() + " error(s)");
            return Main.EXIT_USAGE;
        }
        if (engine != RuleEngine.NONE) {
            Components.unmatchedRuleFilters(cfg, engine).forEach(w -> System.err.println("auditalert check: warning: " + w));
        }
        Components.sinkWarnings(cfg).forEach(w -> System.err.println("auditalert check: warning: " + w));
        System.err.println("auditalert check: ok: " + rules + " rules, " + sinks + " sinks");
        return Main.EXIT_OK;
    }
}
