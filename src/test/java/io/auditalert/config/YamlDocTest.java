package io.auditalert.config;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class YamlDocTest {
    static final String CONFIG = String.join("\n",
            "input: stdin",
            "workers: 2",
            "ring: {capacity: 65536, max_bytes: 64MiB, when_full: drop}",
            "assembly: {timeout: 2s, max_inflight: lots}",
            "metrics: {listen: \"127.0.0.1:8617\"}",
            "rules: [/etc/auditalert/rules.d/*.yml]",
            "colour: blue",
            "");

    @Test
    void shouldReadTypedValuesAndReportEveryProblemWithItsPosition() {
        List<ConfigError> errors = new ArrayList<>();
        YamlNode root = YamlDoc.parse("a.yml", CONFIG, errors).root();
        assertThat(root.checkKeys("input", "workers", "ring", "assembly", "metrics", "rules")).isFalse();
        assertThat(root.getString("input", null)).isEqualTo("stdin");
        assertThat(root.getLong("workers", 0)).isEqualTo(2);
        YamlNode ring = root.get("ring");
        assertThat(ring.getLong("capacity", 0)).isEqualTo(65536);
        assertThat(ring.getBytes("max_bytes", 0)).isEqualTo(64L << 20);
        YamlNode assembly = root.get("assembly");
        assertThat(assembly.getDurationMillis("timeout", 0)).isEqualTo(2000);
        assertThat(assembly.getLong("max_inflight", 20000)).isEqualTo(20000);
        assertThat(root.getStringList("rules")).containsExactly("/etc/auditalert/rules.d/*.yml");
        assertThat(root.get("absent")).isNull();
        assertThat(errors).extracting(ConfigError::toString).containsExactly(
                "a.yml:7:1: unknown key 'colour' (expected one of: input, workers, ring, assembly, metrics, rules)",
                "a.yml:4:39: expected an integer");
    }

    @Test
    void shouldReadDurationsWithLowerCaseUnitsOnly() {
        List<ConfigError> errors = new ArrayList<>();
        YamlNode root = YamlDoc.parse("d.yml", "a: 500ms\nb: 2w\nc: 1M\nd: 3 h\n", errors).root();
        assertThat(root.getDurationMillis("a", 0)).isEqualTo(500);
        assertThat(root.getDurationMillis("b", 0)).isEqualTo(14 * 86_400_000L);
        assertThat(root.getDurationMillis("c", -7)).as("a month or a minute? neither").isEqualTo(-7);
        assertThat(root.getDurationMillis("d", 0)).isEqualTo(3 * 3_600_000L);
        assertThat(errors).extracting(ConfigError::toString).containsExactly(
                "d.yml:3:4: expected a duration such as 500ms, 2s, 1m, 1h, 1d or 1w (units in lower case)");
    }

    @Test
    void shouldMapOffsetsInsideScalarsBackToTheSource() {
        List<ConfigError> errors = new ArrayList<>();
        YamlNode root = YamlDoc.parse("b.yml", "a: plain text here\nb: \"quoted \\\"x\\\" y\"\nc: |\n  one\n  two\n",
                errors).root();
        assertThat(root.get("a").positionOf(6)).containsExactly(1, 10); // "text"
        assertThat(root.get("b").positionOf(8)).containsExactly(2, 14); // the x after the escaped quote
        assertThat(root.get("c").positionOf(4)).containsExactly(5, 3); // "two"
        assertThat(errors).isEmpty();
    }

    @Test
    void shouldMapOffsetsPastEscapesThatStandForOtherCharacters() {
        // d: "exe = \"\u00e9\" and foo = 1": the value is exe = "é" and foo = 1
        YamlNode root = YamlDoc.parse("d.yml", "d: \"exe = \\\"\\u00e9\\\" and foo = 1\"\n"
                + "e: \"a\\tb and foo\"\nf: \"\\x41\\U0001F600 foo\"\n", new ArrayList<>()).root();
        String d = root.get("d").text();
        assertThat(d).isEqualTo("exe = \"\u00e9\" and foo = 1");
        assertThat(root.get("d").positionOf(d.indexOf("foo"))).containsExactly(1, 26);
        assertThat(root.get("d").positionOf(d.indexOf('\u00e9'))).containsExactly(1, 13); // at its backslash
        assertThat(root.get("e").positionOf(root.get("e").text().indexOf("foo"))).containsExactly(2, 14);
        // an escaped backslash before b, t or n is no \b, \t or \n: "\\bnc\\b x" is \bnc\b x
        YamlNode g = YamlDoc.parse("g.yml", "g: \"p matches \\\"\\\\bnc\\\\b\\\" and x = 1\"\n", new ArrayList<>()).root()
                .get("g");
        assertThat(g.text()).isEqualTo("p matches \"\\bnc\\b\" and x = 1");
        assertThat(g.positionOf(g.text().indexOf("x ="))).containsExactly(1, 32);
        String f = root.get("f").text();
        assertThat(root.get("f").positionOf(f.indexOf("foo"))).containsExactly(3, 20);
    }

    @Test
    void shouldReportDuplicateKeysAndRequiredKeys() {
        List<ConfigError> errors = new ArrayList<>();
        YamlNode root = YamlDoc.parse("c.yml", "x: 1\nx: 2\n", errors).root();
        root.checkKeys("x");
        assertThat(root.require("y")).isNull();
        assertThat(errors).extracting(ConfigError::toString).containsExactly(
                "c.yml:2:1: duplicate key 'x'", "c.yml:1:1: missing required key 'y'");
    }

    @Test
    void shouldSayWhereAFileIsNotUtf8AndWhyItCannotBeRead(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path latin1 = dir.resolve("latin1.yml");
        // "caf\xe9" on line 2: a Latin-1 é
        java.nio.file.Files.write(latin1, new byte[] {'a', ':', ' ', '1', '\n', 'b', ':', ' ', 'c', 'a', 'f', (byte) 0xe9, '\n'});
        List<ConfigError> errors = new ArrayList<>();
        YamlDoc.load(latin1, errors);
        assertThat(errors).extracting(ConfigError::toString)
                .containsExactly(latin1 + ":2:7: file is not valid UTF-8 (a Latin-1 editor?)");
        // a character outside the basic plane (an emoji, two UTF-16 units) is one column
        java.nio.file.Path emoji = dir.resolve("emoji.yml");
        java.io.ByteArrayOutputStream b = new java.io.ByteArrayOutputStream();
        b.writeBytes("d: \"\uD83D\uDE00".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        b.write(0xe9);
        b.writeBytes("\"\n".getBytes(java.nio.charset.StandardCharsets.UTF_8));
        java.nio.file.Files.write(emoji, b.toByteArray());
        errors.clear();
        YamlDoc.load(emoji, errors);
        assertThat(errors).extracting(ConfigError::toString)
                .containsExactly(emoji + ":1:6: file is not valid UTF-8 (a Latin-1 editor?)");
        errors.clear();
        YamlDoc.load(dir.resolve("missing.yml"), errors);
        assertThat(errors).extracting(ConfigError::toString)
                .containsExactly(dir.resolve("missing.yml") + ":1:1: cannot read file: no such file");
    }

    @Test
    void shouldSayWhatTheAliasLimitIsFor() {
        StringBuilder y = new StringBuilder("- list: l\n  items: &t [a, b]\n");
        for (int i = 0; i < 60; i++) {
            y.append("- rule: r").append(i).append("\n  tags: *t\n");
        }
        List<ConfigError> errors = new ArrayList<>();
        YamlDoc.parse("many.yml", y.toString(), errors);
        assertThat(errors).extracting(ConfigError::toString).containsExactly("many.yml:1:1: more than 50 aliases (*name)"
                + " of lists or maps in one file (a guard against alias bombs); write some of those values out, or split the file");
    }

    @Test
    void shouldRefuseAFileLargerThanTheParserTakesBeforeReadingItAll(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        // a 3 GB file ended check with an OutOfMemoryError and its stack trace
        java.nio.file.Path big = dir.resolve("big.yml");
        try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(big.toFile(), "rw")) {
            f.setLength(3L << 30); // sparse: nothing written
        }
        java.util.List<ConfigError> errors = new java.util.ArrayList<>();
        YamlDoc.load(big, errors);
        org.assertj.core.api.Assertions.assertThat(errors).extracting(ConfigError::toString).containsExactly(big
                + ":1:1: the file is larger than 12 MiB; the YAML parser reads at most 3145728 characters");
    }
}
