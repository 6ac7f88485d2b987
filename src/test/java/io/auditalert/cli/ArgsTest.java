package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/** The options of every command: {@code --name value}, {@code --name=value}, positional files. */
class ArgsTest {
    @Test
    void shouldReadValuesInBothFormsAndKeepPositionalArguments() {
        ReplayCommand.Args a = new ReplayCommand.Args(
                new String[] {"--rules", "a.yml", "--rules=b.yml", "x.log", "-", "--since", "1h"});
        a.allow("--rules", "--since");
        assertThat(a.paths("--rules")).containsExactly(Path.of("a.yml"), Path.of("b.yml"));
        assertThat(a.value("--since")).isEqualTo("1h");
        assertThat(a.positional()).containsExactly(Path.of("x.log"), Path.of("-"));
    }

    @Test
    void shouldRefuseAnOptionOfOneValueGivenTwice() {
        ReplayCommand.Args a = new ReplayCommand.Args(new String[] {"--config", "a.yml", "--config=b.yml", "--since", "1h"});
        a.allow("--config", "--since");
        assertThatThrownBy(() -> a.path("--config")).isInstanceOf(Main.UsageException.class)
                .hasMessage("--config is given twice; give it once");
        assertThat(a.value("--since")).isEqualTo("1h");
    }

    @Test
    void shouldTakeEverythingAfterDoubleDashAsFileNames() {
        ReplayCommand.Args a = new ReplayCommand.Args(new String[] {"--rules", "a.yml", "--", "-weird", "--rules"});
        a.allow("--rules");
        assertThat(a.paths("--rules")).containsExactly(Path.of("a.yml"));
        assertThat(a.positional()).containsExactly(Path.of("-weird"), Path.of("--rules"));
    }

    @Test
    void shouldShowTheUsageForHelpAfterACommand() {
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        System.setOut(new java.io.PrintStream(buf, true));
        try {
            assertThat(Main.run(new String[] {"replay", "--rules", "x.yml", "--help"})).isEqualTo(Main.EXIT_OK);
        } finally {
            System.setOut(out);
        }
        assertThat(buf.toString()).startsWith("usage: auditalert COMMAND [options]");
    }

    @Test
    void shouldReadOnlyTheAssemblySettingsOfAConfigurationForEvents(@org.junit.jupiter.api.io.TempDir Path tmp)
            throws Exception {
        // a production file whose exec sink's program is not on this machine: events needs none of it
        Path cfg = java.nio.file.Files.writeString(tmp.resolve("prod.yml"), "assembly: {timeout: 3s}\n"
                + "sinks:\n  - {type: exec, command: [/nonexistent/on-alert]}\n");
        Path empty = java.nio.file.Files.createFile(tmp.resolve("empty.log"));
        assertThat(EventsCommand.run(new String[] {"--config", cfg.toString(), empty.toString()})).isEqualTo(Main.EXIT_OK);
        assertThatThrownBy(() -> Components.loadConfig(cfg)).isInstanceOf(ConfigException.class)
                .hasMessageContaining("/nonexistent/on-alert");
        Path bad = java.nio.file.Files.writeString(tmp.resolve("bad.yml"), "assembly: {timeout: soon}\n");
        assertThat(EventsCommand.run(new String[] {"--config", bad.toString(), empty.toString()})).isEqualTo(Main.EXIT_USAGE);
    }

    @Test
    void shouldSayWhenTheMetricsPortWasBusyForTheWholeDemo() throws Exception {
        java.io.PrintStream err = System.err;
        java.io.PrintStream out = System.out;
        java.io.ByteArrayOutputStream buf = new java.io.ByteArrayOutputStream();
        try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            System.setErr(new java.io.PrintStream(buf, true));
            System.setOut(new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
            String address = "127.0.0.1:" + taken.getLocalPort();
            assertThat(Main.run(new String[] {"demo", "--metrics", address, "--linger", "0"})).isEqualTo(Main.EXIT_OK);
            assertThat(buf.toString()).contains("auditalert demo: " + address + " is busy: /metrics was not served");
        } finally {
            System.setErr(err);
            System.setOut(out);
        }
    }

