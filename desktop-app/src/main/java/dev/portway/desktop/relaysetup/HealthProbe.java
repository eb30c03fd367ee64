package dev.portway.desktop.relaysetup;

import dev.portway.desktop.engine.RelayTrust;
import dev.portway.shared.protocol.Protocol;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;

/**
 * {@code GET /api/tunnel/health} over TLS, trusting exactly the relay's pinned certificate. One request per call,
 * blocking (the setup's own thread); the status line is all it reads.
 */
final class HealthProbe {
    private HealthProbe() {
    }

    /** The HTTP status, or throws when nothing answers. */
    static int status(String host, int port, String fingerprint, int timeoutMillis) throws IOException {
        try (Socket raw = new Socket()) {
            raw.connect(new InetSocketAddress(host, port), timeoutMillis);
            raw.setSoTimeout(timeoutMillis);
            SSLContext ctx = SSLContext.getInstance("TLS");
            ctx.init(null, new TrustManager[]{new Pin(fingerprint)}, null);
            try (SSLSocket tls = (SSLSocket) ctx.getSocketFactory().createSocket(raw, host, port, true)) {
                tls.startHandshake();
                tls.getOutputStream().write(("GET " + Protocol.HEALTH_PATH + " HTTP/1.1\r\nHost: " + host
                        + "\r\nConnection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                tls.getOutputStream().flush();
                String line = statusLine(tls.getInputStream());
                String[] parts = line.split(" ");
                if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                    throw new IOException("not an HTTP answer: " + line);
                }
                return Integer.parseInt(parts[1]);
            }
        } catch (GeneralSecurityException e) {
            throw new IOException(e.getMessage(), e);
        }
    }

    private static String statusLine(InputStream in) throws IOException {
        ByteArrayOutputStream b = new ByteArrayOutputStream();
        for (int c; (c = in.read()) >= 0 && c != '\n' && b.size() < 200; ) {
            b.write(c);
        }
        return b.toString(StandardCharsets.US_ASCII).strip();
    }

    private record Pin(String fingerprint) implements X509TrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            throw new CertificateException("no client certificates here");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
            if (chain.length == 0 || !fingerprint.equals(RelayTrust.fingerprint(chain[0]))) {
                throw new CertificateException("the relay's certificate is not the one read from the server over SSH");
            }
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
