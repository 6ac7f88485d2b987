package io.auditalert.alert.sink;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;

/** A loopback server that runs a script on each connection it accepts, one at a time, until closed: a misbehaving peer. */
final class ScriptedPeer implements AutoCloseable {
    interface Script {
        void run(Socket connection) throws IOException, InterruptedException;
    }

    private final ServerSocket server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    private volatile int connections;

    ScriptedPeer(Script script) throws IOException {
        Thread t = new Thread(() -> {
            while (!server.isClosed()) {
                try (Socket c = server.accept()) {
                    connections++;
                    script.run(c);
                } catch (IOException | InterruptedException e) {
                    // the client went away: next one
                }
            }
        }, "scripted-peer");
        t.setDaemon(true);
        t.start();
    }

    int port() {
        return server.getLocalPort();
    }

    /** Connections accepted so far. */
    int connections() {
        return connections;
    }

    @Override
    public void close() throws IOException {
        server.close();
    }
}
