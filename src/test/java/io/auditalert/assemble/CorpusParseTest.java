package io.auditalert.assemble;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.ingest.Inputs;
import io.auditalert.ingest.LineFramer;
import io.auditalert.interp.Interpreter;
import io.auditalert.json.EventJson;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.parse.ByteBuf;
import io.auditalert.testutil.Shared;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Every real log of ../shared/corpus goes through framing, assembly and JSON without an exception. */
class CorpusParseTest {
    @Test
    void shouldParseEveryCorpusFileAndCountWhatItSkips() throws Exception {
        List<Path> files = Shared.corpusFiles();
        assertThat(files).hasSizeGreaterThan(300);
        long events = 0;
        long records = 0;
        long skipped = 0;
        long filesWithSkips = 0;
        EventJson json = new EventJson(new Interpreter());
        ByteBuf out = new ByteBuf(4096);
        for (Path file : files) {
            PipelineStats stats = new PipelineStats();
            EventAssembler[] self = new EventAssembler[1];
            long[] count = new long[2];
            self[0] = new EventAssembler(new EventAssembler.Settings(), stats, ev -> {
                out.clear();
                json.write(ev, out);
                count[0]++;
                count[1] += ev.recordCount();
                self[0].recycle(ev);
            });
            new LineFramer(LineFramer.DEFAULT_MAX_LINE, stats).pump(Inputs.file(file), (b, off, len) -> self[0].onLine(b, off, len, 0L));
            self[0].finish();
            assertThat(count[0]).as("events of %s", file).isEqualTo(stats.events);
            events += count[0];
            records += count[1];
            long bad = stats.parseErrorsTotal() + stats.linesTooLong;
            skipped += bad;
            if (bad > 0) {
                filesWithSkips++;
            }
        }
        System.out.printf("corpus: %d files, %d events, %d records, %d malformed lines skipped and counted (in %d files)%n",
                files.size(), events, records, skipped, filesWithSkips);
        assertThat(events).isGreaterThan(9000);
    }
}
