package io.auditalert.rules;

import io.auditalert.config.ConfigError;
import io.auditalert.config.YamlNode;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.PatternSyntaxException;

/**
 * Turns the {@code rules:} entries of the configuration (DESIGN §3.2, e.g.
 * {@code /etc/auditalert/rules.d/*.yml}) and the {@code --rules} arguments into the list of files to
 * load: a pattern with {@code *}, {@code ?} or {@code [} in its last component lists the matching
 * regular files of its directory sorted by name (so {@code 00-…} loads before {@code 10-…}); a
 * directory stands for its {@code *.yml} and {@code *.yaml}; a plain path is taken as is. A pattern matching nothing is
 * fine (an empty rules.d) but one whose directory does not exist is worth a warning (a typo there
 * loads no rules); a plain path that does not exist is an error.
 */
public final class RuleFiles {
    /** What a directory stands for: *.yml and, as Falco names its rules files, *.yaml. */
    private static final String RULES_PATTERN = "*.{yml,yaml}";

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
            if (Files.isRegularFile(p)) {
                out.add(p);
            } else if (Files.isDirectory(p) || isPattern(p)) {
                try {
                    String warning = list(p, out);
                    if (warning != null) {
                        warnings.add(new ConfigError(configFile, line, col, warning));
                    }
                } catch (IOException e) {
                    errors.add(new ConfigError(configFile, line, col, e.getMessage()));
                }
            } else {
                errors.add(new ConfigError(configFile, line, col, "rules file not found: " + entry));
            }
        }
        return out;
    }

    /**
     * The files of {@code --rules} arguments: a directory or a pattern (quoted from the shell) is
     * listed as in the configuration; any other path is kept for the loader to read or report.
     */
    public static List<Path> expandArguments(List<Path> args, List<String> errors, List<String> warnings) {
        List<Path> out = new ArrayList<>();
        for (Path p : args) {
            if (!Files.isRegularFile(p) && (Files.isDirectory(p) || isPattern(p))) {
                try {
                    String warning = list(p, out);
                    if (warning != null) {
                        warnings.add(warning);
                    }
                } catch (IOException e) {
                    errors.add(e.getMessage());
                }
            } else {
                out.add(p);
            }
        }
        return out;
    }

    private static boolean isPattern(Path p) {
        Path name = p.getFileName();
        String last = name == null ? "" : name.toString();
        return last.indexOf('*') >= 0 || last.indexOf('?') >= 0 || last.indexOf('[') >= 0;
    }

    /**
     * Adds the files a directory or pattern stands for, sorted by name; returns a warning (no such
     * directory, an empty one) or null.
     *
     * @throws IOException the directory cannot be listed, or the pattern is no glob; its message says which
     */
    private static String list(Path p, List<Path> out) throws IOException {
        boolean isDir = Files.isDirectory(p);
        Path dir = isDir ? p : p.getParent() == null ? Path.of(".") : p.getParent();
        String pattern = isDir ? RULES_PATTERN : p.getFileName().toString();

        if (!Files.isDirectory(dir)) {
            try {
                Files.readAttributes(dir, java.nio.file.attribute.BasicFileAttributes.class);
            } catch (java.nio.file.AccessDeniedException e) { // not "no such directory": check passed with 0 rules
                throw new IOException("cannot read " + dir + ": permission denied (run as root?)", e);
            } catch (IOException e) {
                // missing: a warning below
            }
            return "no such directory: " + dir + " (" + p + " matches no file)";
        }
        List<Path> matches = new ArrayList<>();
        List<String> skipped = new ArrayList<>();
        try (DirectoryStream<Path> ds = Files.newDirectoryStream(dir, pattern)) {
            for (Path m : ds) {
                if (Files.isRegularFile(m)) {
                    matches.add(m);
                } else {
                    // a typo'd link target or a directory named like a rules file: say so, not skip it unseen
                    skipped.add(m.getFileName() + (Files.isDirectory(m) ? " (a directory)"
                            : Files.isSymbolicLink(m) ? " (a link to nothing)" : " (not a regular file)"));
                }
            }
        } catch (PatternSyntaxException e) {
            throw new IOException("bad pattern '" + pattern + "': " + e.getDescription(), e);
        } catch (java.nio.file.AccessDeniedException e) {
            throw new IOException("cannot list " + dir + ": permission denied (run as root?)", e);
        } catch (IOException e) {
            throw new IOException("cannot list " + dir + ": " + e.getMessage(), e);
        }
        matches.sort((a, b) -> a.getFileName().toString().compareTo(b.getFileName().toString()));
        out.addAll(matches);
        java.util.Collections.sort(skipped);
        String none = isDir && matches.isEmpty() ? "no *.yml or *.yaml files in " + dir : null;
        String notRead = skipped.isEmpty() ? null : "not read in " + dir + ": " + String.join(", ", skipped);
        return none == null ? notRead : notRead == null ? none : none + "; " + notRead;
    }
}
