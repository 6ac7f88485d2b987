package io.auditalert.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.AppenderBase;
import io.auditalert.alert.sink.LocalSyslogSocket;
import java.io.IOException;
import java.time.ZoneId;

/**
 * Log lines as syslog messages (RFC 3164, facility daemon, tag {@code auditalert[pid]}) on the local
 * syslog socket: auditd starts plugins with stderr on /dev/null, where run's errors (a configuration
 * that does not load, a sink that fails) would otherwise be lost unless log_file is set.
 */
final class SyslogLogAppender extends AppenderBase<ILoggingEvent> {
    private static final int FACILITY_DAEMON = 3;
    /** Longer messages are cut: a datagram on /dev/log takes a few kB at most, depending on the daemon. */
    private static final int MAX_BYTES = 4000;

    private final LocalSyslogSocket socket;
    private final String tag = "auditalert[" + ProcessHandle.current().pid() + "]: ";
    private final ZoneId zone = ZoneId.systemDefault();

    SyslogLogAppender(String socketPath) {
        this.socket = new LocalSyslogSocket(socketPath);
    }

    @Override
    protected void append(ILoggingEvent e) {
        int severity = switch (e.getLevel().toInt()) {
            case Level.ERROR_INT -> 3;
            case Level.WARN_INT -> 4;
            case Level.INFO_INT -> 6;
            default -> 7;
        };
        StringBuilder sb = new StringBuilder(128).append(tag).append(e.getLevel()).append(' ')
                .append(e.getLoggerName().substring(e.getLoggerName().lastIndexOf('.') + 1)).append(" - ")
                .append(e.getFormattedMessage());
        if (e.getThrowableProxy() != null) {
            sb.append(": ").append(e.getThrowableProxy().getClassName()).append(": ")
                    .append(e.getThrowableProxy().getMessage());
        }
        try {
            socket.send(FACILITY_DAEMON, severity, e.getTimeStamp(), zone, sb.toString().replace('\n', ' '), MAX_BYTES);
        } catch (IOException ex) {
            // no syslog daemon: nowhere left to say so; the next line tries again
        }
    }

    @Override
    public void stop() {
        super.stop();
        socket.close();
    }
}
