package io.auditalert.config;

/**
 * One problem found while loading a configuration or rules file, at a 1-based line and column.
 * {@link #toString()} gives the {@code FILE:LINE:COL: message} form that {@code auditalert check}
 * prints (DESIGN §3.1).
 */
public record ConfigError(String file, int line, int col, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + col + ": " + message;
    }
}
