package io.auditalert.alert;

import java.util.Locale;

/** Rule severities, lowest first (DESIGN §3.3). */
public enum Severity {
    INFO, LOW, MEDIUM, HIGH, CRITICAL;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The severity with this label, or null. */
    public static Severity parse(String label) {
        for (Severity s : values()) {
            if (s.label().equals(label)) {
                return s;
            }
        }
        return null;
    }
}
