package io.auditalert.pipeline;

/** Decides whether a match becomes an alert under its rule's throttle. Thread-safe. */
public interface ThrottleGate {
    /** Returned when the match is suppressed. */
    long SUPPRESSED = -1;

    /**
     * @return {@link #SUPPRESSED}, or the number of matches suppressed for this rule and key since
     *     its previous alert (0 for the first), which the alert carries
     */
    long admit(String rule, String key, long eventTimeMillis, long windowMillis);

    ThrottleGate NONE = (rule, key, time, window) -> 0;
}
