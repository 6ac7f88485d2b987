package io.auditalert.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Files root loads must be changeable by root alone (a review: a config file another user could write
 * made root run that user's exec sink command). Changing owners needs root: skipped otherwise.
 */
class TrustedFilesTest {
    @TempDir
    Path dir;

    @BeforeEach
    void asRoot() {
        assumeTrue("root".equals(System.getProperty("user.name")), "changing a file's owner needs root");
    }

    private Path file(String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-r--r--"));
        return f;
    }

    private static void chown(Path p, int uid, int gid) throws Exception {
        Files.setAttribute(p, "unix:uid", uid);
        Files.setAttribute(p, "unix:gid", gid);
    }

    @Test
    void shouldAcceptRootsOwnFilesAndRefuseOnesOthersCanChange() throws Exception {
        Path ok = file("ok.yml", "workers: 1\n");
        assertThat(TrustedFiles.problem(ok)).isNull();

        Path everyone = file("everyone.yml", "workers: 1\n");
        Files.setPosixFilePermissions(everyone, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(TrustedFiles.problem(everyone)).isEqualTo(everyone + " is writable by everyone (mode 0666; chmod go-w "
                + everyone + ")");

        Path theirs = file("theirs.yml", "workers: 1\n");
        chown(theirs, 65534, 65534);
        assertThat(TrustedFiles.problem(theirs)).isEqualTo(theirs + " belongs to uid 65534, not root (chown root "
                + theirs + ")");

        Path groupOfRoot = file("group-root.yml", "workers: 1\n");
        Files.setPosixFilePermissions(groupOfRoot, PosixFilePermissions.fromString("rw-rw-r--"));
        assertThat(TrustedFiles.problem(groupOfRoot)).as("group root may write").isNull();
        chown(groupOfRoot, 0, 65534);
        assertThat(TrustedFiles.problem(groupOfRoot)).contains("is writable by group 65534 (mode 0664");
    }

    @Test
    void shouldLookAtEveryDirectoryAboveAndAtWhereALinkLeads() throws Exception {
        Path userDir = Files.createDirectory(dir.resolve("user"));
        Path inside = Files.writeString(userDir.resolve("rules.yml"), "[]\n");
        chown(userDir, 65534, 65534);
        // root's file in a user's directory: the user can put another file in its place
        assertThat(TrustedFiles.problem(inside)).startsWith(userDir + " belongs to uid 65534");

        Path sticky = Files.createDirectory(dir.resolve("sticky"));
        Files.setAttribute(sticky, "unix:mode", 01777);
        Path inSticky = file("sticky/rules.yml", "[]\n");
        assertThat(TrustedFiles.problem(inSticky)).as("a sticky directory (/tmp) keeps root's file root's").isNull();

        Path link = Files.createSymbolicLink(dir.resolve("link.yml"), inside);
        assertThat(TrustedFiles.problem(link)).startsWith(userDir + " belongs to uid 65534");
    }

    @Test
    void shouldRefuseInRunAndCheckAndWarnInReplay() throws Exception {
        Path config = file("auditalert.yml", "sinks:\n  - {type: exec, command: [/bin/true]}\n");
        Files.setPosixFilePermissions(config, PosixFilePermissions.fromString("rw-rw-rw-"));
        assertThat(TrustedFiles.refusal(config, true, false)).startsWith("refusing to load this file as root: "
                + config + " is writable by everyone");
        assertThat(TrustedFiles.refusal(config, true, true)).as("replay: a warning on stderr").isNull();
        assertThat(TrustedFiles.refusal(config, false, false)).as("not root: nothing to check").isNull();

        // through the loader, as run and check read it (this JVM runs as root here)
        TrustedFiles.warnOnly(false);
        List<ConfigError> errors = new ArrayList<>();
        ConfigLoader.load(config, errors);
        assertThat(errors).hasSize(1);
        assertThat(errors.get(0).toString()).startsWith(config + ":1:1: refusing to load this file as root: ");
    }


    @Test
    void shouldRefuseAnExecSinksProgramAnotherUserCanRewrite() throws Exception {
        Path script = file("notify.sh", "#!/bin/sh\ncat >/dev/null\n");
        Files.setPosixFilePermissions(script, PosixFilePermissions.fromString("rwxr-xr-x"));
        TrustedFiles.warnOnly(false);
        java.util.Map<String, Object> spec = java.util.Map.of("type", "exec", "command", List.of(script.toString()));
        assertThat(io.auditalert.alert.SinkFactory.validate(0, spec)).as("root's own script").isEmpty();
        chown(script, 65534, 65534);
        assertThat(io.auditalert.alert.SinkFactory.validate(0, spec)).singleElement().extracting(Throwable::getMessage)
                .isEqualTo("sinks[0].command[0]: refusing to run this program as root: " + script
                        + " belongs to uid 65534, not root (chown root " + script + ")");
    }
}
