package io.auditalert.alert.sink;

import io.auditalert.alert.SpecReader;
import io.auditalert.metrics.Telemetry;
import java.util.List;

/** Reads one sink entry by its type; with a null telemetry it only validates (no side effects). */
public final class Sinks {
    public static final List<String> TYPES =
            List.of("stdout", "file", "syslog", "alertmanager", "webhook", "email", "exec");

    private Sinks() {}

    /**
     * Reads the entry; returns the (not yet started) sink, or null when the reader collected errors
     * or when telemetry is null (validation only).
     */
    public static DeliverySink read(String type, SpecReader r, Telemetry t) {
        switch (type) {
            case "stdout":
                return StdoutSink.create(r, t);
            case "file":
                return FileSink.create(r, t);
            case "syslog":
                return SyslogSink.create(r, t);
            case "alertmanager":
                return AlertmanagerSink.create(r, t);
            case "webhook":
                return WebhookSink.create(r, t);
            case "email":
                return EmailSink.create(r, t);
            case "exec":
                return ExecSink.create(r, t);
            default:
                throw new IllegalArgumentException("unknown sink type " + type);
        }
    }
}
