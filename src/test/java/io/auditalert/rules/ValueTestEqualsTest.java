package io.auditalert.rules;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** = against many literals (an {@code in} of a long list), which is looked up by hash, not scanned. */
class ValueTestEqualsTest {
    private static ValueTest.Strings equalsAny(boolean ignoreCase, List<String> literals) {
        byte[][] lits = new byte[literals.size()][];
        for (int i = 0; i < lits.length; i++) {
            lits[i] = literals.get(i).getBytes(StandardCharsets.UTF_8);
        }
        return new ValueTest.Strings(ValueTest.StringOp.EQUALS, lits, ignoreCase);
    }

    private static boolean test(ValueTest t, String value) {
        EvalScratch s = new EvalScratch();
        // the value sits inside a larger buffer, as values of a record do
        byte[] buf = ("/x" + value + "yz").getBytes(StandardCharsets.UTF_8);
        s.value(buf, 2, buf.length - 4);
        return t.test(s);
    }

    private static boolean reference(boolean ignoreCase, List<String> literals, String value) {
        for (String l : literals) {
            if (ignoreCase ? l.toLowerCase(Locale.ROOT).equals(asciiLower(value)) : l.equals(value)) {
                return true;
            }
        }
        return false;
    }

    private static String asciiLower(String s) {
        StringBuilder b = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            b.append(c >= 'A' && c <= 'Z' ? (char) (c + 32) : c);
        }
        return b.toString();
    }

    @Test
    void shouldAgreeWithComparingEachLiteral() {
        Random r = new Random(20261129);
        String alphabet = "abAB/._-ü0";
        for (int round = 0; round < 40; round++) {
            int n = ValueTest.Strings.HASHED_FROM + 1 + r.nextInt(round < 20 ? 40 : 3000);
            List<String> lits = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                StringBuilder b = new StringBuilder();
                // short literals of few letters: many share a length and collide in the table
                for (int k = r.nextInt(6); k > 0; k--) {
                    b.append(alphabet.charAt(r.nextInt(alphabet.length())));
                }
                lits.add(b.toString());
            }
            for (boolean ignoreCase : new boolean[] {false, true}) {
                ValueTest t = equalsAny(ignoreCase, lits);
                List<String> values = new ArrayList<>(lits);
                for (String l : lits) {
                    values.add(l.toUpperCase(Locale.ROOT));
                    values.add(l + "a");
                    values.add(l.isEmpty() ? "a" : l.substring(1));
                }
                for (String v : values) {
                    assertThat(test(t, v)).as("%s in %d literals, ignoreCase %s", v, n, ignoreCase)
                            .isEqualTo(reference(ignoreCase, lits, v));
                }
            }
        }
    }

    @Test
    void shouldFindPathsOfALongListAndNothingElse() {
        List<String> lits = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            lits.add("/usr/bin/p" + i);
        }
        ValueTest t = equalsAny(false, lits);
        assertThat(test(t, "/usr/bin/p0")).isTrue();
        assertThat(test(t, "/usr/bin/p49999")).isTrue();
        assertThat(test(t, "/usr/bin/p50000")).isFalse();
        assertThat(test(t, "/usr/bin/p")).isFalse();
        assertThat(test(t, "")).isFalse();
        assertThat(test(equalsAny(true, lits), "/USR/BIN/P123")).isTrue();
    }
}
