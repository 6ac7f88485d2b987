package io.auditalert.alert.sink;

import io.auditalert.alert.Sink;
import io.auditalert.alert.TestAlerts;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Nested;

/** {@link SinkContract} run against every sink type, each with its local fake peer. */
class SinkContractTests {
    private static final Pattern SD_ID = Pattern.compile(" id=\"([^\"]+)\"");
    private static final Pattern MAIL_ID = Pattern.compile("(?m)^id: (\\S+)$");

    private static List<String> all(Pattern p, String text) {
        List<String> out = new ArrayList<>();
        Matcher m = p.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    @Nested
    class Stdout extends SinkContract {
        private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        @Override
        protected Map<String, Object> spec() {
            return Map.of("type", "stdout");
        }

        @Override
        protected Sink create(Map<String, Object> spec) {
            io.auditalert.alert.SpecReader r = new io.auditalert.alert.SpecReader(0, spec);
            r.raw("type");
            SinkOptions o = SinkOptions.read(r, "stdout", 512);
            OutputStream out = new OutputStream() {
                @Override
                public void write(int b) {
                    synchronized (bytes) {
                        bytes.write(b);
                    }
                }

                @Override
                public void write(byte[] b, int off, int len) {
                    synchronized (bytes) {
                        bytes.write(b, off, len);
                    }
                }
            };
            return new StdoutSink(o, telemetry, out).start();
        }

        @Override
        protected List<String> received() {
            synchronized (bytes) {
                return TestAlerts.ids(bytes.toString(StandardCharsets.UTF_8));
            }
        }
    }

    @Nested
    class File extends SinkContract {
        @Override
        protected Map<String, Object> spec() {
            return Map.of("type", "file", "path", tmp.resolve("alerts.jsonl").toString(), "max_size", "4KiB",
                    "max_files", 100);
        }

        @Override
        protected List<String> received() throws IOException {
            // rotated files oldest first (highest number), then the live file
            List<Path> files = new ArrayList<>();
            try (Stream<Path> l = Files.list(tmp)) {
                l.filter(p -> p.getFileName().toString().startsWith("alerts.jsonl")).forEach(files::add);
            }
            files.sort((a, b) -> Integer.compare(suffix(b), suffix(a)));
            StringBuilder sb = new StringBuilder();
            for (Path p : files) {
                String text = Files.readString(p);
                if (!text.isEmpty() && !text.endsWith("\n")) {
                    throw new AssertionError(p + " ends in the middle of a line");
                }
                sb.append(text);
            }
            return TestAlerts.ids(sb.toString());
        }

        private int suffix(Path p) {
            String n = p.getFileName().toString();
            return n.equals("alerts.jsonl") ? 0 : Integer.parseInt(n.substring("alerts.jsonl.".length()));
        }
    }

    @Nested
    class Webhook extends SinkContract {
        FakeHttpPeer peer;

        @Override
        protected Map<String, Object> spec() throws IOException {
            if (peer == null) {
                peer = new FakeHttpPeer();
            }
            return Map.of("type", "webhook", "url", peer.url("/hook"), "headers", Map.of("X-Token", "t"));
        }

        @Override
        protected List<String> received() {
            return TestAlerts.ids(peer.bodies());
        }

        @Override
        protected boolean peerDown() {
            peer.stop();
            return true;
        }

        @Override
        protected void peerUp() throws IOException {
            if (peer != null) {
                peer.stop();
                peer.restart();
            }
        }

        @AfterEach
        void stopPeer() {
            peer.close();
        }
    }

    @Nested
    class Alertmanager extends SinkContract {
        FakeHttpPeer peer;

        @Override
        protected Map<String, Object> spec() throws IOException {
            if (peer == null) {
                peer = new FakeHttpPeer();
            }
            return Map.of("type", "alertmanager", "urls", List.of(peer.url("")), "batch", 16);
        }

        @Override
        protected List<String> received() {
            return TestAlerts.ids(peer.bodies());
        }

        @Override
        protected boolean peerDown() {
            peer.stop();
            return true;
        }

        @Override
        protected void peerUp() throws IOException {
            if (peer != null) {
                peer.stop();
                peer.restart();
            }
        }

        @AfterEach
        void stopPeer() {
            peer.close();
        }
    }

    @Nested
    class SyslogTcp extends SinkContract {
        FakeSyslogPeer peer;

        @Override
        protected Map<String, Object> spec() throws IOException {
            if (peer == null) {
                peer = new FakeSyslogPeer(true);
            }
            return Map.of("type", "syslog", "address", "tcp://127.0.0.1:" + peer.port());
        }

        @Override
        protected List<String> received() {
            return all(SD_ID, String.join("\n", peer.messages()));
        }

        @Override
        protected boolean peerDown() throws IOException {
            peer.stop();
            return true;
        }

        @Override
        protected void peerUp() throws IOException {
            if (peer != null) {
                peer.stop();
                peer.restart();
            }
        }

        @AfterEach
        void stopPeer() throws IOException {
            peer.close();
        }
    }

    @Nested
    class SyslogUdp extends SinkContract {
        FakeSyslogPeer peer;

        @Override
        protected Map<String, Object> spec() throws IOException {
            if (peer == null) {
                peer = new FakeSyslogPeer(false);
            }
            return Map.of("type", "syslog", "address", "udp://127.0.0.1:" + peer.port(), "format", "rfc3164",
                    "message", "json");
        }

        @Override
        protected List<String> received() {
            return TestAlerts.ids(String.join("\n", peer.messages()));
        }

        /**
         * UDP has no flow control: a burst larger than the receiver's socket buffer (about 200 KiB
         * of kernel memory by default, over 1 KiB per small datagram) is lost at the receiver, by
         * design of the transport. The burst here fits; use TCP where every alert must arrive.
         */
        @Override
        protected int burst() {
            return 50;
        }

        @AfterEach
        void stopPeer() throws IOException {
            peer.close();
        }
    }

    @Nested
    class Email extends SinkContract {
        FakeSmtpPeer peer;

        @Override
        protected Map<String, Object> spec() throws IOException {
            if (peer == null) {
                peer = new FakeSmtpPeer();
            }
            return Map.of("type", "email", "smtp", "127.0.0.1:" + peer.port(), "from", "auditalert@test",
                    "to", List.of("sec@test"), "interval", "0ms");
        }

        @Override
        protected List<String> received() {
            return all(MAIL_ID, String.join("\n", peer.messages()));
        }

        @Override
        protected boolean peerDown() throws IOException {
            peer.stop();
            return true;
        }

        @Override
        protected void peerUp() throws IOException {
            if (peer != null) {
                peer.stop();
                peer.restart();
            }
        }

        @AfterEach
        void stopPeer() throws IOException {
            peer.close();
        }
    }

    @Nested
    class Exec extends SinkContract {
        @Override
        protected Map<String, Object> spec() throws IOException {
            Path out = tmp.resolve("exec-out");
            Files.createDirectories(out);
            // each run appends its stdin to one file; flock keeps concurrent runs' lines whole
            return Map.of("type", "exec", "command",
                    List.of("/bin/sh", "-c", "exec 9>>\"$0/all.jsonl\"; flock 9; cat >&9", out.toString()),
                    "concurrency", 1);
        }

        @Override
        protected List<String> received() throws IOException {
            Path f = tmp.resolve("exec-out/all.jsonl");
            return Files.exists(f) ? TestAlerts.ids(Files.readString(f)) : List.of();
        }
    }
}
