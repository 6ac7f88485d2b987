package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.SpecReader;
import io.auditalert.metrics.Telemetry;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * {@code {type: alertmanager, urls: [http://am1:9093, http://am2:9093], labels: {team: sec},
 * field_labels: [auid], resolve_timeout: 5m, generator_url: …, hostname: …, timeout: 10s, tls: {…}, headers:
 * {…}}}: POSTs batches to {@code /api/v2/alerts} of every URL, as Prometheus does for an HA cluster.
 *
 * <ul>
 *   <li>Labels: {@code alertname} and {@code rule} (the rule's name), {@code severity}, {@code
 *       node} (the event's, or {@code hostname}: this machine's name by default, so that one rule's alerts
 *       of many machines stay apart), the configured {@code labels}, and for each of {@code
 *       field_labels} the event's value of that field. Alertmanager treats equal label sets as one
 *       alert; add {@code field_labels} to tell alerts of one rule apart.
 *   <li>Annotations: {@code summary} is the rendered output; {@code description} adds the rule,
 *       node, serial and suppressed count; {@code id}, {@code serial} and {@code suppressed} are
 *       also there as they are.
 *   <li>{@code startsAt} is the event's time; {@code endsAt} is the wall-clock time of each send
 *       plus {@code resolve_timeout} (never in the past, never before {@code startsAt}):
 *       Alertmanager silently drops an alert that is already resolved when it arrives, which would
 *       lose every replayed alert. The alert resolves by itself when {@code endsAt} passes.
 *   <li>Each batch is sent to every URL at once, and is delivered when at least one took it, as
 *       Prometheus does (the cluster's Alertmanagers share silences and the notification log): the
 *       sink goes on as soon as one has it, and a replica that is down or hangs holds nothing back.
 *       A post still waiting on a hung replica goes on in the background, that replica is skipped
 *       until it ends, and a replica that failed is not sent that batch again (logged and counted
 *       as a failed attempt). While no URL has taken it, 5xx and connection errors are retried with back-off at the
 *       URLs that did not refuse it; 4xx (but 408/429) from a URL is permanent for that URL. A batch
 *       every URL refused for good is counted as refused, alert by alert.
 * </ul>
 */
public final class AlertmanagerSink extends DeliverySink {
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");

    private final List<URL> urls;
    private final Map<String, String> labels;
    private final List<String> fieldLabels;
    private final long resolveTimeoutMillis;
    private final String generatorUrl;
    /** One poster per URL, each used by one post at a time. */
    private final List<HttpPoster> posters;
    /** Per URL, its post of an earlier batch that had not ended when another URL took that batch. */
    private final List<java.util.concurrent.Future<Posted>> stillPosting;
    private final java.util.concurrent.ExecutorService posting;
    /** The node label of alerts whose event names none (auditd's default name_format = NONE). */
    private final String hostname;
    /** Per-URL state of the batch being retried: which URLs took it, and its first id and size. */
    private final BitSet done = new BitSet();
    private final BitSet refused = new BitSet();
    private String pendingFirstId;
    private int pendingSize;
    private String lastRefusal;

    AlertmanagerSink(SinkOptions options, Telemetry telemetry, List<URL> urls, Map<String, String> labels,
            List<String> fieldLabels, long resolveTimeoutMillis, String generatorUrl, String hostname,
            java.util.function.Supplier<HttpPoster> posterFactory) {
        super(options, telemetry);
        this.hostname = hostname;
        this.urls = urls;
        this.labels = labels;
        this.fieldLabels = fieldLabels;
        this.resolveTimeoutMillis = resolveTimeoutMillis;
        this.generatorUrl = generatorUrl;
        this.posters = new ArrayList<>();
        this.stillPosting = new ArrayList<>();
        for (int i = 0; i < urls.size(); i++) {
            posters.add(posterFactory.get());
            stillPosting.add(null);
        }
        java.util.concurrent.atomic.AtomicInteger n = new java.util.concurrent.atomic.AtomicInteger();
        this.posting = java.util.concurrent.Executors.newCachedThreadPool(r -> {
            Thread t = new Thread(r, "auditalert-sink-" + options.name() + "-post-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        });
    }

    /** What one URL's post of a batch came to: an answer or a failure. */
    private record Posted(int url, HttpPoster.Response response, IOException failure) {}

    static AlertmanagerSink create(SpecReader r, Telemetry t) {
        SinkOptions o = SinkOptions.read(r, "alertmanager", 64);
        if (o.events()) {
            r.error("what", "an alertmanager sink takes alerts only");
        }
        List<URL> urls = new ArrayList<>();
        List<String> us = r.strings("urls", null);
        if (us == null && r.has("url")) {
            us = r.strings("url", List.of());
        } else {
            r.raw("url");
        }
        if (us == null || us.isEmpty()) {
            r.error("urls", "required: one or more Alertmanager base URLs");
            us = List.of();
        }
        for (String u : us) {
            URL base = WebhookSink.httpUrl(r, "urls", u);
            if (base != null) {
                try {
                    String s = base.toString().replaceAll("/+$", "");
                    urls.add(new URL(s.endsWith("/api/v2/alerts") ? s : s + "/api/v2/alerts"));
                } catch (MalformedURLException e) {
                    r.error("urls", e.getMessage());
                }
            }
        }
        Map<String, String> labels = r.stringMap("labels");
        for (String k : labels.keySet()) {
            if (!LABEL_NAME.matcher(k).matches()) {
                r.error(List.of("labels", k), "not a valid label name ([a-zA-Z_][a-zA-Z0-9_]*)");
            }
        }
        List<String> fieldLabels = r.strings("field_labels", List.of());
        for (String f : fieldLabels) {
            if (!LABEL_NAME.matcher(f).matches()) {
                r.error("field_labels", "\"" + f + "\" is not a valid label name");
            }
        }
        long resolve = r.duration("resolve_timeout", 5 * 60_000, 1000);
        String gen = r.string("generator_url", null);
        if (gen != null && WebhookSink.httpUrl(r, "generator_url", gen) == null) {
            gen = null; // Alertmanager refuses every alert whose generatorURL is no URL (HTTP 422)
        }
        String host = r.string("hostname", SyslogSink.localHostname());
        Map<String, String> headers = r.stringMap("headers");
        HttpPoster.checkHeaders(r, headers);
        long timeout = r.duration("timeout", 10_000, 1);
        TlsOptions tls = TlsOptions.read(r);
        r.finish();
        return r.errors().isEmpty() && t != null
                ? new AlertmanagerSink(o, t, urls, labels, fieldLabels, resolve, gen, host,
                        () -> new HttpPoster(headers, timeout, tls))
                : null;
    }

    @Override
    public boolean usesFields() {
        return true;
    }

    @Override
    protected void deliver(List<Alert> batch, Outcome out) throws IOException {
        if (pendingFirstId != null && pendingFirstId.equals(batch.get(0).id()) && batch.size() >= pendingSize) {
            batch = batch.subList(0, pendingSize);
        } else {
            done.clear();
            refused.clear();
            pendingFirstId = batch.get(0).id();
            pendingSize = batch.size();
        }
        byte[] body = body(batch, System.currentTimeMillis()).getBytes(StandardCharsets.UTF_8);
        IOException retry = null;
        java.util.concurrent.ExecutorCompletionService<Posted> posts =
                new java.util.concurrent.ExecutorCompletionService<>(posting);
        Map<Integer, java.util.concurrent.Future<Posted>> started = new LinkedHashMap<>();
        for (int i = 0; i < urls.size(); i++) {
            if (done.get(i) || refused.get(i)) {
                continue;
            }
            java.util.concurrent.Future<Posted> earlier = stillPosting.get(i);
            if (earlier != null && !earlier.isDone()) {
                retry = new IOException(urls.get(i) + ": still waiting on its answer to an earlier batch");
                continue;
            }
            int url = i;
            started.put(url, posts.submit(() -> {
                try {
                    return new Posted(url, posters.get(url).post(urls.get(url), body, "application/json"), null);
                } catch (IOException e) {
                    return new Posted(url, null, e);
                }
            }));
        }
        try {
            for (int left = started.size(); left > 0 && done.isEmpty(); left--) {
                Posted p = posts.take().get();
                int i = p.url();
                if (p.failure() != null) {
                    retry = new IOException(urls.get(i) + ": " + p.failure().getMessage(), p.failure());
                } else if (p.response().ok()) {
                    done.set(i);
                } else if (p.response().permanent()) {
                    HttpPoster.Response resp = p.response();
                    refused.set(i);
                    lastRefusal = "HTTP " + resp.status() + " from " + urls.get(i) + ": " + resp.body();
                    if (done.cardinality() + refused.cardinality() < urls.size() || done.cardinality() > 0) {
                        // a failed attempt, logged; the batch's alerts are counted by its fate at the end
                        // (delivered when another URL takes them, refused when none does), not here
                        stats.failedTransiently();
                        log.warn("sink {}: {} refused a batch of {} for good: {}", name(), urls.get(i), batch.size(),
                                lastRefusal);
                    }
                } else {
                    retry = p.response().failure(urls.get(i).toString());
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while posting", e);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IOException(e.getCause());
        }
        for (Map.Entry<Integer, java.util.concurrent.Future<Posted>> e : started.entrySet()) {
            if (!e.getValue().isDone()) {
                // another URL took the batch: this post goes on in the background, its URL skipped till it ends
                retry = new IOException(urls.get(e.getKey()) + ": no answer yet when another took the batch");
                stillPosting.set(e.getKey(), e.getValue());
            }
        }
        if (retry != null) {
            if (done.isEmpty()) {
                throw retry; // nobody has the batch yet: retried, with back-off, at every URL not refusing it
            }
            // as Prometheus does: one Alertmanager of the cluster that took the batch is enough (they share
            // silences and the notification log); one that is down must not hold the others' alerts back
            stats.failedTransiently();
            log.warn("sink {}: delivered a batch of {} to {} of {} Alertmanager(s), not retried at the others: {}",
                    name(), batch.size(), done.cardinality(), urls.size(), retry.getMessage());
        }
        if (done.isEmpty()) {
            out.reject(batch.size(), lastRefusal);
        } else {
            out.accept(batch.size());
        }
        pendingFirstId = null;
    }

    /** The PostableAlerts JSON array for a batch, with endsAt computed from the send time. */
    String body(List<Alert> batch, long nowMillis) {
        StringBuilder sb = new StringBuilder(512 * batch.size());
        sb.append('[');
        for (int i = 0; i < batch.size(); i++) {
            Alert a = batch.get(i);
            if (i > 0) {
                sb.append(',');
            }
            Map<String, String> l = new LinkedHashMap<>();
            l.put("alertname", a.rule());
            l.put("rule", a.rule());
            l.put("severity", a.severity() == null ? "medium" : a.severity().label());
            l.put("node", a.node() != null && !a.node().isEmpty() ? a.node() : hostname);
            l.putAll(labels);
            for (String f : fieldLabels) {
                String v = a.fields() == null ? null : a.fields().get(f);
                if (v != null && !v.isEmpty()) {
                    l.put(f, v);
                }
            }
            sb.append("{\"labels\":");
            object(sb, l);
            Map<String, String> ann = new LinkedHashMap<>();
            String output = a.output() == null ? a.rule() : a.output();
            ann.put("summary", output);
            StringBuilder d = new StringBuilder(output).append("\n\nrule ").append(a.rule());
            if (a.node() != null) {
                d.append(" on ").append(a.node());
            }
            d.append(", event serial ").append(a.serial()).append(" at ").append(Json.iso(a.eventTimeMillis()));
            if (a.suppressedBefore() > 0) {
                d.append(" (").append(a.suppressedBefore()).append(" more suppressed before it)");
            }
            ann.put("description", d.toString());
            ann.put("id", a.id());
            ann.put("serial", Long.toString(a.serial()));
            if (a.suppressedBefore() > 0) {
                ann.put("suppressed", Long.toString(a.suppressedBefore()));
            }
            sb.append(",\"annotations\":");
            object(sb, ann);
            long ends = Math.max(nowMillis + resolveTimeoutMillis, a.eventTimeMillis() + 1000);
            sb.append(",\"startsAt\":\"").append(Json.iso(a.eventTimeMillis())).append('"');
            sb.append(",\"endsAt\":\"").append(Json.iso(ends)).append('"');
            if (generatorUrl != null) {
                sb.append(",\"generatorURL\":");
                Json.quote(sb, generatorUrl);
            }
            sb.append('}');
        }
        return sb.append(']').toString();
    }

    private static void object(StringBuilder sb, Map<String, String> m) {
        sb.append('{');
        boolean first = true;
        for (Map.Entry<String, String> e : m.entrySet()) {
            if (!first) {
                sb.append(',');
            }
            first = false;
            Json.quote(sb, e.getKey()).append(':');
            Json.quote(sb, e.getValue());
        }
        sb.append('}');
    }

    @Override
    protected void abortDelivery() {
        for (HttpPoster p : posters) {
            p.abort();
        }
    }

    @Override
    protected void closeTransport() {
        posting.shutdownNow();
    }
}
