package dev.portway.relay.tls;

import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The relay's TLS: generated or given certificates, protocol versions, the fingerprint, the redirect listener. */
class RelayTlsIT {
    @TempDir
    Path dir;
    Relay relay;

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
    }

    Relay start(TlsSettings tls) throws IOException {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("t").dataDir(dir.resolve("data"))
                .tcpPortFrom(0).tcpPortTo(0).tls(tls).build());
        return relay;
    }

    /** A client that accepts any certificate but remembers the one it saw (the test checks it by fingerprint). */
    static SSLSocket connect(int port, AtomicReference<X509Certificate> seen, String... protocols) throws Exception {
        SSLContext ctx = dev.portway.relay.testing.TrustAnything.context(dev.portway.relay.testing.TrustAnything.recording(seen::set));
        SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", port);
        s.setSoTimeout(10_000);
        if (protocols.length > 0) {
            s.setEnabledProtocols(protocols);
        }
        s.startHandshake();
        return s;
    }

    @Test
    void selfSignedCertificateIsGeneratedOnFirstStartAndKept() throws Exception {
        start(new TlsSettings(true, null, null, -1));
        String first = relay.tlsFingerprint();
        assertThat(first).matches("sha256:[0-9a-f]{64}");
        assertThat(relay.tlsSelfSigned()).isTrue();
        assertThat(relay.connectUrl()).startsWith("wss://127.0.0.1:");
        assertThat(relay.publicUrl("app")).startsWith("https://app.localhost:");
        Path key = dir.resolve("data/tls/relay-key.pem");
        assertThat(Files.readString(key)).startsWith("-----BEGIN PRIVATE KEY-----");
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(key))).isEqualTo("rw-------");
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        try (SSLSocket s = connect(relay.port(), seen)) {
            assertThat(RelayTls.fingerprint(seen.get())).isEqualTo(first);
            assertThat(seen.get().getSubjectAlternativeNames()).extracting(l -> l.get(1).toString())
                    .contains("localhost", "*.localhost", "127.0.0.1");
        }
        relay.shutdown(Duration.ofMillis(100));
        start(new TlsSettings(true, null, null, -1));
        assertThat(relay.tlsFingerprint()).isEqualTo(first); // the same certificate after a restart: pins stay valid
    }

    @Test
    void tls13IsNegotiatedAndTls12IsStillAllowed() throws Exception {
        start(new TlsSettings(true, null, null, -1));
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        try (SSLSocket s = connect(relay.port(), seen)) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.3");
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 200").contains("This relay is running");
        }
        try (SSLSocket s = connect(relay.port(), seen, "TLSv1.2")) {
            assertThat(s.getSession().getProtocol()).isEqualTo("TLSv1.2");
        }
        assertThatThrownBy(() -> connect(relay.port(), seen, "TLSv1.1").close()).isInstanceOf(IOException.class);
    }

    @Test
    void givenPemFilesAreServedAndAWildcardIsFine() throws Exception {
        byte[][] pair = RelayTls.generate("example.test");
        Path cert = Files.write(dir.resolve("cert.pem"), pair[0]);
        Path key = Files.write(dir.resolve("key.pem"), pair[1]);
        start(new TlsSettings(false, cert, key, -1)); // the files imply TLS
        assertThat(relay.tlsSelfSigned()).isFalse();
        AtomicReference<X509Certificate> seen = new AtomicReference<>();
        try (SSLSocket s = connect(relay.port(), seen)) {
            assertThat(seen.get().getSubjectAlternativeNames()).extracting(l -> l.get(1).toString()).contains("*.example.test");
            assertThat(RelayTls.fingerprint(seen.get())).isEqualTo(relay.tlsFingerprint());
        }
        assertThat(Files.exists(dir.resolve("data/tls"))).isFalse(); // nothing generated
    }

    @Test
    void unusableFilesStopTheStartWithAMessage() throws Exception {
        byte[][] pair = RelayTls.generate("example.test");
        byte[][] other = RelayTls.generate("example.test");
        Path cert = Files.write(dir.resolve("cert.pem"), pair[0]);
        Path wrongKey = Files.write(dir.resolve("other-key.pem"), other[1]);
        Path garbage = Files.writeString(dir.resolve("garbage.pem"), "not a key");
        assertThatThrownBy(() -> start(new TlsSettings(true, cert, dir.resolve("missing.pem"), -1)))
                .isInstanceOf(IOException.class).hasMessageContaining("Cannot read --tls-key").hasMessageContaining("missing.pem");
        assertThatThrownBy(() -> start(new TlsSettings(true, cert, garbage, -1)))
                .isInstanceOf(IOException.class).hasMessageContaining("PKCS#8 PEM");
        assertThatThrownBy(() -> start(new TlsSettings(true, garbage, garbage, -1)))
                .isInstanceOf(IOException.class).hasMessageContaining("PEM certificate");
        try {
            start(new TlsSettings(true, cert, wrongKey, -1));
            // the JDK provider does not check the pair up front; a handshake then fails, which the test shows
            AtomicReference<X509Certificate> seen = new AtomicReference<>();
            assertThatThrownBy(() -> connect(relay.port(), seen).close()).isInstanceOf(IOException.class);
        } catch (IOException e) {
            assertThat(e).hasMessageContaining("matches the certificate");
        }
        assertThatThrownBy(() -> new TlsSettings(true, cert, null, -1)).hasMessageContaining("go together");
        assertThatThrownBy(() -> new TlsSettings(false, null, null, 8080)).hasMessageContaining("needs TLS");
    }

    @Test
    void redirectListenerAnswers308ToHttps() throws Exception {
        start(new TlsSettings(true, null, null, 0));
        assertThat(relay.redirectPort()).isPositive();
        try (Socket s = new Socket("127.0.0.1", relay.redirectPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write(("POST /t/app/hook?x=1 HTTP/1.1\r\nHost: app.example.test:80\r\nContent-Length: 0\r\n"
                    + "Connection: close\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 308")
                    .contains("location: https://app.example.test:" + relay.port() + "/t/app/hook?x=1")
                    .contains("X-Frame-Options: DENY");
        }
        try (Socket s = new Socket("127.0.0.1", relay.redirectPort())) {
            s.setSoTimeout(10_000);
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: evil.com/phish?\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(response).startsWith("HTTP/1.1 308").contains("location: https://localhost:" + relay.port() + "/\r\n")
                    .doesNotContain("evil.com");
        }
    }
}
