package io.auditalert.assemble;

import io.auditalert.ingest.Inputs;
import io.auditalert.ingest.LineFramer;
import io.auditalert.interp.Interpreter;
import io.auditalert.json.EventJson;
import io.auditalert.metrics.PipelineStats;
import io.auditalert.parse.ByteBuf;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

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

    /** Hands every event of an audit log, as the pipeline frames and assembles it, to the sink (the slot is recycled after). */
    public static void eachEvent(Path file, Consumer<AuditEvent> sink) throws IOException {
        PipelineStats stats = new PipelineStats();
        EventAssembler assembler = recycling(stats, sink);
        new LineFramer(LineFramer.DEFAULT_MAX_LINE, stats).pump(Inputs.file(file), (b, off, len) -> assembler.onLine(b, off, len, 0L));
        assembler.finish();
    }

    /** Hands every event assembled from these lines to the sink (the slot is recycled after). */
    public static void eachEvent(List<String> lines, Consumer<AuditEvent> sink) {
        EventAssembler assembler = recycling(new PipelineStats(), sink);
        for (String line : lines) {
            byte[] b = line.getBytes(StandardCharsets.ISO_8859_1);
            assembler.onLine(b, 0, b.length, 0L);
        }
        assembler.finish();
    }

    private static EventAssembler recycling(PipelineStats stats, Consumer<AuditEvent> sink) {
        EventAssembler[] self = new EventAssembler[1];
        self[0] = new EventAssembler(new EventAssembler.Settings(), stats, ev -> {
            sink.accept(ev);
            self[0].recycle(ev);
        });
        return self[0];
    }
}
