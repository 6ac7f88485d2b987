package io.auditalert.metrics;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import org.mindrot.jbcrypt.BCrypt;
import org.snakeyaml.engine.v2.api.Load;
import org.snakeyaml.engine.v2.api.LoadSettings;
import org.snakeyaml.engine.v2.exceptions.YamlEngineException;

/**
 * The metrics endpoint's web configuration, in the shape of Prometheus's own {@code web.yml}:
 *
 * <pre>
 * tls_server_config:          # optional: serve HTTPS
 *   cert_file: server.crt     # PEM certificate chain
 *   key_file: server.key      # PEM PKCS#8 private key (RSA, EC or Ed25519)
 * basic_auth_users:           # optional: every request needs one of these users
 *   prometheus: $2y$10$...    # bcrypt hash ($2a$, $2b$ or $2y$), e.g. from htpasswd -nBC 10
 * </pre>
 *
 * Relative file names are resolved against the config file's folder. Keys the endpoint does not
 * implement are an error rather than silently ignored, since they are usually security settings.
 */
public final class WebConfig {
    private static final Pattern BCRYPT = Pattern.compile("\\$2[aby]\\$\\d\\d\\$[./A-Za-z0-9]{53}");
    private final SSLContext ssl;
    /** A SHA-256 of the bytes of the file and of the TLS files it names: a reload compares it. */
    private String fingerprint = "";
    private final Map<String, String> users;
    private final Map<String, byte[]> verified = new ConcurrentHashMap<>();
    /**
     * A hash of a random password at the highest cost of the users', checked for unknown users: a wrong
     * password costs the same time whether the user exists or not (a cost-10 dummy told them apart).
     */
    private final String dummyHash;
    /**
     * One bcrypt check at a time: a flood of wrong passwords (each a bcrypt on the plugin's CPU) must not
     * take every request thread from the scraper, whose verified credentials need no bcrypt.
     */
    final java.util.concurrent.Semaphore bcryptSlot = new java.util.concurrent.Semaphore(1);

    private WebConfig(SSLContext ssl, Map<String, String> users, boolean serving) {
        this.ssl = ssl;
        this.users = users;
        int cost = 4;
        for (String h : users.values()) {
            cost = Math.max(cost, cost(h));
        }
        // one bcrypt at the users' cost: about a second at cost 14, not spent on a check or a reload's compare
        this.dummyHash = users.isEmpty() || !serving ? null
                : BCrypt.hashpw(java.util.UUID.randomUUID().toString(), BCrypt.gensalt(cost));
    }

    /** The bcrypt cost of the hash checked for unknown users (for tests). */
    int unknownUserCost() {
        return dummyHash == null ? 0 : cost(dummyHash);
    }

    /** The cost of a bcrypt hash ({@code $2b$12$…}: 12). */
    private static int cost(String hash) {
        return Integer.parseInt(hash.substring(4, 6));
    }

    /** No TLS, no authentication. */
    public static WebConfig none() {
        return new WebConfig(null, Map.of(), true);
    }

    /**
     * What the endpoint serves by, as read: the web.yml and the certificate and key it names. A reload
     * whose files read differently says that the change takes a restart (the running endpoint keeps
     * the credentials and the certificate it started with).
     */
    public String fingerprint() {
        return fingerprint;
    }

    /** Reads and checks a web config file; every problem is an {@link IllegalArgumentException} naming it. */
    public static WebConfig load(Path file) throws IOException {
        return load(file, true);
    }

    /**
     * Checks a web config file as {@link #load(Path)} does and returns its {@link #fingerprint()},
     * without building what serving needs.
     */
    public static String validate(Path file) throws IOException {
        return load(file, false).fingerprint;
    }

    private static WebConfig load(Path file, boolean serving) throws IOException {
        String refused = io.auditalert.config.TrustedFiles.refusal(file); // it says who may read /metrics
        if (refused != null) {
            throw new IllegalArgumentException(file + ": " + refused);
        }
        MessageDigest read = digest();
        byte[] bytes = Files.readAllBytes(file);
        read.update(bytes);
        String text;
        try {
            text = StandardCharsets.UTF_8.newDecoder().decode(java.nio.ByteBuffer.wrap(bytes)).toString();
        } catch (java.nio.charset.CharacterCodingException e) {
            // decoding leniently would turn a Latin-1 password hash or user name into U+FFFD
            throw new IllegalArgumentException(file + ": file is not valid UTF-8 (a Latin-1 editor?)", e);
        }
        WebConfig w = load(file, text, read, serving);
        w.fingerprint = java.util.HexFormat.of().formatHex(read.digest());
        return w;
    }

