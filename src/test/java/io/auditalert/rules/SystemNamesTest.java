package io.auditalert.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.metrics.Telemetry;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;

/**
 * The default rules against the production name tables ({@link Names#SYSTEM}): every syscall and
 * errno name they use must resolve. Skipped while the syscall tables are not on the class path.
 */
class SystemNamesTest {
    @Test
    void shouldLoadTheDefaultRulesWithTheSystemTables() throws Exception {
        long x86 = Names.SYSTEM.archCode("x86_64");
        Assumptions.assumeTrue(x86 != -1 && Names.SYSTEM.syscallNumber(x86, "execve") == 59,
                "syscall tables (io.auditalert.interp.Syscalls) not available in this build");
        RuleLoader.Result r = RuleLoader.load(DefaultRulesTest.defaultFiles(), Names.SYSTEM, new Telemetry());
        assertThat(r.errors()).isEmpty();
        assertThat(Names.SYSTEM.errno("EACCES")).isEqualTo(13);
        // the C library's ENOTSUP is EOPNOTSUPP (95), not the kernel-internal ENOTSUPP (524)
        assertThat(Names.SYSTEM.errno("ENOTSUP")).isEqualTo(95).isEqualTo(Names.SYSTEM.errno("EOPNOTSUPP"));
    }
}
