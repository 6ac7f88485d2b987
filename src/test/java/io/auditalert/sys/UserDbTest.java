package io.auditalert.sys;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

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
}
