package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.config.AppConfig;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** What a SIGHUP cannot put in force, and so says it leaves to a restart. */
class RunReloadTest {
    @Test
    void shouldNameTheSettingsThatTakeARestart() {
        AppConfig was = new AppConfig();
        AppConfig now = new AppConfig();
        now.rules.add("more.yml"); // rules, redaction and sinks reload: not named
        now.redact.add("token=\\S+");
        assertThat(RunCommand.restartOnlyChanges(was, now)).isEmpty();

        now.workers = 4;
        now.ringWhenFull = "block";
        now.metricsListen = "127.0.0.1:9999";
        now.logFile = Path.of("auditalert.log");
        assertThat(RunCommand.restartOnlyChanges(was, now)).containsExactly("workers", "ring", "metrics", "log_file");
    }

    @Test
    void shouldNameMetricsWhenTheWebConfigWasRewrittenInPlace() throws Exception {
        // the same web.yml path, a new password hash in it: the endpoint keeps the old one until a restart
        Path dir = java.nio.file.Files.createTempDirectory("reload-web");
        Path web = dir.resolve("web.yml");
        Path config = dir.resolve("auditalert.yml");
        java.nio.file.Files.writeString(config, "rules: []\nmetrics: {web_config: web.yml}\n");
        java.nio.file.Files.writeString(web, "basic_auth_users:\n"
                + "  prometheus: $2b$04$hnYTCLJ8806H1KjwkcGr9eJzk67DA3VEWaNkCp37DDy2A1DWFcXAm\n");
        AppConfig was = Components.loadConfig(config);
        assertThat(RunCommand.restartOnlyChanges(was, Components.loadConfig(config))).isEmpty();
        java.nio.file.Files.writeString(web, "basic_auth_users:\n  prometheus: "
                + org.mindrot.jbcrypt.BCrypt.hashpw("newpass", org.mindrot.jbcrypt.BCrypt.gensalt(4)) + "\n");
        assertThat(RunCommand.restartOnlyChanges(was, Components.loadConfig(config))).containsExactly("metrics");
    }
}
