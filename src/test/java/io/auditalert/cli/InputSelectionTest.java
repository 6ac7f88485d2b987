package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.ingest.LineFramer;
import io.auditalert.pipeline.TimeRange;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/** Components' choice of inputs: files it cannot read, their order and the --since/--until skip. */
class InputSelectionTest {
    static final long T = 1_767_225_600_000L;
    static final long MIN = 60_000L;
    static final long DAY = 86_400_000L;

    @TempDir
    Path dir;

    @RegisterExtension
    final StderrCapture stderr = new StderrCapture();

    @Test
    void shouldSayThatInputsWithStdinAreReadInTheOrderGivenAndShortenALongList() throws Exception {
        Path newer = Files.writeString(dir.resolve("audit.log"), "type=EOE msg=audit(1767225700.000:2): \n");
        List<Path> given = List.of(newer, Path.of("-"));
        assertThat(Components.inputs(given, TimeRange.ALL, "events")).containsExactlyElementsOf(given);
        assertThat(stderr.text()).isEqualTo("auditalert events: reading the inputs in the order given (stdin, a pipe or a"
                + " device among them is not sorted by time; give the oldest first): " + newer + " -" + System.lineSeparator());

        List<Path> many = new java.util.ArrayList<>();
        for (int i = 1; i <= 20; i++) {
            many.add(Path.of("audit.log." + i));
        }
        assertThat(Components.names(many)).isEqualTo(
                "audit.log.1 audit.log.2 audit.log.3 audit.log.4 … (14 more) … audit.log.19 audit.log.20");
    }

    @Test
    void shouldSayWhyAnInputCannotBeReadAndLetTheCallerGoOn() throws Exception {
        assertThat(Components.openInput(dir, "replay")).isNull();
        assertThat(Components.openInput(dir.resolve("gone"), "replay")).isNull();
        assertThat(stderr.text()).isEqualTo("auditalert replay: is a directory: " + dir
                + System.lineSeparator() + "auditalert replay: no such file: " + dir.resolve("gone") + System.lineSeparator());

        // a gzip header cut short: the file was named twice ("cannot read hdr.gz: hdr.gz: …")
        Path header = Files.write(dir.resolve("hdr.gz"), new byte[] {0x1f, (byte) 0x8b, 8});
        assertThat(Components.openInput(header, "replay")).isNull();
        assertThat(stderr.text()).endsWith("auditalert replay: cannot read " + header + ": gzip data cut short in the header or trailer at byte 0 (a truncated file?)"
                + System.lineSeparator());

        // an archive was read as text: its members' headers became malformed lines, and the records beside
        // them were lost (a tar.gz's first records), with exit 0
        byte[] tar = new byte[2048];
        byte[] member = "audit.log".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(member, 0, tar, 0, member.length);
        System.arraycopy("ustar\u000000".getBytes(java.nio.charset.StandardCharsets.US_ASCII), 0, tar, 257, 8); // POSIX magic and version
        byte[] record = "type=EOE msg=audit(1767225700.000:2): \n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        System.arraycopy(record, 0, tar, 512, record.length);
        Path plainTar = Files.write(dir.resolve("logs.tar"), tar);
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(gz)) {
            z.write(tar);
        }
        Path tarGz = Files.write(dir.resolve("logs.tgz"), gz.toByteArray());
        Path zip = Files.write(dir.resolve("logs.zip"), new byte[] {'P', 'K', 3, 4, 20, 0, 0, 0});
        stderr.clear();
        assertThat(Components.openInput(plainTar, "replay")).isNull();
        assertThat(Components.openInput(tarGz, "replay")).isNull();
        assertThat(Components.openInput(zip, "replay")).isNull();
        assertThat(stderr.text()).isEqualTo("auditalert replay: cannot read " + plainTar + ": a tar archive; extract its"
                + " files first and give them" + System.lineSeparator()
                + "auditalert replay: cannot read " + tarGz + ": a tar archive inside gzip; extract its files first"
                + " (tar -xzf FILE) and give them" + System.lineSeparator()
                + "auditalert replay: cannot read " + zip + ": a zip archive; extract its files first and give them"
                + System.lineSeparator());

