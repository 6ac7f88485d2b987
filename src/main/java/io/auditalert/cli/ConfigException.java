package io.auditalert.cli;

import java.util.List;

/** Configuration or rules that failed to load; each message is {@code FILE:LINE:COL: message}. */
final class ConfigException extends Exception {
    private static final long serialVersionUID = 1L;
    private final List<String> errors;

    ConfigException(List<String> errors) {
        super(errors.isEmpty() ? "invalid configuration" : errors.get(0));
        this.errors = List.copyOf(errors);
    }

    List<String> errors() {
        return errors;
    }
}
