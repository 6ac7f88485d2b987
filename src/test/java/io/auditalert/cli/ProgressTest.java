package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.auditalert.metrics.PipelineStats;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProgressTest {
    static final long S = 1_000_000_000L;
    static final long T0 = 5 * S; // any origin: only differences count

    final PipelineStats stats = new PipelineStats();
    final long[] alerts = new long[1];
    final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);

    Progress progress(long total, boolean terminal, Progress.Mode mode) {
        return new Progress("replay", total, stats, () -> alerts[0], err, terminal, mode, T0);
    }

    String printed() {
        String s = bytes.toString(StandardCharsets.UTF_8);
        bytes.reset();
        return s;
    }

    @Test
    void shouldRedrawOneLineOnATerminalFromTwoSecondsOnAndEndWithTheSummary() {
        Progress p = progress(959_000_000L, true, Progress.Mode.AUTO);
        stats.bytesRead = 100_000_000L;
        p.tick(T0 + S);
        assertThat(printed()).as("a run shorter than two seconds prints nothing").isEmpty();

        stats.bytesRead = 412_000_000L;
        stats.events = 431_002;
        alerts[0] = 25_100;
        p.tick(T0 + 2 * S);
        // 412 MB in 2 s: 206 MB/s, so the 547 MB left take 2.7 s, shown as 3
        assertThat(printed()).isEqualTo("\rauditalert replay: 412 MB of 959 MB (42 %), 431,002 events, 25,100 alerts,"
                + " 206 MB/s, 3 s left\033[K");

        stats.bytesRead = 500_000_000L;
        p.tick(T0 + 2 * S + S / 2);
        assertThat(printed()).as("redrawn once a second").isEmpty();
        stats.bytesRead = 562_000_000L;
        stats.events = 590_000;
        p.tick(T0 + 3 * S);
        // the rate is that since the last draw: 150 MB in 1 s
        assertThat(printed()).isEqualTo("\rauditalert replay: 562 MB of 959 MB (58 %), 590,000 events, 25,100 alerts,"
                + " 150 MB/s, 3 s left\033[K");

        stats.bytesRead = 959_000_000L;
        stats.events = 1_000_000;
        alerts[0] = 58_477;
        p.finish(T0 + 6_050_000_000L);
        assertThat(printed()).isEqualTo("\rauditalert replay: 959 MB, 1,000,000 events, 58,477 alerts in 6.1 s\033[K"
                + System.lineSeparator());
        p.tick(T0 + 9 * S);
        p.finish(T0 + 9 * S);
        assertThat(printed()).as("nothing after the summary").isEmpty();
    }

    @Test
    void shouldKeepTheRedrawnLineToOneRowOfTheTerminalAsItIsResized() {
        Progress p = progress(959_000_000L, true, Progress.Mode.AUTO);
        int[] columns = {100};
        p.columns(() -> columns[0]);
        stats.bytesRead = 412_000_000L;
        stats.events = 431_002;
        alerts[0] = 25_100;
        p.tick(T0 + 2 * S);
        assertThat(printed()).as("the whole line fits in 100 columns")
                .isEqualTo("\rauditalert replay: 412 MB of 959 MB (42 %), 431,002 events, 25,100 alerts,"
                        + " 206 MB/s, 3 s left\033[K");
        columns[0] = 60;
        stats.bytesRead = 562_000_000L;
        p.tick(T0 + 3 * S);
        assertThat(printed()).as("the compact line in 60").isEqualTo(
                "\rreplay: 58 %, 431,002 events, 25,100 alerts, 3 s left\033[K");
        columns[0] = 20;
        stats.bytesRead = 700_000_000L;
        p.tick(T0 + 4 * S);
        assertThat(printed()).as("cut to 19 in 20").isEqualTo("\rreplay: 72 %, 431,0\033[K");
        assertThat(Progress.fit("a".repeat(99), "b", 0)).as("width unknown: the whole line").hasSize(99);
    }

    @Test
    void shouldStayQuietWhenStderrIsNoTerminalOrWhenTold() {
        for (Progress p : List.of(progress(959_000_000L, false, Progress.Mode.AUTO),
                progress(959_000_000L, true, Progress.Mode.NEVER))) {
            stats.bytesRead = 412_000_000L;
            p.tick(T0 + 3 * S);
            p.tick(T0 + 30 * S);
            p.finish(T0 + 31 * S);
        }
        assertThat(printed()).isEmpty();
    }

    @Test
    void shouldWriteWholeLinesEveryTenSecondsAndAlwaysASummaryWhenAskedOffATerminal() {
        Progress quick = progress(1_000L, false, Progress.Mode.ALWAYS);
        stats.bytesRead = 1_000L;
        stats.events = 3;
        quick.finish(T0 + S / 5);
        assertThat(printed()).as("a short run still ends with the summary")
                .isEqualTo("auditalert replay: 1 kB, 3 events, 0 alerts in 0.2 s" + System.lineSeparator());

        Progress p = progress(-1, false, Progress.Mode.ALWAYS);
        stats.bytesRead = 300_000_000L;
        stats.events = 310_000;
        p.tick(T0 + 2 * S);
        assertThat(printed()).as("stdin: no total, no time left")
                .isEqualTo("auditalert replay: 300 MB, 310,000 events, 0 alerts, 150 MB/s" + System.lineSeparator());
        p.tick(T0 + 11 * S);
        assertThat(printed()).isEmpty();
        stats.bytesRead = 1_200_000_000L;
        p.tick(T0 + 12 * S);
        assertThat(printed()).startsWith("auditalert replay: 1200 MB, 310,000 events, 0 alerts, 90 MB/s");
    }

    @Test
    void shouldLeaveOutAlertsForEventsAndNeverPassOneHundredPercent() {
        Progress p = new Progress("events", 2_500_000L, stats, null, err, false, Progress.Mode.ALWAYS, T0);
        stats.bytesRead = 2_600_000L; // the file grew while it was read
        stats.events = 7;
        p.tick(T0 + 2 * S);
        assertThat(printed()).isEqualTo("auditalert events: 2.6 MB of 2.5 MB (100 %), 7 events, 1 MB/s"
                + System.lineSeparator());
    }

    @Test
    void shouldParseTheModeOrSayWhatItTakes() {
        assertThat(Progress.Mode.parse(null)).isEqualTo(Progress.Mode.AUTO);
        assertThat(Progress.Mode.parse("always")).isEqualTo(Progress.Mode.ALWAYS);
        assertThat(Progress.Mode.parse("never")).isEqualTo(Progress.Mode.NEVER);
        assertThatThrownBy(() -> Progress.Mode.parse("yes")).isInstanceOf(Main.UsageException.class)
                .hasMessage("--progress takes auto, always or never, not 'yes'");
    }

    @Test
    void shouldTellTerminalsFromPipesAndFiles() {
        assertThat(Progress.isTerminalDevice("/dev/pts/3")).isTrue();
        assertThat(Progress.isTerminalDevice("/dev/tty1")).isTrue();
        assertThat(Progress.isTerminalDevice("/dev/console")).isTrue();
        assertThat(Progress.isTerminalDevice("pipe:[48213]")).isFalse();
        assertThat(Progress.isTerminalDevice("socket:[48213]")).isFalse();
        assertThat(Progress.isTerminalDevice("/dev/null")).isFalse();
        assertThat(Progress.isTerminalDevice("/var/log/audit/audit.log")).isFalse();
    }

    @Test
    void shouldSumTheFilesOrSayUnknown(@TempDir Path dir) throws Exception {
        Path a = Files.write(dir.resolve("audit.log.1"), new byte[1234]);
        Path b = Files.write(dir.resolve("audit.log"), new byte[66]);
        assertThat(Progress.totalBytes(List.of(a, b))).isEqualTo(1300);
        assertThat(Progress.totalBytes(List.of())).as("stdin").isEqualTo(-1);
        assertThat(Progress.totalBytes(List.of(a, Path.of("-")))).isEqualTo(-1);
        assertThat(Progress.totalBytes(List.of(a, dir.resolve("missing")))).isEqualTo(-1);
        assertThat(Progress.totalBytes(List.of(dir))).as("a directory").isEqualTo(-1);
    }
}
