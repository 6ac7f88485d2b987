package io.auditalert.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.parse.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import org.junit.jupiter.api.Test;

class JsonBytesTest {
    @Test
    void shouldFormatTimesLikeJavaTime() {
        for (long ms : new long[] {0L, 1_700_000_000_123L, 951_782_400_000L, 4_102_444_799_999L, 1_795_701_003_933L}) {
            ByteBuf out = new ByteBuf(32);
            JsonBytes.isoTime(out, ms);
            assertThat(out.toLatin1String()).isEqualTo("\"" + Instant.ofEpochMilli(ms) .toString().replaceFirst("(\\.\\d{3})?Z$", "") + millis(ms) + "Z\"");
        }
    }

    private static String millis(long ms) {
        return String.format(".%03d", ms % 1000);
    }

    @Test
    void shouldEscapeControlsAndKeepValidUtf8AndMapInvalidBytesToLatin1() {
        byte[] in = {'a', '"', '\\', 0x01, '\n', (byte) 0xc3, (byte) 0xbc, (byte) 0xff};
        ByteBuf out = new ByteBuf(8);
        JsonBytes.string(out, in, 0, in.length);
        assertThat(out.toUtf8String()).isEqualTo("\"a\\\"\\\\\\u0001\\nü\\u00ff\"");
        assertThat(new String(out.toByteArray(), StandardCharsets.UTF_8)).contains("ü");
    }

    @Test
    void shouldFindTheFirstByteNeedingEscapeAtEveryPosition() {
        byte[] special = {'"', '\\', 0x00, 0x1f, (byte) 0x80, (byte) 0xff};
        for (int len = 0; len < 40; len++) {
            for (int at = 0; at <= len; at++) {
                for (byte sp : special) {
                    byte[] b = new byte[len + 1];
                    java.util.Arrays.fill(b, (byte) 'a');
                    b[Math.min(at, len)] = sp;
                    int expected = Math.min(at, len);
                    assertThat(JsonBytes.plainRunEnd(b, 0, b.length)).as("len %d at %d byte %d", len, at, sp).isEqualTo(expected);
                }
            }
        }
        // every printable ASCII byte, DEL included, except the quote and the backslash is plain
        byte[] plain = "a b ~ } 0x7e_{|}\u007f".getBytes(StandardCharsets.US_ASCII);
        assertThat(JsonBytes.plainRunEnd(plain, 0, plain.length)).isEqualTo(plain.length);
    }
}
