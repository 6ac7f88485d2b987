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

    @Test
    void shouldReadEachStampAfterTheSameOrAnAlmostSameOne() {
        // the parser reuses the last stamp when the bytes repeat: stamps that share a prefix, end
        // where the last one went on, or break off must still be read on their own
        String[][] cases = {
            {"type=SYSCALL msg=audit(1700000000.123:45): a=1", "1700000000/123/45"},
            {"type=PATH msg=audit(1700000000.123:45): item=0", "1700000000/123/45"},
            {"type=PATH msg=audit(1700000000.123:456): item=0", "1700000000/123/456"},
            {"type=PATH msg=audit(1700000000.123:45): item=0", "1700000000/123/45"},
            {"type=PATH msg=audit(1700000000.12:45): item=0", "1700000000/12/45"},
            {"type=X foo(1700000000.12:45) y", "1700000000/12/45"},
            {"type=PATH msg=audit(1700000000.12:45", "BAD"},
            {"type=PATH msg=audit(1700000000.12:45):", "1700000000/12/45"},
            {"type=PATH msg=audit(1700000001.12:45):", "1700000001/12/45"},
        };
        for (String[] c : cases) {
            int status = parse(c[0]);
            String got = status == RecordHeader.OK ? header.sec() + "/" + header.milli() + "/" + header.serial() : "BAD";
            assertThat(got).as(c[0]).isEqualTo(c[1]);
        }
    }
}
