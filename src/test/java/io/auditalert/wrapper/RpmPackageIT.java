package io.auditalert.wrapper;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The RPM (packaging/rpm/build-rpm.sh, rpmbuild from Debian's {@code rpm} package): it builds here,
 * holds what the .deb holds, marks the configuration so upgrades keep local changes, creates the
 * service user before installation and keeps auditd informed on removal. It cannot be installed on
 * this Debian machine; the .deb's end-to-end test covers the installed behaviour.
 */
@Tag("integration")
class RpmPackageIT {

    @Test
    void shouldBuildAnRpmWithTheFilesConfigAndScriptlets() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/rpmbuild")), "needs rpmbuild (Debian package rpm)");
        assumeTrue(Files.isRegularFile(Path.of("target", "auditalert.jar")), "needs target/auditalert.jar (package phase)");
        String built = run(List.of("bash", "packaging/rpm/build-rpm.sh"));
        Path rpm;
        try (Stream<Path> s = Files.walk(Path.of("target", "rpm", "RPMS"))) {
            rpm = s.filter(p -> p.toString().endsWith(".rpm")).findFirst().orElseThrow();
        }
        assertThat(built).contains(rpm.getFileName().toString());
        assertThat(rpm.getFileName().toString()).matches("auditalert-[0-9][^-]*-1\\.[a-z0-9_]+\\.rpm");

        String files = run(List.of("rpm", "-qlp", rpm.toString()));
        assertThat(files.lines()).contains(
                "/usr/share/auditalert/auditalert.jar",
                "/usr/sbin/auditalert-plugin",
                "/usr/bin/auditalert",
                "/etc/audit/plugins.d/auditalert.conf",
                "/etc/audit/rules.d/auditalert.rules",
                "/etc/auditalert/auditalert.yml",
                "/etc/auditalert/rules.d/20-execution.yml",
                "/usr/lib/systemd/system/auditalert.service",
                "/usr/share/man/man8/auditalert-plugin.8");

        String config = run(List.of("rpm", "-qcp", rpm.toString()));
        assertThat(config.lines()).contains(
                "/etc/audit/plugins.d/auditalert.conf",
                "/etc/audit/rules.d/auditalert.rules",
                "/etc/auditalert/auditalert.yml",
                "/etc/auditalert/wrapper.conf");

        String scripts = run(List.of("rpm", "-qp", "--scripts", rpm.toString()));
        assertThat(scripts).contains("preinstall scriptlet").contains("useradd -r");
        assertThat(scripts).contains("postinstall scriptlet").contains("-XX:ArchiveClassesAtExit=");
        assertThat(scripts).contains("postuninstall scriptlet").contains("auditctl --signal reload");
        // the shared load and unload of the audit rules, put in place of the marker at build time
        assertThat(scripts).doesNotContainPattern("(?m)^#AUDIT_RULES_SYNC#$").contains("aa_load_rules\n", "aa_unload_rules\n",
                "aa_uses_augenrules()");
        assertThat(run(List.of("rpm", "-qlvp", rpm.toString()))).containsPattern("drwxr-s--- .* auditale\\S* +adm .*/var/log/auditalert\n")
                .contains("/usr/share/licenses/auditalert-");

        // what auditd runs must be executable by root and writable by nobody else
        String modes = run(List.of("rpm", "-qp", "--qf", "[%{FILENAMES} %{FILEMODES:perms} %{FILEUSERNAME}\\n]", rpm.toString()));
        assertThat(modes.lines()).contains("/usr/sbin/auditalert-plugin -rwxr-xr-x root");
        assertThat(modes.lines()).anyMatch(l -> l.startsWith("/etc/audit/plugins.d/auditalert.conf -rw-r-----"));
    }

    private static String run(List<String> cmd) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).isTrue();
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(String.join(" ", cmd) + ": " + text).isZero();
        return text;
    }
}
