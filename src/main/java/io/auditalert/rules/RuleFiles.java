package io.auditalert.rules;

import io.auditalert.config.ConfigError;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns the {@code rules:} entries of the configuration (DESIGN §3.2, e.g.
 * {@code /etc/auditalert/rules.d/*.yml}) into the list of files to load: a pattern with {@code *},
 * {@code ?} or {@code [} in its last component lists the matching regular files of its directory
 * sorted by name (so {@code 00-…} loads before {@code 10-…}); a plain path is taken as is. A pattern
 * matching nothing is fine (an empty rules.d); a plain path that does not exist is an error.
 */
public final class RuleFiles {
    private RuleFiles() {}

    public static List<Path> expand(List<String> entries, String configFile, List<ConfigError> errors) {
        List<Path> out = new ArrayList<>();
        for (String entry : entries) {
            Path p = Path.of(entry);
            Path name = p.getFileName();
            String last = name == null ? "" : name.toString();
            if (last.indexOf('*') < 0 && last.indexOf('?') < 0 && last.indexOf('[') < 0) {
                if (!Files.isRegularFile(p)) {
                    errors.add(new ConfigError(configFile, 1, 1, "rules file not found: " + entry));
                } else {
                    out.add(p);
                }
                continue;
            }
            Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
            if (!Files.isDirectory(dir)) {
                continue;
            }
            List<Path> matches = new ArrayList<>();
            try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, last)) {
                for (Path m : ds) {
                    if (Files.isRegularFile(m)) {
                        matches.add(m);
                    }
                }
            } catch (IOException e) {
                errors.add(new ConfigError(configFile, 1, 1, "cannot list " + dir + ": " + e.getMessage()));
            }
            matches.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
            out.addAll(matches);
        }
        return out;
    }
}
