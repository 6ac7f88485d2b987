package io.auditalert.metrics;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditalert.assemble.EventAssembler;
import io.auditalert.ingest.Inputs;
import io.auditalert.ingest.LineFramer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Feeds real audit logs from ../shared/corpus through the lead's pipeline (LineFramer, EventAssembler)
 * into a {@link Telemetry}, as {@code auditalert events} does, and records each event's latency from
 * its first record's arrival to its completion. Test helper.
 */
final class CorpusFeed {
    static final Path CORPUS = Path.of("..", "shared", "corpus");

    private CorpusFeed() {}

    /** A corpus file, or the test is skipped with a message when ../shared is absent. */
    static Path corpusFile(String relative) {
        Path p = CORPUS.resolve(relative);
        assumeTrue(Files.isRegularFile(p), "corpus file " + p.toAbsolutePath() + " not found (../shared absent)");
        return p;
    }

    /** Replays every file of a corpus folder, in name order; returns how many. */
    static int replayFolder(Telemetry t, String relative) throws IOException {
        Path dir = CORPUS.resolve(relative);
        assumeTrue(Files.isDirectory(dir), "corpus folder " + dir.toAbsolutePath() + " not found (../shared absent)");
        java.util.List<Path> files;
        try (java.util.stream.Stream<Path> s = Files.list(dir)) {
            files = s.filter(Files::isRegularFile).sorted().toList();
        }
        for (Path f : files) {
            replay(t, f);
        }
        return files.size();
    }

    static void replay(Telemetry t, Path file) throws IOException {
        EventAssembler[] holder = new EventAssembler[1];
        EventAssembler assembler = new EventAssembler(new EventAssembler.Settings(), t.pipeline, ev -> {
            t.latency.record(System.nanoTime() - ev.firstArrivalNanos());
            holder[0].recycle(ev);
        });
        holder[0] = assembler;
        LineFramer framer = new LineFramer(LineFramer.DEFAULT_MAX_LINE, t.pipeline);
        framer.pump(Inputs.file(file), (b, off, len) -> assembler.onLine(b, off, len, System.nanoTime()));
        assembler.finish();
    }
}
