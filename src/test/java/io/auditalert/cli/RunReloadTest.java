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
}
