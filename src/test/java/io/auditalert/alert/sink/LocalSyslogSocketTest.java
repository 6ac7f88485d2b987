package io.auditalert.alert.sink;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.sun.jna.Library;
import com.sun.jna.Memory;
import com.sun.jna.Native;
import com.sun.jna.Pointer;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code run}'s own log lines to /dev/log: what arrives at a local datagram socket. */
class LocalSyslogSocketTest {
    /** The receiving end: an AF_UNIX datagram socket bound to a path, as syslogd's /dev/log is. */
    interface LibC extends Library {
        int socket(int domain, int type, int protocol);

        int bind(int fd, Pointer addr, int len);

        long recv(int fd, byte[] buf, long len, int flags);

        int close(int fd);
    }

    private static final LibC LIBC = Native.load("c", LibC.class);

    @Test
    void shouldCutALongLineAtAWholeUtf8CharacterNotInsideOne(@TempDir Path dir) throws Exception {
        Path path = dir.resolve("log");
        int fd = bindDatagram(path);
        try (LocalSyslogSocket socket = new LocalSyslogSocket(path.toString())) {
            // "é" is two bytes: with the head's 20 ASCII bytes (<14>MMM dd HH:mm:ss ) and "auditalert[1]: x"
            // before it, an odd limit falls inside one of them
            String text = "auditalert[1]: x" + "é".repeat(100);
            for (int max = 60; max <= 63; max++) {
                socket.send(1, 6, 0L, ZoneOffset.UTC, text, max);
                byte[] got = receive(fd);
                assertTrue(got.length <= max && got.length >= max - 1, max + ": " + got.length + " bytes");
                String s = strictUtf8(got);
                assertTrue(s.startsWith("<14>Jan  1 00:00:00 auditalert[1]: xé"), s);
                assertTrue(s.endsWith("é"), s);
            }
            socket.send(1, 6, 0L, ZoneOffset.UTC, "auditalert[1]: short é", 1024);
            assertEquals("<14>Jan  1 00:00:00 auditalert[1]: short é", strictUtf8(receive(fd)));
        } finally {
            LIBC.close(fd);
        }
    }

    private static int bindDatagram(Path path) {
        byte[] p = path.toString().getBytes(StandardCharsets.UTF_8);
        Memory addr = new Memory(110);
        addr.clear();
        addr.setShort(0, (short) 1); // AF_UNIX
        addr.write(2, p, 0, p.length);
        int fd = LIBC.socket(1, 2, 0); // AF_UNIX, SOCK_DGRAM
        assertTrue(fd >= 0, "socket");
        assertEquals(0, LIBC.bind(fd, addr, 2 + p.length + 1), "bind " + path);
        return fd;
    }

    private static byte[] receive(int fd) {
        byte[] buf = new byte[4096];
        long n = LIBC.recv(fd, buf, buf.length, 0x40); // MSG_DONTWAIT: the datagram was sent already
        assertTrue(n >= 0, "no datagram arrived");
        return Arrays.copyOf(buf, (int) n);
    }

    private static String strictUtf8(byte[] b) throws CharacterCodingException {
        return StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(b)).toString();
    }
}
