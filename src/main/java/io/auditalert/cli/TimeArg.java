package io.auditalert.cli;

import io.auditalert.pipeline.TimeRange;
import java.time.Clock;
import java.time.DateTimeException;
import java.time.LocalDate;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The time of {@code --since} and {@code --until}, as epoch milliseconds. Accepts what an operator
 * types when looking through audit history:
 *
 * <pre>
 *   2026-11-20                  that day's midnight, local time
 *   2026-11-20T14:30            (or "2026-11-20 14:30", with :ss and .SSS if wanted) local time
 *   2026-11-20T14:30:00Z        with Z or an offset such as +01:00: that instant
 *   1767225600.123              epoch seconds as audit writes them in msg=audit(...)
 *   90m  12h  7d  2w            that long before now (s, m, h, d, w)
 *   now  today  yesterday       today and yesterday: midnight, local time
 * </pre>
 *
 * Local time is the machine's zone (TZ, else /etc/localtime), as ausearch reads its times.
 */
final class TimeArg {
    /** Nine digits at least: 1973 on (a compact date such as 20261120 is not taken for 1970). */
    private static final Pattern EPOCH = Pattern.compile("(\\d{9,12})(?:\\.(\\d{1,3}))?");
    private static final Pattern AGO = Pattern.compile("(\\d{1,9})([smhdw])(?: *ago)?");

    private TimeArg() {}

    /** The range of {@code --since} and {@code --until}, each null when not given; since must come before until. */
    static TimeRange range(String since, String until, Clock clock) {
        TimeRange r = new TimeRange(since == null ? Long.MIN_VALUE : parse("--since", since, clock),
                until == null ? Long.MAX_VALUE : parse("--until", until, clock));
        if (r.sinceMillis() >= r.untilMillis()) {
            throw new Main.UsageException("--since (" + since + ") must come before --until (" + until + ")");
        }
        return r;
    }

    /** The option's time, or the usage error that names the option and the accepted forms. */
    static long parse(String option, String text, Clock clock) {
        String s = text.trim();
        try {
            Long millis = parseOrNull(s, clock);
            if (millis != null) {
                return millis;
            }
        } catch (DateTimeException | ArithmeticException e) {
            // an impossible date such as 2026-02-30: reported below like any other unreadable time
        }
        throw new Main.UsageException(option + ": cannot read the time '" + text + "'; use 2026-11-20, 2026-11-20T14:30[:00]"
                + " (local time, or with Z or +01:00), epoch seconds, 90m / 12h / 7d / 2w (ago), now, today or yesterday");
    }

    private static Long parseOrNull(String s, Clock clock) {
        ZoneId zone = clock.getZone();
        switch (s) {
            case "now":
                return clock.millis();
            case "today":
                return LocalDate.now(clock).atStartOfDay(zone).toInstant().toEpochMilli();
            case "yesterday":
                return LocalDate.now(clock).minusDays(1).atStartOfDay(zone).toInstant().toEpochMilli();
            default:
                break;
        }
        Matcher m = EPOCH.matcher(s);
        if (m.matches()) {
            long ms = m.group(2) == null ? 0 : Long.parseLong((m.group(2) + "00").substring(0, 3));
            return Long.parseLong(m.group(1)) * 1000 + ms;
        }
        m = AGO.matcher(s);
        if (m.matches()) {
            long seconds = switch (m.group(2)) {
                case "s" -> 1;
                case "m" -> 60;
                case "h" -> 3_600;
                case "d" -> 86_400;
                default -> 7 * 86_400; // w
            };
            return clock.millis() - Long.parseLong(m.group(1)) * seconds * 1000;
        }
        String iso = s.length() > 10 && s.charAt(10) == ' ' ? s.substring(0, 10) + 'T' + s.substring(11) : s;
        if (iso.length() == 10) {
            return LocalDate.parse(iso).atStartOfDay(zone).toInstant().toEpochMilli();
        }
        if (iso.endsWith("Z") || iso.endsWith("z") || iso.lastIndexOf('+') > 10 || iso.lastIndexOf('-') > 10) {
            return OffsetDateTime.parse(iso.replace('z', 'Z')).toInstant().toEpochMilli();
        }
        return LocalDateTime.parse(iso).atZone(zone).toInstant().toEpochMilli();
    }
}
