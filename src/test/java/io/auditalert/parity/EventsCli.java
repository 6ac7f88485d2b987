package io.auditalert.parity;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * The side under test: {@code java -jar target/auditalert.jar events FILE}, one process per file
 * (each file is its own replay, as each is its own auparse session). The jar comes from the system
 * property {@code auditalert.jar}. When that jar is missing or older than the compiled classes (under
 * {@code mvn test} the shade step runs after the tests), the same {@code Main} runs from the test
 * class path instead, so the command line tested is always the code just compiled.
 */
final class EventsCli {
    private final List<String> command;
    private final String description;

    private EventsCli(List<String> command, String description) {
        this.command = command;
        this.description = description;
    }

    String description() {
        return description;
    }

    static EventsCli locate(Path repoRoot) {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> base = new ArrayList<>(List.of(java, "-XX:TieredStopAtLevel=1", "-Xshare:auto"));
        String jarProperty = System.getProperty("auditalert.jar");
        Path jar = jarProperty == null ? repoRoot.resolve("target/auditalert.jar") : Path.of(jarProperty);
        Path classes = repoRoot.resolve("target/classes");
        String classPath = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
        if (Files.isRegularFile(jar) && !olderThanClasses(jar, classes)) {
            base.addAll(List.of("-jar", jar.toString()));
            return new EventsCli(base, "java -jar " + jar);
        }
        base.addAll(List.of("-cp", classPath, "io.auditalert.cli.Main"));
        return new EventsCli(base, "java -cp <test class path> io.auditalert.cli.Main (" + jar
                + (Files.isRegularFile(jar) ? " is older than target/classes)" : " is not built)"));
    }

    private static boolean olderThanClasses(Path jar, Path classes) {
        if (!Files.isDirectory(classes)) {
            return false;
        }
        try (Stream<Path> walk = Files.walk(classes)) {
            FileTime jarTime = Files.getLastModifiedTime(jar);
            return walk.filter(Files::isRegularFile).anyMatch(p -> {
                try {
                    return Files.getLastModifiedTime(p).compareTo(jarTime) > 0;
                } catch (IOException e) {
                    return true;
                }
            });
        } catch (IOException e) {
            return true;
        }
    }

    /** Runs {@code events FILE} for every file, two at a time; keeps the order of {@code files}. */
    Map<Path, EventDump> dump(List<Path> files) {
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> {
            Thread t = new Thread(r, "events-cli");
            t.setDaemon(true);
            return t;
        });
        try {
            List<Future<EventDump>> futures = new ArrayList<>();
            for (Path file : files) {
                futures.add(pool.submit(() -> dumpOne(file)));
            }
            Map<Path, EventDump> out = new LinkedHashMap<>();
            for (Future<EventDump> f : futures) {
                EventDump d = f.get();
                out.put(d.file(), d);
            }
            return out;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e.getCause());
        } finally {
            pool.shutdownNow();
        }
    }

    EventDump dumpOne(Path file) {
        List<String> cmd = new ArrayList<>(command);
        cmd.add("events");
        cmd.add(file.toString());
        try {
            Process p = new ProcessBuilder(cmd).start();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread errPump = new Thread(() -> copy(p.getErrorStream(), err), "events-cli-stderr");
            errPump.start();
            byte[] stdout = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new EventDump(file, List.of(), List.of(), "auditalert events timed out");
            }
            errPump.join(10_000);
            String said = err.toString(StandardCharsets.UTF_8);
            if (p.exitValue() == 1 && stdout.length == 0 && said.contains("auditalert: no line was an audit record")) {
                return new EventDump(file, List.of(), List.of(), null); // no records: none, as libauparse reads it
            }
            if (p.exitValue() != 0) {
                String msg = said.trim();
                return new EventDump(file, List.of(), List.of(), "auditalert events exit " + p.exitValue()
                        + ": " + (msg.length() > 400 ? msg.substring(0, 400) : msg));
            }
            return new EventDump(file, parseLines(stdout), List.of(), null);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** One JSON event per line; stdout must carry nothing else (DESIGN §3.1). */
    static List<Map<String, Object>> parseLines(byte[] stdout) {
        List<Map<String, Object>> events = new ArrayList<>();
        String text = new String(stdout, StandardCharsets.UTF_8);
        for (String line : text.split("\n", -1)) {
            if (line.isEmpty()) {
                continue;
            }
            events.add(Json.object(Json.parse(line)));
        }
        return events;
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        try (in) {
            in.transferTo(out);
        } catch (IOException ignored) {
            // the process is gone
        }
    }
}
