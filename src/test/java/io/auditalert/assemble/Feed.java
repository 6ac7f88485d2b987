package io.auditalert.assemble;

import io.auditalert.interp.Interpreter;
import io.auditalert.json.EventJson;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.parse.ByteBuf;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Test helper: feeds lines to an assembler and keeps each completed event as its JSON. */
public final class Feed {
    public final PipelineStats stats = new PipelineStats();
    public final List<String> events = new ArrayList<>();
    public final EventAssembler assembler;
    private final EventJson json = new EventJson(new Interpreter());

    public Feed() {
        this(new EventAssembler.Settings());
    }

    public Feed(EventAssembler.Settings settings) {
        EventAssembler[] self = new EventAssembler[1];
        assembler = new EventAssembler(settings, stats, ev -> {
            ByteBuf out = new ByteBuf(256);
            json.write(ev, out);
            events.add(out.toUtf8String());
            self[0].recycle(ev);
        });
        self[0] = assembler;
    }

    public Feed line(String line) {
        return line(line, 0L);
    }

    public Feed line(String line, long nowNanos) {
        byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
        // surround with junk so offsets other than 0 are exercised
        byte[] padded = new byte[b.length + 6];
        System.arraycopy(b, 0, padded, 3, b.length);
        assembler.onLine(padded, 3, b.length, nowNanos);
        return this;
    }

    public Feed finish() {
        assembler.finish();
        return this;
    }
}
