package io.auditalert.wrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Runs native-wrapper/test/run-tests.sh: the C wrapper under auditd's start-up state
 * (empty environment, every signal ignored, stdin a socket), under MemoryDenyWriteExecute
 * applied both ways systemd does (prctl and seccomp), and in relay mode against a real
 * unix-socket listener, and the real JVM (target/auditalert.jar, hence an IT: it runs after package)
 * started the way auditd starts it. None of it needs root; it needs Linux, gcc, make and libseccomp-dev.
 */
class NativeWrapperIT {

    @Test
    void shouldPassTheNativeWrapperSuite() throws IOException, InterruptedException {
        assumeTrue(System.getProperty("os.name").toLowerCase().contains("linux"), "native wrapper tests need Linux");
        assumeTrue(onPath("gcc") && onPath("make"), "native wrapper tests need gcc and make");
        assumeTrue(Files.exists(Paths.get("/usr/include/seccomp.h")), "native wrapper tests need libseccomp-dev");
        Path script = Paths.get("native-wrapper", "test", "run-tests.sh").toAbsolutePath();
        assertThat(script).isExecutable();

        Path log = Files.createTempFile("native-wrapper-tests", ".log");
        try {
            Process p = new ProcessBuilder(script.toString())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile())
                    .start();
            boolean finished = p.waitFor(5, TimeUnit.MINUTES);
            if (!finished) {
                p.destroyForcibly();
            }
            String output = Files.readString(log, StandardCharsets.UTF_8);
            System.out.println(output);
            assertThat(finished).as("run-tests.sh finished within 5 minutes").isTrue();
            assertThat(output).containsPattern("(?m)^\\d+ passed, 0 failed");
            assertThat(p.exitValue()).as("exit status of run-tests.sh\n" + output).isZero();
        } finally {
            Files.deleteIfExists(log);
        }
    }

    private static boolean onPath(String command) {
        String path = System.getenv("PATH");
        if (path == null) {
            return false;
        }
        for (String dir : path.split(":")) {
            if (Files.isExecutable(Paths.get(dir, command))) {
                return true;
            }
        }
        return false;
    }
}
