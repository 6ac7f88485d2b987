package io.auditalert.alert;

import io.auditalert.alert.sink.DeliverySink;
import io.auditalert.alert.sink.Sinks;
import io.auditalert.metrics.Telemetry;
import java.util.List;
import java.util.Map;

/**
 * Builds sinks from the entries of the config's {@code sinks} list (DESIGN §3.2; the keys of each
 * type are documented on its class in {@code io.auditalert.alert.sink}). The same reading serves
 * {@code auditalert check} ({@link #validate}, no side effects) and start-up ({@link #create}).
 */
public final class SinkFactory {
    private SinkFactory() {}

    /** The sink types there are. */
    public static List<String> types() {
        return Sinks.TYPES;
    }

    /**
     * Every problem of one entry, each naming its key ({@link SinkConfigException#path()}); empty
     * when the entry is good. Opens nothing and starts nothing.
     */
    public static List<SinkConfigException> validate(int index, Map<String, Object> spec) {
        SpecReader r = new SpecReader(index, spec);
        String type = type(r);
        if (type != null) {
            Sinks.read(type, r, null);
        }
        return List.copyOf(r.errors());
    }

    /**
     * Builds and starts the sink of one entry.
     *
     * @throws SinkConfigException (an IllegalArgumentException) for the first problem of a bad
     *     entry, naming its key
     * @throws java.io.UncheckedIOException when its spool directory cannot be opened
     */
    public static Sink create(int index, Map<String, Object> spec, Telemetry telemetry) {
        SpecReader r = new SpecReader(index, spec);
        String type = type(r);
        DeliverySink sink = type == null ? null : Sinks.read(type, r, telemetry);
        if (!r.errors().isEmpty()) {
            throw r.errors().get(0);
        }
        return sink.start();
    }

    private static String type(SpecReader r) {
        if (!r.has("type")) {
            r.error("type", "required: one of " + String.join(", ", Sinks.TYPES));
            return null;
        }
        Object t = r.raw("type");
        if (!(t instanceof String) || !Sinks.TYPES.contains(t)) {
            r.error("type", "unknown sink type \"" + t + "\" (one of " + String.join(", ", Sinks.TYPES) + ")");
            return null;
        }
        return (String) t;
    }
}
