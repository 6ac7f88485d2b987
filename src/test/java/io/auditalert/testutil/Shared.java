package io.auditalert.testutil;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;

/** Locates ../shared (beside the repository), skipping the calling test with a clear message when absent. */
public final class Shared {
    private Shared() {}

    public static Path root() {
        Path p = Path.of("..", "shared").toAbsolutePath().normalize();
        Assumptions.assumeTrue(Files.isDirectory(p.resolve("corpus")),
                "skipped: ../shared/corpus is not beside the repository (" + p + ")");
        return p;
    }

    /** Every audit log of the corpus (catalog, licence and script files excluded), sorted. */
    public static List<Path> corpusFiles() throws IOException {
        Path corpus = root().resolve("corpus");
        try (Stream<Path> s = Files.walk(corpus)) {
            return s.filter(Files::isRegularFile)
                    .filter(p -> {
                        String n = p.getFileName().toString();
                        return !n.endsWith(".md") && !n.endsWith(".tsv") && !n.endsWith(".py") && !n.equals("catalog.json");
                    })
                    .sorted()
                    .collect(Collectors.toList());
        }
    }
}
