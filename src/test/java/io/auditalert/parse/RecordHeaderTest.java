package io.auditalert.parse;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class RecordHeaderTest {
    private final RecordHeader header = new RecordHeader();

    private int parse(String line) {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        return header.parse(b, 0, b.length);
    }

    @Test
    void shouldReadStampWithAndWithoutNode() {
        assertThat(parse("type=SYSCALL msg=audit(1700000000.123:456): arch=c000003e")).isEqualTo(RecordHeader.OK);
        assertThat(header.sec()).isEqualTo(1700000000L);
        assertThat(header.milli()).isEqualTo(123);
        assertThat(header.serial()).isEqualTo(456);
        assertThat(header.hasNode()).isFalse();
        assertThat(parse("node=web01 type=EOE msg=audit(1700000000.123:4294967295):")).isEqualTo(RecordHeader.OK);
        assertThat(header.hasNode()).isTrue();
        assertThat(header.nodeLen()).isEqualTo(5);
        assertThat(header.serial()).isEqualTo(4294967295L);
    }

    @Test
    void shouldReportWhyALineIsNotARecord() {
        assertThat(parse("")).isEqualTo(RecordHeader.EMPTY);
        assertThat(parse("   ")).isEqualTo(RecordHeader.EMPTY);
        assertThat(parse("type=SYSCALL")).isEqualTo(RecordHeader.NO_STAMP);
        assertThat(parse("type=SYSCALL msg=hello")).isEqualTo(RecordHeader.NO_STAMP);
        assertThat(parse("type=SYSCALL msg=audit(1700000000:456):")).isEqualTo(RecordHeader.BAD_STAMP);
        assertThat(parse("type=SYSCALL msg=audit(1700000000.123:99999999999):")).isEqualTo(RecordHeader.BAD_STAMP);
        assertThat(parse("type=SYSCALL msg=audit(.123:4):")).isEqualTo(RecordHeader.BAD_STAMP);
    }
}
