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
 * field_labels: [auid], merge: false, resolve_timeout: 5m, generator_url: …, hostname: …, timeout: 10s, tls: {…}, headers:
 * {…}}}: POSTs batches to {@code /api/v2/alerts} of every URL, as Prometheus does for an HA cluster.
 *
 * <ul>
 *   <li>Labels: {@code alertname} and {@code rule} (the rule's name), {@code severity}, {@code
 *       node} (the event's, or {@code hostname}: this machine's name by default, so that one rule's alerts
 *       of many machines stay apart), the configured {@code labels}, and for each of {@code
 *       field_labels} the event's value of that field, and {@code alert_id}, the alert's id: Alertmanager
 *       treats equal label sets as one alert and keeps only the newest annotations, so without it a
 *       rule's second alert within {@code resolve_timeout} would reach no receiver (there is no implicit
 *       deduplication, DESIGN §3.3). {@code merge: true} leaves {@code alert_id} out, for an operator who
 *       wants Alertmanager to fold a rule's alerts (by {@code field_labels}) into one. The names above are
 *       the sink's own: a {@code labels} or {@code field_labels} entry of the same name replaces them,
 *       with a warning.
 *   <li>Annotations: {@code summary} is the rendered output; {@code description} adds the rule,
 *       node, serial and suppressed count; {@code id}, {@code serial} and {@code suppressed} are
 *       also there as they are.
 *   <li>{@code startsAt} is the event's time; {@code endsAt} is the wall-clock time of each send
 *       plus {@code resolve_timeout} (never in the past, never before {@code startsAt}):
 *       Alertmanager silently drops an alert that is already resolved when it arrives, which would
 *       lose every replayed alert. The alert resolves by itself when {@code endsAt} passes.
 *   <li>Each batch is sent to every URL at once, each URL on its own thread with room for
 *       {@link #QUEUED_BATCHES} batches, and is delivered when at least one URL took it, as
 *       Prometheus does (the cluster's Alertmanagers share silences and the notification log). A
 *       slower replica gets every batch in turn: while its last post was answered, a full queue is
 *       waited on (up to the timeout). A replica whose last post failed (down, or hanging past the
 *       timeout) is skipped when its queue is full, so it holds nothing back; a replica that failed
 *       a delivered batch is not sent it again (logged and counted as a failed attempt). While no
 *       URL has taken it, 5xx and connection errors are retried with back-off at the URLs that did
 *       not refuse it; 4xx (but 408/429) from a URL is permanent for that URL. A batch every URL
 *       refused for good is counted as refused, alert by alert.
 * </ul>
 */
public final class AlertmanagerSink extends DeliverySink {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(AlertmanagerSink.class);
    private static final Pattern LABEL_NAME = Pattern.compile("[a-zA-Z_][a-zA-Z0-9_]*");
    /** The labels the sink sets itself, which configured labels would silently replace. */
    static final List<String> OWN_LABELS = List.of("alertname", "rule", "severity", "node", "alert_id");

    private final List<URL> urls;
    private final Map<String, String> labels;
    private final List<String> fieldLabels;
    private final boolean merge;
    private final long resolveTimeoutMillis;
    private final String generatorUrl;
    /** One poster per URL, each used by one post at a time. */
    private final List<HttpPoster> posters;
    /**
     * Per URL, its one posting thread, with room for {@link #QUEUED_BATCHES} batches (the permits): a
     * replica slower than the others gets every batch in turn (a full queue is waited on, up to the
     * timeout, while the replica answers), and one whose last post failed (down, or hanging) is
     * skipped when its queue is full, holding nothing back.
     */
    private final List<java.util.concurrent.ThreadPoolExecutor> replicaThreads;
    private final List<java.util.concurrent.Semaphore> room;
    /** Per URL, whether its last post that ended was answered (any status). */
    private final boolean[] answering;
    private final long timeoutMillis;
    /** Per URL, when a failure of a post that outlived its batch's delivery was last logged. */
    private final long[] lateFailureLogged;
    static final int QUEUED_BATCHES = 8;
    /** The node label of alerts whose event names none (auditd's default name_format = NONE). */
    private final String hostname;
    /** Per-URL state of the batch being retried: which URLs took it, and its first id and size. */
    private final BitSet done = new BitSet();
    private final BitSet refused = new BitSet();
    private String pendingFirstId;
    private int pendingSize;
    private String lastRefusal;

    AlertmanagerSink(SinkOptions options, Telemetry telemetry, List<URL> urls, Map<String, String> labels,
            List<String> fieldLabels, boolean merge, long resolveTimeoutMillis, String generatorUrl, String hostname,
            java.util.function.Supplier<HttpPoster> posterFactory, long timeoutMillis) {
        super(options, telemetry);
        this.merge = merge;
        this.hostname = hostname;
        this.urls = urls;
        this.labels = labels;
        this.fieldLabels = fieldLabels;
        this.resolveTimeoutMillis = resolveTimeoutMillis;
        this.generatorUrl = generatorUrl;
        this.posters = new ArrayList<>();
        this.replicaThreads = new ArrayList<>();
        this.room = new ArrayList<>();
        this.answering = new boolean[urls.size()];
        java.util.Arrays.fill(answering, true);
        this.timeoutMillis = timeoutMillis;
        this.lateFailureLogged = new long[urls.size()];
        for (int i = 0; i < urls.size(); i++) {
            posters.add(posterFactory.get());
            String threadName = "auditalert-sink-" + options.name() + "-url-" + i;
            room.add(new java.util.concurrent.Semaphore(QUEUED_BATCHES));
            java.util.concurrent.ThreadPoolExecutor t = new java.util.concurrent.ThreadPoolExecutor(1, 1, 30,
                    java.util.concurrent.TimeUnit.SECONDS, new java.util.concurrent.LinkedBlockingQueue<>(),
                    r -> {
                        Thread th = new Thread(r, threadName);
                        th.setDaemon(true);
                        return th;
                    });
            t.allowCoreThreadTimeOut(true);
            replicaThreads.add(t);
        }
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
            } else if (OWN_LABELS.contains(k)) {
                // a warning, not an error: a configuration that did this before must still load after an
                // upgrade (a plugin whose configuration fails holds the records back)
                LOG.warn("sink {}: labels.{} replaces the label the sink sets itself: every alert gets {}=\"{}\""
                        + " (its own labels are {})", r.index(), k, k, labels.get(k), String.join(", ", OWN_LABELS));
            }
        }
        List<String> fieldLabels = r.strings("field_labels", List.of());
        for (String f : fieldLabels) {
            if (!LABEL_NAME.matcher(f).matches()) {
                r.error("field_labels", "\"" + f + "\" is not a valid label name");
            } else if (OWN_LABELS.contains(f) || labels.containsKey(f)) {
                LOG.warn("sink {}: field_labels \"{}\" replaces a label of the same name ({} are the sink's own;"
                        + " the others come from labels)", r.index(), f, String.join(", ", OWN_LABELS));
            }
        }
        boolean merge = r.bool("merge", false);
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
                ? new AlertmanagerSink(o, t, urls, labels, fieldLabels, merge, resolve, gen, host,
                        () -> new HttpPoster(headers, timeout, tls), timeout)
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
        boolean everyFailureAskedToWait = true;
        long retryAfter = Long.MAX_VALUE;
        // the answers of this delivery's posts; one that comes after deliver() returned is the post's own
        // to report (lateAnswer), as the batch's fate is decided by then
        java.util.concurrent.BlockingQueue<Posted> answers = new java.util.concurrent.LinkedBlockingQueue<>();
        boolean[] returned = {false};
        int sent = 0;
        for (int i = 0; i < urls.size(); i++) {
            if (done.get(i) || refused.get(i)) {
                continue;
            }
            int url = i;
            int size = batch.size();
            boolean queued;
            try {
                queued = answering[i] ? room.get(i).tryAcquire(timeoutMillis, java.util.concurrent.TimeUnit.MILLISECONDS)
                        : room.get(i).tryAcquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while posting", e);
            }
            if (!queued) {
                retry = new IOException(HttpPoster.shown(urls.get(i)) + ": " + QUEUED_BATCHES + " earlier batches still wait for it");
                everyFailureAskedToWait = false;
                continue;
            }
            try {
                replicaThreads.get(i).execute(() -> {
                    Posted p;
                    try {
                        p = new Posted(url, posters.get(url).post(urls.get(url), body, "application/json"), null);
                    } catch (IOException e) {
                        p = new Posted(url, null, e);
                    } finally {
                        room.get(url).release();
                    }
                    answering[url] = p.failure() == null;
                    synchronized (answers) {
                        if (!returned[0]) {
                            answers.add(p);
                            return;
                        }
                    }
                    lateAnswer(p, size);
                });
                sent++;
            } catch (java.util.concurrent.RejectedExecutionException e) {
                room.get(i).release(); // closing
                throw new IOException("sink closing: batch not posted to " + HttpPoster.shown(urls.get(i)), e);
            }
        }
        try {
            // until one URL has the batch: the others' posts go on, each URL's in turn on its own thread
            for (int left = sent; left > 0 && done.isEmpty(); left--) {
                Posted p = answers.take();
                int i = p.url();
                if (p.failure() != null) {
                    retry = new IOException(HttpPoster.shown(urls.get(i)) + ": " + p.failure().getMessage(), p.failure());
                    everyFailureAskedToWait = false;
                } else if (p.response().ok()) {
                    done.set(i);
                } else if (p.response().permanent()) {
                    HttpPoster.Response resp = p.response();
                    refused.set(i);
                    lastRefusal = "HTTP " + resp.status() + " from " + HttpPoster.shown(urls.get(i)) + ": " + resp.body();
                    if (done.cardinality() + refused.cardinality() < urls.size() || done.cardinality() > 0) {
                        // a failed attempt, logged; the batch's alerts are counted by its fate at the end
                        // (delivered when another URL takes them, refused when none does), not here
                        stats.failedTransiently();
                        log.warn("sink {}: {} refused a batch of {} for good: {}", name(), HttpPoster.shown(urls.get(i)), batch.size(),
                                lastRefusal);
                    }
                } else {
                    retry = p.response().failure(HttpPoster.shown(urls.get(i)));
                    if (retry instanceof RetryAfter r) {
                        retryAfter = Math.min(retryAfter, r.millis);
                    } else {
                        everyFailureAskedToWait = false;
                    }
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while posting", e);
        } finally {
            synchronized (answers) {
                returned[0] = true;
            }
        }
        if (retry != null && done.isEmpty()) {
            // one URL's Retry-After holds the next attempt back only when every URL that failed asked to wait
            retry = everyFailureAskedToWait && retryAfter != Long.MAX_VALUE
                    ? new RetryAfter(retry.getMessage(), retryAfter) : new IOException(retry.getMessage(), retry);
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
            if (!merge) {
                l.put("alert_id", a.id());
            }
            l.putAll(labels); // a configured label of an own name replaces it (warned at load)
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
        // posts still queued for a slower replica (the batch is delivered: another took it) get a moment
        for (java.util.concurrent.ThreadPoolExecutor t : replicaThreads) {
            t.shutdown();
        }
        long end = System.nanoTime() + 1_000_000_000L;
        try {
            for (java.util.concurrent.ThreadPoolExecutor t : replicaThreads) {
                t.awaitTermination(Math.max(0, end - System.nanoTime()), java.util.concurrent.TimeUnit.NANOSECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        for (int i = 0; i < replicaThreads.size(); i++) {
            replicaThreads.get(i).shutdownNow();
            posters.get(i).abort();
        }
    }

    /**
     * The answer of a post that outlived its batch's delivery (another URL had taken the batch): a
     * failure is counted as a failed attempt and logged at most once a minute per URL.
     */
    private void lateAnswer(Posted p, int batchSize) {
        if (p.failure() == null && p.response().ok()) {
            return;
        }
        stats.failedTransiently();
        long now = System.nanoTime();
        synchronized (lateFailureLogged) {
            if (lateFailureLogged[p.url()] != 0 && now - lateFailureLogged[p.url()] < 60_000_000_000L) {
                return;
            }
            lateFailureLogged[p.url()] = now;
        }
        log.warn("sink {}: {} did not take a batch of {} that another Alertmanager took: {}", name(),
                HttpPoster.shown(urls.get(p.url())), batchSize, p.failure() != null ? p.failure().getMessage()
                        : "HTTP " + p.response().status() + ": " + p.response().body());
    }
}
