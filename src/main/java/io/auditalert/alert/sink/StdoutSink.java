package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.SpecReader;
import io.auditalert.metrics.Telemetry;
import java.io.BufferedOutputStream;
import java.io.FileDescriptor;
import java.io.FileOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;

/**
 * {@code {type: stdout}}: one JSON object per line on standard output, the only thing ever written
 * there (DESIGN §3.1). A write error (a closed pipe) refuses the batch for good instead of retrying
 * forever, and every later one without writing: nobody is reading ({@link #gone}).
 */
public final class StdoutSink extends DeliverySink {
    private final OutputStream out;
    private volatile String closedBecause;
    private volatile boolean readerLeft;

    public StdoutSink(SinkOptions options, Telemetry telemetry, OutputStream out) {
        super(options, telemetry);
        this.out = out;
    }

    static StdoutSink create(SpecReader r, Telemetry t) {
        SinkOptions o = SinkOptions.read(r, "stdout", 512);
        r.finish();
        return r.errors().isEmpty() && t != null
                ? new StdoutSink(o, t, new BufferedOutputStream(new FileOutputStream(FileDescriptor.out), 1 << 16))
                : null;
    }

    @Override
    public boolean gone() {
        return closedBecause != null;
    }

    @Override
    public boolean readerLeft() {
        return readerLeft;
    }

    /**
     * Under a command that reports what was lost ({@code replay | head}), a closed pipe is how the reader
     * says it has enough: what follows is refused without a warning ({@link #readerLeft} tells the command).
     */
    @Override
    protected boolean refusalExpected() {
        return callerReports() && readerLeft;
    }

    @Override
    protected void deliver(List<Alert> batch, Outcome outcome) {
        if (closedBecause != null) {
            outcome.reject(batch.size(), closedBecause);
            return;
        }
        try {
            for (Alert a : batch) {
                out.write(a.json());
                out.write('\n');
            }
            out.flush();
            outcome.accept(batch.size());
        } catch (IOException e) {
            readerLeft = isBrokenPipe(e);
            closedBecause = "stdout: " + e.getMessage();
            outcome.reject(batch.size(), closedBecause);
        }
    }

    /** EPIPE, as the JDK reports it (strerror's text; a translated one keeps the warnings). */
    public static boolean isBrokenPipe(IOException e) {
        return e.getMessage() != null && e.getMessage().contains("Broken pipe");
    }

    @Override
    protected void closeTransport() {
        try {
            out.flush();
        } catch (IOException e) {
            log.debug("stdout flush at close failed: {}", e.toString());
        }
    }
}
