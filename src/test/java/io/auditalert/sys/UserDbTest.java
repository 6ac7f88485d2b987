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
}
