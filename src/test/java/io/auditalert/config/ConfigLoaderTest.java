package io.auditalert.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {
    @TempDir
    Path dir;

    private AppConfig load(String yaml, List<ConfigError> errors) throws Exception {
        Path f = dir.resolve("auditalert.yml");
        Files.writeString(f, yaml);
        return ConfigLoader.load(f, errors);
    }

    @Test
    void shouldReadEveryKeyOfDesign32() throws Exception {
        List<ConfigError> errors = new ArrayList<>();
        AppConfig cfg = load("input: unix:/run/auditalert/input.sock\nrules: [rules.d/*.yml]\nworkers: 0\n"
                + "ring: {capacity: 1024, max_bytes: 8MiB, when_full: block}\nassembly: {timeout: 3s, max_inflight: 500}\n"
                + "metrics: {listen: \"\"}\nredact: [\"token=\\\\S+\"]\nsinks:\n  - {type: stdout}\n  - {type: file, path: /tmp/x.jsonl}\n", errors);
        assertThat(errors).isEmpty();
        assertThat(cfg.input).isEqualTo("unix:/run/auditalert/input.sock");
        assertThat(cfg.rules).containsExactly(dir.resolve("rules.d/*.yml").toString());
        assertThat(cfg.workers).isZero();
        assertThat(cfg.workersSet).isTrue();
        assertThat(cfg.ringCapacity).isEqualTo(1024);
        assertThat(cfg.ringMaxBytes).isEqualTo(8L << 20);
        assertThat(cfg.ringWhenFull).isEqualTo("block");
        assertThat(cfg.assemblyTimeoutMillis).isEqualTo(3000);
        assertThat(cfg.assemblyMaxInflight).isEqualTo(500);
        assertThat(cfg.metricsListen).isEmpty();
        assertThat(cfg.redact).containsExactly("token=\\S+");
        assertThat(cfg.sinks).hasSize(2);
        assertThat(cfg.sinks.get(1)).containsEntry("type", "file").containsEntry("path", "/tmp/x.jsonl");
    }

    @Test
    void shouldRefuseANulInAFileNameAtItsPosition() throws Exception {
        // found by MalformedConfigTest: Path.of threw InvalidPathException out of the loader
        List<ConfigError> errors = new ArrayList<>();
        load("rules: [\"a\\0.yml\"]\nlog_file: \"/var/log/a\\0\"\nmetrics: {web_config: \"w\\0.yml\"}\n", errors);
        assertThat(errors).extracting(e -> e.line() + ":" + e.col() + ": " + e.message()).containsExactlyInAnyOrder(
                "1:11: a NUL character (\\0) cannot be part of a file name",
                "2:22: a NUL character (\\0) cannot be part of a file name",
                "3:25: a NUL character (\\0) cannot be part of a file name");
    }

    @Test
    void shouldCountALoneCarriageReturnAsALineBreakInPositions() throws Exception {
        List<ConfigError> errors = new ArrayList<>();
        Path f = dir.resolve("auditalert.yml");
        Files.write(f, new byte[] {'#', '\r', 'w', 'o', (byte) 0xff, ':', ' ', '1', '\n'});
        ConfigLoader.load(f, errors);
        assertThat(errors).extracting(e -> e.line() + ":" + e.col()).containsExactly("2:3");
        errors.clear();
        load("workers: 1\rbogus: 2\r", errors);
        assertThat(errors).extracting(e -> e.line() + ":" + e.col()).containsExactly("2:1");
    }

    @Test
    void shouldReportEveryBadKeyAndValueWithItsPosition() throws Exception {
        List<ConfigError> errors = new ArrayList<>();
        load("workers: 99\nbogus: 1\nring: {when_full: maybe}\ninput: tcp:1\nassembly: {timeout: 1ms}\n"
                + "metrics: {listen: nowhere}\nredact: [\"(unclosed\"]\nsinks: {type: stdout}\n", errors);
        List<String> text = errors.stream().map(ConfigError::toString).map(s -> s.substring(s.indexOf(':') + 1)).toList();
        assertThat(text).anySatisfy(e -> assertThat(e).startsWith("1:10:").contains("workers must be between 0 and 64"));
        assertThat(text).anySatisfy(e -> assertThat(e).startsWith("2:1:").contains("bogus"));
        assertThat(text).anySatisfy(e -> assertThat(e).startsWith("3:19:").contains("drop or block"));
        assertThat(text).anySatisfy(e -> assertThat(e).startsWith("4:8:").contains("stdin or unix:"));
        assertThat(text).anySatisfy(e -> assertThat(e).startsWith("5:21:").contains("assembly.timeout"));
        assertThat(text).anySatisfy(e -> assertThat(e).startsWith("6:19:").contains("HOST:PORT"));
        assertThat(text).anySatisfy(e -> assertThat(e).startsWith("7:10:").contains("bad regular expression"));
        assertThat(text).anySatisfy(e -> assertThat(e).startsWith("8:8:").contains("sinks must be a list"));
        assertThat(errors).hasSize(8);
    }

    @Test
    void shouldRefuseAPortOutsideOneTo65535() throws Exception {
        for (String port : List.of("0", "65536", "99999")) {
            List<ConfigError> errors = new ArrayList<>();
            AppConfig cfg = load("metrics: {listen: \"127.0.0.1:" + port + "\"}\n", errors);
            assertThat(errors).extracting(ConfigError::toString).containsExactly(
                    dir.resolve("auditalert.yml") + ":1:19: metrics.listen: port must be between 1 and 65535, not " + port);
            assertThat(cfg.metricsListen).isEqualTo("127.0.0.1:8617");
        }
        List<ConfigError> errors = new ArrayList<>();
        assertThat(load("metrics: {listen: \"[::1]:65535\"}\n", errors).metricsListen).isEqualTo("[::1]:65535");
        assertThat(errors).isEmpty();
    }

    @Test
    void shouldKeepWhereEachRulesEntryIsAndRefuseOnesThatAreNotNames() throws Exception {
        List<ConfigError> errors = new ArrayList<>();
        AppConfig cfg = load("rules:\n  - a.yml\n  - {x: 1}\n  - r.d/*.yml\n", errors);
        assertThat(cfg.rules).containsExactly(dir.resolve("a.yml").toString(), dir.resolve("r.d/*.yml").toString());
        assertThat(cfg.ruleNodes).extracting(n -> n.line() + ":" + n.col()).containsExactly("2:5", "4:5");
        assertThat(errors).extracting(ConfigError::toString)
                .containsExactly(dir.resolve("auditalert.yml") + ":3:5: expected a file name or pattern");
        errors.clear();
        assertThat(load("rules: one.yml\n", errors).ruleNodes).extracting(n -> n.line() + ":" + n.col()).containsExactly("1:8");
        assertThat(load("rules:\n", errors).rules).isEmpty();
        assertThat(errors).isEmpty();
    }

    @Test
    void shouldReadUnquotedScalarsOfASinkEntryAsYamlTypesThem() throws Exception {
        List<ConfigError> errors = new ArrayList<>();
        AppConfig cfg = load("sinks:\n  - {type: webhook, url: 'http://127.0.0.1:9/', queue: 100, insecure: false,"
                + " rate_limit: {per_second: 2.5}, headers: {X-Id: 0012, X-On: 'true', X-N: -3}}\n", errors);
        assertThat(errors).isEmpty();
        java.util.Map<String, Object> spec = cfg.sinks.get(0);
        assertThat(spec.get("queue")).isEqualTo(100L);
        assertThat(spec.get("insecure")).isEqualTo(Boolean.FALSE);
        assertThat(((java.util.Map<?, ?>) spec.get("rate_limit")).get("per_second")).isEqualTo(2.5);
        @SuppressWarnings("unchecked")
        java.util.Map<String, Object> headers = (java.util.Map<String, Object>) spec.get("headers");
        assertThat(headers).containsEntry("X-Id", "0012") // as written
                .containsEntry("X-On", "true").containsEntry("X-N", -3L);
    }

    @Test
    void shouldTakeRelativeSinkPathsAndSpoolsFromTheConfigurationsDirectory() throws Exception {
        // they were taken from the working directory, which is / under auditd and systemd, while rules,
        // web_config and log_file were taken from the file's directory
        List<ConfigError> errors = new ArrayList<>();
        AppConfig cfg = load("sinks:\n  - {type: file, path: alerts.jsonl, spool: spool/file}\n"
                + "  - {type: webhook, url: \"http://127.0.0.1:9/x\", spool: {dir: spool/hook}}\n"
                + "  - {type: file, path: /var/log/x.jsonl}\n"
                + "  - {type: email, smtp: \"127.0.0.1:25\", from: a@b, to: [c@d], password_file: pw,"
                + " tls: {ca_file: ca.pem}}\n", errors);
        assertThat(errors).isEmpty();
        assertThat(cfg.sinks.get(3)).containsEntry("password_file", dir.resolve("pw").toString());
        assertThat(cfg.sinks.get(3).get("tls")).isEqualTo(java.util.Map.of("ca_file", dir.resolve("ca.pem").toString()));
        assertThat(cfg.sinks.get(0)).containsEntry("path", dir.resolve("alerts.jsonl").toString())
                .containsEntry("spool", dir.resolve("spool/file").toString());
        assertThat(cfg.sinks.get(1).get("spool")).isEqualTo(java.util.Map.of("dir", dir.resolve("spool/hook").toString()));
        assertThat(cfg.sinks.get(2)).containsEntry("path", "/var/log/x.jsonl");
    }

    @Test
    void shouldRefuseALogFileThatIsNoFileOrTheConfigurationOrAnAlertFile() throws Exception {
        // "" was the configuration's directory (logging fell back to stderr); the sink's path mixed log
        // lines into the alerts; the configuration itself got log lines appended and failed to load next time
        List<ConfigError> errors = new ArrayList<>();
        load("log_file: \"\"\n", errors);
        assertThat(errors).extracting(ConfigError::toString).containsExactly(dir.resolve("auditalert.yml")
                + ":1:11: log_file: give a file name (leave the key out for stderr and syslog only)");
        errors.clear();
        load("log_file: alerts.jsonl\nsinks: [{type: file, path: alerts.jsonl}]\n", errors);
        assertThat(errors).extracting(ConfigError::toString).containsExactly(dir.resolve("auditalert.yml")
                + ":1:11: log_file is the path of a file sink: log lines would mix with its JSON lines");
        errors.clear();
        load("log_file: ./auditalert.yml\n", errors);
        assertThat(errors).extracting(ConfigError::toString).containsExactly(dir.resolve("auditalert.yml")
                + ":1:11: log_file is this configuration file: run would append its log lines to it");
        errors.clear();
        load("log_file: auditalert.log\nsinks: [{type: file, path: alerts.jsonl}]\n", errors);
        assertThat(errors).isEmpty();
    }

    @Test
    void shouldRefuseAUnixSocketPathLongerThanTheKernelTakes() throws Exception {
        List<ConfigError> errors = new ArrayList<>();
        String path = "/run/" + "x".repeat(103); // 108 bytes
        load("input: unix:" + path + "\n", errors);
        assertThat(errors).extracting(ConfigError::toString).containsExactly(dir.resolve("auditalert.yml")
                + ":1:8: input: the socket path is 108 bytes long; a unix socket's path has at most 107");
        errors.clear();
        load("input: unix:" + path.substring(1) .replaceFirst("^", "/").substring(0, 107) + "\n", errors);
        assertThat(errors).isEmpty();
    }

    @Test
    void shouldKeepTheRingWithinWhatTheLaunchersHeapHolds() throws Exception {
        // 16,777,216 slots passed check and ended run with an OutOfMemoryError under -Xmx256m
        List<ConfigError> errors = new ArrayList<>();
        assertThat(load("ring: {capacity: 4194304}\n", errors).ringCapacity).isEqualTo(4_194_304);
        assertThat(errors).isEmpty();
        load("ring: {capacity: 16777216}\n", errors);
        assertThat(errors).extracting(ConfigError::toString).containsExactly(dir.resolve("auditalert.yml")
                + ":1:18: ring.capacity must be between 2 and 4194304");
    }

    @Test
    void shouldSayThatMergeKeysAreNotSupported() throws Exception {
        // "unknown key '<<'" did not say why
        List<ConfigError> errors = new ArrayList<>();
        load("ring: {<<: {capacity: 1024}}\n", errors);
        assertThat(errors).extracting(ConfigError::toString).containsExactly(dir.resolve("auditalert.yml")
                + ":1:8: a YAML merge key (<<) is not supported here: write the keys out");
    }
}
