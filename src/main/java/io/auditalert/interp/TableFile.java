package io.auditalert.interp;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Reads the generated tab-separated tables under {@code /io/auditalert/tables/}; '#' starts a comment. */
final class TableFile {
    private TableFile() {}

    /** The rows (split on tabs) of a table; comment rows other than {@code #unknown} are skipped. */
    static List<String[]> rows(String path) {
        try (InputStream in = TableFile.class.getResourceAsStream("/io/auditalert/tables/" + path)) {
            if (in == null) {
                throw new IllegalStateException(path + " missing from the class path");
            }
            BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8));
            List<String[]> rows = new ArrayList<>();
            for (String line; (line = reader.readLine()) != null; ) {
                if (line.isEmpty() || (line.charAt(0) == '#' && !line.startsWith("#unknown\t"))) {
                    continue;
                }
                rows.add(line.split("\t", -1));
            }
            return rows;
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
