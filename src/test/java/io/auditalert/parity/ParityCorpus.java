package io.auditalert.parity;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/** Where the shared corpus is (../shared/corpus beside the repo) and which files it holds. */
final class ParityCorpus {
    private ParityCorpus() {
    }

    /** The repo root: Maven runs tests with the project directory as working directory. */
    static Path repoRoot() {
        return Path.of("");
    }

    static Path corpusDir() {
        return repoRoot().resolve("../shared/corpus");
    }

    /** Every data file of the corpus: all files in its sub-directories (the top level holds the catalog). */
    static List<Path> files() {
        try (Stream<Path> walk = Files.walk(corpusDir())) {
            return walk.filter(Files::isRegularFile)
                    .filter(p -> corpusDir().relativize(p).getNameCount() >= 2)
                    .sorted()
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
