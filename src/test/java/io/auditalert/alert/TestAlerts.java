package io.auditalert.alert;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Alerts and events as the workers build them, for sink tests. */
public final class TestAlerts {
    private static final Pattern ID = Pattern.compile("\"id\":\"([^\"]+)\"");

    private TestAlerts() {}

    public static Alert alert(String id, String rule, Severity severity, String output) {
        long t = 1_795_000_000_000L + Math.abs(id.hashCode() % 1000);
        String json = "{\"id\":\"" + id + "\",\"time\":\"2026-11-26T13:52:13.301Z\",\"rule\":\"" + rule
                + "\",\"severity\":\"" + severity.label() + "\",\"output\":\"" + output.replace("\"", "\\\"")
                + "\",\"tags\":[\"test\"],\"node\":\"vm1\",\"serial\":33,\"keys\":[\"k\"],\"event\":{\"serial\":33}}";
        return new Alert(id, t, rule, severity, output, List.of("test"), "vm1", 33, List.of("k"),
                Map.of("auid", "1000", "exe", "/usr/bin/vi"), 0, json.getBytes(StandardCharsets.UTF_8), 0);
    }

    public static Alert alert(String id) {
        return alert(id, "passwd-write", Severity.HIGH, "write to /etc/passwd by " + id);
    }

    public static Alert event(String id, long serial) {
        String json = "{\"id\":\"" + id + "\",\"time\":\"2026-11-26T13:52:13.301Z\",\"serial\":" + serial
                + ",\"node\":null,\"records\":[{\"type\":\"SYSCALL\",\"fields\":{\"syscall\":\"59\"},\"interp\":{\"syscall\":\"execve\"}}]}";
        return new Alert(id, 1_795_000_000_000L, null, null, null, List.of(), null, serial, List.of(), Map.of(), 0,
                json.getBytes(StandardCharsets.UTF_8), 0);
    }

    public static List<Alert> numbered(String prefix, int n) {
        List<Alert> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(alert(String.format("%s-%05d", prefix, i)));
        }
        return out;
    }

    /** Every alert id in a text (JSON lines, HTTP bodies, mails), in order of appearance. */
    public static List<String> ids(String text) {
        List<String> out = new ArrayList<>();
        Matcher m = ID.matcher(text);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }
}
