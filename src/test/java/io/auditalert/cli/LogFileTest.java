package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.auditalert.alert.sink.FileSink;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** run's log_file as root opens it: the directory may be another user's (the service user's /var/log/auditalert). */
class LogFileTest {
    @TempDir
    Path dir;

    @Test
    void shouldNeverWriteThroughASymbolicLink() throws Exception {
        Path victim = Files.writeString(dir.resolve("victim"), "root's file\n");
        Path link = Files.createSymbolicLink(dir.resolve("auditalert.log"), victim);
        Path dangling = Files.createSymbolicLink(dir.resolve("dangling.log"), dir.resolve("created-through-link"));
        assertThatThrownBy(() -> FileSink.openForAppend(link)).hasMessageContaining("not a regular file");
        assertThatThrownBy(() -> FileSink.openForAppend(dangling)).hasMessageContaining("not a regular file");
        assertThat(Files.readString(victim)).isEqualTo("root's file\n");
        assertThat(Files.exists(dir.resolve("created-through-link"))).isFalse();
    }

    @Test
    void shouldRefuseAFifoThatWouldHoldEveryLogLine() throws Exception {
        Path fifo = dir.resolve("fifo.log");
        assertThat(new ProcessBuilder("mkfifo", fifo.toString()).start().waitFor()).isZero();
        assertThatThrownBy(() -> FileSink.openForAppend(fifo)).hasMessageContaining("not a regular file");
    }

    @Test
    void shouldCreateTheFileAndItsDirectoriesForOwnerAndGroupOnlyAndAppend() throws Exception {
        Path log = dir.resolve("new/sub/auditalert.log");
        try (FileChannel c = FileSink.openForAppend(log)) {
            c.write(ByteBuffer.wrap("one\n".getBytes(StandardCharsets.UTF_8)));
        }
        try (FileChannel c = FileSink.openForAppend(log)) {
            c.write(ByteBuffer.wrap("two\n".getBytes(StandardCharsets.UTF_8)));
        }
        assertThat(Files.readString(log)).isEqualTo("one\ntwo\n");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(log))).isEqualTo("rw-r-----");
        // the umask may take bits away from rwxr-x---, never add any
        assertThat(Files.getPosixFilePermissions(dir.resolve("new"))).doesNotContain(
                java.nio.file.attribute.PosixFilePermission.OTHERS_READ,
                java.nio.file.attribute.PosixFilePermission.OTHERS_WRITE,
                java.nio.file.attribute.PosixFilePermission.OTHERS_EXECUTE,
                java.nio.file.attribute.PosixFilePermission.GROUP_WRITE);
    }
}
