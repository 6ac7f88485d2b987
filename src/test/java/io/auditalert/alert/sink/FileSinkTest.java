package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.Telemetry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FileSinkTest {
    @TempDir
    Path tmp;

    private final Telemetry telemetry = new Telemetry();

    @Test
    void shouldForwardOnlyEventsWhenWhatIsEvents() throws Exception {
        Path f = tmp.resolve("events.jsonl");
        try (Sink s = SinkFactory.create(0, Map.of("type", "file", "path", f.toString(), "what", "events"), telemetry)) {
            for (var a : java.util.List.of(TestAlerts.event("ev-1", 1), TestAlerts.alert("al-1"), TestAlerts.event("ev-2", 2))) {
                if (s.accepts(a)) {
                    s.offer(a);
                }
            }
            assertThat(s.drain(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(Files.readAllLines(f)).containsExactly(
                new String(TestAlerts.event("ev-1", 1).json()), new String(TestAlerts.event("ev-2", 2).json()));
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(f))).isEqualTo("rw-r-----");
    }

    @Test
    void shouldKeepAtMostMaxFilesRotated() throws Exception {
        Path f = tmp.resolve("a.jsonl");
        ch.qos.logback.classic.Logger logger = (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger(FileSink.class);
        ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> logged =
                new ch.qos.logback.core.read.ListAppender<>();
        logged.start();
        logger.addAppender(logged);
        try (Sink s = SinkFactory.create(0, Map.of("type", "file", "path", f.toString(), "max_size", "1KiB",
                "max_files", 2, "batch", 1), telemetry)) {
            TestAlerts.numbered("r", 40).forEach(s::offer);
            assertThat(s.drain(Duration.ofSeconds(5))).isTrue();
        } finally {
            logger.detachAppender(logged);
        }
        // deleting alerts is never silent
        assertThat(logged.list).extracting(ch.qos.logback.classic.spi.ILoggingEvent::getFormattedMessage)
                .contains("sink file-0: rotating " + f + " to " + f + ".1")
                .contains("sink file-0: rotating " + f + ": deleted the oldest, " + f + ".2 (max_files 2)");
        assertThat(Files.exists(tmp.resolve("a.jsonl.1"))).isTrue();
        assertThat(Files.exists(tmp.resolve("a.jsonl.2"))).isTrue();
        assertThat(Files.exists(tmp.resolve("a.jsonl.3"))).isFalse();
        assertThat(Files.size(f)).isLessThanOrEqualTo(1024);
        String last = Files.readString(f);
        assertThat(TestAlerts.ids(last)).last().isEqualTo("r-00039");
    }

    @Test
    void shouldNotRotateAFileAnotherProgramEmptied() throws Exception {
        // logrotate's copytruncate empties the file in place: rotating it then pushed an empty file into .1
        Path f = tmp.resolve("c.jsonl");
        try (Sink s = SinkFactory.create(0, Map.of("type", "file", "path", f.toString(), "max_size", "1KiB",
                "batch", 1), telemetry)) {
            TestAlerts.numbered("t", 4).forEach(s::offer);
            assertThat(s.drain(Duration.ofSeconds(5))).isTrue();
            assertThat(Files.size(f)).isGreaterThan(512);
            try (java.nio.channels.FileChannel c = java.nio.channels.FileChannel.open(f, java.nio.file.StandardOpenOption.WRITE)) {
                c.truncate(0);
            }
            TestAlerts.numbered("u", 2).forEach(s::offer);
            assertThat(s.drain(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(Files.exists(tmp.resolve("c.jsonl.1"))).as("nothing to rotate").isFalse();
        assertThat(TestAlerts.ids(Files.readString(f))).containsExactly("u-00000", "u-00001");
    }

    @Test
    void shouldReopenAfterLogrotateMovedTheFile() throws Exception {
        Path f = tmp.resolve("b.jsonl");
        try (Sink s = SinkFactory.create(0, Map.of("type", "file", "path", f.toString()), telemetry)) {
            s.offer(TestAlerts.alert("before"));
            assertThat(s.drain(Duration.ofSeconds(5))).isTrue();
            Files.move(f, tmp.resolve("b.jsonl.old"));
            Thread.sleep(1100); // the file's identity is checked at most once a second
            s.offer(TestAlerts.alert("after"));
            assertThat(s.drain(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(TestAlerts.ids(Files.readString(tmp.resolve("b.jsonl.old")))).containsExactly("before");
        assertThat(TestAlerts.ids(Files.readString(f))).containsExactly("after");
    }

    @Test
    void shouldNotCountAlertsWrittenToAFileWhoseDirectoryWasReplacedByAFile() throws Exception {
        // ENOTDIR escaped the identity check, which was then skipped for a second at each retry: the alerts
        // went into the deleted file and were counted delivered
        Path dir = Files.createDirectory(tmp.resolve("sub"));
        Path f = dir.resolve("a.jsonl");
        try (Sink s = SinkFactory.create(0, Map.of("type", "file", "path", f.toString(), "retry",
                Map.of("initial", "20ms", "max", "100ms")), telemetry)) {
            s.offer(TestAlerts.alert("before"));
            assertThat(s.drain(Duration.ofSeconds(5))).isTrue();
            Files.delete(f);
            Files.delete(dir);
            Files.writeString(tmp.resolve("sub"), "a file where the directory was\n");
            Thread.sleep(1100); // the file's identity is checked at most once a second
            s.offer(TestAlerts.alert("held"));
            assertThat(s.drain(Duration.ofSeconds(2))).as("not delivered into the deleted file").isFalse();
            assertThat(telemetry.sinkNamed(s.name()).delivered.sum()).isEqualTo(1);
            Files.delete(tmp.resolve("sub"));
            Files.createDirectory(dir);
            assertThat(s.drain(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(TestAlerts.ids(Files.readString(f))).containsExactly("held");
    }

    @Test
    void shouldFailAloneAndKeepItsAlertsWhileSomethingElseIsAtItsPath() throws Exception {
        // a link planted before the start is no configuration error (that blinded every sink): this sink
        // fails, keeps the alert and retries; once the path is free again it delivers
        Path victim = Files.writeString(tmp.resolve("victim2"), "untouched\n");
        Path f = tmp.resolve("d.jsonl");
        Files.createSymbolicLink(f, victim);
        try (Sink s = SinkFactory.create(0, Map.of("type", "file", "path", f.toString(), "retry",
                Map.of("initial", "20ms", "max", "100ms")), telemetry)) {
            s.offer(TestAlerts.alert("held"));
            assertThat(s.drain(Duration.ofMillis(500))).isFalse();
            assertThat(telemetry.sinkNamed(s.name()).transientFailures.sum()).isPositive();
            Files.delete(f);
            assertThat(s.drain(Duration.ofSeconds(5))).isTrue();
        }
        assertThat(Files.readString(victim)).isEqualTo("untouched\n");
        assertThat(TestAlerts.ids(Files.readString(f))).containsExactly("held");
    }

    @Test
    void shouldNotWriteThroughASymbolicLink() throws Exception {
        Path victim = Files.writeString(tmp.resolve("victim"), "untouched\n");
        Path f = tmp.resolve("c.jsonl");
        Files.createSymbolicLink(f, victim);
        assertThat(FileSink.pathProblem(f)).contains("is a symbolic link");
        Files.delete(f);
        Path fifo = tmp.resolve("fifo.jsonl");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThat(FileSink.pathProblem(fifo)).contains("not a regular file");
        try (Sink s = SinkFactory.create(0, Map.of("type", "file", "path", f.toString()), telemetry)) {
            s.offer(TestAlerts.alert("before"));
            assertThat(s.drain(Duration.ofSeconds(5))).isTrue();
            // whoever owns the directory swaps the file for a link to a file the plugin's user may write
            Files.move(f, tmp.resolve("c.jsonl.old"));
            Files.createSymbolicLink(f, victim);
            Thread.sleep(1100); // the file's identity is checked at most once a second
            s.offer(TestAlerts.alert("after"));
            assertThat(s.drain(Duration.ofSeconds(2))).as("not delivered through the link").isFalse();
            assertThat(((DeliverySink) s).pending()).isEqualTo(1);
        }
        assertThat(Files.readString(victim)).isEqualTo("untouched\n");
        assertThat(TestAlerts.ids(Files.readString(tmp.resolve("c.jsonl.old")))).containsExactly("before");
    }
}
