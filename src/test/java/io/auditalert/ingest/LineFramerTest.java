package io.auditalert.ingest;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.metrics.PipelineStats;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LineFramerTest {
    private final PipelineStats stats = new PipelineStats();
    private final List<String> lines = new ArrayList<>();

    private void pump(LineFramer framer, InputStream in) throws IOException {
        framer.pump(Inputs.stream(in), (b, off, len) -> lines.add(new String(b, off, len, StandardCharsets.ISO_8859_1)));
    }

    /** Returns at most {@code step} bytes per read, so lines are cut across reads. */
    private static InputStream trickle(byte[] data, int step) {
        return new ByteArrayInputStream(data) {
            @Override
            public synchronized int read(byte[] b, int off, int len) {
                return super.read(b, off, Math.min(len, step));
            }
        };
    }

    @Test
    void shouldCarryPartialLinesAcrossReads() throws IOException {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1000; i++) {
            sb.append("type=SYSCALL msg=audit(1.000:").append(i).append("): x=").append("y".repeat(i % 97)).append('\n');
        }
        byte[] data = sb.toString().getBytes(StandardCharsets.ISO_8859_1);
        for (int step : new int[] {1, 7, 4096, 1 << 20}) {
            lines.clear();
            pump(new LineFramer(LineFramer.DEFAULT_MAX_LINE, stats), trickle(data, step));
            assertThat(lines).hasSize(1000);
            assertThat(String.join("\n", lines) + "\n").isEqualTo(sb.toString());
        }
    }

    @Test
    void shouldStartTheNextInputCleanAfterOneFailedInTheMiddleOfALine() throws IOException {
        LineFramer framer = new LineFramer(LineFramer.DEFAULT_MAX_LINE, stats);
        byte[] cut = "type=SYSCALL msg=audit(1.000:7): key=\"a\"\ntype=PATH msg=audit(1.000:8): item=0 name="
                .getBytes(StandardCharsets.ISO_8859_1);
        InputStream failing = new java.io.SequenceInputStream(new ByteArrayInputStream(cut), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new IOException("Unexpected end of ZLIB input stream");
            }
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> pump(framer, failing)).isInstanceOf(IOException.class);
        pump(framer, new ByteArrayInputStream("type=SYSCALL msg=audit(2.000:1): key=\"b\"\n".getBytes(StandardCharsets.ISO_8859_1)));
        // the cut line of the failed input is dropped, not glued to the next input's first line
        assertThat(lines).containsExactly("type=SYSCALL msg=audit(1.000:7): key=\"a\"", "type=SYSCALL msg=audit(2.000:1): key=\"b\"");

        // a relay connection reset in the middle of a line: the line is counted as cut (sent again whole)
        lines.clear();
        InputStream reset = new java.io.SequenceInputStream(new ByteArrayInputStream(cut), new InputStream() {
            @Override
            public int read() throws IOException {
                throw new java.net.SocketException("Connection reset");
            }
        });
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> framer.pump(Inputs.stream(reset),
                (b, off, len) -> lines.add(new String(b, off, len, StandardCharsets.ISO_8859_1)), null, false))
                .isInstanceOf(IOException.class);
        assertThat(stats.linesCutAtDisconnect).isEqualTo(1);
        assertThat(lines).containsExactly("type=SYSCALL msg=audit(1.000:7): key=\"a\"");
    }

    @Test
    void shouldDropALineOverTheLimitWhereverItFallsInTheInput() throws IOException {
        String longLine = "type=EXECVE msg=audit(1.000:3): a0=" + "6".repeat(200);
        for (String before : new String[] {"", "type=SYSCALL msg=audit(1.000:2): x=y\n".repeat(30)}) {
            for (int step : new int[] {1, 97, 1 << 20}) {
                lines.clear();
                PipelineStats s = new PipelineStats();
                new LineFramer(100, s).pump(Inputs.stream(trickle((before + longLine + "\nlast\n")
                        .getBytes(StandardCharsets.ISO_8859_1), step)), (b, off, len) -> lines.add(new String(b, off, len,
                        StandardCharsets.ISO_8859_1)));
                assertThat(lines).as("%d lines before, reads of %d", before.length(), step).doesNotContain(longLine)
                        .endsWith("last");
                assertThat(s.linesTooLong).isEqualTo(1);
            }
        }
    }

    @Test
    void shouldDropTheCrOfCrLfLineEndsAndCountThem() throws IOException {
        pump(new LineFramer(LineFramer.DEFAULT_MAX_LINE, stats), new ByteArrayInputStream(
                "type=SYSCALL msg=audit(1.000:1): key=\"k\"\r\ntype=EOE msg=audit(1.000:1): \r\n\r\nlast\r"
                        .getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(lines).containsExactly("type=SYSCALL msg=audit(1.000:1): key=\"k\"", "type=EOE msg=audit(1.000:1): ", "last");
        assertThat(stats.crLineEnds).isEqualTo(4);
    }

    @Test
    void shouldSkipAndCountOverlongLinesWithoutBufferingThem() throws IOException {
        byte[] huge = new byte[5 << 20];
        java.util.Arrays.fill(huge, (byte) 'A');
        byte[] tail = "\ntype=EOE msg=audit(1.000:2): \n".getBytes(StandardCharsets.ISO_8859_1);
        byte[] data = new byte[huge.length + tail.length + 5];
        System.arraycopy("ok 1\n".getBytes(StandardCharsets.ISO_8859_1), 0, data, 0, 5);
        System.arraycopy(huge, 0, data, 5, huge.length);
        System.arraycopy(tail, 0, data, 5 + huge.length, tail.length);
        pump(new LineFramer(64 * 1024, stats), new ByteArrayInputStream(data));
        assertThat(lines).containsExactly("ok 1", "type=EOE msg=audit(1.000:2): ");
        assertThat(stats.linesTooLong).isEqualTo(1);
    }

    @Test
    void shouldDeliverTheLastLineEvenWithoutNewline() throws IOException {
        pump(new LineFramer(1024, stats), new ByteArrayInputStream("a\nb".getBytes(StandardCharsets.ISO_8859_1)));
        assertThat(lines).containsExactly("a", "b");
    }

    @Test
    void shouldPassBytesThroughUndecoded() throws IOException {
        byte[] data = {'x', '=', (byte) 0xff, (byte) 0xc3, (byte) 0xa9, '\n'};
        pump(new LineFramer(1024, stats), new ByteArrayInputStream(data));
        assertThat(lines.get(0).getBytes(StandardCharsets.ISO_8859_1)).containsExactly('x', '=', 0xff, 0xc3, 0xa9);
    }

    @Test
    void shouldDropAndCountAnUnterminatedLineAtTheEndOfARelayConnection() throws IOException {
        new LineFramer(1024, stats).pump(Inputs.stream(new ByteArrayInputStream("a\nb-cut".getBytes(StandardCharsets.ISO_8859_1))),
                (b, off, len) -> lines.add(new String(b, off, len, StandardCharsets.ISO_8859_1)), null, false);
        assertThat(lines).containsExactly("a");
        assertThat(stats.linesCutAtDisconnect).isEqualTo(1);
    }

    @Test
    void shouldDropTheLineBeingReadWhenTheSourceStopsShort() throws IOException {
        // replay | head: once nobody takes the alerts, replay's source stops inside a line
        byte[] data = "type=SYSCALL msg=audit(1.000:1): x=1\ntype=SYSCALL msg=audit(1.0".getBytes(StandardCharsets.ISO_8859_1);
        for (boolean stopped : new boolean[] {false, true}) {
            lines.clear();
            LineFramer.ByteSource source = new io.auditalert.testutil.OneRead(data, stopped, 0);
            new LineFramer(1024, stats).pump(source, (b, off, len) -> lines.add(new String(b, off, len, StandardCharsets.ISO_8859_1)));
            assertThat(lines).as("stopped short: %s", stopped).hasSize(stopped ? 1 : 2);
            assertThat(lines.get(0)).isEqualTo("type=SYSCALL msg=audit(1.000:1): x=1");
        }
        assertThat(stats.linesCutAtDisconnect).isZero();
    }
}
