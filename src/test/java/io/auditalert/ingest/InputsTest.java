package io.auditalert.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.auditalert.metrics.PipelineStats;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InputsTest {
    @TempDir
    Path dir;

    private static String record(long sec, int milli, int serial) {
        return String.format("type=SYSCALL msg=audit(%d.%03d:%d): arch=c000003e syscall=59 success=yes exit=0%n", sec, milli, serial);
    }

    private Path gzip(String name, byte[] content) throws IOException {
        Path p = dir.resolve(name);
        try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(p))) {
            out.write(content);
        }
        return p;
    }

    private static List<String> lines(LineFramer.ByteSource source) throws IOException {
        List<String> out = new ArrayList<>();
        try (source) {
            new LineFramer(LineFramer.DEFAULT_MAX_LINE, new PipelineStats()).pump(source,
                    (b, off, len) -> out.add(new String(b, off, len, StandardCharsets.ISO_8859_1)));
        }
        return out;
    }

    @Test
    void shouldReadGzipFilesByTheirMagicNotTheirName() throws Exception {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 20_000; i++) {
            sb.append(record(1_700_000_000L + i, i % 1000, i)); // past one read and the gzip buffer
        }
        byte[] plain = sb.toString().getBytes(StandardCharsets.US_ASCII);
        Path p = Files.write(dir.resolve("audit.log"), plain);
        Path z = gzip("audit.log.1", plain); // compressed without the .gz suffix
        assertThat(Inputs.isGzip(p)).isFalse();
        assertThat(Inputs.isGzip(z)).isTrue();
        List<String> fromPlain = lines(Inputs.file(p));
        assertThat(fromPlain).hasSize(20_000);
        assertThat(lines(Inputs.file(z))).isEqualTo(fromPlain);

        Path one = Files.write(dir.resolve("one-byte"), new byte[] {0x1f});
        assertThat(lines(Inputs.file(one))).containsExactly("\u001f");
        assertThat(lines(Inputs.file(Files.write(dir.resolve("empty"), new byte[0])))).isEmpty();
    }

    @Test
    void shouldNameTheFileOfACutOrBrokenGzip() throws Exception {
        byte[] whole = Files.readAllBytes(gzip("x.gz", record(1_700_000_000L, 0, 1).repeat(5000).getBytes(StandardCharsets.US_ASCII)));
        Path cut = Files.write(dir.resolve("cut.gz"), java.util.Arrays.copyOf(whole, whole.length / 2));
        assertThatThrownBy(() -> lines(Inputs.file(cut))).isInstanceOf(IOException.class).hasMessageStartingWith(cut + ": ");
        Path broken = Files.write(dir.resolve("broken.gz"), new byte[] {0x1f, (byte) 0x8b, 1, 2, 3});
        assertThatThrownBy(() -> Inputs.file(broken)).isInstanceOf(IOException.class).hasMessageStartingWith(broken + ": ");
    }

    @Test
    void shouldFindTheFirstRecordTimeOfPlainAndCompressedLogs() throws Exception {
        String body = "garbage without a stamp\n\n" + record(1_700_000_100L, 250, 7) + record(1_700_000_000L, 0, 8);
        Path p = Files.writeString(dir.resolve("a.log"), body);
        assertThat(Inputs.firstRecordMillis(p)).isEqualTo(1_700_000_100_250L);
        assertThat(Inputs.firstRecordMillis(gzip("a.log.gz", body.getBytes(StandardCharsets.US_ASCII))))
                .isEqualTo(1_700_000_100_250L);
        assertThat(Inputs.firstRecordMillis(Files.writeString(dir.resolve("none"), "no audit here\n"))).isEqualTo(-1);
        assertThat(Inputs.firstRecordMillis(Files.writeString(dir.resolve("empty.log"), ""))).isEqualTo(-1);
        // a .gz cut before the peek's 64 KiB: its first record still places it among the others
        byte[] whole = Files.readAllBytes(gzip("c.gz", (record(1_700_000_050L, 0, 1) + "x".repeat(1000) + "\n")
                .repeat(20).getBytes(StandardCharsets.US_ASCII)));
        Path cut = Files.write(dir.resolve("cut.gz"), java.util.Arrays.copyOf(whole, whole.length - 20));
        assertThatThrownBy(() -> lines(Inputs.file(cut))).isInstanceOf(IOException.class);
        assertThat(Inputs.firstRecordMillis(cut)).isEqualTo(1_700_000_050_000L);
    }

    /** Peeks, then orders: what replay and events do (Components.inputs). */
    private static List<Path> oldestFirst(List<Path> files) {
        return Inputs.oldestFirst(files, Inputs.firstRecordTimes(files));
    }

    @Test
    void shouldOrderRotatedLogsOldestFirstAndLeaveWhatItCannotPeekAlone() throws Exception {
        Path current = Files.writeString(dir.resolve("audit.log"), record(1_700_000_300L, 0, 30));
        Path r1 = Files.writeString(dir.resolve("audit.log.1"), record(1_700_000_200L, 0, 20));
        Path r2 = gzip("audit.log.2.gz", record(1_700_000_100L, 0, 10).getBytes(StandardCharsets.US_ASCII));
        Path fresh = Files.writeString(dir.resolve("audit.log.3"), "");
        Path twin = Files.writeString(dir.resolve("twin"), record(1_700_000_200L, 0, 21));

        assertThat(oldestFirst(List.of(current, r1, r2))).containsExactly(r2, r1, current);
        assertThat(oldestFirst(List.of(fresh, current, r1))).as("no time: last").containsExactly(r1, current, fresh);
        assertThat(oldestFirst(List.of(twin, r1))).as("equal times keep their order").containsExactly(twin, r1);
        assertThat(oldestFirst(List.of(r2, r1, current))).containsExactly(r2, r1, current);

        List<Path> withStdin = List.of(current, Path.of("-"), r1);
        assertThat(oldestFirst(withStdin)).isSameAs(withStdin);
        // a missing file or a directory is reported when it is opened: the others are still ordered,
        // or the older file's alerts would fall into the newer one's throttle windows
        Path gone = dir.resolve("gone");
        assertThat(oldestFirst(List.of(current, gone, r1, dir))).containsExactly(r1, current, gone, dir);
    }

    @Test
    void shouldCloseTheFileWithItsSource() throws Exception {
        Path p = Files.writeString(dir.resolve("audit.log"), record(1_700_000_000L, 0, 1));
        LineFramer.ByteSource s = Inputs.file(p);
        s.close();
        assertThatThrownBy(() -> s.read(new byte[16], 0, 16)).isInstanceOf(IOException.class);
    }

    @org.junit.jupiter.api.Test
    void shouldNameACompressionItDoesNotRead(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        // magic bytes of xz, zstd, bzip2 and lz4 (then a few bytes of nothing in particular)
        int[][] heads = {{0xfd, '7', 'z', 'X', 'Z', 0}, {0x28, 0xb5, 0x2f, 0xfd, 1, 2}, {'B', 'Z', 'h', '9', 1, 2},
            {0x04, 0x22, 0x4d, 0x18, 1, 2}};
        String[] names = {"xz", "zstd", "bzip2", "lz4"};
        for (int k = 0; k < heads.length; k++) {
            byte[] b = new byte[heads[k].length + 10];
            for (int i = 0; i < heads[k].length; i++) {
                b[i] = (byte) heads[k][i];
            }
            Path f = Files.write(dir.resolve("audit.log." + names[k]), b);
            assertThatThrownBy(() -> Inputs.file(f)).isInstanceOf(IOException.class)
                    .hasMessage(names[k] + "-compressed; only gzip is read: decompress it first (" + names[k]
                            + " -dc FILE | auditalert … -)");
        }
        // a log that merely starts with "BZ" is no bzip2 file
        Path log = Files.writeString(dir.resolve("plain.log"), "BZ is not a record type\n");
        assertThat(Inputs.file(log)).isNotNull();
    }
}
