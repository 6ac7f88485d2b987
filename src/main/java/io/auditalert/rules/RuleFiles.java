package io.auditalert.rules;

import io.auditalert.config.ConfigError;
import io.auditalert.config.YamlNode;
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
 * matching nothing is fine (an empty rules.d) but one whose directory does not exist is worth a
 * warning (a typo there loads no rules); a plain path that does not exist is an error.
 */
public final class RuleFiles {
    private RuleFiles() {}

    /**
     * @param nodes the YAML node of each entry, for the line and column of its errors (fewer or none
     *     for built-in defaults: then line 1, column 1 of the file)
     */
    public static List<Path> expand(List<String> entries, List<YamlNode> nodes, String configFile,
            List<ConfigError> errors, List<ConfigError> warnings) {
        List<Path> out = new ArrayList<>();
        for (int i = 0; i < entries.size(); i++) {
            String entry = entries.get(i);
            YamlNode at = i < nodes.size() ? nodes.get(i) : null;
            int line = at == null ? 1 : at.line();
            int col = at == null ? 1 : at.col();
            Path p = Path.of(entry);
            Path name = p.getFileName();
            String last = name == null ? "" : name.toString();
            if (last.indexOf('*') < 0 && last.indexOf('?') < 0 && last.indexOf('[') < 0) {
                if (!Files.isRegularFile(p)) {
                    errors.add(new ConfigError(configFile, line, col, "rules file not found: " + entry));
                } else {
                    out.add(p);
                }
                continue;
            }
            Path dir = p.getParent() == null ? Path.of(".") : p.getParent();
            if (!Files.isDirectory(dir)) {
                warnings.add(new ConfigError(configFile, line, col, "no such directory: " + dir + " (" + entry
                        + " matches no file)"));
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
                errors.add(new ConfigError(configFile, line, col, "cannot list " + dir + ": " + e.getMessage()));
            }
            matches.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
            out.addAll(matches);
        }
        return out;
    }
}
