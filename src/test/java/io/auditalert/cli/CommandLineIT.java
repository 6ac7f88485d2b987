package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import io.auditalert.testutil.Jar;
import java.io.File;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The real jar's command line: its version, a rules directory given to --rules, and replay's exit status. */
class CommandLineIT {
    @TempDir
    Path dir;

    private record Result(int exit, String out, String err) {}

    private Result run(String... args) throws Exception {
        Path out = dir.resolve("out");
        Path err = dir.resolve("err");
        Process p = new ProcessBuilder(Jar.command(args)).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).as("auditalert %s exits", String.join(" ", args)).isTrue();
        return new Result(p.exitValue(), Files.readString(out, StandardCharsets.UTF_8), Files.readString(err, StandardCharsets.UTF_8));
    }

    @Test
    void shouldPrintTheVersionItWasBuiltAs() throws Exception {
        String version = System.getProperty("auditalert.version");
        assertThat(version).as("the build passes the project version").isNotBlank();
        for (String arg : new String[] {"--version", "version"}) {
            Result r = run(arg);
            assertThat(r.exit()).isZero();
            assertThat(r.out()).isEqualTo("auditalert " + version + System.lineSeparator());
        }
    }

    @Test
    void shouldGroupEventsAsTheConfigurationsAssemblySays() throws Exception {
        // audit.log form (no EOE): the SYSCALL and a PATH record of serial 5, with a record 1.5 s later
        // between them: with assembly.timeout 1s (default 2s) that completes serial 5 without its PATH
        Path log = Files.writeString(dir.resolve("audit.log"),
                "type=SYSCALL msg=audit(1700000000.000:5): arch=c000003e syscall=257 success=yes exit=3 items=1\n"
                + "type=SYSCALL msg=audit(1700000001.500:6): arch=c000003e syscall=257 success=yes exit=3 items=0\n"
                + "type=PATH msg=audit(1700000000.000:5): item=0 name=\"/etc/shadow\"\n");
        Path config = Files.writeString(dir.resolve("a.yml"), "assembly: {timeout: 1s}\n");
        Result byDefault = run("events", log.toString());
        Result configured = run("events", "--config", config.toString(), log.toString());
        assertThat(byDefault.exit()).as(byDefault.err()).isZero();
        assertThat(configured.exit()).as(configured.err()).isZero();
        assertThat(byDefault.out().lines().count()).as("default timeout: serial 5 whole").isEqualTo(2);
        assertThat(configured.out().lines().count()).as("1 s: serial 5's PATH comes too late").isEqualTo(3);

        Files.writeString(config, "assembly: {timeout: soon}\n");
        Result bad = run("events", "--config", config.toString(), log.toString());
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).startsWith(config + ":1:");
    }

    @Test
    void shouldReplayWithTheRulesOfADirectoryAsTheDemoDoesWithTheBundledOnes() throws Exception {
        // the packages install the bundled rules as /etc/auditalert/rules.d; --rules DIR loads its *.yml by name
        Path rulesDir = Path.of("src/main/resources/defaults/rules.d");
        Path capture = Path.of("src/main/resources/demo/audit.log");
        Result demo = run("demo", "--metrics", "", "--linger", "0");
        Result replay = run("replay", "--rules", rulesDir.toString(), capture.toString());
        assertThat(demo.exit()).isZero();
        assertThat(replay.exit()).as(replay.err()).isZero();
        assertThat(replay.out().lines().count()).as("alerts").isGreaterThan(10);
        assertThat(replay.out()).isEqualTo(demo.out());

        Result glob = run("replay", "--rules", rulesDir + "/[0-4]*.yml", "--rules", rulesDir + "/[5-9]*.yml", capture.toString());
        assertThat(glob.out()).isEqualTo(demo.out());
    }

    @Test
    void shouldExitWithFailureWhenASinkLostAlerts() throws Exception {
        // a webhook peer on loopback that refuses every alert for good (HTTP 400: not retried)
        HttpServer peer = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        AtomicInteger posts = new AtomicInteger();
        peer.createContext("/hook", exchange -> {
            posts.incrementAndGet();
            exchange.getRequestBody().readAllBytes();
            exchange.sendResponseHeaders(400, -1);
            exchange.close();
        });
        peer.start();
        try {
            Path config = Files.writeString(dir.resolve("auditalert.yml"), "sinks:\n  - {type: webhook, url: \"http://127.0.0.1:"
                    + peer.getAddress().getPort() + "/hook\"}\n");
            Path rulesDir = Path.of("src/main/resources/defaults/rules.d");
            Path capture = Path.of("src/main/resources/demo/audit.log");
            long alerts = run("replay", "--rules", rulesDir.toString(), capture.toString()).out().lines().count();

            Result r = run("replay", "--config", config.toString(), "--rules", rulesDir.toString(), capture.toString());

            assertThat(r.exit()).as(r.err()).isEqualTo(1);
            assertThat(r.out()).isEmpty();
            assertThat(posts.get()).isPositive();
            assertThat(r.err()).contains("auditalert replay: sink webhook-0: " + alerts
                    + " alert(s) not delivered (0 dropped, " + alerts + " refused for good)");
        } finally {
            peer.stop(0);
        }
    }
}
