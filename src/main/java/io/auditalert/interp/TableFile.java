package io.auditalert.interp;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads the generated tab-separated tables under {@code /io/auditalert/tables/}; '#' starts a comment.
 * The tables are split as bytes, without a reader or a regular expression: they are read at start-up,
 * before the JIT has compiled anything, where every call counts.
 */
final class TableFile {
    private TableFile() {}

    /** The rows (split on tabs) of a table; comment rows other than {@code #unknown} are skipped. */
    static List<String[]> rows(String path) {
        byte[] b;
        try (InputStream in = TableFile.class.getResourceAsStream("/io/auditalert/tables/" + path)) {
            if (in == null) {
                throw new IllegalStateException(path + " missing from the class path");
            }
            b = in.readAllBytes();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        List<String[]> rows = new ArrayList<>();
        for (int start = 0; start < b.length; ) {
            int end = start;
            int tabs = 0;
            while (end < b.length && b[end] != '\n') {
                if (b[end] == '\t') {
                    tabs++;
                }
                end++;
            }
            int lineEnd = end > start && b[end - 1] == '\r' ? end - 1 : end;
            if (lineEnd > start && (b[start] != '#' || isUnknownRow(b, start, lineEnd))) {
                rows.add(split(b, start, lineEnd, tabs + 1));
            }
            start = end + 1;
        }
        return rows;
    }

    private static final byte[] UNKNOWN_ROW = "#unknown\t".getBytes(StandardCharsets.US_ASCII);

    private static boolean isUnknownRow(byte[] b, int start, int end) {
        return end - start >= UNKNOWN_ROW.length
                && java.util.Arrays.equals(b, start, start + UNKNOWN_ROW.length, UNKNOWN_ROW, 0, UNKNOWN_ROW.length);
    }

    private static String[] split(byte[] b, int start, int end, int cells) {
        String[] row = new String[cells];
        int cell = 0;
        for (int i = start; i <= end; i++) {
            if (i == end || b[i] == '\t') {
                row[cell++] = new String(b, start, i - start, StandardCharsets.UTF_8);
                start = i + 1;
            }
        }
        return row;
    }
}
