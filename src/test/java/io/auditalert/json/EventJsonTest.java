package io.auditalert.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.assemble.Feed;
import io.auditalert.interp.Interpreter;
import io.auditalert.parse.ByteBuf;
import io.auditalert.parse.Values;
import io.auditalert.testutil.Shared;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * EventJson takes shortcuts (names encoded once, interpretations printed straight into the output,
 * values reused when the interpretation is the value as written); what it writes must be exactly
 * the plain composition of DESIGN §3.4: each raw value unquoted and JSON-escaped, each
 * {@link Interpreter#interpret} result JSON-escaped.
 */
class EventJsonTest {

    @Test
    void shouldWriteWhatTheFieldByFieldCompositionWritesForEveryCorpusEvent() throws Exception {
        List<Path> files = Shared.corpusFiles();
        assertThat(files).hasSizeGreaterThan(300);
        EventJson json = new EventJson(new Interpreter());
        Interpreter reference = new Interpreter();
        ByteBuf fast = new ByteBuf(64);
        ByteBuf slow = new ByteBuf(64);
        long[] events = new long[1];
        for (Path file : files) {
            Feed.eachEvent(file, ev -> {
                fast.clear();
                json.write(ev, fast);
                slow.clear();
                compose(ev, reference, slow);
                assertThat(fast.toUtf8String()).as("event %d of %s", ev.serial(), file).isEqualTo(slow.toUtf8String());
                events[0]++;
            });
        }
        assertThat(events[0]).isGreaterThan(9000);
    }

    @Test
    void shouldNumberRepeatedNamesAndEscapeControlBytesTheTtyWayThenTheJsonWay() {
        List<String> out = new ArrayList<>();
        EventJson json = new EventJson(new Interpreter());
        String line = "type=EXECVE msg=audit(1700000000.123:42): argc=3 a0=\"ls\" a1=2D6C0A61 a1=\"x\\\"y\" "
                + "key=(null) item=0 item=1 item=2";
        Feed.eachEvent(List.of(line), ev -> {
            ByteBuf b = new ByteBuf(8);
            json.write(ev, b);
            out.add(b.toUtf8String());
        });
        assertThat(out).hasSize(1);
        String ev = out.get(0);
        assertThat(ev).contains("\"fields\":{\"argc\":\"3\",\"a0\":\"ls\",\"a1\":\"2D6C0A61\",\"a1#2\":\"x\\\\\\\"y\"");
        // a1 decodes to "-l\na": TTY escaping makes the newline \012, JSON then doubles the backslash
        assertThat(ev).contains("\"interp\":{\"argc\":\"3\",\"a0\":\"ls\",\"a1\":\"-l\\\\012a\"");
        assertThat(ev).contains("\"item\":\"0\",\"item#2\":\"1\",\"item#3\":\"2\"");
    }

    @Test
    void shouldWriteValuesAtTheVeryEndOfTheEventBuffer() {
        // a line that fills the slot's first buffer (4096 bytes after a 16-byte preamble) exactly:
        // the last word of its last value would reach past the array, so it goes byte by byte
        StringBuilder sb = new StringBuilder("type=CWD msg=audit(1.000:1): cwd=\"/");
        while (sb.length() < 4080 - 4) {
            sb.append((char) ('a' + sb.length() % 26));
        }
        String line = sb.append("end\"").toString();
        assertThat(line).hasSize(4080);
        EventJson json = new EventJson(new Interpreter());
        Interpreter reference = new Interpreter();
        List<String[]> pairs = new ArrayList<>();
        Feed.eachEvent(List.of(line), ev -> {
            ByteBuf fast = new ByteBuf(8);
            json.write(ev, fast);
            ByteBuf slow = new ByteBuf(8);
            compose(ev, reference, slow);
            pairs.add(new String[] {fast.toUtf8String(), slow.toUtf8String()});
        });
        assertThat(pairs).hasSize(1);
        assertThat(pairs.get(0)[0]).isEqualTo(pairs.get(0)[1]).contains("end\"}");
    }

    /** The straightforward writer: every name, value and interpretation encoded on its own. */
    private static void compose(AuditEvent ev, Interpreter interpreter, ByteBuf out) {
        out.putLatin1("{\"time\":");
        JsonBytes.isoTime(out, ev.epochMillis());
        out.putLatin1(",\"serial\":").putLong(ev.serial()).putLatin1(",\"node\":");
        if (ev.hasNode()) {
            JsonBytes.string(out, ev.buffer(), ev.nodeOff(), ev.nodeLen());
        } else {
            out.putLatin1("null");
        }
        if (ev.truncated()) {
            out.putLatin1(",\"truncated\":true");
        }
        out.putLatin1(",\"records\":[");
        byte[] b = ev.buffer();
        ByteBuf value = new ByteBuf(64);
        for (int r = 0; r < ev.recordCount(); r++) {
            out.putLatin1(r > 0 ? ",{\"type\":" : "{\"type\":");
            JsonBytes.string(out, ev.recordTypeName(r));
            for (int pass = 0; pass < 2; pass++) {
                out.putLatin1(pass == 0 ? ",\"fields\":{" : "},\"interp\":{");
                List<String> names = new ArrayList<>();
                for (int f = ev.firstField(r); f < ev.endField(r); f++) {
                    if (f > ev.firstField(r)) {
                        out.put((byte) ',');
                    }
                    String name = ev.nameString(f);
                    names.add(name);
                    long k = names.stream().filter(name::equals).count();
                    byte[] n = (k > 1 ? name + "#" + k : name).getBytes(StandardCharsets.ISO_8859_1);
                    JsonBytes.string(out, n, 0, n.length);
                    out.put((byte) ':');
                    int off = ev.valOff(f);
                    int len = ev.valLen(f);
                    if (ev.isNullValue(f)) {
                        out.putLatin1(pass == 0 ? "null" : "\" \"");
                    } else if (pass == 0) {
                        JsonBytes.string(out, b, Values.unquotedOff(b, off, len), Values.unquotedLen(b, off, len));
                    } else {
                        value.clear();
                        interpreter.interpret(ev, r, f, value);
                        JsonBytes.string(out, value.array(), 0, value.length());
                    }
                }
            }
            out.putLatin1("}}");
        }
        out.putLatin1("]}");
    }
}
