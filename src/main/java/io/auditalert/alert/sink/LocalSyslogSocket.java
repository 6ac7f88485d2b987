package io.auditalert.alert.sink;

import java.io.IOException;

/**
 * The local syslog socket ({@code /dev/log}, an AF_UNIX datagram socket) for callers outside the
 * sinks: {@code run}'s own log lines when auditd gave it no stderr. Thread-safe.
 */
public final class LocalSyslogSocket implements AutoCloseable {
    private final SyslogTransport.UnixDatagram socket;

    public LocalSyslogSocket(String path) {
        this.socket = new SyslogTransport.UnixDatagram(path);
    }

    /** Sends one datagram (a whole syslog message); the socket is opened on first use and after a failure. */
    public synchronized void send(byte[] message) throws IOException {
        socket.send(message);
    }

    @Override
    public synchronized void close() {
        socket.close();
    }
}
