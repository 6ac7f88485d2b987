package io.auditalert.ingest;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.zip.CRC32;
import java.util.zip.Deflater;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.junit.jupiter.api.Test;

class GzipInputTest {
    private static final String A = lines("a", 3000);
    private static final String B = lines("b", 3000);

    private static String lines(String tag, int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("type=SYSCALL msg=audit(1700000000.000:").append(i).append("): key=").append(tag).append(i).append('\n');
        }
        return sb.toString();
    }

    private static byte[] gzip(String text) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (GZIPOutputStream gz = new GZIPOutputStream(out)) {
            gz.write(text.getBytes(StandardCharsets.US_ASCII));
        }
        return out.toByteArray();
    }

    private static byte[] concat(byte[]... parts) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (byte[] p : parts) {
            out.writeBytes(p);
        }
        return out.toByteArray();
    }

    /** What a pipe gives: reads end at the writer's chunk boundaries, and nothing is ever "available". */
    private static InputStream pipeLike(byte[]... chunks) {
        return new InputStream() {
            private int chunk;
            private int at;

            @Override
            public int read() {
                throw new UnsupportedOperationException();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                while (chunk < chunks.length && at == chunks[chunk].length) {
                    chunk++;
                    at = 0;
                }
                if (chunk == chunks.length) {
                    return -1;
                }
                int n = Math.min(len, chunks[chunk].length - at);
                System.arraycopy(chunks[chunk], at, b, off, n);
                at += n;
                return n;
            }
        };
    }

    private static String readAll(InputStream in, StringBuilder sink) throws IOException {
        byte[] buf = new byte[1000];
        try (in) {
            for (int n; (n = in.read(buf, 0, buf.length)) >= 0; ) {
                sink.append(new String(buf, 0, n, StandardCharsets.US_ASCII));
            }
        }
        return sink.toString();
    }

    @Test
    void shouldReadEveryMemberOfAConcatenationFromAPipe() throws Exception {
        // cat a.gz b.gz | auditalert replay: b.gz has not reached the pipe when a.gz's member ends
        // (JDK's GZIPInputStream then took the end of a.gz for the end of the data: B was lost)
        byte[] a = gzip(A);
        byte[] b = gzip(B);
        assertThat(readAll(new GzipInput(pipeLike(a, b), 4096), new StringBuilder())).isEqualTo(A + B);
        assertThat(readAll(new GzipInput(pipeLike(concat(a, b)), 64), new StringBuilder()))
                .as("one stream, a buffer smaller than a header").isEqualTo(A + B);
        assertThat(readAll(new GzipInput(pipeLike(gzip(""), a, gzip("")), 4096), new StringBuilder()))
                .as("empty members").isEqualTo(A);
    }

    @Test
    void shouldDeliverTheDataThenFailOnTrailingBytesThatAreNotGzip() throws Exception {
        byte[] a = gzip(A);
        byte[] garbage = "not gzip\n".getBytes(StandardCharsets.US_ASCII);
        StringBuilder got = new StringBuilder();
        assertThatThrownBy(() -> readAll(new GzipInput(pipeLike(a, garbage), 4096), got))
                .isInstanceOf(ZipException.class)
                .hasMessage("bytes after the gzip data at byte " + a.length
                        + " are not gzip (trailing garbage or a corrupt member)");
        assertThat(got).hasToString(A);

        byte[] badSecondMember = gzip(B);
        badSecondMember[1] = 0x00; // magic broken
        StringBuilder got2 = new StringBuilder();
        assertThatThrownBy(() -> readAll(new GzipInput(pipeLike(a, badSecondMember), 4096), got2))
                .isInstanceOf(ZipException.class).hasMessageContaining("at byte " + a.length);
        assertThat(got2).hasToString(A);
    }

    @Test
    void shouldIgnoreZerosThatPadTheDataAsGzipDoes() throws Exception {
        // zcat reads gzip data padded with zeros (to a tape or archive block); it was an error here
        byte[] a = gzip(A);
        StringBuilder got = new StringBuilder();
        readAll(new GzipInput(pipeLike(a, new byte[512]), 4096), got);
        assertThat(got).hasToString(A);
        byte[] notOnlyZeros = new byte[512];
        notOnlyZeros[300] = 7;
        StringBuilder got2 = new StringBuilder();
        assertThatThrownBy(() -> readAll(new GzipInput(pipeLike(a, notOnlyZeros), 4096), got2))
                .isInstanceOf(ZipException.class).hasMessageContaining("at byte " + a.length);
        assertThat(got2).hasToString(A);
    }

    @Test
    void shouldFailACutMemberAndABadChecksumNamingTheOffset() throws Exception {
        byte[] a = gzip(A);
        byte[] cut = Arrays.copyOf(a, a.length / 2);
        assertThatThrownBy(() -> readAll(new GzipInput(pipeLike(cut), 4096), new StringBuilder()))
                .isInstanceOf(java.io.EOFException.class)
                .hasMessage("gzip data cut short at byte " + cut.length + " (a truncated file?)");

        byte[] noTrailer = Arrays.copyOf(a, a.length - 3);
        assertThatThrownBy(() -> readAll(new GzipInput(pipeLike(noTrailer), 4096), new StringBuilder()))
                .isInstanceOf(java.io.EOFException.class).hasMessageContaining("header or trailer");

        byte[] badSum = a.clone();
        badSum[a.length - 8] ^= 1; // the CRC-32 in the trailer
        assertThatThrownBy(() -> readAll(new GzipInput(pipeLike(badSum), 4096), new StringBuilder()))
                .isInstanceOf(ZipException.class).hasMessageContaining("checksum");

        byte[] badSize = a.clone();
        badSize[a.length - 4] ^= 1;
        assertThatThrownBy(() -> readAll(new GzipInput(pipeLike(badSize), 4096), new StringBuilder()))
                .isInstanceOf(ZipException.class).hasMessageContaining("size");
    }

    @Test
    void shouldSkipEveryOptionalHeaderField() throws Exception {
        byte[] data = A.getBytes(StandardCharsets.US_ASCII);
        ByteArrayOutputStream m = new ByteArrayOutputStream();
        m.writeBytes(new byte[] {0x1f, (byte) 0x8b, 8, 2 | 4 | 8 | 16, 0, 0, 0, 0, 0, 3}); // FHCRC FEXTRA FNAME FCOMMENT
        m.writeBytes(new byte[] {3, 0, 'x', 'y', 'z'});
        m.writeBytes("audit.log\0".getBytes(StandardCharsets.US_ASCII));
        m.writeBytes("a comment\0".getBytes(StandardCharsets.US_ASCII));
        m.writeBytes(new byte[] {0x12, 0x34}); // header CRC-16 (not checked, as gzip -d does not)
        Deflater d = new Deflater(Deflater.DEFAULT_COMPRESSION, true);
        d.setInput(data);
        d.finish();
        byte[] out = new byte[data.length + 1024];
        int n = d.deflate(out);
        d.end();
        m.write(out, 0, n);
        CRC32 crc = new CRC32();
        crc.update(data);
        long c = crc.getValue();
        m.writeBytes(new byte[] {(byte) c, (byte) (c >> 8), (byte) (c >> 16), (byte) (c >> 24),
            (byte) data.length, (byte) (data.length >> 8), (byte) (data.length >> 16), (byte) (data.length >> 24)});

        assertThat(readAll(new GzipInput(pipeLike(m.toByteArray()), 7), new StringBuilder())).isEqualTo(A);
    }

    @Test
    void shouldRefuseAHeaderItCannotRead() {
        assertThatThrownBy(() -> new GzipInput(new ByteArrayInputStream(new byte[] {0x1f, (byte) 0x8b, 1, 0}), 4096))
                .isInstanceOf(ZipException.class).hasMessage("unsupported gzip compression method at byte 0");
        assertThatThrownBy(() -> new GzipInput(new ByteArrayInputStream(new byte[] {0x1f, (byte) 0x8b, 8, (byte) 0x80}), 4096))
                .isInstanceOf(ZipException.class).hasMessageContaining("reserved flags");
        assertThatThrownBy(() -> new GzipInput(new ByteArrayInputStream(new byte[] {0x1f, (byte) 0x8b, 8, 0, 0}), 4096))
                .isInstanceOf(java.io.EOFException.class);
    }
}
