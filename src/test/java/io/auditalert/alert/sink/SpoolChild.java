package io.auditalert.alert.sink;

import io.auditalert.alert.Sink;
import io.auditalert.alert.SinkFactory;
import io.auditalert.alert.TestAlerts;
import io.auditalert.metrics.Telemetry;
import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A stand-in for an auditalert process in the kill -9 test: a webhook sink over a spool that is
 * offered numbered alerts. Args: SPOOL_DIR URL PREFIX COUNT hold|drain. Prints OFFERED once every
 * offer has returned; with {@code drain}, waits for delivery and prints DRAINED and the pending count.
 */
public final class SpoolChild {
    private SpoolChild() {}

    public static void main(String[] args) throws Exception {
        Map<String, Object> spec = Map.of("type", "webhook", "url", args[1], "spool", args[0],
                "retry", Map.of("initial", "50ms", "max", "300ms"));
        Sink s = SinkFactory.create(0, spec, new Telemetry());
        int n = Integer.parseInt(args[3]);
        List<io.auditalert.alert.Alert> alerts = TestAlerts.numbered(args[2], n);
        for (io.auditalert.alert.Alert a : alerts) {
            if (!s.offer(a)) {
                System.out.println("DROPPED " + a.id());
            }
        }
        System.out.println("OFFERED");
        System.out.flush();
        if ("drain".equals(args[4])) {
            boolean ok = s.drain(Duration.ofSeconds(60));
            System.out.println("DRAINED " + ok + " " + ((DeliverySink) s).pending());
            System.out.flush();
            s.close();
            return;
        }
        Thread.sleep(Long.MAX_VALUE);
    }
}
