package dev.portway.desktop.engine;

import okhttp3.OkHttpClient;

import javax.net.ssl.HostnameVerifier;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSession;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import javax.net.ssl.X509TrustManager;
import java.net.Socket;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.security.cert.Certificate;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;

/**
 * How the engine trusts a {@code wss://} relay's certificate: the system's CAs and host-name check (the default), or
 * exactly one certificate pinned by its SHA-256 fingerprint (a self-signed relay; like SSH's known_hosts). Either way
 * the fingerprint of a certificate that was refused is kept ({@link #takeRefused()}) so the user can be shown what
 * to trust. Thread-safe.
 */
public final class RelayTrust {
    private final String pin;
    private final AtomicReference<String> refused = new AtomicReference<>();

    private RelayTrust(String pin) {
        this.pin = pin;
    }

    /** Verify the relay's certificate against the system's trusted CAs and its host name. */
    public static RelayTrust system() {
        return new RelayTrust(null);
    }

    /**
     * Accept exactly the certificate with this fingerprint (and no other), whatever its issuer or host names.
     *
     * @param fingerprint {@code sha256:} and 64 hex digits; colons and case are ignored
     * @throws IllegalArgumentException with a message for the user when it is not a SHA-256 fingerprint
     */
    public static RelayTrust pinned(String fingerprint) {
        return new RelayTrust(normalize(fingerprint));
    }

    /** {@code sha256:<64 lower-case hex digits>}. @throws IllegalArgumentException when {@code text} is not one */
    public static String normalize(String text) {
        return dev.portway.shared.protocol.CertificateFingerprint.normalize(text);
    }

    /** The pinned fingerprint, or null when the system's CAs decide. */
    public String fingerprint() {
        return pin;
    }

    public static String fingerprint(Certificate cert) {
        try {
            return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(cert.getEncoded()));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("SHA-256 is part of every JDK", e);
        }
    }

    /** The fingerprint of the certificate refused since the last call, or null; clears it. */
    String takeRefused() {
        return refused.getAndSet(null);
    }

    /**
     * The trust manager for the relay's WebSocket (never for the local app's connections). With a pin it checks no
     * host name ({@link #checksHostName()}); without, the system's check runs inside it (HTTPS rules, from the
     * engine's {@code SSLParameters}) so a refused name is recorded too.
     */
    X509ExtendedTrustManager trustManager() {
        return pin != null ? new Pinned() : new Recording(systemTrust());
    }

    /** Whether the relay's certificate must name the host it was reached by: yes, unless pinned. */
    boolean checksHostName() {
        return pin == null;
    }

    /** Sets up the same TLS trust on an OkHttp client (for tests and tools that reach the relay with OkHttp). */
    OkHttpClient.Builder apply(OkHttpClient.Builder b) {
        X509TrustManager tm = trustManager();
        try {
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[]{tm}, null);
            b.sslSocketFactory(ctx.getSocketFactory(), tm);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("TLS is part of every JDK", e);
        }
        HostnameVerifier standard = new OkHttpClient().hostnameVerifier();
        b.hostnameVerifier(pin != null ? this::pinMatches : (host, session) -> {
            if (standard.verify(host, session)) {
                return true;
            }
            recordPeer(session);
            return false;
        });
        return b;
    }

    /** With a pin, the certificate is the relay's identity: the name it was reached by does not matter. */
    private boolean pinMatches(String host, SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            return chain.length > 0 && pin.equals(fingerprint(chain[0]));
        } catch (SSLPeerUnverifiedException e) {
            return false;
        }
    }

    private void recordPeer(SSLSession session) {
        try {
            Certificate[] chain = session.getPeerCertificates();
            if (chain.length > 0) {
                refused.set(fingerprint(chain[0]));
            }
        } catch (SSLPeerUnverifiedException ignored) {
            // no certificate: nothing to show
        }
    }

    private static X509ExtendedTrustManager systemTrust() {
        try {
            TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            f.init((KeyStore) null);
            for (TrustManager t : f.getTrustManagers()) {
                if (t instanceof X509ExtendedTrustManager x) {
                    return x;
                }
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("The JDK's default trust store cannot be loaded: " + e.getMessage(), e);
        }
        throw new IllegalStateException("The JDK has no X.509 trust manager");
    }

    /** Accepts exactly the pinned certificate. */
    private final class Pinned extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("client certificates are not used");
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            checkServerTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain == null || chain.length == 0) {
                throw new CertificateException("The relay sent no certificate.");
            }
            String seen = fingerprint(chain[0]);
            if (!seen.equals(pin)) {
                refused.set(seen);
                throw new CertificateException("The relay's certificate " + seen + " is not the pinned " + pin + ".");
            }
            chain[0].checkValidity();
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }

    /** The system's decision, remembering the fingerprint of a certificate it refused. */
    private final class Recording extends X509ExtendedTrustManager {
        private final X509ExtendedTrustManager delegate;

        Recording(X509ExtendedTrustManager delegate) {
            this.delegate = delegate;
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, socket);
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            delegate.checkClientTrusted(chain, authType, engine);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
            try {
                delegate.checkServerTrusted(chain, authType, socket);
            } catch (CertificateException e) {
                record(chain);
                throw e;
            }
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
            try {
                delegate.checkServerTrusted(chain, authType, engine); // the host-name check too, when the engine asks for it
            } catch (CertificateException e) {
                record(chain);
                throw e;
            }
        }

        private void record(X509Certificate[] chain) {
            if (chain != null && chain.length > 0) {
                refused.set(fingerprint(chain[0]));
            }
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            delegate.checkClientTrusted(chain, authType);
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            try {
                delegate.checkServerTrusted(chain, authType);
            } catch (CertificateException e) {
                if (chain != null && chain.length > 0) {
                    refused.set(fingerprint(chain[0]));
                }
                throw e;
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return delegate.getAcceptedIssuers();
        }
    }
}
