package io.auditalert.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneId;
import org.junit.jupiter.api.Test;

class TimeArgTest {
    // 11:00 in Berlin (UTC+1 in November)
    final Clock clock = Clock.fixed(Instant.parse("2026-11-27T10:00:00Z"), ZoneId.of("Europe/Berlin"));

    long at(String text) {
        return TimeArg.parse("--since", text, clock);
    }

    static long utc(String iso) {
        return Instant.parse(iso).toEpochMilli();
    }

    @Test
    void shouldReadDatesAndTimesAsLocalUnlessAZoneIsGiven() {
        assertThat(at("2026-11-20")).isEqualTo(utc("2026-11-19T23:00:00Z"));
        assertThat(at("2026-11-20T14:30")).isEqualTo(utc("2026-11-20T13:30:00Z"));
        assertThat(at("2026-11-20 14:30:15.250")).isEqualTo(utc("2026-11-20T13:30:15.250Z"));
        assertThat(at("2026-07-01T12:00")).as("summer time").isEqualTo(utc("2026-07-01T10:00:00Z"));
        assertThat(at("2026-11-20T14:30:00Z")).isEqualTo(utc("2026-11-20T14:30:00Z"));
        assertThat(at("2026-11-20T14:30z")).isEqualTo(utc("2026-11-20T14:30:00Z"));
        assertThat(at("2026-11-20T14:30:00+05:00")).isEqualTo(utc("2026-11-20T09:30:00Z"));
        assertThat(at("2026-11-20T14:30-05:00")).isEqualTo(utc("2026-11-20T19:30:00Z"));
    }

    @Test
    void shouldReadEpochSecondsAsAuditWritesThem() {
        assertThat(at("1767225600")).isEqualTo(1_767_225_600_000L);
        assertThat(at("1767225600.123")).isEqualTo(1_767_225_600_123L);
        assertThat(at("1767225600.5")).isEqualTo(1_767_225_600_500L);
        assertThat(at(" 1767225600.05 ")).isEqualTo(1_767_225_600_050L);
    }

    @Test
    void shouldReadDurationsAsThatLongAgoAndTheNamedDays() {
        long now = utc("2026-11-27T10:00:00Z");
        assertThat(at("now")).isEqualTo(now);
        assertThat(at("45s")).isEqualTo(now - 45_000);
        assertThat(at("90m")).isEqualTo(now - 90 * 60_000);
        assertThat(at("12h")).isEqualTo(now - 12 * 3_600_000);
        assertThat(at("7d")).isEqualTo(now - 7 * 86_400_000L);
        assertThat(at("90m ago")).as("as --help writes it").isEqualTo(at("90m"));
        assertThat(at("2w  ago")).isEqualTo(at("2w"));
        assertThat(at("2w")).isEqualTo(now - 14 * 86_400_000L);
        assertThat(at("today")).isEqualTo(utc("2026-11-26T23:00:00Z"));
        assertThat(at("yesterday")).isEqualTo(utc("2026-11-25T23:00:00Z"));
    }

    @Test
    void shouldNameTheOptionAndTheFormsWhenItCannotRead() {
        for (String bad : new String[] {"tomorrow", "2026-02-30", "2026-11-20T25:00", "12x", "", "1.2.3", "-7d", "20261120", "11/20/2026"}) {
            assertThatThrownBy(() -> TimeArg.parse("--until", bad, clock)).as(bad).isInstanceOf(Main.UsageException.class)
                    .hasMessageStartingWith("--until: cannot read the time '" + bad + "'; use 2026-11-20");
        }
    }
}
