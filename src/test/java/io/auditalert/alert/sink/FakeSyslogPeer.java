package io.auditalert.alert.sink;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A local syslog receiver: TCP with octet-counted frames, or UDP; records each message. */
public final class FakeSyslogPeer implements AutoCloseable {
    private final boolean tcp;
    private final List<String> messages = new ArrayList<>();
    private final List<Socket> connections = new ArrayList<>();
    private volatile ServerSocket server;
    private volatile DatagramSocket udp;
    private Thread acceptor;
    private int port;

    public FakeSyslogPeer(boolean tcp) throws IOException {
        this.tcp = tcp;
        start(0);
    }

    public synchronized void start(int onPort) throws IOException {
        if (tcp) {
            ServerSocket s = new ServerSocket();
            s.setReuseAddress(true);
            bindRetrying(() -> s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort)));
            server = s;
            port = s.getLocalPort();
            Thread t = new Thread(() -> accept(s), "fake-syslog-accept");
            t.setDaemon(true);
            t.start();
            acceptor = t;
        } else {
            DatagramSocket d = new DatagramSocket(null);
            d.setReuseAddress(true);
            bindRetrying(() -> d.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort)));
            udp = d;
            port = d.getLocalPort();
            Thread t = new Thread(() -> receive(d), "fake-syslog-udp");
            t.setDaemon(true);
            t.start();
        }
    }

    interface Bind {
        void run() throws IOException;
    }

    /** Binding a port just released can fail for a moment; try for up to 5 s. */
    static void bindRetrying(Bind b) throws IOException {
        for (int attempt = 0; ; attempt++) {
            try {
                b.run();
                return;
            } catch (java.net.BindException e) {
                if (attempt >= 50) {
                    throw e;
                }
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    throw new IOException(ie);
                }
            }
        }
    }

    private void accept(ServerSocket s) {
        while (!s.isClosed()) {
            try {
                Socket c = s.accept();
                synchronized (connections) {
                    if (s.isClosed()) {
                        c.close(); // accepted while stopping: the peer is down
                        return;
                    }
                    connections.add(c);
                }
                Thread t = new Thread(() -> read(c), "fake-syslog-conn");
                t.setDaemon(true);
                t.start();
            } catch (IOException e) {
                return;
            }
        }
    }

    private void read(Socket c) {
        try (InputStream in = new BufferedInputStream(c.getInputStream())) {
            while (true) {
                int len = 0;
                int ch;
                while ((ch = in.read()) != ' ') {
                    if (ch < 0) {
                        return;
                    }
                    len = len * 10 + (ch - '0');
                }
                byte[] b = in.readNBytes(len);
                if (b.length < len) {
                    return;
                }
                synchronized (messages) {
                    messages.add(new String(b, StandardCharsets.UTF_8));
                }
            }
        } catch (IOException e) {
            // connection gone
        }
    }

    private void receive(DatagramSocket d) {
        byte[] buf = new byte[65536];
        while (!d.isClosed()) {
            try {
                DatagramPacket p = new DatagramPacket(buf, buf.length);
                d.receive(p);
                synchronized (messages) {
                    messages.add(new String(p.getData(), 0, p.getLength(), StandardCharsets.UTF_8));
                }
            } catch (IOException e) {
                return;
            }
        }
    }

    public synchronized void stop() throws IOException {
        if (server != null) {
            server.close();
            server = null;
            // The listening socket lives until the thread blocked in accept() is woken; a connect
            // in that window would still succeed. Once the thread has ended, nothing listens.
            try {
                acceptor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        if (udp != null) {
            udp.close();
            udp = null;
        }
        synchronized (connections) {
            for (Socket c : connections) {
                c.close();
            }
            connections.clear();
        }
    }

    /** Starts the peer again on its port, unless it is running. */
    public synchronized void restart() throws IOException {
        if (server != null || udp != null) {
            return;
        }
        start(port);
    }

    public int port() {
        return port;
    }

    public List<String> messages() {
        synchronized (messages) {
            return new ArrayList<>(messages);
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
