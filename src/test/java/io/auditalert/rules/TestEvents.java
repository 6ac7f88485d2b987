package io.auditalert.rules;

import io.auditalert.assemble.AuditEvent;
import io.auditalert.assemble.EventAssembler;
import io.auditalert.metrics.PipelineStats;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Assembles real audit lines into events with the production assembler. */
public final class TestEvents {
    private TestEvents() {}

    public static List<AuditEvent> of(String... lines) {
        List<AuditEvent> out = new ArrayList<>();
        EventAssembler a = new EventAssembler(new EventAssembler.Settings(), new PipelineStats(), out::add);
        for (String line : lines) {
            byte[] b = line.getBytes(StandardCharsets.UTF_8);
            a.onLine(b, 0, b.length, 0L);
        }
        a.finish();
        return out;
    }

    /** The one event the lines make. */
    public static AuditEvent one(String... lines) {
        List<AuditEvent> evs = of(lines);
        if (evs.size() != 1) {
            throw new IllegalArgumentException("expected one event, got " + evs.size());
        }
        return evs.get(0);
    }

    /** Every event of a test resource (a file of audit lines). */
    static List<AuditEvent> resource(String path) {
        return of(resourceText(path).split("\n"));
    }

    /** The lines of a test resource whose records have this serial, as written: to make a variant of a real event. */
    static List<String> lines(String path, long serial) {
        String stamp = ":" + serial + "):";
        return java.util.Arrays.stream(resourceText(path).split("\n")).filter(l -> l.contains(stamp)).toList();
    }

    private static String resourceText(String path) {
        try (InputStream in = TestEvents.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new IllegalArgumentException("no resource " + path);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    /** The event with this serial from a list. */
    static AuditEvent serial(List<AuditEvent> events, long serial) {
        for (AuditEvent e : events) {
            if (e.serial() == serial) {
                return e;
            }
        }
        throw new IllegalArgumentException("no event with serial " + serial);
    }
}
