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
    private final java.util.concurrent.Semaphore bcryptSlot = new java.util.concurrent.Semaphore(1);

    private WebConfig(SSLContext ssl, Map<String, String> users) {
        this.ssl = ssl;
        this.users = users;
        int cost = 4;
        for (String h : users.values()) {
            cost = Math.max(cost, cost(h));
        }
        this.dummyHash = users.isEmpty() ? null
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
        return new WebConfig(null, Map.of());
    }

    /** Reads and checks a web config file; every problem is an {@link IllegalArgumentException} naming it. */
    public static WebConfig load(Path file) throws IOException {
        Object root;
        try {
            root = new Load(LoadSettings.builder().setLabel(file.toString()).build())
                    .loadFromString(Files.readString(file, StandardCharsets.UTF_8));
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
            ssl = sslContext(dir.resolve(string(tls, "cert_file", file)), dir.resolve(string(tls, "key_file", file)));
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
                users.put(user, hash);
            }
        }
        return new WebConfig(ssl, Map.copyOf(users));
    }

    /** The TLS context, or null for plain HTTP. */
    public SSLContext ssl() {
        return ssl;
    }

    public boolean requiresAuth() {
        return !users.isEmpty();
    }

    /**
     * Checks an {@code Authorization} header value. A success is remembered (as a SHA-256 of the
     * credentials) so that a scrape every few seconds does not pay for bcrypt each time.
     */
    public boolean authorized(String authorization) {
        if (users.isEmpty()) {
            return true;
        }
        if (authorization == null || !authorization.regionMatches(true, 0, "Basic ", 0, 6)) {
            return false;
        }
        String decoded;
        try {
            decoded = new String(Base64.getDecoder().decode(authorization.substring(6).trim()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return false;
        }
        int colon = decoded.indexOf(':');
        if (colon < 0) {
            return false;
        }
        String user = decoded.substring(0, colon);
        String password = decoded.substring(colon + 1);
        byte[] digest = sha256(decoded);
        byte[] known = verified.get(user);
        if (known != null && MessageDigest.isEqual(known, digest)) {
            return true;
        }
        String hash = users.get(user);
        try {
            if (!bcryptSlot.tryAcquire(2, java.util.concurrent.TimeUnit.SECONDS)) {
                return false; // other checks are running: refused without one more bcrypt
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
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
        return ok;
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

    private static SSLContext sslContext(Path certFile, Path keyFile) throws IOException {
        try {
            Collection<? extends Certificate> chain = CertificateFactory.getInstance("X.509")
                    .generateCertificates(new ByteArrayInputStream(Files.readAllBytes(certFile)));
            if (chain.isEmpty()) {
                throw new IllegalArgumentException(certFile + ": no certificate");
            }
            PrivateKey key = privateKey(keyFile);
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

    private static PrivateKey privateKey(Path keyFile) throws IOException {
        String pem = Files.readString(keyFile, StandardCharsets.US_ASCII);
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
