package io.auditalert.alert.sink;

import io.auditalert.alert.SpecReader;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;

/**
 * {@code tls: {ca_file: /etc/ssl/private-ca.pem, insecure: false}} for the HTTPS and STARTTLS
 * sinks. {@code ca_file} (PEM, one or more certificates) replaces the JDK's trust store; {@code
 * insecure: true} trusts any certificate and any host name (for tests and lab set-ups only; logged
 * as a warning).
 */
record TlsOptions(Path caFile, boolean insecure) {
    static final TlsOptions DEFAULT = new TlsOptions(null, false);
    private static final java.util.concurrent.atomic.AtomicBoolean INSECURE_WARNED =
            new java.util.concurrent.atomic.AtomicBoolean();

    static TlsOptions read(SpecReader r) {
        SpecReader t = r.nested("tls");
        if (t == null) {
            return DEFAULT;
        }
        String ca = t.string("ca_file", null);
        boolean insecure = t.bool("insecure", false);
        Path caFile = ca == null ? null : SinkOptions.pathOrNull(ca);
        if (ca != null && (caFile == null || !Files.isReadable(caFile))) {
            t.error("ca_file", "cannot read " + ca);
            caFile = null;
        }
        t.finishNested();
        return new TlsOptions(caFile, insecure);
    }

    SSLContext context() throws IOException {
        if (insecure && !INSECURE_WARNED.getAndSet(true)) {
            org.slf4j.LoggerFactory.getLogger(TlsOptions.class).warn("tls: insecure: true: certificates and host names"
                    + " are not checked (for tests and lab set-ups only)");
        }
        try {
            if (!insecure && caFile == null) {
                return SSLContext.getDefault();
            }
            TrustManager[] tms;
            if (insecure) {
                tms = new TrustManager[] {new TrustAll()};
            } else {
                KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
                ks.load(null, null);
                try (InputStream in = Files.newInputStream(caFile)) {
                    int i = 0;
                    for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        ks.setCertificateEntry("ca-" + i++, c);
                    }
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ks);
                tms = tmf.getTrustManagers();
            }
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, tms, null);
            return ctx;
        } catch (GeneralSecurityException e) {
            throw new IOException("TLS set-up failed: " + e.getMessage(), e);
        }
    }

    /** Accepts every certificate; as an extended trust manager it also skips host name checks. */
    private static final class TrustAll extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {}

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
