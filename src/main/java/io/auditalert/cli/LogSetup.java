package io.auditalert.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.PatternLayoutEncoder;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ConfiguratorRank;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.spi.ContextAwareBase;
import org.slf4j.Logger;

/**
 * Logging set up in code rather than from a logback.xml: every log line goes to stderr (stdout
 * carries only JSON lines), at the level of the system property {@code auditalert.log.level}
 * (default INFO). Configuring in code spares each start the XML parser and logback's configuration
 * model (several hundred classes), which matters to a plugin auditd may restart at every reload.
 * A file named by {@code -Dlogback.configurationFile} still takes over, as logback documents.
 */
@ConfiguratorRank(ConfiguratorRank.CUSTOM_HIGH_PRIORITY)
public final class LogSetup extends ContextAwareBase implements Configurator {
    static final String PATTERN = "%d{HH:mm:ss.SSS} %-5level [%thread] %logger{20} - %msg%n";

    @Override
    public ExecutionStatus configure(LoggerContext context) {
        if (System.getProperty("logback.configurationFile") != null) {
            return ExecutionStatus.INVOKE_NEXT_IF_ANY;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern(PATTERN);
        encoder.start();
        ConsoleAppender<ILoggingEvent> stderr = new ConsoleAppender<>();
        stderr.setContext(context);
        stderr.setName("STDERR");
        stderr.setTarget("System.err");
        stderr.setEncoder(encoder);
        stderr.start();
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getProperty("auditalert.log.level", "INFO"), Level.INFO));
        root.addAppender(stderr);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /**
     * For a command run by hand (check, replay, events, demo): log lines on stderr read as the
     * command's own lines do ({@code auditalert check: warning: rules.d/20-x.yml:1:3: …}) instead of
     * a service's timestamped log. {@code run} keeps the log format.
     */
    static void forCommand(String command) {
        if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context)
                || !(context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("STDERR")
                        instanceof ConsoleAppender<ILoggingEvent> stderr)) {
            return; // a logback.configurationFile took over: its format stands
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("auditalert " + command
                + ": %replace(%replace(%replace(%level){'WARN','warning'}){'ERROR','error'}){'INFO','note'}: %msg%n");
        encoder.start();
        stderr.setEncoder(encoder);
    }

    /**
     * Writes every log line to {@code file} too (appending; its directory is created), for {@code run}'s
     * {@code log_file}: auditd does not keep a plugin's stderr. A file that cannot be opened is said
     * on stderr, and logging goes on there.
     *
     * @return whether the file is written
     */
    static boolean addFile(java.nio.file.Path file) {
        if (!(org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return false;
        }
        java.io.OutputStream out;
        try {
            out = java.nio.channels.Channels.newOutputStream(io.auditalert.alert.sink.FileSink.openForAppend(file));
        } catch (java.io.IOException e) {
            org.slf4j.LoggerFactory.getLogger(LogSetup.class).error("log_file {}: {}; logging to stderr only", file,
                    e.toString());
            return false;
        }
        PatternLayoutEncoder encoder = new PatternLayoutEncoder();
        encoder.setContext(context);
        encoder.setPattern("%d{yyyy-MM-dd'T'HH:mm:ss.SSSXXX} %-5level [%thread] %logger{20} - %msg%n");
        encoder.start();
        ch.qos.logback.core.OutputStreamAppender<ILoggingEvent> appender = new ch.qos.logback.core.OutputStreamAppender<>();
        appender.setContext(context);
        appender.setName("LOG_FILE");
        appender.setEncoder(encoder);
        appender.setOutputStream(out);
        appender.start();
        if (!appender.isStarted()) {
            org.slf4j.LoggerFactory.getLogger(LogSetup.class)
                    .error("log_file {} cannot be written; logging to stderr only", file);
            return false;
        }
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
        return true;
    }

    /** The local syslog socket; a system property names another (for tests). */
    static final String SYSLOG_SOCKET = System.getProperty("auditalert.syslog.socket", "/dev/log");

    /**
     * When stderr goes nowhere (auditd starts plugins with it on /dev/null, or closed), sends the log
     * lines to the local syslog too, so that run's errors are seen ({@code journalctl -t auditalert}).
     *
     * @return whether syslog was added
     */
    static boolean addSyslogIfStderrIsDiscarded() {
        if (!isDiscarded(2) || !(org.slf4j.LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return false;
        }
        SyslogLogAppender appender = new SyslogLogAppender(SYSLOG_SOCKET);
        appender.setContext(context);
        appender.setName("SYSLOG");
        appender.start();
        context.getLogger(Logger.ROOT_LOGGER_NAME).addAppender(appender);
        return true;
    }

    /** Whether file descriptor fd is /dev/null or closed (auditd starts plugins so: stdout and stderr). */
    static boolean isDiscarded(int fd) {
        try {
            return java.nio.file.Files.readSymbolicLink(java.nio.file.Path.of("/proc/self/fd/" + fd)).toString()
                    .equals("/dev/null");
        } catch (java.nio.file.NoSuchFileException e) {
            return true; // closed
        } catch (java.io.IOException | UnsupportedOperationException e) {
            return false;
        }
    }
}
