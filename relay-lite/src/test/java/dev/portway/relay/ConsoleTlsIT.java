package dev.portway.relay;

import dev.portway.relay.auth.Passwords;
import dev.portway.relay.console.ConsoleSettings;
import dev.portway.relay.store.Role;
import dev.portway.relay.store.Tier;
import dev.portway.relay.tls.TlsSettings;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLSocket;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/** A relay with TLS serves its console with TLS too (the same certificate), and the session cookie is Secure. */
class ConsoleTlsIT {
    @TempDir
    Path tmp;

    @Test
    void theConsoleSpeaksTlsWithTheRelaysCertificateAndItsCookieIsSecure() throws Exception {
        try (Relay relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("t").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(tmp).tls(new TlsSettings(true, null, null, -1)).console(new ConsoleSettings(0, "127.0.0.1")).build())) {
            relay.store().identity().addUser("root", Tier.FREE, Role.ADMIN);
            relay.store().identity().setPasswordHash("root", new Passwords(4).hash("a long root password"));
            AtomicReference<X509Certificate> seen = new AtomicReference<>();
            SSLContext ctx = dev.portway.relay.testing.TrustAnything.context(dev.portway.relay.testing.TrustAnything.recording(seen::set));
            try (SSLSocket s = (SSLSocket) ctx.getSocketFactory().createSocket("127.0.0.1", relay.consolePort())) {
                s.setSoTimeout(20_000);
                s.startHandshake();
                String body = "{\"user\":\"root\",\"password\":\"a long root password\"}";
                OutputStream out = s.getOutputStream();
                out.write(("POST /api/session HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
                        + "Content-Length: " + body.length() + "\r\n\r\n" + body).getBytes(StandardCharsets.US_ASCII));
                out.flush();
                String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                assertThat(answer).startsWith("HTTP/1.1 200");
                assertThat(answer).containsPattern("(?i)set-cookie: portway_console=[^\\r\\n]*; HttpOnly; SameSite=Strict[^\\r\\n]*; Secure");
            }
            String fingerprint = "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(seen.get().getEncoded()));
            assertThat(fingerprint).isEqualToIgnoringCase(relay.tlsFingerprint());
            relay.shutdown(Duration.ofMillis(100));
        }
    }
}
