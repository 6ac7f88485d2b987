package io.auditalert.rules;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.assemble.EventAssembler;
import io.auditalert.ingest.Inputs;
import io.auditalert.ingest.LineFramer;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.testutil.Shared;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/**
 * A rule may name any field a real record carries: every field name of every record in
 * ../shared/corpus is a known field (a rule on SELinux's {@code permissive} was refused as unknown).
 * Not checked: records of vendor types (auoms' AUOMS_*) and numbers this libauparse has no name for.
 */
class KnownFieldsCorpusTest {
    @Test
    void shouldKnowEveryFieldNameOfTheCorpus() throws Exception {
        Map<String, String> unknown = new TreeMap<>();
        int[] names = {0};
        for (Path file : Shared.corpusFiles()) {
            PipelineStats stats = new PipelineStats();
            EventAssembler[] self = new EventAssembler[1];
            self[0] = new EventAssembler(new EventAssembler.Settings(), stats, ev -> {
                collect(ev, unknown, names, file);
                self[0].recycle(ev);
            });
            new LineFramer(LineFramer.DEFAULT_MAX_LINE, stats).pump(Inputs.file(file),
                    (b, off, len) -> self[0].onLine(b, off, len, 0L));
            self[0].finish();
        }
        assertThat(names[0]).as("field names looked at").isGreaterThan(200_000);
        assertThat(unknown).as("field names a rule could not use (name -> record type, file)").isEmpty();
    }

    private static void collect(AuditEvent ev, Map<String, String> unknown, int[] names, Path file) {
        for (int r = 0; r < ev.recordCount(); r++) {
            String type = ev.recordTypeName(r);
            if (type.startsWith("AUOMS_") || type.startsWith("UNKNOWN[")) {
                continue;
            }
            for (int f = ev.firstField(r); f < ev.endField(r); f++) {
                names[0]++;
                String name = new String(ev.buffer(), ev.nameOff(f), ev.nameLen(f), StandardCharsets.UTF_8);
                if (!KnownFields.isKnown(name)) {
                    unknown.putIfAbsent(name, type + " in " + file.getFileName());
                }
            }
        }
    }
}
