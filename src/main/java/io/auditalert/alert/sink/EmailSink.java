package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.SpecReader;
import io.auditalert.metrics.Telemetry;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * {@code {type: email, smtp: "127.0.0.1:25", from: auditalert@host, to: [sec@example.org],
 * starttls: false, username: …, password: … | password_file: …, subject: "[auditalert] {severity}
 * {rule}{more}", interval: 1m, batch: 100, timeout: 30s, helo: …, tls: {…}}}.
 *
 * <p>Batching: at most one mail per {@code interval}. An alert after a quiet interval is mailed at
 * once; alerts that come while the interval since the last mail runs are collected and mailed
 * together when it ends (up to {@code batch} alerts a mail). Subject placeholders, taken from the
 * first alert of the mail: {@code {rule} {severity} {node} {output} {serial} {id} {count}} and
 * {@code {more}} (empty, or " and N more"). The body lists every alert: a heading, its output, the
 * suppressed count, its id and its JSON. 4xx replies and connection errors are retried; 5xx replies
 * refuse the mail's alerts for good.
 */
public final class EmailSink extends DeliverySink {
    private final SmtpClient.Settings smtp;
    private final String from;
    private final List<String> to;
    private final String subject;
    /** A subject is cut to this many characters, before its encoding. */
    static final int SUBJECT_MAX = 250;
    /** RFC 5322 §3.3's date with a numeric zone: "+0000", never the obsolete "GMT" of RFC 1123's form. */
    private static final DateTimeFormatter DATE =
            DateTimeFormatter.ofPattern("EEE, d MMM yyyy HH:mm:ss xx", java.util.Locale.ROOT);
    private final long intervalNanos;
    private long lastSent = Long.MIN_VALUE;
    /** The session in progress, for {@link #abortDelivery}. */
    private volatile SmtpClient current;

    EmailSink(SinkOptions options, Telemetry telemetry, SmtpClient.Settings smtp, String from, List<String> to,
            String subject, long intervalMillis) {
        super(options, telemetry);
        this.smtp = smtp;
        this.from = from;
        this.to = to;
        this.subject = subject;
        this.intervalNanos = TimeUnit.MILLISECONDS.toNanos(intervalMillis);
    }

    private static boolean isLoopback(String host) {
        return host.equals("localhost") || host.startsWith("127.") || host.equals("::1") || host.equals("[::1]");
    }

    @Override
    protected void abortDelivery() {
        SmtpClient c = current;
        if (c != null) {
            c.abort();
        }
    }

    static EmailSink create(SpecReader r, Telemetry t) {
        SinkOptions o = SinkOptions.read(r, "email", 100);
        String server = r.requiredString("smtp");
        String host = null;
        int port = 25;
        if (server != null) {
            int colon = server.lastIndexOf(':');
            host = colon < 0 ? server : server.substring(0, colon);
            if (colon >= 0) {
                try {
                    port = Integer.parseInt(server.substring(colon + 1));
                } catch (NumberFormatException e) {
                    port = -1;
                }
            }
            if (host.isEmpty() || port < 1 || port > 65535) {
                r.error("smtp", "expected HOST or HOST:PORT, got \"" + server + "\"");
            }
        }
        String from = r.requiredString("from");
        List<String> to = r.strings("to", List.of());
        if (to.isEmpty()) {
            r.error("to", "required: one or more recipients");
        }
        for (String a : to) {
            if (!a.contains("@") || a.contains("<") || a.contains(">") || hasControl(a)) {
                r.error("to", "not an address: \"" + a + "\"");
            }
        }
        if (from != null && (!from.contains("@") || from.contains("<") || hasControl(from))) {
            r.error("from", "not an address: \"" + from + "\"");
        }
        boolean starttls = r.bool("starttls", false);
        String user = r.string("username", null);
        String password = r.string("password", null);
        String pwFile = r.string("password_file", null);
        if (pwFile != null) {
            try {
                password = Files.readString(Path.of(pwFile)).strip();
            } catch (java.nio.file.InvalidPathException e) {
                r.error("password_file", "not a usable file name (" + e.getReason() + ")");
            } catch (IOException e) {
                r.error("password_file", "cannot read " + pwFile + ": " + e.getMessage());
            }
        }
        if (user != null && password == null) {
            r.error("password", "username needs password or password_file");
        }
        String subject = r.string("subject", "[auditalert] {severity} {rule}{more}");
        long interval = r.duration("interval", 60_000, 0);
        long timeout = r.duration("timeout", 30_000, 1);
        String helo = r.string("helo", SyslogSink.localHostname());
        TlsOptions tls = TlsOptions.read(r);
        r.finish();
        if (!r.errors().isEmpty() || t == null) {
            return null;
        }
        if (user != null && !starttls && !isLoopback(host)) {
            org.slf4j.LoggerFactory.getLogger(EmailSink.class).warn("sink {}: username and password go to {} in clear"
                    + " text (starttls: false)", o.name(), host);
        }
        SmtpClient.Settings s = new SmtpClient.Settings(host, port, helo, starttls, tls, user, password, timeout);
        return new EmailSink(o, t, s, from, to, subject, interval);
    }

    @Override
    protected long holdNanos(List<Alert> batch) {
        if (lastSent == Long.MIN_VALUE || batch.size() >= options.batch()) {
            return 0;
        }
        return Math.max(0, lastSent + intervalNanos - System.nanoTime());
    }

    @Override
    protected void deliver(List<Alert> batch, Outcome out) throws IOException {
        try {
            mail(batch);
            out.accept(batch.size());
        } catch (SmtpClient.Rejected e) {
            if (batch.size() > 1 && e.tooLarge()) {
                // over the server's size limit as one mail: each alert in a mail of its own
                log.warn("sink {}: a mail of {} alerts is over the server's size limit ({}); sending them one by one",
                        name(), batch.size(), e.getMessage());
                for (Alert a : batch) {
                    try {
                        mail(List.of(a));
                        out.accept(1);
                    } catch (SmtpClient.Rejected one) {
                        out.reject(1, one.getMessage());
                    }
                }
            } else {
                out.reject(batch.size(), e.getMessage());
            }
        }
        // a failed attempt does not start the interval: its retry follows the back-off
        lastSent = System.nanoTime();
    }

    /** Mails the alerts in one message, in one session. */
    private void mail(List<Alert> alerts) throws IOException, SmtpClient.Rejected {
        Message m = message(alerts, ZonedDateTime.now());
        SmtpClient client = new SmtpClient(smtp);
        current = client;
        try {
            for (String refused : client.send(from, to, m.bytes, m.eightBit)) {
                stats.failedTransiently();
                log.warn("sink {}: recipient {} refused for good; the others got the mail", name(), refused);
            }
        } finally {
            current = null;
        }
    }

    record Message(byte[] bytes, boolean eightBit) {}

    Message message(List<Alert> batch, ZonedDateTime now) {
        Alert first = batch.get(0);
        StringBuilder body = new StringBuilder();
        for (Alert a : batch) {
            body.append('[').append(a.severity() == null ? "event" : a.severity().label()).append("] ")
                    .append(a.rule() == null ? "event" : a.rule()).append(" at ").append(Json.iso(a.eventTimeMillis()));
            if (a.node() != null) {
                body.append(" on ").append(a.node());
            }
            body.append(" (serial ").append(a.serial()).append(")\n");
            if (a.output() != null) {
                body.append(a.output()).append('\n');
            }
            if (a.suppressedBefore() > 0) {
                body.append('(').append(a.suppressedBefore()).append(" more suppressed before this alert)\n");
            }
            body.append("id: ").append(a.id()).append('\n');
            body.append(new String(a.json(), StandardCharsets.UTF_8)).append("\n\n");
        }
        String text = body.toString();
        boolean longLines = false;
        for (String line : text.split("\n", -1)) {
            if (line.getBytes(StandardCharsets.UTF_8).length > 990) {
                longLines = true;
                break;
            }
        }
        boolean eightBit = !longLines;
        StringBuilder h = new StringBuilder();
        h.append("Date: ").append(DATE.format(now)).append("\r\n");
        h.append("From: ").append(from).append("\r\n");
        h.append("To: ");
        int lineLength = 4;
        for (int i = 0; i < to.size(); i++) { // folded: a header line is at most 998 characters (RFC 5322 §2.1.1)
            String addr = to.get(i) + (i + 1 < to.size() ? "," : "");
            if (i > 0 && lineLength + 1 + addr.length() > 78) {
                h.append("\r\n");
                lineLength = 0;
            }
            if (i > 0) {
                h.append(' ');
                lineLength++;
            }
            h.append(addr);
            lineLength += addr.length();
        }
        h.append("\r\n");
        h.append("Subject: ").append(encodeHeader(subject(first, batch.size()))).append("\r\n");
        h.append("Message-ID: <").append(first.id().replaceAll("[^A-Za-z0-9._-]", "_")).append('.')
                .append(batch.size()).append("@auditalert>\r\n");
        h.append("MIME-Version: 1.0\r\n");
        h.append("Content-Type: text/plain; charset=utf-8\r\n");
        if (eightBit) {
            h.append("Content-Transfer-Encoding: 8bit\r\n\r\n");
            h.append(text.replace("\n", "\r\n"));
        } else {
            h.append("Content-Transfer-Encoding: base64\r\n\r\n");
            String b64 = Base64.getMimeEncoder(76, new byte[] {'\r', '\n'})
                    .encodeToString(text.getBytes(StandardCharsets.UTF_8));
            h.append(b64).append("\r\n");
        }
        return new Message(h.toString().getBytes(StandardCharsets.UTF_8), eightBit);
    }

    String subject(Alert first, int count) {
        // one pass over the template: an output that holds "{id}" or "{more}" is not expanded again
        StringBuilder sb = new StringBuilder(subject.length() + 64);
        int i = 0;
        while (i < subject.length()) {
            int open = subject.indexOf('{', i);
            int close = open < 0 ? -1 : subject.indexOf('}', open);
            if (close < 0) {
                sb.append(subject, i, subject.length());
                break;
            }
            String v = placeholder(subject.substring(open + 1, close), first, count);
            if (v == null) {
                // not a placeholder ("{{rule}}", a stray "{"): the brace as it is, and go on after it
                sb.append(subject, i, open + 1);
                i = open + 1;
                continue;
            }
            sb.append(subject, i, open).append(v);
            i = close + 1;
        }
        String s = sb.toString().replaceAll("[\\r\\n\\t]+", " ");
        return s.length() > SUBJECT_MAX ? Json.prefix(s, SUBJECT_MAX) : s; // never half a character
    }

    private static String placeholder(String name, Alert first, int count) {
        switch (name) {
            case "rule":
                return first.rule() == null ? "event" : first.rule();
            case "severity":
                return first.severity() == null ? "" : first.severity().label();
            case "node":
                return first.node() == null ? "" : first.node();
            case "output":
                return first.output() == null ? "" : first.output();
            case "serial":
                return Long.toString(first.serial());
            case "id":
                return first.id();
            case "count":
                return Integer.toString(count);
            case "more":
                return count > 1 ? " and " + (count - 1) + " more" : "";
            default:
                return null;
        }
    }

    /** RFC 2047 encoded words for a non-ASCII header value; ASCII passes as it is. */
    static String encodeHeader(String v) {
        boolean ascii = v.chars().allMatch(c -> c >= 32 && c < 127);
        if (ascii) {
            return v;
        }
        StringBuilder sb = new StringBuilder();
        int i = 0;
        while (i < v.length()) {
            int end = i;
            int bytes = 0;
            while (end < v.length()) {
                int cp = v.codePointAt(end);
                int n = new String(Character.toChars(cp)).getBytes(StandardCharsets.UTF_8).length;
                if (bytes + n > 45) {
                    break;
                }
                bytes += n;
                end += Character.charCount(cp);
            }
            if (sb.length() > 0) {
                sb.append("\r\n ");
            }
            sb.append("=?UTF-8?B?")
                    .append(Base64.getEncoder().encodeToString(v.substring(i, end).getBytes(StandardCharsets.UTF_8)))
                    .append("?=");
            i = end;
        }
        return sb.toString();
    }

    /** A CR, LF or other control character: it would end the header line (or the SMTP command) it is put in. */
    static boolean hasControl(String address) {
        return address.chars().anyMatch(c -> c < 0x20 || c == 0x7f);
    }
}
