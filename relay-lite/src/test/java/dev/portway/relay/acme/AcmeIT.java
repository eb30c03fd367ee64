package dev.portway.relay.acme;

import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.tls.RelayTls;
import dev.portway.relay.tls.TlsSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.net.Socket;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.CompletionException;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * ACME end to end against a real CA: Debian's pebble, which checks HTTP-01 on the relay's redirect port. One relay
 * and one pebble for the class; each test binds its own tunnel name. Renewal is due for every certificate here
 * (renew-before is a century), so {@code renewDue()} renews at once.
 */
@org.junit.jupiter.api.TestMethodOrder(org.junit.jupiter.api.MethodOrderer.OrderAnnotation.class)
class AcmeIT {
    static final String DOMAIN = "portway.test";
    @TempDir
    static Path dir;
    static Pebble pebble;
    static Relay relay;
    static TlsTunnelClient client;

    static AcmeSettings settings(Path ca, int pebblePort) {
        return new AcmeSettings("ops@example.com", java.net.URI.create("https://localhost:" + pebblePort + "/dir"), ca,
                Duration.ofDays(36_500), 20, Duration.ofHours(1));
    }

    static Relay startRelay(Path data, AcmeSettings acme) throws Exception {
        return Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("t").domain(DOMAIN).dataDir(data)
                .tcpPortFrom(0).tcpPortTo(0).tls(new TlsSettings(true, null, null, 0, acme)).build());
    }

    @BeforeAll
    static void start() throws Exception {
        int pebblePort = Pebble.freePort();
        relay = startRelay(dir.resolve("relay"), settings(dir.resolve("pebble/pebble-cert.pem"), pebblePort));
        pebble = Pebble.start(dir.resolve("pebble"), pebblePort, relay.redirectPort());
        client = new TlsTunnelClient(relay.connectUrl(), "t");
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
        if (pebble != null) {
            pebble.close();
        }
    }

    /** The leaf a TLS client sees for {@code sni}, trusting anything (to look at what is served). */
    static X509Certificate seen(int port, String sni) throws Exception {
        X509Certificate[] got = new X509Certificate[1];
        X509TrustManager any = dev.portway.relay.testing.TrustAnything.recording(c -> got[0] = c);
        handshake(port, sni, any);
        return got[0];
    }

    /** A TLS client that trusts only pebble's root and checks the host name, as a browser would. */
    static void strictHandshake(int port, String sni) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("pebble-root", pebble.issuingRoot());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        handshake(port, sni, (X509TrustManager) tmf.getTrustManagers()[0]);
    }

    private static void handshake(int port, String sni, X509TrustManager trust) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{trust}, null);
        try (Socket raw = new Socket("127.0.0.1", port);
             SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket(raw, sni, port, true)) {
            s.setSoTimeout(10_000);
            var p = s.getSSLParameters();
            p.setEndpointIdentificationAlgorithm("HTTPS");
            s.setSSLParameters(p);
            s.startHandshake();
        }
    }

    static String host(String name) {
        return name + "." + DOMAIN;
    }

    @Test
    void firstHandshakeForABoundNameGetsTheFallbackAndStartsAnOrderThatLaterHandshakesSee() throws Exception {
        client.bindHttp("first");
        String host = host("first");
        assertThatThrownBy(() -> strictHandshake(relay.port(), host)).isInstanceOf(SSLHandshakeException.class);
        assertThat(RelayTls.fingerprint(seen(relay.port(), host))).isEqualTo(relay.tlsFingerprint());

        await().atMost(Duration.ofSeconds(30)).until(() -> relay.acme().certificate(host) != null);
        strictHandshake(relay.port(), host); // pebble's chain, for this name, checked like a browser does
        X509Certificate served = seen(relay.port(), host);
        assertThat(served).isEqualTo(relay.acme().certificate(host));
        assertThat(served.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo(host));
        assertThat(relay.acme().status(host)).startsWith("A certificate from https://localhost:" + pebble.port + "/dir is served for "
                + host + ", valid until ");
        assertThat(relay.store().certificates().certificates()).anySatisfy(c -> assertThat(c.host()).isEqualTo(host));
        // Without SNI, and for the relay's own name, the fallback as before.
        assertThat(RelayTls.fingerprint(seen(relay.port(), DOMAIN))).isEqualTo(relay.tlsFingerprint());
    }

    @Test
    void unboundNameNeverStartsAnOrder() throws Exception {
        String host = host("nobody");
        for (int i = 0; i < 3; i++) {
            assertThat(RelayTls.fingerprint(seen(relay.port(), host))).isEqualTo(relay.tlsFingerprint());
        }
        assertThat(relay.acme().status(host)).isEqualTo("No certificate is ordered for nobody.portway.test: no HTTP tunnel "
                + "is bound to nobody.");
        assertThat(relay.acme().status("deep.nobody." + DOMAIN)).contains("is not a tunnel host (tunnel names have no dots)");
        assertThatThrownBy(() -> relay.acme().obtain(host).join()).isInstanceOf(CompletionException.class)
                .hasCauseInstanceOf(AcmeRefusal.class).hasMessageContaining("no HTTP tunnel is bound to nobody");
        assertThat(relay.acme().certificate(host)).isNull();
        assertThat(relay.store().certificates().certificates()).noneSatisfy(c -> assertThat(c.host()).isEqualTo(host));
    }

    @Test
    void renewalReplacesTheCertificateAheadOfExpiry() throws Exception {
        client.bindHttp("renewed");
        String host = host("renewed");
        X509Certificate first = relay.acme().obtain(host).join();
        assertThat(relay.acme().renewDue().join()).isPositive();
        X509Certificate second = relay.acme().certificate(host);
        assertThat(second.getSerialNumber()).isNotEqualTo(first.getSerialNumber());
        assertThat(seen(relay.port(), host)).isEqualTo(second);
        strictHandshake(relay.port(), host);
        assertThat(relay.store().certificates().certificates()).filteredOn(c -> c.host().equals(host)).singleElement()
                .satisfies(c -> assertThat(AcmeCertificates.readChain(c.chainPem()).getFirst()).isEqualTo(second));
    }

    @Test
    void revokedCertificateIsRevokedAtTheCaAndNoLongerServed() throws Exception {
        client.bindHttp("revoked");
        String host = host("revoked");
        X509Certificate cert = relay.acme().obtain(host).join();
        assertThat(pebble.certStatus(cert.getSerialNumber())).contains("\"Status\": \"Valid\"");
        relay.acme().revoke(host).join();
        assertThat(pebble.certStatus(cert.getSerialNumber())).contains("\"Status\": \"Revoked\"");
        assertThat(relay.acme().certificate(host)).isNull();
        assertThat(relay.store().certificates().certificates()).noneSatisfy(c -> assertThat(c.host()).isEqualTo(host));
        assertThatThrownBy(() -> relay.acme().revoke(host).join()).hasCauseInstanceOf(AcmeRefusal.class)
                .hasMessageContaining("The relay has no ACME certificate for revoked.portway.test to revoke.");
    }

    @Test
    @org.junit.jupiter.api.Order(Integer.MAX_VALUE) // last (the others have the default order): it restarts the relay
    void storedCertificateIsServedAfterARestartWithoutANewOrder() throws Exception {
        client.bindHttp("kept");
        String host = host("kept");
        X509Certificate cert = relay.acme().obtain(host).join();
        client.close();
        client = null;
        relay.shutdown(Duration.ofMillis(200));
        relay = startRelay(dir.resolve("relay"), settings(pebble.caFile, pebble.port));
        assertThat(relay.acme().certificate(host)).isEqualTo(cert);
        assertThat(seen(relay.port(), host)).isEqualTo(cert);
        strictHandshake(relay.port(), host);
    }

    @Test
    void refusedValidationIsExplainedInWordsAndNotRetriedAtOnce() throws Exception {
        // A second relay whose redirect port is not the one pebble checks: the CA reaches the first relay, which has no
        // such challenge open, so pebble refuses the name.
        Relay other = startRelay(dir.resolve("other"), settings(pebble.caFile, pebble.port));
        try (TlsTunnelClient c = new TlsTunnelClient(other.connectUrl(), "t")) {
            c.bindHttp("elsewhere");
            String host = host("elsewhere");
            assertThatThrownBy(() -> other.acme().obtain(host).join()).hasCauseInstanceOf(AcmeRefusal.class)
                    .hasMessageContaining("The ACME server refused to validate elsewhere.portway.test: ")
                    .hasMessageContaining("404")
                    .hasMessageContaining("must lead to the relay's --http-redirect-port");
            assertThat(other.acme().status(host)).startsWith("The ACME server refused to validate elsewhere.portway.test");
            assertThatThrownBy(() -> other.acme().obtain(host).join()).hasCauseInstanceOf(AcmeRefusal.class)
                    .hasMessageContaining("the last order for elsewhere.portway.test was refused less than 60 minutes ago");
            assertThat(RelayTls.fingerprint(seen(other.port(), host))).isEqualTo(other.tlsFingerprint());
        } finally {
            other.shutdown(Duration.ofMillis(200));
        }
    }
}
