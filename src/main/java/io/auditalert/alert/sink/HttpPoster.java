package io.auditalert.alert.sink;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.HttpURLConnection;
import java.net.URL;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLSocketFactory;

/**
 * Synchronous HTTP POST on the sink's own thread (no client thread pool): keep-alive through the
 * JDK's connection cache, timeouts on connect and read, TLS per {@link TlsOptions}.
 */
final class HttpPoster {
    /**
     * A URL as logs show it: without its query, which can carry a token ({@code ?token=…}); a
     * password in it is refused at load.
     */
    static String shown(java.net.URL url) {
        return withoutQuery(url.toString());
    }

    /**
     * A peer's answer: its status, the start of its body (for logs), and the wait its Retry-After
     * asked for in milliseconds (0: none, or an HTTP date, which is not read).
     */
    record Response(int status, String body, long retryAfterMillis) {
        Response(int status, String body) {
            this(status, body, 0);
        }

        /** The failure to retry this answer as: waiting at least what Retry-After asked. */
        java.io.IOException failure(String what) {
            String msg = "HTTP " + status + " from " + what + ": " + body;
            return retryAfterMillis > 0 ? new DeliverySink.RetryAfter(msg, retryAfterMillis) : new java.io.IOException(msg);
        }

        boolean ok() {
            return status >= 200 && status < 300;
        }

        /**
         * 4xx other than 408 (timeout) and 429 (too many requests): the request itself is wrong; and 3xx:
         * redirects are not followed (the configured URL is not the peer's), and asking again changes nothing.
         */
        boolean permanent() {
            return status >= 300 && status < 400 || status >= 400 && status < 500 && status != 408 && status != 429;
        }
    }

    /** Reports header names that are no HTTP token and values with control characters (CR LF would split them). */
    static void checkHeaders(io.auditalert.alert.SpecReader r, Map<String, String> headers) {
        for (Map.Entry<String, String> h : headers.entrySet()) {
            if (!h.getKey().matches("[!#$%&'*+.^_`|~0-9A-Za-z-]+")) {
                r.error(java.util.List.of("headers", h.getKey()), "not a valid header name");
            }
            if (h.getValue().chars().anyMatch(c -> c < 0x20 && c != '\t' || c == 0x7f)) {
                r.error(java.util.List.of("headers", h.getKey()), "the value has a control character (CR, LF, …)");
            }
        }
    }

    /** A URL as logs show it: without its query or fragment (a token in a redirect's Location, say). */
    static String withoutQuery(String url) {
        int q = url.indexOf('?');
        int f = url.indexOf('#');
        int end = q >= 0 ? q : f >= 0 ? f : url.length();
        return end < url.length() ? url.substring(0, end) + "?…" : url;
    }

    /** A peer's answer as one line of at most 200 characters, for the log (a page of HTML is many lines). */
    static String oneLine(String text) {
        String s = text.replaceAll("[\\p{Cntrl}\\s]+", " ").strip();
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }

    private final Map<String, String> headers;
    private final int connectTimeoutMillis;
    private final int readTimeoutMillis;
    private final TlsOptions tls;
    private SSLSocketFactory sslFactory;
    /** The request in progress, for {@link #abort}; and whether the sink is closing. */
    private volatile HttpURLConnection current;
    private volatile boolean aborted;

    HttpPoster(Map<String, String> headers, long timeoutMillis, TlsOptions tls) {
        this.headers = headers;
        this.connectTimeoutMillis = (int) Math.min(timeoutMillis, Integer.MAX_VALUE);
        this.readTimeoutMillis = (int) Math.min(timeoutMillis, Integer.MAX_VALUE);
        this.tls = tls;
    }

    /**
     * Ends the request in progress and refuses any later one: a peer that accepted the connection
     * and never answers would otherwise hold the sink's close for the whole read timeout (10 s by
     * default), and auditd waits for a stopping plugin.
     */
    void abort() {
        aborted = true;
        HttpURLConnection c = current;
        if (c != null) {
            end(c);
        }
    }

