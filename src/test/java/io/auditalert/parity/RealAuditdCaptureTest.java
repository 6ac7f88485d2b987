package io.auditalert.parity;

import io.auditalert.testutil.RealAuditd;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A fresh capture from a real auditd, with the rules operators use, read by {@code auditalert
 * events} exactly as libauparse reads it: the log file (ENRICHED, no EOE) and the dispatcher stream
 * a plugin receives (with EOE). The workload has arguments with spaces, quotes, UTF-8 and a raw 0xff
 * byte, a 12 kB argument (split by the kernel into aN[k] chunks over several EXECVE records), 300
 * arguments, a connect to 127.0.0.1 (under a rule with two keys), a read of /etc/shadow and a file written under /usr/bin then
 * removed. The machine is left as it was found: rules deleted, auditd stopped by its PID, the
 * enabled flag restored, the /usr/bin file gone.
 */
@Tag("integration")
class RealAuditdCaptureTest {
    private static final Pattern HEX = Pattern.compile("([0-9A-F]{2})+");

    @TempDir
    Path dir;

    @Test
    void aFreshCaptureIsReadLikeLibauparseReadsIt() throws Exception {
        String why = RealAuditd.whyNot();
        assumeTrue(why == null, () -> "skipped: " + why);
        StringBuilder noReference = new StringBuilder();
        AuparseReference reference = AuparseReference.locate(ParityCorpus.repoRoot(), noReference);
        assumeTrue(reference != null, () -> "skipped: " + noReference);
        long other = RealAuditd.waitForNoDaemon(180);
        assumeTrue(other == 0, () -> "skipped: another audit daemon (pid " + other + ") is registered with the"
                + " kernel; only one can be, and this test does not stop a daemon it did not start");

        Workload work = new Workload(dir.resolve("work"));
        Path auditdDir = dir.resolve("auditd");
        Files.createDirectories(auditdDir);
        Path binFile = Path.of("/usr/bin", work.marker + "-file");
        try (ServerSocket server = new ServerSocket(0, 5, java.net.InetAddress.getLoopbackAddress());
             RealAuditd auditd = RealAuditd.start(auditdDir)) {
            Thread acceptor = acceptAll(server);
            // -A (prepend) instead of -a: a rule someone else loaded must not take the event first
            auditd.addRule("-A", "always,exit", "-F", "arch=b64", "-S", "execve", "-k", "exec");
            auditd.addRule("-A", "always,exit", "-F", "arch=b32", "-S", "execve", "-k", "exec");
            auditd.addRule("-w", "/usr/bin", "-p", "wa", "-k", "binwrite");
            auditd.addRule("-w", "/etc/shadow", "-p", "r", "-k", "shadow");
            // two keys: the kernel joins them with 0x01 and writes the key as hex; auparse splits it
            auditd.addRule("-A", "always,exit", "-F", "arch=b64", "-S", "connect", "-k", "net", "-k", "egress");
            work.run(server.getLocalPort(), binFile);
            awaitInLog(auditd.log(), binFile.toString());
            acceptor.interrupt();
        } finally {
            Files.deleteIfExists(binFile);
        }
        Path log = auditdDir.resolve("audit.log");
        Path stream = auditdDir.resolve("plugin.stream");
        String logText = Files.readString(log, StandardCharsets.ISO_8859_1);
        String streamText = Files.readString(stream, StandardCharsets.ISO_8859_1);
        System.out.printf("captured: audit.log %d bytes, plugin stream %d bytes%n", logText.length(),
                streamText.length());
        String keep = System.getProperty("auditalert.parity.keep");
        if (keep != null) {   // -Dauditalert.parity.keep=DIR keeps the capture for a look by hand
            Files.createDirectories(Path.of(keep));
            Files.copy(log, Path.of(keep, "audit.log"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            Files.copy(stream, Path.of(keep, "plugin.stream"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
        }
        assertThat(logText).contains("type=DAEMON_START").doesNotContain("type=EOE");
        assertThat(streamText).contains("type=EOE").contains("\u001dARCH=x86_64 SYSCALL=execve");

        Map<Path, EventDump> expected = reference.dump(List.of(log, stream));
        EventsCli cli = EventsCli.locate(ParityCorpus.repoRoot());
        for (Path file : List.of(log, stream)) {
            EventDump ref = expected.get(file);
            assertThat(ref.error()).as("libauparse reads %s", file.getFileName()).isNull();
            work.assertCaptured("libauparse, " + file.getFileName(), ref.events(), binFile);
        }
        List<String> violations = new ArrayList<>();
        Map<Path, EventDump> actual = new java.util.LinkedHashMap<>();
        for (Path file : List.of(log, stream)) {
            EventDump ref = expected.get(file);
            EventDump act = cli.dumpOne(file);
            actual.put(file, act);
            ParityComparison comparison = new ParityComparison();
            comparison.compareFile(ref, act);
            System.out.println(comparison.report("auditalert events vs libauparse 3.0.9 on a fresh "
                    + file.getFileName() + " (run as " + cli.description() + ")"));
            violations.addAll(comparison.violations(AuparseParityTest.KNOWN));
        }
        for (Path file : List.of(log, stream)) {
            EventDump act = actual.get(file);
            assertThat(act.error()).as("auditalert events reads %s", file.getFileName()).isNull();
            work.assertCaptured("auditalert, " + file.getFileName(), act.events(), binFile);
        }
        assertThat(violations).as("differences that fail the suite").isEmpty();
    }

    private static Thread acceptAll(ServerSocket server) {
        Thread t = new Thread(() -> {
            while (!Thread.currentThread().isInterrupted()) {
                try (Socket s = server.accept()) {
                    s.getInputStream().read();
                } catch (IOException e) {
                    return;
                }
            }
        }, "capture-test-acceptor");
        t.setDaemon(true);
        t.start();
        return t;
    }

    private static void awaitInLog(Path log, String text) throws IOException, InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (Files.readString(log, StandardCharsets.ISO_8859_1).contains(text)) {
                Thread.sleep(500);  // the rest of that event and the stream catch up
                return;
            }
            Thread.sleep(200);
        }
        throw new AssertionError("the workload's events did not reach " + log + " within 20 s");
    }

    /** The workload: a shell script of exact bytes, and what its events must show. */
    static final class Workload {
        final String marker = "aaparity" + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xffffffffL);
        final Path dir;
        final byte[][] oddArgs = {
            bytes("with space"), bytes("say \"hi\""), bytes("it's"),
            "ünïcödé €".getBytes(StandardCharsets.UTF_8), new byte[] {'r', 'a', 'w', (byte) 0xff, 'x'},
            bytes("tab\tand\u0001ctl"),
        };
        final byte[] longArg;
        final List<String> manyArgs = new ArrayList<>();

        Workload(Path dir) throws IOException {
            this.dir = Files.createDirectories(dir);
            StringBuilder sb = new StringBuilder();
            for (int i = 0; sb.length() < 12_000; i++) {
                sb.append(String.format("%05d-abcdefghijklmnopqrstuvwxyz.", i));
            }
            longArg = bytes(sb.substring(0, 12_000));
            for (int i = 2; i < 300; i++) {
                manyArgs.add(String.format("many%03d", i));
            }
        }

        void run(int port, Path binFile) throws IOException, InterruptedException {
            ByteArrayOutputStream s = new ByteArrayOutputStream();
            s.writeBytes(bytes("#!/bin/sh\n/bin/true " + marker + "-odd"));
            for (byte[] a : oddArgs) {
                s.writeBytes(bytes(" '"));
                s.writeBytes(shellQuoted(a));
                s.writeBytes(bytes("'"));
            }
            s.writeBytes(bytes("\n/bin/true " + marker + "-long '"));
            s.writeBytes(longArg);
            s.writeBytes(bytes("'\n/bin/true " + marker + "-many " + String.join(" ", manyArgs) + "\n"));
            s.writeBytes(bytes("/usr/bin/python3 -c 'import socket,sys; s=socket.create_connection((\"127.0.0.1\","
                    + " int(sys.argv[1]))); s.close()' " + port + "\n"));
            s.writeBytes(bytes("/bin/cat /etc/shadow > /dev/null\n"));
            s.writeBytes(bytes("echo " + marker + " > " + binFile + "\n/bin/rm -f " + binFile + "\n"));
            Path script = dir.resolve("workload.sh");
            Files.write(script, s.toByteArray());
            Process p = new ProcessBuilder("/bin/sh", script.toString()).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).as("workload output: %s", out).isZero();
        }

        /** What a side must show for this workload, from its events (DESIGN §3.4 shape). */
        void assertCaptured(String side, List<Map<String, Object>> events, Path binFile) {
            Map<String, Object> odd = execEvent(events, marker + "-odd");
            assertThat(odd).as("%s: execve with odd arguments", side).isNotNull();
            Map<String, Object> oddArgsRec = execve(odd).get(0);
            assertThat(field(oddArgsRec, "argc")).as(side).isEqualTo(String.valueOf(oddArgs.length + 2));
            for (int i = 0; i < oddArgs.length; i++) {
                assertThat(decode(field(oddArgsRec, "a" + (i + 2)))).as("%s: odd argument %d", side, i + 2)
                        .isEqualTo(oddArgs[i]);
            }
            assertThat(keys(odd)).as(side).contains("exec");

            Map<String, Object> lng = execEvent(events, marker + "-long");
            assertThat(lng).as("%s: execve with a 12 kB argument", side).isNotNull();
            List<Map<String, Object>> chunksRecs = execve(lng);
            assertThat(chunksRecs.size()).as("%s: EXECVE records for a 12 kB argument", side).isGreaterThan(1);
            ByteArrayOutputStream joined = new ByteArrayOutputStream();
            String len = null;
            int chunks = 0;
            for (Map<String, Object> r : chunksRecs) {
                for (Map.Entry<String, Object> f : fields(r).entrySet()) {
                    if (f.getKey().equals("a2_len")) {
                        len = (String) f.getValue();
                    } else if (f.getKey().equals("a2[" + chunks + "]")) {
                        joined.writeBytes(decode((String) f.getValue()));
                        chunks++;
                    }
                }
            }
            assertThat(chunks).as("%s: a2[k] chunks", side).isGreaterThan(1);
            assertThat(len).as("%s: a2_len counts hex digits", side).isEqualTo(String.valueOf(2 * longArg.length));
            assertThat(joined.toByteArray()).as("%s: the 12 kB argument reassembled", side).isEqualTo(longArg);

            Map<String, Object> many = execEvent(events, marker + "-many");
            assertThat(many).as("%s: execve with 300 arguments", side).isNotNull();
            Map<String, String> all = new java.util.LinkedHashMap<>();
            execve(many).forEach(r -> fields(r).forEach((k, v) -> all.put(k, (String) v)));
            assertThat(all.get("argc")).as(side).isEqualTo("300");
            for (int i = 2; i < 300; i++) {
                assertThat(all.get("a" + i)).as("%s: argument %d of 300", side, i).isEqualTo(manyArgs.get(i - 2));
            }

            assertThat(events.stream().filter(e -> keys(e).containsAll(List.of("net", "egress")))
                    .anyMatch(e -> records(e).stream().anyMatch(r -> "SOCKADDR".equals(r.get("type"))
                            && String.valueOf(interp(r, "saddr")).contains("laddr=127.0.0.1"))))
                    .as("%s: connect to 127.0.0.1 with keys net and egress", side).isTrue();
            assertThat(events.stream().filter(e -> keys(e).contains("shadow")).anyMatch(e -> records(e).stream()
                    .anyMatch(r -> "/etc/shadow".equals(fields(r).get("name")))))
                    .as("%s: read of /etc/shadow with key shadow", side).isTrue();
            long binWrites = events.stream().filter(e -> keys(e).contains("binwrite")).filter(e -> records(e).stream()
                    .anyMatch(r -> binFile.getFileName().toString().equals(fields(r).get("name"))
                            || binFile.toString().equals(fields(r).get("name")))).count();
            assertThat(binWrites).as("%s: create and unlink under /usr/bin with key binwrite", side)
                    .isGreaterThanOrEqualTo(2);
            // the interpretation of the UTF-8 argument is its text (libauparse decodes the hex)
            assertThat(interp(execve(odd).get(0), "a5")).as("%s: UTF-8 argument decodes", side)
                    .isEqualTo("ünïcödé €");
        }

        private static Map<String, Object> execEvent(List<Map<String, Object>> events, String a1) {
            return events.stream().filter(e -> execve(e).stream().anyMatch(r -> a1.equals(fields(r).get("a1"))))
                    .findFirst().orElse(null);
        }

        private static List<Map<String, Object>> execve(Map<String, Object> event) {
            return records(event).stream().filter(r -> "EXECVE".equals(r.get("type"))).toList();
        }

        private static List<String> keys(Map<String, Object> event) {
            List<String> keys = new ArrayList<>();
            for (Map<String, Object> r : records(event)) {
                fields(r).forEach((k, v) -> {
                    if (k.equals("key") || k.startsWith("key#")) {
                        keys.add(String.valueOf(v));
                    }
                });
            }
            return keys;
        }

        /**
         * The bytes of an EXECVE value from its raw form: the kernel writes hex when the argument
         * has a quote, a blank, a control or non-ASCII byte, or spans records, and none of this
         * workload's plain arguments looks like upper-case hex.
         */
        static byte[] decode(String raw) {
            if (raw != null && HEX.matcher(raw).matches()) {
                return HexFormat.of().parseHex(raw);
            }
            return raw == null ? null : bytes(raw);
        }

        private static byte[] shellQuoted(byte[] arg) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            for (byte b : arg) {
                if (b == '\'') {
                    out.writeBytes(bytes("'\\''"));
                } else {
                    out.write(b);
                }
            }
            return out.toByteArray();
        }

        private static byte[] bytes(String ascii) {
            return ascii.getBytes(StandardCharsets.ISO_8859_1);
        }
    }

    static List<Map<String, Object>> records(Map<String, Object> event) {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Object r : Json.array(event.get("records"))) {
            out.add(Json.object(r));
        }
        return out;
    }

    static Map<String, Object> fields(Map<String, Object> record) {
        return Json.object(record.get("fields"));
    }

    static String field(Map<String, Object> record, String name) {
        Object v = fields(record).get(name);
        return v == null ? null : v.toString();
    }

    static Object interp(Map<String, Object> record, String name) {
        return Json.object(record.get("interp")).get(name);
    }
}
