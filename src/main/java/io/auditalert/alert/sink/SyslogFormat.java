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
 * local:    &lt;PRI&gt;Mmm dd hh:mm:ss APP-NAME[PROCID]: MSG    (the form /dev/log's readers expect: no host name;
 *           an event's node, when it names one, is in the message)
 * PRI = facility * 8 + severity
 * </pre>
 *
 * Rule severity maps to syslog severity: critical → crit (2), high → err (3), medium → warning
 * (4), low → notice (5), info → info (6); forwarded events are info. MSGID is the rule's name
 * (printable ASCII, at most 32 characters) or {@code event}. The structured data element {@code
 * auditalert@32473} (32473 is the example enterprise number of RFC 5612) carries rule, severity,
 * node, serial, auid, exe and the alert id, with {@code " \ ]} escaped as RFC 5424 §6.3.3 says.
 * MSG is the rendered output for alerts ({@code message: json} sends the alert JSON instead) and
 * the event JSON for events; an RFC 5424 MSG that is not ASCII starts with the BOM §6.4 asks for.
 * A message longer than the sink's {@code max_size} (8000 bytes by default) is shortened to it
 * without breaking its form: the MSG is cut first, the structured data's values only when they
 * alone do not fit, and a JSON MSG that does not fit whole is replaced by a shorter JSON object
 * (id, time, rule, severity, node, serial and the output cut to fit, with {@code "truncated":
 * true}), so a receiver never gets half an object.
 */
final class SyslogFormat {
    static final String SD_ID = "auditalert@32473";
    static final String[] FACILITIES = {
        "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp", "cron", "authpriv", "ftp",
        "ntp", "security", "console", "solaris-cron", "local0", "local1", "local2", "local3", "local4", "local5",
        "local6", "local7"
    };
    private static final DateTimeFormatter RFC3164_TIME = DateTimeFormatter.ofPattern("MMM ppd HH:mm:ss", Locale.ROOT);

    /** The three forms of a message. */
    enum Style {
        RFC5424, RFC3164, LOCAL
    }

    private static final String BOM = "\uFEFF";
    /** What a structured-data value is cut to when the header and the structured data alone do not fit. */
    static final int SHORT_VALUE = 64;
    /** The bytes of the smallest short JSON worth sending, besides its id: {"truncated":true,"id":""}. */
    static final int MIN_JSON = "{\"truncated\":true,\"id\":\"\"}".length();

    private final Style style;
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

    SyslogFormat(Style style, int facility, String hostname, String appName, long pid, boolean jsonMessage,
            ZoneId zone) {
        this(style, facility, hostname, appName, pid, jsonMessage, zone, DEFAULT_MAX_SIZE);
    }

    SyslogFormat(Style style, int facility, String hostname, String appName, long pid, boolean jsonMessage,
            ZoneId zone, int maxSize) {
        this.maxSize = maxSize;
        this.style = style;
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
        boolean json = a.isEvent() || jsonMessage || a.output() == null;
        String msg = json ? new String(a.json(), StandardCharsets.UTF_8) : a.output();
        StringBuilder head = new StringBuilder(256);
        if (style == Style.RFC5424) {
            head.append('<').append(pri).append('>');
            head.append("1 ").append(Json.iso(a.eventTimeMillis())).append(' ').append(host(a)).append(' ')
                    .append(appName).append(' ').append(procId).append(' ')
                    .append(a.isEvent() ? "event" : printable(a.rule(), 32)).append(' ');
            int mark = head.length();
            // a long exe or node: the element stays whole, its values shorter, or goes ("-", no structured
            // data) where even that leaves no room for the smallest message (a short JSON's fixed part)
            int least = json ? MIN_JSON + (a.id() == null ? 0 : utf8Length(a.id())) : 1;
            for (int max : new int[] {Integer.MAX_VALUE, SHORT_VALUE, SHORT_VALUE / 4, -1}) {
                head.setLength(mark);
                if (max < 0) {
                    head.append('-');
                    break;
                }
                structuredData(head, a, max);
                if (utf8Length(head) + 1 + 3 + least <= maxSize) {
                    break;
                }
            }
            head.append(' ');
        } else {
            rfc3164Head(head, pri, a.eventTimeMillis(), zone);
            if (style == Style.RFC3164) {
                head.append(host(a)).append(' ');
            }
            head.append(appName).append('[').append(procId).append("]: ");
            if (!json) {
                head.append(a.severity() == null ? "" : a.severity().label()).append(' ').append(a.rule());
                if (style == Style.LOCAL && hasNode(a)) {
                    // no host name in this form: the event's node (auditd's name_format) in the message
                    head.append(" (node ").append(host(a)).append(')');
                }
                head.append(": ");
            }
        }
        byte[] h = head.toString().getBytes(StandardCharsets.UTF_8);
        int room = maxSize - h.length;
        String body = style == Style.RFC5424 && !isAscii(msg) ? BOM + msg : msg;
        byte[] m = body.getBytes(StandardCharsets.UTF_8);
        if (m.length > room && json) {
            // never half an object: a shorter one, or none at all where not even that fits
            String shorter = shortJson(a, room - (style == Style.RFC5424 ? 3 : 0));
            m = (style == Style.RFC5424 && !isAscii(shorter) ? BOM + shorter : shorter).getBytes(StandardCharsets.UTF_8);
            if (m.length > room) {
                m = new byte[0];
            }
        }
        byte[] out = java.util.Arrays.copyOf(h, h.length + m.length);
        System.arraycopy(m, 0, out, h.length, m.length);
        return cut(out, maxSize);
    }

    private static boolean hasNode(Alert a) {
        return a.node() != null && !a.node().isEmpty();
    }

    /** The event's node, or this machine's name where the event names none (auditd's name_format = NONE). */
    private String host(Alert a) {
        return hasNode(a) ? printable(a.node(), 255) : hostname;
    }

    /**
     * A JSON object of at most {@code room} bytes (when room allows one at all) in place of an alert's
     * or an event's JSON that does not fit: what identifies it, the output cut to what is left, and
     * {@code "truncated": true}.
     */
    static String shortJson(Alert a, int room) {
        // member by member, each only while it fits: the object is closed and valid at every step
        StringBuilder sb = new StringBuilder(Math.max(64, Math.min(room, 1 << 16)));
        sb.append("{\"truncated\":true");
        member(sb, room, "id", a.id());
        member(sb, room, "time", Json.iso(a.eventTimeMillis()));
        if (!a.isEvent()) {
            member(sb, room, "rule", a.rule());
            member(sb, room, "severity", a.severity() == null ? null : a.severity().label());
        }
        member(sb, room, "node", a.node() == null ? null : printable(a.node(), SHORT_VALUE));
        if (utf8Length(sb) + ",\"serial\":}".length() + 20 <= room) {
            sb.append(",\"serial\":").append(a.serial());
        }
        if (a.output() != null) {
            int left = room - utf8Length(sb) - ",\"output\":\"\"}".length();
            if (left > 0) {
                String out = a.output();
                int lo = 0;
                int hi = out.length();
                while (lo < hi) { // the longest prefix whose quoted form fits
                    int mid = (lo + hi + 1) >>> 1;
                    if (utf8Length(Json.quote(new StringBuilder(), Json.prefix(out, mid))) - 2 <= left) {
                        lo = mid;
                    } else {
                        hi = mid - 1;
                    }
                }
                if (lo > 0) {
                    sb.append(",\"output\":");
                    Json.quote(sb, Json.prefix(out, lo));
                }
            }
        }
        return sb.append('}').toString();
    }

    /** Appends {@code ,"name":"value"} when the value is there and the object, closed, stays within room. */
    private static void member(StringBuilder sb, int room, String name, String value) {
        if (value == null) {
            return;
        }
        StringBuilder m = new StringBuilder().append(",\"").append(name).append("\":");
        Json.quote(m, value);
        if (utf8Length(sb) + utf8Length(m) + 1 <= room) {
            sb.append(m);
        }
    }

    private static boolean isAscii(String s) {
        for (int i = 0; i < s.length(); i++) {
            if (s.charAt(i) >= 0x80) {
                return false;
            }
        }
        return true;
    }

    private static int utf8Length(CharSequence s) {
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n++;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
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

    /** The structured-data element, each value cut to {@code max} characters (before escaping). */
    private static void structuredData(StringBuilder sb, Alert a, int max) {
        sb.append('[').append(SD_ID);
        if (!a.isEvent()) {
            param(sb, "rule", a.rule(), max);
            param(sb, "severity", a.severity() == null ? null : a.severity().label(), max);
        }
        param(sb, "node", a.node(), max);
        param(sb, "serial", Long.toString(a.serial()), max);
        Map<String, String> f = a.fields();
        if (f != null) {
            param(sb, "auid", f.get("auid"), max);
            param(sb, "exe", f.get("exe"), max);
        }
        param(sb, "id", a.id(), Integer.MAX_VALUE); // whole: the key to match the alert elsewhere
        if (a.suppressedBefore() > 0) {
            param(sb, "suppressed", Long.toString(a.suppressedBefore()), max);
        }
        sb.append(']');
    }

    private static void param(StringBuilder sb, String name, String value, int max) {
        if (value == null) {
            return;
        }
        if (value.length() > max) {
            value = Json.prefix(value, max);
        }
        StringBuilder v = new StringBuilder(value.length() + 8);
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\' || c == ']') {
                v.append('\\');
            }
            v.append(c);
        }
        // then control characters (a newline in an exe's name starts a forged record at a receiver that does
        // not escape) as octal bytes, as the rendered output escapes them; a backslash before a digit is
        // plain text in a PARAM-VALUE
        sb.append(' ').append(name).append("=\"").append(io.auditalert.parse.Values.escapeControls(v.toString()))
                .append('"');
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
