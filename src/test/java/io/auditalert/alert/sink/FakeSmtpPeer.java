package io.auditalert.alert.sink;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** A local SMTP receiver speaking just enough RFC 5321 to take mail; records each message's data. */
public final class FakeSmtpPeer implements AutoCloseable {
    private final List<String> messages = new ArrayList<>();
    private volatile ServerSocket server;
    private volatile int dataReply = 250;
    private volatile String user;
    private volatile String password;
    private volatile String offeredAuth = "PLAIN LOGIN";
    private final List<String> logins = new ArrayList<>();
    private int port;

    public FakeSmtpPeer() throws IOException {
        start(0);
    }

    public synchronized void start(int onPort) throws IOException {
        ServerSocket s = new ServerSocket();
        s.setReuseAddress(true);
        FakeSyslogPeer.bindRetrying(() -> s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), onPort)));
        server = s;
        port = s.getLocalPort();
        Thread t = new Thread(() -> {
            while (!s.isClosed()) {
                try (Socket c = s.accept()) {
                    if (s.isClosed()) {
                        return; // accepted while stopping: the peer is down
                    }
                    session(c);
                } catch (IOException e) {
                    // next client
                }
            }
        }, "fake-smtp");
        t.setDaemon(true);
        t.start();
        acceptor = t;
    }

    private Thread acceptor;

    private final java.util.Set<String> refusedRecipients = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** Answers RCPT TO for this address with 550 (no such user). */
    public void refuseRecipient(String address) {
        refusedRecipients.add(address);
    }

    /** The reply to the end of DATA (250 accepts; 554 refuses for good; 451 asks to retry). */
    public void dataReply(int code) {
        dataReply = code;
    }

    /** Requires AUTH with these credentials, offering the given mechanisms ("PLAIN LOGIN"). */
    public void requireAuth(String user, String password, String mechanisms) {
        this.user = user;
        this.password = password;
        this.offeredAuth = mechanisms;
    }

    /** "MECHANISM user" for each successful login. */
    public List<String> logins() {
        synchronized (logins) {
            return new ArrayList<>(logins);
        }
    }

    private static String b64(String s) {
        return new String(java.util.Base64.getDecoder().decode(s.strip()), StandardCharsets.UTF_8);
    }

    private void session(Socket c) throws IOException {
        boolean authed = false;
        BufferedReader in = new BufferedReader(new InputStreamReader(c.getInputStream(), StandardCharsets.UTF_8));
        OutputStream out = c.getOutputStream();
        say(out, "220 fake ESMTP");
        String line;
        while ((line = in.readLine()) != null) {
            String cmd = line.length() >= 4 ? line.substring(0, 4).toUpperCase(java.util.Locale.ROOT) : line;
            switch (cmd) {
                case "EHLO":
                    say(out, "250-fake\r\n250-8BITMIME\r\n" + (user != null ? "250-AUTH " + offeredAuth + "\r\n" : "")
                            + "250 SIZE 1000000");
                    break;
                case "AUTH":
                    String u;
                    String pw;
                    String mech;
                    if (line.toUpperCase(java.util.Locale.ROOT).startsWith("AUTH PLAIN ")) {
                        String[] parts = b64(line.substring(11)).split("\u0000", -1);
                        u = parts.length == 3 ? parts[1] : "";
                        pw = parts.length == 3 ? parts[2] : "";
                        mech = "PLAIN";
                    } else {
                        say(out, "334 VXNlcm5hbWU6");
                        u = b64(in.readLine());
                        say(out, "334 UGFzc3dvcmQ6");
                        pw = b64(in.readLine());
                        mech = "LOGIN";
                    }
                    if (u.equals(user) && pw.equals(password)) {
                        authed = true;
                        synchronized (logins) {
                            logins.add(mech + " " + u);
                        }
                        say(out, "235 ok");
                    } else {
                        say(out, "535 bad credentials");
                    }
                    break;
                case "MAIL":
                    say(out, user != null && !authed ? "530 authentication required" : "250 ok");
                    break;
                case "RCPT":
                    String to = line.substring(line.indexOf('<') + 1, line.lastIndexOf('>'));
                    say(out, refusedRecipients.contains(to) ? "550 5.1.1 no such user" : "250 ok");
                    break;
                case "DATA":
                    say(out, "354 go ahead");
                    StringBuilder data = new StringBuilder();
                    String d;
                    while ((d = in.readLine()) != null && !d.equals(".")) {
                        data.append(d.startsWith("..") ? d.substring(1) : d).append('\n');
                    }
                    int code = dataReply;
                    if (code == 250) {
                        synchronized (messages) {
                            messages.add(data.toString());
                        }
                    }
                    say(out, code + " done");
                    break;
                case "QUIT":
                    say(out, "221 bye");
                    return;
                default:
                    say(out, "250 ok");
            }
        }
    }

    private static void say(OutputStream out, String s) throws IOException {
        out.write((s + "\r\n").getBytes(StandardCharsets.UTF_8));
        out.flush();
    }

    public synchronized void stop() throws IOException {
        if (server != null) {
            server.close();
            server = null;
            // the listening socket lives until the thread in accept() is woken (see FakeSyslogPeer)
            try {
                acceptor.join(5000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
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

    public List<String> messages() {
        synchronized (messages) {
            return new ArrayList<>(messages);
        }
    }

    @Override
    public void close() throws IOException {
        stop();
    }
}