    private static MessageDigest digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static WebConfig load(Path file, String text, MessageDigest read, boolean serving) throws IOException {
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(file.toString()).build()).loadFromString(text);
        } catch (YamlEngineException e) {
            throw new IllegalArgumentException(file + ": " + e.getMessage(), e);
        }
        if (root == null) {
            return none();
        }
        Map<?, ?> top = map(root, file + "");
        only(top, Set.of("tls_server_config", "basic_auth_users"), file + "");
        SSLContext ssl = null;
        if (top.get("tls_server_config") != null) {
            Map<?, ?> tls = map(top.get("tls_server_config"), file + ": tls_server_config");
            only(tls, Set.of("cert_file", "key_file"), file + ": tls_server_config");
            Path dir = file.toAbsolutePath().getParent();
            ssl = sslContext(dir.resolve(string(tls, "cert_file", file)), dir.resolve(string(tls, "key_file", file)), read);
        }
        Map<String, String> users = new LinkedHashMap<>();
        if (top.get("basic_auth_users") != null) {
            for (Map.Entry<?, ?> e : map(top.get("basic_auth_users"), file + ": basic_auth_users").entrySet()) {
                String user = String.valueOf(e.getKey());
                String hash = e.getValue() == null ? "" : String.valueOf(e.getValue());
                if (!BCRYPT.matcher(hash).matches()) {
                    throw new IllegalArgumentException(
                            file + ": basic_auth_users." + user + " is not a bcrypt hash ($2a$/$2b$/$2y$)");
                }
                if (cost(hash) < 4 || cost(hash) > 30) {
                    // bcrypt refuses a cost below 4 (nobody could log in), and above 30 a check would not end
                    throw new IllegalArgumentException(file + ": basic_auth_users." + user + " has bcrypt cost "
                            + cost(hash) + "; expected 4 to 30 (htpasswd -nBC 10 makes 10)");
                }
                users.put(user, hash);
            }
        }
        return new WebConfig(ssl, Map.copyOf(users), serving);
    }

    /** The TLS context, or null for plain HTTP. */
    public SSLContext ssl() {
        return ssl;
    }

    public boolean requiresAuth() {
        return !users.isEmpty();
    }

    /** What {@link #check} makes of a request's credentials. */
    public enum Verdict {
        ALLOWED,
        REFUSED,
        /** Not checked: other bcrypt checks held the one slot for 2 s; asking again later may pass. */
        BUSY
    }

    /** Whether an {@code Authorization} header value lets the request in (a busy check counts as no). */
    public boolean authorized(String authorization) {
        return check(authorization) == Verdict.ALLOWED;
    }

    /**
     * Checks an {@code Authorization} header value. A success is remembered (as a SHA-256 of the
     * credentials) so that a scrape every few seconds does not pay for bcrypt each time.
     */
    public Verdict check(String authorization) {
        if (users.isEmpty()) {
            return Verdict.ALLOWED;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return Verdict.REFUSED;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return Verdict.REFUSED;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return Verdict.REFUSED;
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        byte[] digest = sha256(decoded);
        byte[] known = verified.get(user);
        if (known != null && MessageDigest.isEqual(known, digest)) {
            return Verdict.ALLOWED;
        }
        String hash = users.get(user);
        try {
            if (!bcryptSlot.tryAcquire(2, java.util.concurrent.TimeUnit.SECONDS)) {
                // other checks are running: not checked (a 503, so that right credentials arriving with
                // others, Prometheus replicas after a restart, are not told they are wrong)
                return Verdict.BUSY;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return Verdict.BUSY;
        }
        boolean ok;
        try {
            ok = bcryptMatches(password, hash != null ? hash : dummyHash) && hash != null;
        } finally {
            bcryptSlot.release();
        }
        if (ok) {
            verified.put(user, digest);
        }
        return ok ? Verdict.ALLOWED : Verdict.REFUSED;
    }

    /** bcrypt check accepting the $2a$, $2b$ and $2y$ prefixes (identical for passwords under 72 bytes). */
    static boolean bcryptMatches(String password, String hash) {
        String normalized = "$2a$" + hash.substring(4);
        try {
            return BCrypt.checkpw(password, normalized);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static SSLContext sslContext(Path certFile, Path keyFile, MessageDigest read) throws IOException {
        try {
            byte[] certBytes = Files.readAllBytes(certFile);
            read.update(certBytes);
            Collection<? extends Certificate> chain;
            try {
                chain = CertificateFactory.getInstance("X.509").generateCertificates(new ByteArrayInputStream(certBytes));
            } catch (GeneralSecurityException e) {
                throw new IllegalArgumentException(certFile + ": not a PEM certificate chain (" + e.getMessage() + ")", e);
            }
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(certFile + ": no certificate");
            }
            PrivateKey key = privateKey(keyFile, read);
            if (!matches(key, chain.iterator().next().getPublicKey())) {
                // else every handshake fails, and the server logs nothing of it
                throw new IllegalArgumentException(keyFile + ": the private key does not match the certificate in "
                        + certFile);
            }
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            char[] pw = new char[0];
            ks.setKeyEntry("auditalert", key, pw, chain.toArray(new Certificate[0]));
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, pw);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(kmf.getKeyManagers(), null, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("tls_server_config: " + e.getMessage(), e);
        }
    }

    /** Whether the key signs what the certificate's public key verifies. */
    private static boolean matches(PrivateKey key, java.security.PublicKey pub) {
        String alg = switch (key.getAlgorithm()) {
            case "RSA" -> "SHA256withRSA";
            case "EC" -> "SHA256withECDSA";
            default -> key.getAlgorithm(); // EdDSA, Ed25519, Ed448
        };
        try {
            byte[] probe = "auditalert web_config".getBytes(StandardCharsets.US_ASCII);
            java.security.Signature sign = java.security.Signature.getInstance(alg);
            sign.initSign(key);
            sign.update(probe);
            byte[] sig = sign.sign();
            java.security.Signature verify = java.security.Signature.getInstance(alg);
            verify.initVerify(pub);
            verify.update(probe);
            return verify.verify(sig);
        } catch (GeneralSecurityException e) {
            return false; // another algorithm than the certificate's
        }
    }

    private static PrivateKey privateKey(Path keyFile, MessageDigest read) throws IOException {
        byte[] bytes = Files.readAllBytes(keyFile);
        read.update(bytes);
        String pem = new String(bytes, StandardCharsets.US_ASCII);
        String begin = "-----BEGIN PRIVATE KEY-----";
        int a = pem.indexOf(begin);
        int b = pem.indexOf("-----END PRIVATE KEY-----");
        if (a < 0 || b < a) {
            throw new IllegalArgumentException(keyFile + ": expected a PEM PKCS#8 key (BEGIN PRIVATE KEY); "
                    + "convert with: openssl pkcs8 -topk8 -nocrypt -in KEY -out KEY.pk8");
        }
        byte[] der = Base64.getMimeDecoder().decode(pem.substring(a + begin.length(), b));
        for (String alg : new String[] {"RSA", "EC", "Ed25519", "Ed448"}) {
            try {
                return KeyFactory.getInstance(alg).generatePrivate(new PKCS8EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next algorithm
            }
        }
        throw new IllegalArgumentException(keyFile + ": unsupported private key algorithm");
    }

    private static Map<?, ?> map(Object o, String where) {
        if (!(o instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(where + ": expected a mapping");
        }
        return m;
    }

    private static void only(Map<?, ?> m, Set<String> allowed, String where) {
        for (Object k : m.keySet()) {
            if (!allowed.contains(String.valueOf(k))) {
                throw new IllegalArgumentException(where + ": unsupported key '" + k + "' (supported: "
                        + String.join(", ", allowed.stream().sorted().toList()) + ")");
            }
        }
    }

    private static String string(Map<?, ?> m, String key, Path file) {
        Object v = m.get(key);
        if (v == null || String.valueOf(v).isBlank()) {
            throw new IllegalArgumentException(file + ": tls_server_config." + key + " is required");
        }
        return String.valueOf(v);
    }

    private static byte[] sha256(String s) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
