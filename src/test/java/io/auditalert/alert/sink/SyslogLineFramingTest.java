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
}
