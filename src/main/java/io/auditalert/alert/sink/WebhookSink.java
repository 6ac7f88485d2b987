package io.auditalert.alert.sink;

import io.auditalert.alert.Alert;
import io.auditalert.alert.SpecReader;
import io.auditalert.metrics.Telemetry;
import java.io.IOException;
import java.net.MalformedURLException;
import java.net.URI;
import java.net.URL;
import java.util.List;
import java.util.Map;

/**
 * {@code {type: webhook, url: https://…, headers: {Authorization: "Bearer …"}, timeout: 10s, tls:
 * {ca_file: …, insecure: false}}}: one POST per item, the body being the alert's (or event's) JSON
 * object. 2xx is delivered; 4xx other than 408/429 is refused for good (counted, logged, not
 * retried); 408, 429, 5xx and connection errors are retried with back-off.
 */
public final class WebhookSink extends DeliverySink {
    private final URL url;
    private final HttpPoster poster;

    WebhookSink(SinkOptions options, Telemetry telemetry, URL url, HttpPoster poster) {
        super(options, telemetry);
        this.url = url;
        this.poster = poster;
    }

    static WebhookSink create(SpecReader r, Telemetry t) {
        SinkOptions o = SinkOptions.read(r, "webhook", 16);
        URL url = httpUrl(r, "url", r.requiredString("url"));
        Map<String, String> headers = r.stringMap("headers");
        HttpPoster.checkHeaders(r, headers);
        long timeout = r.duration("timeout", 10_000, 1);
        TlsOptions tls = TlsOptions.read(r);
        r.finish();
        return r.errors().isEmpty() && t != null ? new WebhookSink(o, t, url, new HttpPoster(headers, timeout, tls)) : null;
    }

    static URL httpUrl(SpecReader r, String key, String s) {
        if (s == null) {
            return null;
        }
        try {
            URI u = new URI(s);
            if (!("http".equals(u.getScheme()) || "https".equals(u.getScheme())) || u.getHost() == null) {
                // not the URL itself: it can hold a password or a token, and this goes to the log
                r.error(key, "expected an http:// or https:// URL with a host, got "
                        + (u.getScheme() == null ? "no scheme" : "a " + u.getScheme() + ": URL"));
                return null;
            }
            if (u.getRawUserInfo() != null) {
                // never sent by the HTTP client, and the URL is written to the log
                r.error(key, "credentials in the URL are not sent: put them in headers (Authorization: Basic …)");
                return null;
            }
            return u.toURL();
        } catch (java.net.URISyntaxException e) {
            r.error(key, "not a valid URL: " + e.getReason() + " at index " + e.getIndex());
            return null;
        } catch (MalformedURLException | IllegalArgumentException e) {
            r.error(key, "not a valid URL");
            return null;
        }
    }

    @Override
    protected void deliver(List<Alert> batch, Outcome out) throws IOException {
        for (Alert a : batch) {
            HttpPoster.Response resp = poster.post(url, a.json(), "application/json");
            if (resp.ok()) {
                out.accept(1);
            } else if (resp.permanent()) {
                out.reject(1, "HTTP " + resp.status() + " from " + HttpPoster.shown(url) + ": " + resp.body());
            } else {
                throw resp.failure(HttpPoster.shown(url));
            }
        }
    }

    @Override
    protected void abortDelivery() {
        poster.abort();
    }
}
