package io.auditalert.metrics;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.TreeMap;

/** A parsed Prometheus text exposition: series (name plus sorted labels) to value. Test helper. */
final class Exposition {
    final Map<String, Double> series = new LinkedHashMap<>();

    static Exposition parse(String text) {
        Exposition e = new Exposition();
        for (String line : text.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int brace = line.indexOf('{');
            int space = brace >= 0 ? line.indexOf(' ', line.indexOf('}')) : line.indexOf(' ');
            String name = line.substring(0, brace >= 0 ? brace : space);
            Map<String, String> labels = new TreeMap<>();
            if (brace >= 0) {
                String body = line.substring(brace + 1, line.indexOf('}'));
                for (String kv : body.split(",(?=[a-zA-Z_]+=\")")) {
                    if (!kv.isEmpty()) {
                        int eq = kv.indexOf('=');
                        labels.put(kv.substring(0, eq), kv.substring(eq + 2, kv.length() - 1));
                    }
                }
            }
            String[] rest = line.substring(space + 1).trim().split(" ");
            e.series.put(key(name, labels), Double.parseDouble(rest[0]));
        }
        return e;
    }

    /** The value of a series, or null when absent; labels as name, value pairs in any order. */
    Double value(String name, String... labels) {
        Map<String, String> m = new TreeMap<>();
        for (int i = 0; i < labels.length; i += 2) {
            m.put(labels[i], labels[i + 1]);
        }
        return series.get(key(name, m));
    }

    private static String key(String name, Map<String, String> labels) {
        return name + labels;
    }

    static HttpResponse<String> get(String url, String... headers) throws IOException, InterruptedException {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(10));
        if (headers.length > 0) {
            b.headers(headers);
        }
        return HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build()
                .send(b.build(), HttpResponse.BodyHandlers.ofString());
    }
}
