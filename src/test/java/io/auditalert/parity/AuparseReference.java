package io.auditalert.parity;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The reference side: libauparse through Debian's python3-audit, driven by
 * {@code src/test/resources/parity/auparse_dump.py}. One python process reads every file and frames
 * each file's events with markers; if libauparse crashes the process on a file, that file is
 * recorded as unreadable and a new process carries on with the files after it.
 */
final class AuparseReference {
    static final Path PYTHON = Path.of("/usr/bin/python3");

    private final Path script;

    private AuparseReference(Path script) {
        this.script = script;
    }

    /** The reference, or null with the reason printed when python3-audit is not usable here. */
    static AuparseReference locate(Path repoRoot, StringBuilder whyNot) {
        Path script = repoRoot.resolve("src/test/resources/parity/auparse_dump.py");
        if (!Files.isRegularFile(script)) {
            whyNot.append("dumper script missing: ").append(script);
            return null;
        }
        if (!Files.isExecutable(PYTHON)) {
            whyNot.append(PYTHON).append(" is not installed");
            return null;
        }
        try {
            Process p = new ProcessBuilder(PYTHON.toString(), "-c", "import auparse")
                    .redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.SECONDS) || p.exitValue() != 0) {
                whyNot.append(PYTHON).append(" cannot import auparse (install python3-audit): ").append(out.trim());
                return null;
            }
        } catch (IOException e) {
            whyNot.append("cannot run ").append(PYTHON).append(": ").append(e.getMessage());
            return null;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            whyNot.append("interrupted");
            return null;
        }
        return new AuparseReference(script);
    }

    /** Dumps every file; the map keeps the order of {@code files}. */
    Map<Path, EventDump> dump(List<Path> files) {
        Map<Path, EventDump> out = new LinkedHashMap<>();
        int next = 0;
        while (next < files.size()) {
            next = runBatch(files, next, out);
        }
        return out;
    }

    /** Runs one python process from files[from]; returns the index of the first file not done. */
    private int runBatch(List<Path> files, int from, Map<Path, EventDump> out) {
        Process process;
        try {
            process = new ProcessBuilder(PYTHON.toString(), script.toString(), "--text", "--framed",
                    "--files-from-stdin")
                    .redirectError(ProcessBuilder.Redirect.DISCARD)
                    .start();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Thread feeder = new Thread(() -> {
            try (Writer w = new java.io.OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8)) {
                for (int i = from; i < files.size(); i++) {
                    w.write(files.get(i).toString());
                    w.write('\n');
                }
            } catch (IOException ignored) {
                // the process died; the reader below notices
            }
        }, "auparse-dump-feeder");
        feeder.start();
        int index = from;
        Path current = null;
        List<Map<String, Object>> events = new ArrayList<>();
        List<Map<String, Object>> malformed = new ArrayList<>();
        try (InputStream in = process.getInputStream();
             BufferedReader reader = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
            String line;
            while ((line = reader.readLine()) != null) {
                Map<String, Object> obj = Json.object(Json.parse(line));
                if (obj.containsKey("@file")) {
                    current = files.get(index);
                    events = new ArrayList<>();
                    malformed = new ArrayList<>();
                } else if (obj.containsKey("@end")) {
                    Object error = obj.get("error");
                    out.put(current, new EventDump(current, events, malformed, error == null ? null : error.toString()));
                    current = null;
                    index++;
                } else if (Boolean.TRUE.equals(obj.get("@malformed"))) {
                    malformed.add(obj);
                } else {
                    events.add(obj);
                }
            }
            process.waitFor(60, TimeUnit.SECONDS);
            feeder.join(10_000);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
        if (current != null) {
            // the process ended inside this file: libauparse crashed on it
            int code = process.isAlive() ? -1 : process.exitValue();
            out.put(current, new EventDump(current, List.of(), List.of(),
                    "libauparse ended the process while reading this file (exit " + code + ")"));
            index++;
        } else if (index < files.size()) {
            Path stuck = files.get(index);
            out.put(stuck, new EventDump(stuck, List.of(), List.of(),
                    "python process ended before this file (exit " + process.exitValue() + ")"));
            index++;
        }
        return index;
    }
}
