package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Severity;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.Map;

/**
 * Builds syslog messages (without transport framing).
 *
 * <pre>
 * RFC 5424: &lt;PRI&gt;1 TIMESTAMP HOSTNAME APP-NAME PROCID MSGID [auditalert@32473 rule="…" …] MSG
 * RFC 3164: &lt;PRI&gt;Mmm dd hh:mm:ss HOSTNAME APP-NAME[PROCID]: MSG
 * PRI = facility * 8 + severity
 * </pre>
 *
 * Rule severity maps to syslog severity: critical → crit (2), high → err (3), medium → warning
 * (4), low → notice (5), info → info (6); forwarded events are info. MSGID is the rule's name
 * (printable ASCII, at most 32 characters) or {@code event}. The structured data element {@code
 * auditalert@32473} (32473 is the example enterprise number of RFC 5612) carries rule, severity,
 * node, serial, auid, exe and the alert id, with {@code " \ ]} escaped as RFC 5424 §6.3.3 says.
 * MSG is the rendered output for alerts ({@code message: json} sends the alert JSON instead) and
 * the event JSON for events. A message longer than the sink's {@code max_size} (8000 bytes by default)
 * is cut there.
 */
final class SyslogFormat {
    static final String SD_ID = "auditalert@32473";
    static final String[] FACILITIES = {
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5",
        "local6", "local7"
    };
    private static final DateTimeFormatter RFC3164_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);

    private final boolean rfc5424;
    private final int facility;
    private final String hostname;
    private final String appName;
    private final String procId;
    private final boolean jsonMessage;
    private final ZoneId zone;
    private final int maxSize;

    /**
     * Messages are cut to this many bytes by default: what rsyslog takes whole (its maxMessageSize is 8 KiB).
     * A receiver cuts a longer message and takes the rest for a message of its own, whose header then comes
     * from the alert's text, which an audited user chooses (a long argument could forge a whole syslog line).
     */
    static final int DEFAULT_MAX_SIZE = 8000;

    SyslogFormat(boolean rfc5424, int facility, String hostname, String appName, long pid, boolean jsonMessage,
            ZoneId zone) {
        this(rfc5424, facility, hostname, appName, pid, jsonMessage, zone, DEFAULT_MAX_SIZE);
    }

    SyslogFormat(boolean rfc5424, int facility, String hostname, String appName, long pid, boolean jsonMessage,
            ZoneId zone, int maxSize) {
        this.maxSize = maxSize;
        this.rfc5424 = rfc5424;
        this.facility = facility;
        this.hostname = printable(hostname, 255);
        this.appName = printable(appName, 48);
        this.procId = Long.toString(pid);
        this.jsonMessage = jsonMessage;
        this.zone = zone;
    }

    static int facility(String name) {
        for (int i = 0; i < FACILITIES.length; i++) {
            if (FACILITIES[i].equals(name)) {
                return i;
            }
        }
        return -1;
    }

    static int severity(Severity s) {
        if (s == null) {
            return 6;
        }
        switch (s) {
            case CRITICAL:
                return 2;
            case HIGH:
                return 3;
            case MEDIUM:
                return 4;
            case LOW:
                return 5;
            default:
                return 6;
        }
    }

    /** Appends RFC 3164's {@code <PRI>Mmm dd hh:mm:ss } (the time in the zone given). */
    static StringBuilder rfc3164Head(StringBuilder sb, int pri, long epochMillis, ZoneId zone) {
        return sb.append('<').append(pri).append('>')
                .append(RFC3164_TIME.format(Instant.ofEpochMilli(epochMillis).atZone(zone))).append(' ');
    }

    byte[] format(Alert a) {
        int pri = facility * 8 + severity(a.severity());
        String host = a.node() != null && !a.node().isEmpty() ? printable(a.node(), 255) : hostname;
        String msg = a.isEvent() || jsonMessage || a.output() == null
                ? new String(a.json(), StandardCharsets.UTF_8)
                : a.output();
        StringBuilder sb = new StringBuilder(256 + msg.length());
        if (rfc5424) {
            sb.append('<').append(pri).append('>');
            sb.append("1 ").append(Json.iso(a.eventTimeMillis())).append(' ').append(host).append(' ')
                    .append(appName).append(' ').append(procId).append(' ')
                    .append(a.isEvent() ? "event" : printable(a.rule(), 32)).append(' ');
            structuredData(sb, a);
            sb.append(' ').append(msg);
        } else {
            rfc3164Head(sb, pri, a.eventTimeMillis(), zone)
                    .append(host).append(' ').append(appName).append('[').append(procId).append("]: ");
            if (!a.isEvent() && !jsonMessage) {
                sb.append(a.severity() == null ? "" : a.severity().label()).append(' ').append(a.rule()).append(": ");
            }
            sb.append(msg);
        }
        return cut(sb.toString().getBytes(StandardCharsets.UTF_8), maxSize);
    }

    /** The message whole, or its first max bytes without splitting a UTF-8 character. */
    static byte[] cut(byte[] b, int max) {
        if (b.length <= max) {
            return b;
        }
        int n = max;
        while (n > 0 && (b[n] & 0xC0) == 0x80) {
            n--;
        }
        return java.util.Arrays.copyOf(b, n);
    }

    private static void structuredData(StringBuilder sb, Alert a) {
        sb.append('[').append(SD_ID);
        if (!a.isEvent()) {
            param(sb, "rule", a.rule());
            param(sb, "severity", a.severity() == null ? null : a.severity().label());
        }
        param(sb, "node", a.node());
        param(sb, "serial", Long.toString(a.serial()));
        Map<String, String> f = a.fields();
        if (f != null) {
            param(sb, "auid", f.get("auid"));
            param(sb, "exe", f.get("exe"));
        }
        param(sb, "id", a.id());
        if (a.suppressedBefore() > 0) {
            param(sb, "suppressed", Long.toString(a.suppressedBefore()));
        }
        sb.append(']');
    }

    private static void param(StringBuilder sb, String name, String value) {
        if (value == null) {
            return;
        }
        sb.append(' ').append(name).append("=\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c == ']') {
                sb.append('\\');
            }
            sb.append(c);
        }
        sb.append('"');
    }

    /** Printable US-ASCII (33..126) only, at most max characters; "-" when nothing is left. */
    static String printable(String s, int max) {
        if (s == null) {
            return "-";
        }
        StringBuilder sb = new StringBuilder(Math.min(s.length(), max));
        for (int i = 0; i < s.length() && sb.length() < max; i++) {
            char c = s.charAt(i);
            sb.append(c > 32 && c < 127 ? c : '_');
        }
        return sb.length() == 0 ? "-" : sb.toString();
    }
}
