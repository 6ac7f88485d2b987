package io.auditalert.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class UserDbTest {
    private final UserDb db = UserDb.SYSTEM;

    @Test
    void shouldResolveRootBothWays() {
        assertThat(db.userName(0)).isEqualTo("root");
        assertThat(db.groupName(0)).isEqualTo("root");
        assertThat(db.uid("root")).isZero();
        assertThat(db.gid("root")).isZero();
    }

    @Test
    void shouldAnswerNullOrMinusOneForIdsAndNamesThatDoNotExist() {
        assertThat(db.userName(3_999_999_123L)).isNull();
        assertThat(db.groupName(3_999_999_123L)).isNull();
        assertThat(db.uid("no-such-user-auditalert")).isEqualTo(-1);
        assertThat(db.gid("no-such-group-auditalert")).isEqualTo(-1);
        assertThat(db.userName(-5)).isNull();
    }

    @Test
    void shouldCacheHitsAndMissesSoRepeatedLookupsReturnTheSameString() {
        String first = db.userName(0);
        assertThat(db.userName(0)).isSameAs(first);
        assertThat(db.userName(3_999_999_124L)).isNull();
        assertThat(db.userName(3_999_999_124L)).isNull();
    }

    @Test
    void shouldGiveTheSameAnswersFromManyThreads() throws Exception {
        List<String> expected = new ArrayList<>();
        for (long id = 0; id < 200; id++) {
            expected.add(db.userName(id) + "/" + db.groupName(id));
        }
        ExecutorService pool = Executors.newFixedThreadPool(8);
        try {
            List<Future<List<String>>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++) {
                results.add(pool.submit(() -> {
                    List<String> got = new ArrayList<>();
                    for (long id = 0; id < 200; id++) {
                        got.add(db.userName(id) + "/" + db.groupName(id));
                    }
                    return got;
                }));
            }
            for (Future<List<String>> f : results) {
                assertThat(f.get()).isEqualTo(expected);
            }
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void shouldAnswerFromTheLocalFilesFirstLineWinningWhenNsswitchListsFilesFirst(@TempDir Path dir) throws Exception {
        Path nsswitch = Files.writeString(dir.resolve("nsswitch.conf"),
                "# comment\npasswd:   files systemd # local first\ngroup: files\n");
        Path passwd = Files.writeString(dir.resolve("passwd"), String.join("\n",
                "root:x:0:0:root:/root:/bin/bash",
                "broken line without colons",
                "  #commented:x:3999999109:0::/:/bin/sh",
                "bad:x:notanumber:0::/:/bin/sh",
                "alice:x:3999999101:100::/home/alice:/bin/sh",
                "alice2:x:3999999101:100::/home/alice:/bin/sh",
                "alice:x:3999999102:100::/home/alice:/bin/sh", ""));
        Path group = Files.writeString(dir.resolve("group"), "wheel:x:3999999201:alice\n");
        UserDb local = new UserDb(nsswitch, passwd, group);

        assertThat(local.userName(3_999_999_101L)).isEqualTo("alice"); // the first line of the id
        assertThat(local.uid("alice")).isEqualTo(3_999_999_101L); // the first line of the name
        assertThat(local.uid("alice2")).isEqualTo(3_999_999_101L);
        assertThat(local.groupName(3_999_999_201L)).isEqualTo("wheel");
        assertThat(local.gid("wheel")).isEqualTo(3_999_999_201L);
        // what the files lack is asked of the system's NSS: absent there too
        assertThat(local.userName(3_999_999_103L)).isNull();
        assertThat(local.userName(3_999_999_109L)).isNull(); // a comment line is no entry
        assertThat(local.uid("bad")).isEqualTo(db.uid("bad"));
        assertThat(local.userName(0)).isEqualTo("root");
    }

    @Test
    void shouldLeaveEverythingToNssWhenFilesIsNotTheFirstSource(@TempDir Path dir) throws Exception {
        Path nsswitch = Files.writeString(dir.resolve("nsswitch.conf"), "passwd: systemd files\ngroup: compat\n");
        Path passwd = Files.writeString(dir.resolve("passwd"), "alice:x:3999999101:100::/home/alice:/bin/sh\n");
        Path group = Files.writeString(dir.resolve("group"), "wheel:x:3999999201:alice\n");
        UserDb nss = new UserDb(nsswitch, passwd, group);

        assertThat(nss.userName(3_999_999_101L)).isNull(); // the system has no such user
        assertThat(nss.groupName(3_999_999_201L)).isNull();
        assertThat(nss.userName(0)).isEqualTo("root");
        assertThat(UserDb.filesFirst(java.util.List.of("passwd: files"), "passwd")).isTrue();
        assertThat(UserDb.filesFirst(java.util.List.of("passwdx: files", "group: files"), "passwd")).isFalse();
    }

    @Test
    void shouldSeeAUserAddedWhileItRunsAndForgetAMissInTime(@TempDir Path dir) throws Exception {
        // useradd while the plugin runs: its ADD_USER alert said id=unknown(1001) until the next restart
        Path nsswitch = Files.writeString(dir.resolve("nsswitch.conf"), "passwd: files\ngroup: files\n");
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Path group = Files.writeString(dir.resolve("group"), "root:x:0:\n");
        UserDb live = new UserDb(nsswitch, passwd, group, 0, Long.MAX_VALUE / 4);
        assertThat(live.userName(3_999_999_301L)).isNull();
        assertThat(live.uid("aa-new")).isEqualTo(-1);
        Files.writeString(passwd, "root:x:0:0:root:/root:/bin/bash\naa-new:x:3999999301:100::/:/bin/sh\n");
        Files.writeString(group, "root:x:0:\naa-grp:x:3999999302:\n");
        assertThat(live.userName(3_999_999_301L)).isEqualTo("aa-new");
        assertThat(live.uid("aa-new")).isEqualTo(3_999_999_301L);
        assertThat(live.groupName(3_999_999_302L)).isEqualTo("aa-grp");

        // a miss NSS gave (a directory service's user) is asked again once it is old
        UserDb misses = new UserDb(nsswitch, passwd, group, 0, 0);
        assertThat(misses.userName(3_999_999_303L)).isNull();
        Files.writeString(passwd, "aa-later:x:3999999303:100::/:/bin/sh\n", java.nio.file.StandardOpenOption.APPEND);
        assertThat(misses.userName(3_999_999_303L)).isEqualTo("aa-later");
    }

    @Test
    void shouldLetTheInterpretersOwnCacheSeeTheChangeToo(@TempDir Path dir) throws Exception {
        // the interpreter keeps names of its own: it asks the database every few hundred lookups
        Path nsswitch = Files.writeString(dir.resolve("nsswitch.conf"), "passwd: files\ngroup: files\n");
        Path passwd = Files.writeString(dir.resolve("passwd"), "root:x:0:0:root:/root:/bin/bash\n");
        Path group = Files.writeString(dir.resolve("group"), "root:x:0:\n");
        io.auditalert.interp.Interpreter interp = new io.auditalert.interp.Interpreter(
                new UserDb(nsswitch, passwd, group, 0, Long.MAX_VALUE / 4));
        io.auditalert.assemble.AuditEvent ev = io.auditalert.rules.TestEvents.one("type=ADD_USER "
                + "msg=audit(1795987787.740:1249411): pid=17740 uid=0 auid=1999999401 ses=37 msg='op=adding user "
                + "id=1999999401 exe=\"/usr/sbin/useradd\" hostname=? addr=? terminal=? res=success'");
        assertThat(interpreted(interp, ev)).contains("unknown(1999999401)");
        Files.writeString(passwd, "aa-new:x:1999999401:100::/:/bin/sh\n", java.nio.file.StandardOpenOption.APPEND);
        String seen = "";
        for (int i = 0; i <= io.auditalert.interp.Interpreter.GENERATION_CHECK && !seen.contains("aa-new"); i++) {
            seen = interpreted(interp, ev);
        }
        assertThat(seen).contains("aa-new").doesNotContain("unknown(");
    }

    private static String interpreted(io.auditalert.interp.Interpreter interp, io.auditalert.assemble.AuditEvent ev) {
        io.auditalert.parse.ByteBuf out = new io.auditalert.parse.ByteBuf(256);
        StringBuilder all = new StringBuilder();
        for (int f = ev.firstField(0); f < ev.endField(0); f++) {
            out.clear();
            interp.interpret(ev, 0, f, out);
            all.append(new String(out.array(), 0, out.length(), java.nio.charset.StandardCharsets.UTF_8)).append(' ');
        }
        return all.toString();
    }
}
