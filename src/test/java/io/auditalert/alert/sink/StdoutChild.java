package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.Telemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A stand-in process with a stdout sink beside an exec sink whose command prints to its stdout and
 * stderr and a failing syslog sink that logs: only the stdout sink's JSON lines may reach stdout.
 */
public final class StdoutChild {
    private StdoutChild() {}

    public static void main(String[] args) throws Exception {
        Telemetry t = new Telemetry();
        List<Sink> sinks = List.of(
                SinkFactory.create(0, Map.of("type", "stdout"), t),
                SinkFactory.create(1, Map.of("type", "exec", "command",
                        List.of("/bin/sh", "-c", "echo NOT-JSON-FROM-CHILD; echo child-stderr >&2; cat >/dev/null")), t),
                SinkFactory.create(2, Map.of("type", "syslog", "address", "tcp://127.0.0.1:" + args[0],
                        "retry", Map.of("initial", "50ms")), t));
        for (Alert a : TestAlerts.numbered("so", 5)) {
            for (Sink s : sinks) {
                s.offer(a);
            }
        }
        for (Sink s : sinks) {
            s.drain(Duration.ofMillis(1500));
            s.close();
        }
    }
}
