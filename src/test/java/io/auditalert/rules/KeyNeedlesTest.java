package io.auditalert.rules;

import static io.auditalert.rules.ConditionLanguageTest.matches;
import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.assemble.AuditEvent;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Keys ruled out before any record is split: never a key that is there (the exact test decides
 * after a hit), whichever way auditd wrote it: quoted, or hex (a rule with several keys joins
 * them with 0x01 and hex-encodes the lot).
 */
class KeyNeedlesTest {
    private static final String SYSCALL = "type=SYSCALL msg=audit(1700000000.100:%d): arch=c000003e syscall=257 "
            + "success=yes exit=3 a0=ffffff9c a1=7ffd a2=0 a3=0 items=1 ppid=1 pid=2 auid=1000 uid=0 gid=0 "
            + "euid=0 suid=0 fsuid=0 egid=0 sgid=0 fsgid=0 tty=pts0 ses=1 comm=\"cat\" exe=\"/usr/bin/cat\" ";

    private static AuditEvent syscall(int serial, String key, String enriched) {
        return TestEvents.one(String.format(SYSCALL, serial) + "key=" + key + enriched);
    }

    private static boolean possible(AuditEvent ev, String key) {
        return new KeyNeedles(List.of(key)).possible(ev, 0);
    }

    @Test
    void shouldFindAQuotedKeyAndConfirmIt() {
        AuditEvent ev = syscall(1, "\"shadow\"", "");
        assertThat(possible(ev, "shadow")).isTrue();
        assertThat(matches("key = \"shadow\"", ev)).isTrue();
        assertThat(possible(ev, "identity")).isFalse();
        assertThat(matches("key = \"identity\"", ev)).isFalse();
    }

    @Test
    void shouldFindEachKeyOfAHexEncodedMultiKeyInEitherCase() {
        // "shadow" 0x01 "identity", as auditd writes a rule with two keys
        String hex = "736861646F77" + "01" + "6964656E74697479";
        for (String written : List.of(hex, hex.toLowerCase())) {
            AuditEvent ev = syscall(2, written, "");
            assertThat(possible(ev, "shadow")).as(written).isTrue();
            assertThat(possible(ev, "identity")).as(written).isTrue();
            assertThat(possible(ev, "network")).as(written).isFalse();
        }
        AuditEvent upper = syscall(3, hex, "");
        assertThat(matches("key = \"shadow\"", upper)).isTrue();
        assertThat(matches("key in (\"network\", \"identity\")", upper)).isTrue();
        assertThat(matches("SYSCALL.key = \"identity\"", upper)).isTrue();
        assertThat(matches("key = \"network\"", upper)).isFalse();
    }

    @Test
    void shouldMatchKeysOfAListTooLongForNeedlesWrittenEitherWay() {
        // more keys than Condition.FieldTest.MAX_NEEDLES: no search before the split, the value test decides
        StringBuilder list = new StringBuilder("(");
        for (int i = 0; i <= Condition.FieldTest.MAX_NEEDLES; i++) {
            list.append("\"k").append(i).append("\", ");
        }
        String withIdentity = list + "\"identity\")";
        String without = list + "\"network\")";
        AuditEvent hexed = syscall(7, "736861646F77" + "01" + "6964656E74697479", "");
        AuditEvent quoted = syscall(8, "\"identity\"", "");
        for (AuditEvent ev : List.of(hexed, quoted)) {
            assertThat(matches("key in " + withIdentity, ev)).isTrue();
            assertThat(matches("key in " + without, ev)).isFalse();
        }
        assertThat(matches("key in " + without, syscall(9, "\"identity2\"", ""))).isFalse();
    }

    @Test
    void shouldLetTheExactTestRejectALongerKeyThatContainsTheNeedle() {
        AuditEvent ev = syscall(4, "\"shadow2\"", "");
        assertThat(possible(ev, "shadow")).isTrue();
        assertThat(matches("key = \"shadow\"", ev)).isFalse();
        assertThat(matches("key = \"shadow2\"", ev)).isTrue();
    }

    @Test
    void shouldNotLookPastTheEnrichedSeparatorNorInOtherFields() {
        // the word is in exe and in an enriched value, never in the key
        AuditEvent ev = TestEvents.one(String.format(SYSCALL, 5).replace("/usr/bin/cat", "/tmp/shadow")
                + "key=(null)\u001dARCH=x86_64 SYSCALL=openat AUID=\"shadow\"");
        assertThat(possible(ev, "shadow")).isFalse();
        assertThat(matches("key = \"shadow\"", ev)).isFalse();
        assertThat(matches("exe = \"/tmp/shadow\"", ev)).isTrue();
    }

    @Test
    void shouldFindAKeyInTheMiddleOfAConfigChangeRecord() {
        AuditEvent ev = TestEvents.one("type=CONFIG_CHANGE msg=audit(1700000000.200:6): auid=1000 ses=1 "
                + "op=add_rule key=\"identity\" list=4 res=1");
        assertThat(possible(ev, "identity")).isTrue();
        assertThat(matches("key = \"identity\"", ev)).isTrue();
        assertThat(possible(ev, "shadow")).isFalse();
    }

    @Test
    void shouldRuleOutRecordsWithoutAnyKeyField() {
        AuditEvent ev = TestEvents.one("type=PATH msg=audit(1700000000.300:7): item=0 name=\"/etc/shadow\" "
                + "inode=1 dev=08:01 mode=0100640 ouid=0 ogid=42 rdev=00:00 nametype=NORMAL");
        assertThat(ev.keyAt(0)).isEqualTo(-1);
        assertThat(possible(ev, "shadow")).isFalse();
        assertThat(matches("key = \"shadow\"", ev)).isFalse();
    }
}
