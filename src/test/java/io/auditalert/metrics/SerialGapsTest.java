package io.auditalert.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class SerialGapsTest {
    private final SerialGaps gaps = new SerialGaps();

    private void observe(long from, long to) {
        for (long s = from; s <= to; s++) {
            gaps.observe(0, s);
        }
    }

    @Test
    void shouldCountNothingForAnUnbrokenSequence() {
        observe(100, 5000);
        assertThat(gaps.total()).isZero();
    }

    @Test
    void shouldCountAHoleOnceItLeavesTheReorderWindow() {
        observe(1, 99);
        observe(105, 110); // 100..104 missing
        assertThat(gaps.total()).as("still inside the window: may arrive late").isZero();
        observe(111, 110 + SerialGaps.WINDOW);
        assertThat(gaps.total()).isEqualTo(5);
    }

    @Test
    void shouldForgiveLateArrivalsInsideTheWindow() {
        observe(1, 50);
        observe(53, 60);
        gaps.observe(0, 52);
        gaps.observe(0, 51);
        observe(61, 60 + 2 * SerialGaps.WINDOW);
        assertThat(gaps.total()).isZero();
    }

    @Test
    void shouldCountABigJumpAsLostSerials() {
        observe(1, 10);
        gaps.observe(0, 10 + 3 * SerialGaps.WINDOW + 1); // 3 * WINDOW serials never came
        observe(11 + 3 * SerialGaps.WINDOW + 1, 11 + 5 * SerialGaps.WINDOW);
        assertThat(gaps.total()).isEqualTo(3L * SerialGaps.WINDOW);
    }

    @Test
    void shouldTreatASerialResetAsANewSequence() {
        observe(500_000, 501_000);
        observe(1, 3000); // reboot: serials start again
        assertThat(gaps.total()).isZero();
        gaps.observe(0, 3000 + SerialGaps.MAX_JUMP + 10); // another kernel under the same name
        assertThat(gaps.total()).isZero();
    }

    @Test
    void shouldKeepNodesApart() {
        for (long s = 1; s <= 3000; s++) {
            gaps.observe(1, s);
            if (s % 2 == 0) {
                gaps.observe(2, s / 2);
            }
        }
        assertThat(gaps.total()).isZero();
    }
}
