package io.auditalert.cli;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeEachCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/** What a command prints on System.err during one test ({@code @RegisterExtension}); restored after it. */
final class StderrCapture implements BeforeEachCallback, AfterEachCallback {
    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream saved;

    @Override
    public void beforeEach(ExtensionContext context) {
        saved = System.err;
        err.reset();
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @Override
    public void afterEach(ExtensionContext context) {
        System.setErr(saved);
    }

    /** Forgets what was captured so far. */
    void clear() {
        err.reset();
    }

    String text() {
        return err.toString(StandardCharsets.UTF_8);
    }
}