        // a gzipped log is still read, from its first byte
        java.io.ByteArrayOutputStream logGz = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream z = new java.util.zip.GZIPOutputStream(logGz)) {
            z.write(record);
        }
        Path gzLog = Files.write(dir.resolve("audit.log.1.gz"), logGz.toByteArray());
        try (LineFramer.ByteSource in = Components.openInput(gzLog, "replay")) {
            byte[] b = new byte[256];
            int n = in.read(b, 0, b.length);
            assertThat(java.util.Arrays.copyOf(b, n)).isEqualTo(record);
        }

        Path log = Files.writeString(dir.resolve("audit.log"), "x\n");
        try (LineFramer.ByteSource in = Components.openInput(log, "replay")) {
            byte[] b = new byte[8];
            assertThat(in.read(b, 0, 8)).isEqualTo(2);
        }
    }

    @Test
    void shouldReadTheOtherFilesWhenOneFailsPartWay() throws Exception {
        Path a = log("a.log", T, T);
        Path corrupt = dir.resolve("b.log.gz");
        byte[] whole = gzipped("type=SYSCALL msg=audit(1767225600.000:2): arch=c000003e\n".repeat(2000));
        Files.write(corrupt, java.util.Arrays.copyOf(whole, whole.length / 2)); // an archive cut short
        Path loop = dir.resolve("loop");
        Files.createSymbolicLink(loop, loop);
        Path c = log("c.log", T + MIN, T + MIN);
        List<String> read = new java.util.ArrayList<>();

        boolean all = Components.pumpInputs(List.of(a, corrupt, loop, c), List.of(a, corrupt, loop, c), "replay",
                new io.auditalert.metrics.PipelineStats(),
                in -> {
                    byte[] buf = new byte[4096];
                    StringBuilder text = new StringBuilder();
                    for (int n; (n = in.read(buf, 0, buf.length)) > 0; ) {
                        text.append(new String(buf, 0, n, java.nio.charset.StandardCharsets.US_ASCII));
                    }
                    read.add(text.substring(0, Math.min(40, text.length())));
                });

        assertThat(all).isFalse();
        assertThat(read).hasSize(2).allMatch(r -> r.startsWith("type=SYSCALL msg=audit(17672"));
        assertThat(stderr.text()).isEqualTo("auditalert replay: " + corrupt + ": gzip data cut short at byte " + whole.length / 2 + " (a truncated file?);"
                + " the rest of this input is not read" + System.lineSeparator()
                + "auditalert replay: cannot read " + loop + ": Too many levels of symbolic links or unable to access"
                + " attributes of symbolic link" + System.lineSeparator());
    }

    private static byte[] gzipped(String text) throws java.io.IOException {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        try (java.util.zip.GZIPOutputStream gz = new java.util.zip.GZIPOutputStream(out)) {
            gz.write(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    /** A log whose first record is at firstMillis and last at lastMillis. */
    private Path log(String name, long firstMillis, long lastMillis) throws Exception {
        return Files.writeString(dir.resolve(name), String.format("type=SYSCALL msg=audit(%d.%03d:1): arch=c000003e%n"
                + "type=SYSCALL msg=audit(%d.%03d:2): arch=c000003e%n",
                firstMillis / 1000, firstMillis % 1000, lastMillis / 1000, lastMillis % 1000));
    }

    private static TimeRange range(long since, long until) {
        return new TimeRange(since, until);
    }

    @Test
    void shouldSkipOnlyFilesThatCannotHoldEventsOfTheRange() throws Exception {
        Path a = log("audit.log.4", T, T + DAY - MIN);
        Path b = log("audit.log.3", T + DAY, T + 2 * DAY - MIN);
        Path c = log("audit.log.2", T + 2 * DAY, T + 3 * DAY - MIN);
        Path d = log("audit.log.1", T + 3 * DAY, T + 3 * DAY + 60 * MIN);
        Path e = Files.writeString(dir.resolve("audit.log"), "");
        List<Path> all = List.of(a, b, c, d, e);

        assertThat(Components.inputs(all, TimeRange.ALL, "replay")).isSameAs(all);
        assertThat(Components.inputs(all, range(T + 2 * DAY - 5 * MIN, Long.MAX_VALUE), "replay"))
                .as("b ends only 4 minutes before since: it may still hold events of the range")
                .containsExactly(b, c, d, e);
        assertThat(stderr.text()).isEqualTo(
                "auditalert replay: skipping 1 file(s) outside --since/--until: " + a + System.lineSeparator());
        assertThat(Components.inputs(all, range(T + 2 * DAY + 10 * MIN, Long.MAX_VALUE), "replay"))
                .containsExactly(c, d, e);
        assertThat(Components.inputs(all, range(Long.MIN_VALUE, T + 2 * DAY), "replay"))
                .as("c starts at until").containsExactly(a, b, e);
        assertThat(Components.inputs(all, range(T + DAY + 30 * MIN, T + 2 * DAY + 1), "replay"))
                .containsExactly(b, c, e);
        List<Path> withStdin = List.of(a, Path.of("-"), d);
        assertThat(Components.inputs(withStdin, range(T + 3 * DAY, Long.MAX_VALUE), "replay")).isSameAs(withStdin);
    }

    @Test
    void shouldReadAFileNamedTwiceOnce() throws Exception {
        // audit.log audit.log/ (or a link to it) was read twice: each of its events alerted twice
        Path a = log("audit.log", T, T + MIN);
        Path b = log("audit.log.1", T - DAY, T - DAY + MIN);
        Path link = Files.createSymbolicLink(dir.resolve("current.log"), a);
        assertThat(Components.inputs(List.of(a, b, link, Path.of(a + "/")), TimeRange.ALL, "replay"))
                .containsExactly(b, a);
        assertThat(stderr.text()).startsWith("auditalert replay: reading once what was named twice: " + link + " " + a
                + System.lineSeparator());
    }

    @Test
    void shouldJudgeEachFileByItsOwnTimesNotByTheFileAfterIt() throws Exception {
        // two hosts' logs overlap in time: host-a was skipped because host-b starts before --since,
        // though host-a held events of the range (a review lost 180 events, with exit 0)
        Path hostA = log("host-a.log", T, T + 180 * MIN);
        Path hostB = log("host-b.log", T + 20 * MIN, T + 200 * MIN);
        assertThat(Components.inputs(List.of(hostA, hostB), range(T + 60 * MIN, T + 90 * MIN), "replay"))
                .containsExactly(hostA, hostB);
        assertThat(stderr.text()).isEmpty();
        // a log concatenated newest first (cat audit.log audit.log.1 > all.log) ends with its oldest records
        Path newestFirst = log("all.log", T + 120 * MIN, T - DAY);
        assertThat(Components.inputs(List.of(newestFirst, hostB), range(T + 60 * MIN, Long.MAX_VALUE), "replay"))
                .containsExactly(hostB, newestFirst);
        assertThat(Components.inputs(List.of(newestFirst, hostB), range(Long.MIN_VALUE, T + 60 * MIN), "replay"))
                .as("its last records are before until").containsExactly(hostB, newestFirst);
        // a compressed file's end is not read: it is kept
        Path old = Files.write(dir.resolve("old.log.gz"), gzipped(String.format(
                "type=SYSCALL msg=audit(%d.000:1): arch=c000003e%n", (T - DAY) / 1000)));
        assertThat(Components.inputs(List.of(old, hostA), range(T + 60 * MIN, Long.MAX_VALUE), "replay"))
                .containsExactly(old, hostA);
    }
}
