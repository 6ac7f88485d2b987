package io.auditalert.alert;

import java.util.List;

/**
 * A bad sink specification. {@link #path()} names the offending key below the sink's entry (for
 * example {@code ["timeout"]} or {@code ["headers", "X-Token"]}; empty for the entry itself) so the
 * config loader can map it to a file position; the message already reads
 * {@code sinks[2].timeout: expected a duration like 10s}.
 */
public final class SinkConfigException extends IllegalArgumentException {
    private static final long serialVersionUID = 1L;

    private final int index;
    private final transient List<Object> path;
    private final String problem;

    public SinkConfigException(int index, List<Object> path, String problem) {
        super(format(index, path) + ": " + problem);
        this.index = index;
        this.path = List.copyOf(path);
        this.problem = problem;
    }

    /** The sink's position in the {@code sinks} list. */
    public int index() {
        return index;
    }

    /** Keys (and list indexes) from the sink's entry down to the bad value. */
    public List<Object> path() {
        return path;
    }

    /** The message without the location prefix. */
    public String problem() {
        return problem;
    }

    static String format(int index, List<Object> path) {
        StringBuilder sb = new StringBuilder("sinks[").append(index).append(']');
        for (Object p : path) {
            if (p instanceof Integer) {
                sb.append('[').append(p).append(']');
            } else {
                sb.append('.').append(p);
            }
        }
        return sb.toString();
    }
}