    /** The TCP socket under the HTTPS connection made last, for {@link #end}. */
    private volatile java.net.Socket tcp;

    /**
     * Closes the connection under a blocked connect, write or read. Under TLS the TCP socket is closed
     * first: an SSLSocket's close waits for a write blocked on a peer that stopped reading.
     */
    private void end(HttpURLConnection c) {
        java.net.Socket t = tcp;
        if (t != null && c instanceof HttpsURLConnection) {
            try {
                t.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
        c.disconnect();
    }

    /**
     * Makes the JDK's HTTPS client connect a plain socket and layer TLS over it here (it does when
     * the factory makes no unconnected socket), so that the TCP socket is known to {@link #end}.
     */
    private final class TcpKeeping extends SSLSocketFactory {
        private final SSLSocketFactory tlsFactory;

        TcpKeeping(SSLSocketFactory tlsFactory) {
            this.tlsFactory = tlsFactory;
        }

        @Override
        public java.net.Socket createSocket() throws IOException {
            java.net.SocketException e = new java.net.SocketException("unconnected sockets are not made here");
            e.initCause(new UnsupportedOperationException());
            throw e;
        }

        @Override
        public java.net.Socket createSocket(java.net.Socket s, String host, int port, boolean autoClose)
                throws IOException {
            tcp = s;
            return tlsFactory.createSocket(s, host, port, autoClose);
        }

        @Override
        public java.net.Socket createSocket(String host, int port) throws IOException {
            return tlsFactory.createSocket(host, port);
        }

        @Override
        public java.net.Socket createSocket(String host, int port, java.net.InetAddress local, int localPort)
                throws IOException {
            return tlsFactory.createSocket(host, port, local, localPort);
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port) throws IOException {
            return tlsFactory.createSocket(host, port);
        }

        @Override
        public java.net.Socket createSocket(java.net.InetAddress host, int port, java.net.InetAddress local,
                int localPort) throws IOException {
            return tlsFactory.createSocket(host, port, local, localPort);
        }

        @Override
        public String[] getDefaultCipherSuites() {
            return tlsFactory.getDefaultCipherSuites();
        }

        @Override
        public String[] getSupportedCipherSuites() {
            return tlsFactory.getSupportedCipherSuites();
        }
    }

    Response post(URL url, byte[] body, String contentType) throws IOException {
        HttpURLConnection c = (HttpURLConnection) url.openConnection();
        current = c;
        try {
            if (aborted) {
                throw new IOException("sink closing: request not sent");
            }
            return exchange(c, body, contentType);
        } catch (IOException e) {
            throw aborted ? new IOException("sink closing: request aborted", e) : e;
        } finally {
            current = null;
        }
    }

    private Response exchange(HttpURLConnection c, byte[] body, String contentType) throws IOException {
        if (c instanceof HttpsURLConnection) {
            HttpsURLConnection s = (HttpsURLConnection) c;
            if (sslFactory == null) {
                sslFactory = new TcpKeeping(tls.context().getSocketFactory());
            }
            s.setSSLSocketFactory(sslFactory);
            if (tls.insecure()) {
                s.setHostnameVerifier((host, session) -> true);
            }
        }
        c.setRequestMethod("POST");
        c.setConnectTimeout(connectTimeoutMillis);
        c.setReadTimeout(readTimeoutMillis);
        c.setDoOutput(true);
        c.setInstanceFollowRedirects(false);
        c.setFixedLengthStreamingMode(body.length);
        c.setRequestProperty("Content-Type", contentType);
        c.setRequestProperty("User-Agent", "auditalert");
        c.setRequestProperty("Accept", "*/*"); // not the JDK's "text/html, image/gif, image/jpeg, *; q=.2"
        for (Map.Entry<String, String> h : headers.entrySet()) {
            c.setRequestProperty(h.getKey(), h.getValue());
        }
        // a socket's read timeout bounds each read, not an answer that trickles in, and nothing bounds a
        // write to a peer that stopped reading: each step below must end within the timeout, or the
        // watchdog closes the connection under it
        try (OutputStream out = c.getOutputStream()) {
            for (int off = 0; off < body.length; off += WRITE_CHUNK) {
                int from = off;
                int n = Math.min(WRITE_CHUNK, body.length - off);
                watched(c, "the peer took no data", () -> {
                    out.write(body, from, n);
                    return null;
                });
            }
        }
        int status = watched(c, "no answer", c::getResponseCode);
        long retryAfter = retryAfter(c.getHeaderField("Retry-After")); // read with the status, before any close
        String location = status >= 300 && status < 400 ? c.getHeaderField("Location") : null;
        if (status < 200) {
            // an interim answer (103 Early Hints) that HttpURLConnection gives as the final one: what
            // follows it cannot be read on this connection
            c.disconnect();
            return new Response(status, "interim answer " + status + " with no final one read");
        }
        String text = "";
        // read by this thread against the clock, read by read: the watchdog's close of the connection
        // waits for the JDK stream's lock, which a body trickling in a byte at a time hands from read to
        // read to this thread (a review saw a 3 s timeout take 41 s). The watchdog is only the backstop,
        // so it expires after this thread's own deadline, not a hair before it: closing under a read
        // still in progress queued the body for the JDK's keep-alive cleaner, which then drained the
        // trickle under the same lock (a CI run took 21 s for a 3 s timeout)
        long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(readTimeoutMillis);
        Watchdog.Armed w = Watchdog.arm(readTimeoutMillis + BODY_WATCHDOG_GRACE_MILLIS, () -> end(c));
        try (InputStream in = status >= 400 ? c.getErrorStream() : c.getInputStream()) {
            if (in != null) {
                byte[] head = new byte[512];
                int got = 0;
                boolean ended = false;
                while (got < head.length && System.nanoTime() - deadline < 0) {
                    int n = in.read(head, got, head.length - got);
                    if (n < 0) {
                        ended = true;
                        break;
                    }
                    got += n;
                }
                text = oneLine(new String(head, 0, got, StandardCharsets.UTF_8));
                // the rest, so the connection can carry the next request; a long or slow body is not read
                // (the connection is closed instead), and a failure reading it after a 2xx status
                // does not undo the delivery
                byte[] skip = new byte[8192];
                for (long skipped = 0; !ended && skipped <= MAX_BODY && System.nanoTime() - deadline < 0; ) {
                    int n = in.read(skip);
                    if (n < 0) {
                        ended = true;
                    } else {
                        skipped += n;
                    }
                }
                if (!ended) {
                    c.disconnect();
                }
            }
        } catch (IOException e) {
            c.disconnect();
            if (status < 200 || status >= 300) {
                throw e;
            }
        } finally {
            w.disarm();
        }
        if (location != null) {
            // redirects are not followed: the log says where to point the URL instead
            text = "redirect to " + withoutQuery(oneLine(location))
                    + " not followed (configure that URL if it is the receiver)"
                    + (text.isEmpty() ? "" : "; " + text);
        }
        return new Response(status, text, retryAfter);
    }

    /** Retry-After in delay-seconds as milliseconds, at most an hour; 0 for none or an HTTP date. */
    static long retryAfter(String value) {
        if (value == null || !value.strip().matches("[0-9]{1,9}")) {
            return 0;
        }
        return Math.min(Long.parseLong(value.strip()), 3600) * 1000;
    }

    /** How much later than the body's own deadline its watchdog closes the connection. */
    private static final long BODY_WATCHDOG_GRACE_MILLIS = 1000;
    /** Bytes of a request body written under one watch. */
    private static final int WRITE_CHUNK = 64 << 10;
    /** Bytes of an answer's body read at most, beyond the 512 kept for the log. */
    private static final long MAX_BODY = 64 << 10;

    /** Runs one step of the exchange within the timeout; past it the connection is closed and this fails. */
    private <T> T watched(HttpURLConnection c, String what, Watchdog.Step<T> step) throws IOException {
        return Watchdog.within(readTimeoutMillis, () -> end(c), what, step);
    }
}
