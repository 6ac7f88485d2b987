package io.auditalert.alert.sink;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import java.util.List;
import org.slf4j.LoggerFactory;

/** The lines one class logs while it is open (try-with-resources), as formatted. */
public final class LogCapture implements AutoCloseable {
    private final Logger logger;
    private final ListAppender<ILoggingEvent> lines = new ListAppender<>();

    private LogCapture(Class<?> of) {
        this.logger = (Logger) LoggerFactory.getLogger(of);
        lines.start();
        logger.addAppender(lines);
    }

    public static LogCapture of(Class<?> of) {
        return new LogCapture(of);
    }

    /** The messages logged so far. */
    public List<String> messages() {
        return lines.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
    }

    @Override
    public void close() {
        logger.detachAppender(lines);
    }
}