    @Test
    void shouldRefuseALingeringReplayWithoutMetrics() {
        // --linger keeps /metrics up after the end: without an endpoint it would only hold the replay up
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--linger", "5", "x.log"}))
                .isInstanceOf(Main.UsageException.class).hasMessageContaining("--linger").hasMessageContaining("--metrics");
        assertThatThrownBy(() -> ReplayCommand.run(new String[] {"--metrics", "", "--linger", "5", "x.log"}))
                .isInstanceOf(Main.UsageException.class).hasMessageContaining("needs --metrics");
    }

    @Test
    void shouldCallAnUnknownLastOptionUnknownRatherThanShortOfAValue() {
        ReplayCommand.Args bogus = new ReplayCommand.Args(new String[] {"--bogus"});
        assertThatThrownBy(() -> bogus.allow("--config", "--rules"))
                .isInstanceOf(Main.UsageException.class).hasMessage("unknown option --bogus");
        ReplayCommand.Args cut = new ReplayCommand.Args(new String[] {"--rules", "a.yml", "--config"});
        assertThatThrownBy(() -> cut.allow("--config", "--rules"))
                .isInstanceOf(Main.UsageException.class).hasMessage("option --config needs a value");
        assertThatThrownBy(() -> new ReplayCommand.Args(new String[] {"-x"}))
                .isInstanceOf(Main.UsageException.class).hasMessage("unknown option -x");
    }

    @Test
    void shouldCheckMetricsAddressesAndSecondsAsUsageErrors() {
        ReplayCommand.Args a = new ReplayCommand.Args(new String[] {"--metrics", "bogus", "--linger", "abc"});
        assertThatThrownBy(() -> a.listen("--metrics")).isInstanceOf(Main.UsageException.class)
                .hasMessage("--metrics must be HOST:PORT or \"\" (off), not 'bogus'");
        assertThatThrownBy(() -> a.seconds("--linger", 5)).isInstanceOf(Main.UsageException.class)
                .hasMessage("--linger takes a whole number of seconds, not 'abc'");
        ReplayCommand.Args port = new ReplayCommand.Args(new String[] {"--metrics", "127.0.0.1:99999", "--linger", "-1"});
        assertThatThrownBy(() -> port.listen("--metrics")).hasMessage("--metrics: port must be between 1 and 65535, not 99999");
        assertThatThrownBy(() -> port.seconds("--linger", 5)).isInstanceOf(Main.UsageException.class);
        ReplayCommand.Args ok = new ReplayCommand.Args(new String[] {"--metrics", "", "--linger", "0"});
        assertThat(ok.listen("--metrics")).isEmpty();
        assertThat(ok.seconds("--linger", 5)).isZero();
        assertThat(new ReplayCommand.Args(new String[0]).seconds("--linger", 5)).isEqualTo(5);
    }

    @Test
    void shouldNotTakeTheNextOptionOrAnEmptyTextAsAValue() {
        ReplayCommand.Args next = new ReplayCommand.Args(new String[] {"--rules", "--progress", "never", "f.log"});
        assertThatThrownBy(() -> next.allow("--rules", "--progress")).hasMessage("option --rules needs a value");
        ReplayCommand.Args empty = new ReplayCommand.Args(new String[] {"--rules="});
        assertThatThrownBy(() -> empty.allow("--rules")).hasMessage("option --rules needs a value");
        ReplayCommand.Args off = new ReplayCommand.Args(new String[] {"--metrics=", "--metrics2", ""});
        assertThatThrownBy(() -> off.allow("--metrics", "--metrics2")).as("only --metrics takes \"\" (off)")
                .hasMessage("option --metrics2 needs a value, not an empty one");
        ReplayCommand.Args offOnly = new ReplayCommand.Args(new String[] {"--metrics", ""});
        offOnly.allow("--metrics");
        assertThat(offOnly.listen("--metrics")).isEmpty();
        // --rules '' read every *.yml of the working directory; --config '' named no file
        for (String option : new String[] {"--rules", "--config", "--since", "--linger"}) {
            ReplayCommand.Args blank = new ReplayCommand.Args(new String[] {option, ""});
            assertThatThrownBy(() -> blank.allow(option)).hasMessage("option " + option + " needs a value, not an empty one");
        }
        assertThatThrownBy(() -> RunCommand.run(new String[] {"--input", "tcp:x"}))
                .hasMessage("--input must be stdin or unix:/absolute/path, not 'tcp:x'");
    }
}
