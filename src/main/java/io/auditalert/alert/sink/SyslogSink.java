package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.SpecReader;
import io.auditalert.metrics.Telemetry;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;

/**
 * {@code {type: syslog, address: "udp://127.0.0.1:514" | "tcp://host:6514" | "unix:/dev/log",
 * format: local | rfc5424 | rfc3164, facility: authpriv, app_name: auditalert, hostname: …, message: output
 * | json, framing: octet-counting | lf, timeout: 10s, max_size: 8000}} (longer messages are cut). See {@link SyslogFormat} for the message and
 * {@link SyslogTransport} for each transport's delivery guarantee (TCP and unix report failures and
 * are retried; UDP cannot know). The format's default goes with the address: {@code local} (no host
 * name, the form rsyslog's and syslog-ng's local socket inputs parse) for {@code unix:}, RFC 5424 for
 * the network.
 */
public final class SyslogSink extends DeliverySink {
    private final SyslogFormat format;
    private final SyslogTransport transport;

    SyslogSink(SinkOptions options, Telemetry telemetry, SyslogFormat format, SyslogTransport transport) {
        super(options, telemetry);
        this.format = format;
        this.transport = transport;
    }

    static SyslogSink create(SpecReader r, Telemetry t) {
        SinkOptions o = SinkOptions.read(r, "syslog", 64);
        String address = r.string("address", "unix:/dev/log");
        boolean local = address != null && address.startsWith("unix:");
        String form = r.oneOf("format", local ? "local" : "rfc5424", "rfc5424", "rfc3164", "local");
        SyslogFormat.Style style = "local".equals(form) ? SyslogFormat.Style.LOCAL
                : "rfc3164".equals(form) ? SyslogFormat.Style.RFC3164 : SyslogFormat.Style.RFC5424;
        String fac = r.string("facility", "authpriv");
        int facility = SyslogFormat.facility(fac);
        if (facility < 0) {
            r.error("facility", "unknown facility \"" + fac + "\" (kern, user, daemon, auth, authpriv, local0..local7, …)");
        }
        String app = r.string("app_name", "auditalert");
        String host = r.string("hostname", localHostname());
        boolean json = "json".equals(r.oneOf("message", "output", "output", "json"));
        boolean octet = "octet-counting".equals(r.oneOf("framing", "octet-counting", "octet-counting", "lf"));
        long timeout = r.duration("timeout", 10_000, 1);
        long maxSize = r.size("max_size", SyslogFormat.DEFAULT_MAX_SIZE, 480); // RFC 5424 §6.1: every receiver takes 480
        if (maxSize > 1 << 20) {
            r.error("max_size", "at most 1MiB");
        }
        String zone = r.string("timezone", null);
        ZoneId zoneId = ZoneId.systemDefault();
        if (zone != null) {
            try {
                zoneId = ZoneId.of(zone);
            } catch (java.time.DateTimeException e) {
                r.error("timezone", "unknown time zone \"" + zone + "\"");
            }
        }
        SyslogTransport tr = transport(r, address, octet, timeout);
        r.finish();
        if (!r.errors().isEmpty() || t == null) {
            return null;
        }
        SyslogFormat f = new SyslogFormat(style, facility, host, app, ProcessHandle.current().pid(), json, zoneId,
                (int) maxSize);
        return new SyslogSink(o, t, f, tr);
    }

    private static SyslogTransport transport(SpecReader r, String address, boolean octet, long timeout) {
        if (address == null) {
            return null;
        }
        if (address.startsWith("unix:")) {
            String path = address.substring(5);
            if (path.isEmpty() || path.length() > 107) {
                r.error("address", "expected unix:/path/of/socket (at most 107 bytes)");
            }
            return new SyslogTransport.UnixDatagram(path);
        }
        try {
            URI u = new URI(address);
            if (u.getHost() == null || u.getPort() < 1 || u.getPort() > 65_535) {
                throw new java.net.URISyntaxException(address, "host and port required");
            }
            InetSocketAddress sa = InetSocketAddress.createUnresolved(u.getHost(), u.getPort());
            InetSocketAddress resolved = new InetSocketAddress(sa.getHostString(), sa.getPort());
            if ("udp".equals(u.getScheme())) {
                return new SyslogTransport.Udp(resolved);
            }
            if ("tcp".equals(u.getScheme())) {
                return new SyslogTransport.Tcp(resolved, octet, timeout);
            }
        } catch (java.net.URISyntaxException e) {
            // reported below
        }
        r.error("address", "expected udp://HOST:PORT, tcp://HOST:PORT or unix:/PATH, got \"" + address + "\"");
        return null;
    }

    static String localHostname() {
        try {
            String h = Files.readString(Path.of("/proc/sys/kernel/hostname")).strip();
            if (!h.isEmpty()) {
                return h;
            }
        } catch (IOException e) {
            // fall through
        }
        return "localhost";
    }

    @Override
    public boolean usesFields() {
        return true;
    }

    @Override
    protected void deliver(List<Alert> batch, Outcome out) throws IOException {
        for (Alert a : batch) {
            try {
                transport.send(format.format(a));
                out.accept(1);
            } catch (SyslogTransport.TooLarge e) {
                out.reject(1, e.getMessage());
            }
        }
    }

    @Override
    protected void abortDelivery() {
        if (transport != null) {
            transport.abort();
        }
    }

    @Override
    protected void closeTransport() {
        if (transport != null) {
            transport.close();
        }
    }
}
