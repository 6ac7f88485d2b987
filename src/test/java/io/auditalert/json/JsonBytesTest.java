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

    @Test
    void shouldWriteStringBodiesWordAtATimeLikeByteAtATimeAtEveryLengthAndPosition() {
        byte[] special = {'"', '\\', 0x00, 0x1f, (byte) 0xc3, (byte) 0xff, 'a'};
        for (int slack = 0; slack < 10; slack++) {
            for (int len = 0; len < 30; len++) {
                for (int at = 0; at < Math.max(len, 1); at++) {
                    for (byte sp : special) {
                        byte[] b = new byte[3 + len + slack];
                        java.util.Arrays.fill(b, (byte) '"'); // bytes around the value must not count
                        for (int i = 0; i < len; i++) {
                            b[3 + i] = (byte) ('a' + i % 26);
                        }
                        if (len > 0) {
                            b[3 + at] = sp;
                        }
                        ByteBuf fast = new ByteBuf(1);
                        fast.put((byte) 'x');
                        boolean plain = JsonBytes.stringBody(fast, b, 3, len);
                        ByteBuf slow = new ByteBuf(1);
                        slow.put((byte) 'x');
                        for (int i = 3; i < 3 + len; i++) { // one byte at a time, the reference
                            JsonBytes.stringBody(slow, b, i, 1);
                        }
                        String as = String.format("len %d at %d byte %d slack %d", len, at, sp, slack);
                        assertThat(fast.toLatin1String()).as(as).isEqualTo(slow.toLatin1String());
                        assertThat(plain).as(as).isEqualTo(len == 0 || sp == 'a');
                    }
                }
            }
        }
    }

    @Test
    void shouldFindTheFirstByteToEscapeInAppendedTextWithOrWithoutRoomToReadWords() {
        for (int capacity : new int[] {8, 64}) {
            for (int len = 0; len < 20; len++) {
                for (int at = 0; at <= len; at++) {
                    ByteBuf out = new ByteBuf(capacity);
                    out.putLatin1("ab");
                    for (int i = 0; i < len; i++) {
                        out.put((byte) (i == at ? '\\' : 'z'));
                    }
                    int end = out.length();
                    assertThat(JsonBytes.plainEnd(out.array(), 2, end)).as("len %d at %d", len, at).isEqualTo(2 + Math.min(at, len));
                }
            }
        }
    }
}
