package io.auditalert.alert.sink;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;

/**
 * A local HTTP receiver (JDK HttpServer) that records every POST body and answers with a chosen
 * status; it can be stopped (connection refused) and started again on the same port.
 */
public final class FakeHttpPeer implements AutoCloseable {
    public record Request(String path, Map<String, List<String>> headers, String body) {}

    private final List<Request> requests = new ArrayList<>();
    private final AtomicInteger posts = new AtomicInteger();
    private volatile IntSupplier status = () -> 200;
    private HttpServer server;
    private int port;

    public FakeHttpPeer() throws IOException {
        start(0);
    }

    public synchronized void start(int onPort) throws IOException {
        IOException last = null;
        for (int attempt = 0; attempt < 50; attempt++) {
            try {
                server = HttpServer.create(new InetSocketAddress("127.0.0.1", onPort), 50);
                break;
            } catch (java.net.BindException e) {
                last = e;
                try {
                    Thread.sleep(100);
                } catch (InterruptedException ie) {
                    throw new IOException(ie);
                }
            }
        }
        if (server == null) {
            throw last;
        }
        server.createContext("/", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = in.readAllBytes();
            }
            int code = status.getAsInt();
            posts.incrementAndGet();
            if (code >= 200 && code < 300) {
                synchronized (requests) {
                    requests.add(new Request(ex.getRequestURI().getPath(), Map.copyOf(ex.getRequestHeaders()),
                            new String(body, StandardCharsets.UTF_8)));
                }
            }
            byte[] answer = code >= 400 ? ("refused with " + code).getBytes(StandardCharsets.UTF_8) : new byte[0];
            if (code >= 300 && code < 400) {
                ex.getResponseHeaders().add("Location", url("/moved?token=hunter2"));
            }
            ex.sendResponseHeaders(code, answer.length == 0 ? -1 : answer.length);
            if (answer.length > 0) {
                ex.getResponseBody().write(answer);
            }
            ex.close();
        });
        server.start();
        port = server.getAddress().getPort();
    }

    public synchronized void stop() {
        if (server != null) {
            server.stop(0);
            server = null;
        }
    }

    /** Starts the peer again on its port, unless it is running. */
    public synchronized void restart() throws IOException {
        if (server != null) {
            return;
        }
        start(port);
    }

    public int port() {
        return port;
    }

    public String url(String path) {
        return "http://127.0.0.1:" + port + path;
    }

    public void answer(IntSupplier s) {
        status = s;
    }

    /** Every POST seen, accepted or not. */
    public int posts() {
        return posts.get();
    }

    public List<Request> requests() {
        synchronized (requests) {
            return new ArrayList<>(requests);
        }
    }

    public String bodies() {
        StringBuilder sb = new StringBuilder();
        for (Request r : requests()) {
            sb.append(r.body()).append('\n');
        }
        return sb.toString();
    }

    @Override
    public void close() {
        stop();
    }
}
