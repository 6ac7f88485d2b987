package io.auditalert.alert.sink;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import javax.net.ssl.SSLSocket;

/**
 * A minimal SMTP client (RFC 5321) for one message per connection: EHLO, optional STARTTLS (RFC
 * 3207, then EHLO again), optional AUTH PLAIN or LOGIN, MAIL FROM, RCPT TO for each recipient, DATA
 * with dot-stuffing, QUIT. A 4xx reply is transient ({@link IOException}, retried); a 5xx reply is
 * permanent ({@link Rejected}).
 */
final class SmtpClient {
    /** The server refused for good (5xx). */
    static final class Rejected extends Exception {
        private static final long serialVersionUID = 1L;
        private final int code;

        Rejected(String msg) {
            this(msg, 0);
        }

        Rejected(String msg, int code) {
            super(msg);
            this.code = code;
        }

        /** The mail is over the server's size limit (552, RFC 5321 §4.5.3.1.10): smaller ones may pass. */
        boolean tooLarge() {
            return code == 552 || getMessage().contains(" 5.3.4");
        }
    }

    record Settings(String host, int port, String helo, boolean starttls, TlsOptions tls, String username,
            String password, long timeoutMillis) {}

    private final Settings s;
    private volatile Socket socket;
    /** The TCP socket under the session (under TLS after STARTTLS): what an abort closes. */
    private volatile Socket tcp;
    private InputStream in;
    private OutputStream out;
    private final List<String> extensions = new ArrayList<>();

    SmtpClient(Settings s) {
        this.s = s;
    }

    /** Ends the session in progress from another thread (the sink is closing): its read or write fails at once. */
    void abort() {
        // the TCP socket, not the TLS one: an SSLSocket's close waits for a write blocked on a server
        // that stopped reading, the very write the abort is to end
        Socket so = tcp;
        if (so != null) {
            try {
                so.close();
            } catch (IOException e) {
                // closing anyway
            }
        }
    }

    /**
     * Sends one message; {@code message} is the header and body with CRLF line ends. A recipient the
     * server refuses for good (5xx to RCPT) is left out and the others get the message; when every
     * one is refused, the message is.
     *
     * @return why each refused recipient was refused (empty when none was)
     */
    List<String> send(String from, List<String> to, byte[] message, boolean eightBit) throws IOException, Rejected {
        List<String> refused = new ArrayList<>();
        try {
            socket = new Socket();
            tcp = socket;
            socket.connect(new InetSocketAddress(s.host(), s.port()), (int) s.timeoutMillis());
            socket.setSoTimeout((int) s.timeoutMillis());
            streams();
            expectForSession(reply(), 220);
            ehlo();
            if (s.starttls()) {
                if (!has("STARTTLS")) {
                    // not the server's final word on the mail (a 5xx): a configuration changing, or STARTTLS
                    // stripped on the way; retried, the alerts kept
                    throw new IOException("server " + s.host() + " does not offer STARTTLS");
                }
                sessionCommand("STARTTLS", 220);
                SSLSocket tls = (SSLSocket) s.tls().context().getSocketFactory()
                        .createSocket(socket, s.host(), s.port(), true);
                if (!s.tls().insecure()) {
                    javax.net.ssl.SSLParameters p = tls.getSSLParameters();
                    p.setEndpointIdentificationAlgorithm("HTTPS");
                    tls.setSSLParameters(p);
                }
                tls.startHandshake();
                socket = tls;
                streams();
                ehlo();
            }
            if (s.username() != null) {
                auth();
            }
            boolean use8 = eightBit && has("8BITMIME");
            writeLine("MAIL FROM:<" + from + ">" + (use8 ? " BODY=8BITMIME" : ""));
            int mailFrom = reply();
            if (mailFrom == 530) { // authentication required: the configuration's, not the mail's
                expectForSession(mailFrom, 250);
            }
            expect(mailFrom, 250);
            for (String r : to) {
                writeLine("RCPT TO:<" + r + ">");
                try {
                    expect(reply(), 250, 251);
                } catch (Rejected e) { // a stale address must not cut the others off
                    refused.add(r + ": " + e.getMessage());
                }
            }
            if (refused.size() == to.size()) {
                throw new Rejected("every recipient refused: " + String.join("; ", refused));
            }
            command("DATA", 354);
            writeData(message);
            expect(reply(), 250);
            try {
                command("QUIT", 221);
            } catch (IOException | Rejected e) {
                // the message is already accepted
            }
        } finally {
            if (socket != null) {
                socket.close();
            }
        }
        return refused;
    }

    /** Whether the server advertised 8BITMIME in its last EHLO (valid after {@link #send}). */
    private boolean has(String ext) {
        for (String e : extensions) {
            if (e.toUpperCase(Locale.ROOT).equals(ext) || e.toUpperCase(Locale.ROOT).startsWith(ext + " ")) {
                return true;
            }
        }
        return false;
    }

    private void streams() throws IOException {
        in = new BufferedInputStream(socket.getInputStream());
        out = new BufferedOutputStream(new WatchedOutput(socket.getOutputStream()));
    }

    /**
     * The socket's output, each write of which must be taken within the timeout: a socket's read
     * timeout does not bound writes, and a server that stops reading in the middle of DATA would hold
     * the sink for ever.
     */
    private final class WatchedOutput extends java.io.FilterOutputStream {
        WatchedOutput(OutputStream out) {
            super(out);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            Watchdog.within(s.timeoutMillis(), SmtpClient.this::abort, "the SMTP server took no data", () -> {
                out.write(b, off, len);
                return null;
            });
        }

        @Override
        public void write(int b) throws IOException {
            write(new byte[] {(byte) b}, 0, 1);
        }
    }

