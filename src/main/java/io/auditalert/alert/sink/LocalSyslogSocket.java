package io.auditalert.alert.sink;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.ZoneId;

/**
 * The local syslog socket ({@code /dev/log}, an AF_UNIX datagram socket) for callers outside the
 * sinks: {@code run}'s own log lines when auditd gave it no stderr. Thread-safe.
 */
public final class LocalSyslogSocket implements AutoCloseable {
    private final SyslogTransport.UnixDatagram socket;

    public LocalSyslogSocket(String path) {
        this.socket = new SyslogTransport.UnixDatagram(path);
    }

    /**
     * Sends {@code text} (from the tag on: {@code app[pid]: message}) as an RFC 3164 message, the
     * local socket's form (no host name), cut to at most {@code maxBytes} without splitting a UTF-8
     * character; the socket is opened on first use
     * and after a failure.
     */
    public synchronized void send(int facility, int severity, long epochMillis, ZoneId zone, String text, int maxBytes)
            throws IOException {
        byte[] msg = SyslogFormat.rfc3164Head(new StringBuilder(64 + text.length()), facility * 8 + severity,
                epochMillis, zone).append(text).toString().getBytes(StandardCharsets.UTF_8);
        socket.send(SyslogFormat.cut(msg, maxBytes));
    }

    @Override
    public synchronized void close() {
        socket.close();
    }
}
