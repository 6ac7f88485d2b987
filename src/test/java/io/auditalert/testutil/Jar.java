package io.auditalert.testutil;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Assumptions;

/** The command line of the real fat jar ({@code auditalert.jar} system property, set by the pom). */
public final class Jar {
    private Jar() {}

    public static List<String> command(String... args) {
        String jar = System.getProperty("auditalert.jar", "target/auditalert.jar");
        Assumptions.assumeTrue(Files.isRegularFile(Path.of(jar)), "skipped: " + jar + " is not built (run mvn verify)");
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:+UseSerialGC", "-jar", jar));
        cmd.addAll(List.of(args));
        return cmd;
    }
}
