package io.auditalert.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class RedactorTest {
    final Redactor defaults = Redactor.withDefaults(List.of());

    @Test
    void shouldMaskCommonSecretArguments() {
        assertThat(defaults.redact("mysql --password=hunter2 -u root")).isEqualTo("mysql --password=*** -u root");
        assertThat(defaults.redact("tool --token abc123 --verbose")).isEqualTo("tool --token *** --verbose");
        assertThat(defaults.redact("env API_KEY=xyz PASSWORD=pw ls")).isEqualTo("env API_KEY=*** PASSWORD=*** ls");
        assertThat(defaults.redact("curl -H Authorization: Bearer eyJabc.def")).isEqualTo(
                "curl -H Authorization: Bearer ***");
        assertThat(defaults.redact("git clone https://bob:s3cret@example.org/x.git")).isEqualTo(
                "git clone https://bob:***@example.org/x.git");
    }

    @Test
    void shouldMaskSecretsWhoseOnlyTriggerWordIsSecretOrKey() {
        // each text holds one trigger word only ("pass" and "token" appear in none): a trigger list
        // that lost "secret" or "key" would skip the pattern and leave these in clear
        assertThat(defaults.redact("aws --api-key AKIA123")).isEqualTo("aws --api-key ***");
        assertThat(defaults.redact("app secret=hunter2")).isEqualTo("app secret=***");
        assertThat(defaults.redact("oauth --client_secret=s3")).isEqualTo("oauth --client_secret=***");
        assertThat(defaults.redact("s3cmd --access-key=AK1")).isEqualTo("s3cmd --access-key=***");
    }

    @Test
    void shouldMaskEnvironmentStyleAssignmentsWhoseNameEndsInAKeyword() {
        assertThat(defaults.redact("env DB_PASSWORD=s3cret GITHUB_TOKEN=ghp_1 ./deploy")).isEqualTo(
                "env DB_PASSWORD=*** GITHUB_TOKEN=*** ./deploy");
        assertThat(defaults.redact("AWS_SECRET_ACCESS_KEY=abc/def aws s3 ls")).isEqualTo(
                "AWS_SECRET_ACCESS_KEY=*** aws s3 ls");
        assertThat(defaults.redact("MY-APP-API-KEY=k1")).isEqualTo("MY-APP-API-KEY=***");
        // a keyword inside a longer name that is not the name's end is not a secret
        assertThat(defaults.redact("PASSWD_FILE=/etc/passwd cat")).isEqualTo("PASSWD_FILE=/etc/passwd cat");
    }

    @Test
    void shouldLeaveFileNamesAndPlainWordsAlone() {
        String s = "root changed /etc/passwd with /usr/bin/passwd (openat); token bucket; passwd file";
        assertThat(defaults.redact(s)).isEqualTo(s);
    }

    @Test
    void shouldMaskTheSecretGroupOrTheWholeMatchAndReportBadPatterns() {
        List<String> problems = new ArrayList<>();
        Redactor r = Redactor.of(List.of("pin=(?<secret>\\d+)", "AKIA[0-9A-Z]{16}", "(unclosed"), problems::add);
        assertThat(r.redact("pin=1234 key AKIAABCDEFGHIJKLMNOP ünï")).isEqualTo("pin=*** key *** ünï");
        assertThat(problems).hasSize(1).first().asString().startsWith("bad secret pattern '(unclosed'");
    }
}
