package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.channels.ServerSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run --input unix:PATH} replaces only a socket nobody serves; a mistyped path is never deleted. */
class RelaySocketTest {
    @TempDir
    Path dir;

    @Test
    void shouldLeaveAFileOrADirectoryAtThePathAlone() throws IOException {
        Path file = Files.writeString(dir.resolve("precious.txt"), "data\n");
        assertThatThrownBy(() -> RunCommand.removeStaleSocket(file)).isInstanceOf(IOException.class)
                .hasMessage(file + " exists and is not a socket; not replacing it");
        assertThat(Files.readString(file)).isEqualTo("data\n");
        Path empty = Files.createDirectory(dir.resolve("empty"));
        assertThatThrownBy(() -> RunCommand.removeStaleSocket(empty)).isInstanceOf(IOException.class);
        assertThat(empty).isDirectory();
    }

    @Test
    void shouldRemoveAStaleSocketButNotOneThatIsServed() throws IOException {
        Path path = dir.resolve("in.sock");
        try (ServerSocketChannel live = ServerSocketChannel.open(StandardProtocolFamily.UNIX)) {
            live.bind(UnixDomainSocketAddress.of(path));
            assertThatThrownBy(() -> RunCommand.removeStaleSocket(path)).isInstanceOf(IOException.class)
                    .hasMessage(path + " is served by another process");
            assertThat(path).exists();
        }
        assertThat(path).exists(); // closed without unlinking: what a killed run leaves
        RunCommand.removeStaleSocket(path);
        assertThat(path).doesNotExist();
        RunCommand.removeStaleSocket(path); // nothing there: nothing to do
    }
}
