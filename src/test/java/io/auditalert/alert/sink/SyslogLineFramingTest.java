package io.auditalert.alert.sink;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

/** Syslog over TCP with LF framing: one alert is one message, whatever its text holds. */
class SyslogLineFramingTest {
    @Test
    void shouldNotLetALineFeedInTheTextEndTheMessageAndStartAnother() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            SyslogTransport.Tcp tcp = new SyslogTransport.Tcp(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), server.getLocalPort()), false, 5000);
            tcp.send("<13>ran echo line1\nFAKE <0>1 injected: root logged in".getBytes(StandardCharsets.UTF_8));
            tcp.send("<13>second".getBytes(StandardCharsets.UTF_8));
            try (Socket peer = server.accept();
                    BufferedReader in = new BufferedReader(new InputStreamReader(peer.getInputStream(), StandardCharsets.UTF_8))) {
                assertThat(in.readLine()).isEqualTo("<13>ran echo line1#012FAKE <0>1 injected: root logged in");
                assertThat(in.readLine()).isEqualTo("<13>second");
            } finally {
                tcp.close();
            }
        }
    }

    @Test
    void shouldNotBeHeldByAReceiverThatSendsWithoutEnd() throws Exception {
        // before each message the sink looks for a close by reading what the receiver sent: to its end,
        // which never came from a receiver streaming back (500 messages took 35 s)
        java.util.concurrent.atomic.AtomicInteger lines = new java.util.concurrent.atomic.AtomicInteger();
        try (ScriptedPeer peer = new ScriptedPeer(c -> {
            Thread reader = new Thread(() -> {
                try (BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8))) {
                    while (in.readLine() != null) {
                        lines.incrementAndGet();
                    }
                } catch (java.io.IOException e) {
                    // closed
                }
            });
            reader.start();
            byte[] noise = new byte[64 << 10];
            while (reader.isAlive()) {
                c.getOutputStream().write(noise);
            }
        })) {
            SyslogTransport.Tcp tcp = new SyslogTransport.Tcp(
                    new InetSocketAddress(InetAddress.getLoopbackAddress(), peer.port()), false, 5000);
            Thread sender = new Thread(() -> {
                try {
                    for (int i = 0; i < 500; i++) {
                        tcp.send(("<13>message " + i).getBytes(StandardCharsets.UTF_8));
                    }
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            sender.start();
            sender.join(15_000);
            assertThat(sender.isAlive()).as("500 messages sent within 15 s").isFalse();
            // before the close: a close with the receiver's data unread resets the connection
            LocalPeersWait.until(() -> lines.get() == 500);
            tcp.close();
            assertThat(lines.get()).isEqualTo(500);
            assertThat(peer.connections()).as("one connection: the data it sent is no close").isEqualTo(1);
        }
    }

    /** Waits up to 5 s for the receiver to have read what was sent. */
    private static final class LocalPeersWait {
        static void until(java.util.function.BooleanSupplier done) throws InterruptedException {
            for (long end = System.nanoTime() + 5_000_000_000L; System.nanoTime() < end && !done.getAsBoolean(); ) {
                Thread.sleep(20);
            }
        }
    }
}
