package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.auditalert.alert.LocalPeers;
import io.auditalert.testutil.Jar;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * auditd starts plugins with stderr on /dev/null: run's log lines then go to the local syslog socket,
 * here a real rsyslogd's (Debian's) on a private socket, which writes what it parsed to a file.
 */
class RunSyslogIT {
    private static final Path RSYSLOGD = Path.of("/usr/sbin/rsyslogd");

    @TempDir
    Path work;

    @Test
    void shouldLogToSyslogWhenStderrIsDevNull() throws Exception {
        assumeTrue(Files.isExecutable(RSYSLOGD), "rsyslogd is not installed (apt-get install rsyslog)");
        Path socket = work.resolve("log.sock");
        Path got = work.resolve("got.log");
        Files.writeString(work.resolve("rsyslog.conf"), String.join("\n",
                "global(workDirectory=\"" + work + "\")",
                "module(load=\"imuxsock\" SysSock.Use=\"off\")",
                "template(name=\"f\" type=\"string\" string=\"fac=%syslogfacility-text% sev=%syslogseverity-text%"
                        + " app=%APP-NAME% procid=%PROCID% msg=%msg:::drop-last-lf%\\n\")",
                "ruleset(name=\"any\") { action(type=\"omfile\" file=\"" + got + "\" template=\"f\") }",
                "input(type=\"imuxsock\" Socket=\"" + socket + "\" Ruleset=\"any\")", ""));
        Process rsyslogd = LocalPeers.start(work, "rsyslogd", RSYSLOGD.toString(), "-n", "-f",
                work.resolve("rsyslog.conf").toString(), "-i", work.resolve("rsyslogd.pid").toString());
        try {
            LocalPeers.await("rsyslogd's socket", Duration.ofSeconds(10), () -> Files.exists(socket));
            Path config = Files.writeString(work.resolve("bad.yml"), "workers: many\n");
            List<String> cmd = Jar.command("run", "--config", config.toString());
            cmd.add(1, "-Dauditalert.syslog.socket=" + socket);
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
            assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
            assertThat(p.exitValue()).isEqualTo(2);
            LocalPeers.await("the error in syslog", Duration.ofSeconds(10),
                    () -> LocalPeers.read(got).contains("configuration failed to load"));
            assertThat(LocalPeers.read(got)).contains("fac=daemon sev=err app=auditalert procid=" + p.pid()
                    + " msg= ERROR RunCommand - configuration failed to load: " + config + ":1:10:");
        } finally {
            LocalPeers.stop(rsyslogd);
        }
    }
}
