package io.auditalert.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.testutil.Shared;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@link AuditEvent#rawValue} reads a field's value from a record's line without splitting it; what
 * it finds must be exactly what the tokenizer's first field of that name holds, or nothing when the
 * tokenizer has no such field.
 */
class RawValueTest {
    private static final List<String> ABSENT = List.of("syscall", "exe", "name", "nametype", "res", "acct", "zz");

    @Test
    void shouldFindWhatTheTokenizerFindsInEveryCorpusRecord() throws Exception {
        List<Path> files = Shared.corpusFiles();
        assertThat(files).hasSizeGreaterThan(300);
        long[] checked = new long[1];
        for (Path file : files) {
            Feed.eachEvent(file, ev -> checked[0] += compareAll(ev, file.toString()));
        }
        assertThat(checked[0]).as("name lookups compared").isGreaterThan(300_000);
    }

    @Test
    void shouldAgreeOnTheFormsTheTokenizerRewrites() {
        List<String> lines = List.of(
                // nested msg=' with its first field, a trailing quote, a repeated name
                "type=USER_AUTH msg=audit(1700000000.123:1): pid=1 uid=0 auid=1000 ses=2 msg='op=PAM:auth "
                        + "acct=\"root\" exe=\"/usr/bin/su\" hostname=? addr=? terminal=/dev/pts/0 res=failed'",
                // a leading '(' on a name, an empty value then the same name again, ENRICHED names
                "type=SYSCALL msg=audit(1700000000.123:2): arch=c000003e syscall=59 (exit=0 exe= exe=\"/bin/x\" "
                        + "key=\"k\"\u001dARCH=x86_64 SYSCALL=execve exe=after",
                // an AVC permission list and its seresult
                "type=AVC msg=audit(1700000000.123:3): avc:  denied  { read write } for  pid=7 comm=\"x\" name=\"y\"",
                // values with '=' inside, names that end like others (fname / name)
                "type=PATH msg=audit(1700000000.123:4): item=0 fname=a=b name=c=d nametype=NORMAL",
                "node=host type=CWD msg=audit(1700000000.123:5): cwd=\"/\"",
                // names sharing their last byte, '=' on every offset of an eight-byte word, a value
                // holding "e=", and lower-case names after the 0x1D that must not be found
                "type=SYSCALL msg=audit(1700000000.123:6): e=0 ae=1 xe=x=e= aexe=3 exe=4 ee=5 e2=6 mode=7 nametype=8"
                        + "\u001dexe=9 ee=10 comm=11",
                "type=SYSCALL msg=audit(1700000000.123:7): a=1\u001dexe=2",
                "type=SYSCALL msg=audit(1700000000.123:8): exe==1 exe=2 tty=3 tty=4");
        List<Integer> compared = new ArrayList<>();
        Feed.eachEvent(lines, ev -> compared.add(compareAll(ev, "lines")));
        assertThat(compared).hasSize(8);
        assertThat(compared).allMatch(n -> n > 2);
    }

    /** Compares rawValue on the unsplit record with the split record's first field, for every name. */
    private static int compareAll(AuditEvent ev, String where) {
        int n = 0;
        for (int r = 0; r < ev.recordCount(); r++) {
            String line = new String(ev.buffer(), ev.recordOff(r), ev.recordLen(r), StandardCharsets.ISO_8859_1);
            Set<String> names = candidateNames(line);
            names.addAll(ABSENT);
            List<String> order = new ArrayList<>(names);
            // names the tokenizer rewrites split the record: look them up last
            order.sort(java.util.Comparator.comparing(name -> Set.of("key", "msg", "type", "node").contains(name)));
            long[] quick = new long[order.size()];
            for (int i = 0; i < order.size(); i++) {
                quick[i] = ev.rawValue(r, order.get(i).getBytes(StandardCharsets.ISO_8859_1));
            }
            for (int i = 0; i < order.size(); i++) {
                byte[] name = order.get(i).getBytes(StandardCharsets.ISO_8859_1);
                int f = ev.find(r, name);
                String expected = f < 0 ? null : ev.valueString(f);
                String got = quick[i] < 0 ? null
                        : new String(ev.buffer(), AuditEvent.refOff(quick[i]), AuditEvent.refLen(quick[i]), StandardCharsets.ISO_8859_1);
                assertThat(got).as("%s: %s in %s", where, order.get(i), line).isEqualTo(expected);
                n++;
            }
        }
        return n;
    }

    /** Every run of bytes before a '=' (and its tail after a quote or parenthesis). */
    private static Set<String> candidateNames(String line) {
        Set<String> names = new LinkedHashSet<>();
        for (String token : line.split("[ \u001d]+")) {
            int eq = token.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = token.substring(0, eq);
            names.add(name);
            int cut = Math.max(name.lastIndexOf('\''), name.lastIndexOf('('));
            if (cut >= 0 && cut + 1 < name.length()) {
                names.add(name.substring(cut + 1));
            }
            int second = token.indexOf('=', eq + 1);
            if (second > eq + 1) {
                names.add(token.substring(eq + 1, second).replace("'", ""));
            }
        }
        names.removeIf(String::isEmpty);
        return names;
    }
}