    private void ehlo() throws IOException, Rejected {
        writeLine("EHLO " + s.helo());
        List<String> lines = new ArrayList<>();
        int code = reply(lines);
        if (code != 250) {
            writeLine("HELO " + s.helo());
            expectForSession(reply(), 250);
            extensions.clear();
            return;
        }
        extensions.clear();
        extensions.addAll(lines.subList(1, lines.size()));
    }

    private void auth() throws IOException, Rejected {
        String mechs = "";
        for (String e : extensions) {
            if (e.toUpperCase(Locale.ROOT).startsWith("AUTH")) {
                mechs = e.toUpperCase(Locale.ROOT);
            }
        }
        Base64.Encoder b64 = Base64.getEncoder();
        if (mechs.contains("PLAIN")) {
            String token = "\0" + s.username() + "\0" + s.password();
            sessionCommand("AUTH PLAIN " + b64.encodeToString(token.getBytes(StandardCharsets.UTF_8)), 235);
        } else if (mechs.contains("LOGIN")) {
            sessionCommand("AUTH LOGIN", 334);
            sessionCommand(b64.encodeToString(s.username().getBytes(StandardCharsets.UTF_8)), 334);
            sessionCommand(b64.encodeToString(s.password().getBytes(StandardCharsets.UTF_8)), 235);
        } else {
            // as for STARTTLS: often a server that offers AUTH only after STARTTLS, and starttls is off
            throw new IOException("server " + s.host() + " offers neither AUTH PLAIN nor AUTH LOGIN"
                    + (s.starttls() ? "" : " (some offer it only after STARTTLS: starttls: true)"));
        }
    }

    private void command(String line, int... ok) throws IOException, Rejected {
        writeLine(line);
        expect(reply(), ok);
    }

    /** A command of the session (STARTTLS, AUTH): see {@link #expectForSession}. */
    private void sessionCommand(String line, int... ok) throws IOException {
        writeLine(line);
        expectForSession(reply(), ok);
    }

    /**
     * A reply about the session, not the mail (the greeting, HELO, STARTTLS, AUTH, 530 "authentication
     * required"): a 5xx there refuses this connection or this configuration (credentials, a server
     * that takes no mail now), not the alerts, so it fails the attempt like a 4xx: retried with
     * back-off, the alerts kept (in the spool when there is one) until the configuration is mended.
     */
    private void expectForSession(int code, int... ok) throws IOException {
        try {
            expect(code, ok);
        } catch (Rejected e) {
            throw new IOException(e.getMessage() + " (a refusal of the session, not of the mail: retried)");
        }
    }

    private int lastCode;
    private String lastText;

    private int reply() throws IOException {
        return reply(null);
    }

    /**
     * Reads a (possibly multi-line) reply within the timeout, all its lines together (a reply that
     * trickles in, or never ends, fails the attempt); returns its code.
     */
    private int reply(List<String> lines) throws IOException {
        return Watchdog.within(s.timeoutMillis(), this::abort, "no complete SMTP reply", () -> readReply(lines));
    }

    /** Lines of one reply at most: RFC 5321 sets no limit, EHLO answers take about a dozen. */
    static final int MAX_REPLY_LINES = 100;

    private int readReply(List<String> lines) throws IOException {
        StringBuilder text = new StringBuilder();
        for (int n = 1;; n++) {
            if (n > MAX_REPLY_LINES) {
                throw new IOException("SMTP reply of more than " + MAX_REPLY_LINES + " lines");
            }
            String l = readLine();
            if (l.length() < 3) {
                throw new IOException("bad SMTP reply: " + l);
            }
            int code;
            try {
                code = Integer.parseInt(l.substring(0, 3));
            } catch (NumberFormatException e) {
                throw new IOException("bad SMTP reply: " + l);
            }
            String rest = l.length() > 4 ? l.substring(4) : "";
            if (lines != null) {
                lines.add(rest);
            }
            text.append(rest).append(' ');
            if (l.length() == 3 || l.charAt(3) == ' ') {
                lastCode = code;
                lastText = text.toString().strip();
                return code;
            }
        }
    }

    private void expect(int code, int... ok) throws IOException, Rejected {
        for (int o : ok) {
            if (code == o) {
                return;
            }
        }
        String msg = "SMTP " + lastCode + " " + lastText;
        if (code >= 500) {
            throw new Rejected(msg, code);
        }
        throw new IOException(msg);
    }

    private String readLine() throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        int c;
        while ((c = in.read()) != -1) {
            if (c == '\n') {
                break;
            }
            if (c != '\r') {
                b.write(c);
            }
            if (b.size() > 4096) {
                throw new IOException("SMTP reply line too long");
            }
        }
        if (c == -1 && b.size() == 0) {
            throw new IOException("SMTP server closed the connection");
        }
        return b.toString(StandardCharsets.UTF_8);
    }

    private void writeLine(String line) throws IOException {
        out.write(line.getBytes(StandardCharsets.UTF_8));
        out.write('\r');
        out.write('\n');
        out.flush();
    }

    /** Writes the message with CRLF line ends and dot-stuffing, then the final ".". */
    private void writeData(byte[] msg) throws IOException {
        boolean lineStart = true;
        for (int i = 0; i < msg.length; i++) {
            byte c = msg[i];
            if (lineStart && c == '.') {
                out.write('.');
            }
            if (c == '\n' && (i == 0 || msg[i - 1] != '\r')) {
                out.write('\r');
            }
            out.write(c);
            lineStart = c == '\n';
        }
        if (!lineStart) {
            out.write('\r');
            out.write('\n');
        }
        out.write(".\r\n".getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }
}
