package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.auditalert.ingest.LineFramer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OpenInputTest {
    @TempDir
    Path dir;

    private final ByteArrayOutputStream err = new ByteArrayOutputStream();
    private PrintStream saved;

    @BeforeEach
    void captureStderr() {
        saved = System.err;
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
    }

    @AfterEach
    void restoreStderr() {
        System.setErr(saved);
    }

    @Test
    void shouldSayWhyAnInputCannotBeReadAndLetTheCallerGoOn() throws Exception {
        assertThat(Components.openInput(dir, "replay")).isNull();
        assertThat(Components.openInput(dir.resolve("gone"), "replay")).isNull();
        assertThat(err.toString(StandardCharsets.UTF_8)).isEqualTo("auditalert replay: is a directory: " + dir
                + System.lineSeparator() + "auditalert replay: no such file: " + dir.resolve("gone") + System.lineSeparator());

        Path log = Files.writeString(dir.resolve("audit.log"), "x\n");
        try (LineFramer.ByteSource in = Components.openInput(log, "replay")) {
            byte[] b = new byte[8];
            assertThat(in.read(b, 0, 8)).isEqualTo(2);
        }
    }
}
