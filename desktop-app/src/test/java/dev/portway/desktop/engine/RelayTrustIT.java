package dev.portway.desktop.engine;

import com.sun.net.httpserver.HttpServer;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.tls.TlsSettings;
import dev.portway.shared.protocol.ErrorCategory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The engine against a relay with a self-signed certificate: refused unless pinned, and pinned exactly. */
class RelayTrustIT {
    @TempDir
    Path dir;
    Relay relay;
    HttpServer local;
    TunnelEngine engine;
    final List<EngineStatus> statuses = new CopyOnWriteArrayList<>();

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret").dataDir(dir)
                .tls(new TlsSettings(true, null, null, -1)).build());
        local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        local.createContext("/", ex -> {
            byte[] body = "hello over tls".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        local.start();
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        local.stop(0);
        relay.shutdown(Duration.ofMillis(200));
    }

    TunnelEngine engine(RelayTrust trust) {
        EngineConfig config = EngineConfig.of(URI.create(relay.connectUrl()), "secret",
                        List.of(TunnelSpec.http("tls", local.getAddress().getPort())))
                .withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 3));
        engine = new TunnelEngine(config, Runnable::run, trust);
        engine.addListener(new EngineListener() {
            @Override
            public void onStatus(EngineStatus status) {
                statuses.add(status);
            }
        });
        engine.start();
        return engine;
    }

    @Test
    void selfSignedRelayIsRefusedWithItsFingerprintAndHowToTrustIt() {
        assertThat(relay.connectUrl()).startsWith("wss://");
        engine(RelayTrust.system());
        await().atMost(Duration.ofSeconds(15)).until(() -> engine.status().state() == EngineState.FAILED);
        EngineStatus s = engine.status();
        assertThat(s.message()).contains("not trusted", relay.tlsFingerprint(), "--fingerprint " + relay.tlsFingerprint());
        assertThat(s.category()).isEqualTo(ErrorCategory.AUTH);
        assertThat(engine.untrustedFingerprint()).isEqualTo(relay.tlsFingerprint());
        // fatal: no retry storm against a certificate that cannot become trusted by itself
        assertThat(statuses).noneMatch(st -> st.state() == EngineState.RECONNECTING);
    }

    @Test
    void pinnedRelayConnectsAndTunnelsARequest() throws Exception {
        engine(RelayTrust.pinned(relay.tlsFingerprint().toUpperCase().replace("SHA256:", "sha256:")));
        await().atMost(Duration.ofSeconds(15)).until(() -> !engine.tunnels().isEmpty());
        assertThat(engine.untrustedFingerprint()).isNull();
        // A visitor over https, trusting the same certificate by its pin.
        OkHttpClient visitor = RelayTrust.pinned(relay.tlsFingerprint()).apply(new OkHttpClient.Builder()).build();
        try (Response r = visitor.newCall(new Request.Builder().url("https://127.0.0.1:" + relay.port() + "/t/tls/x").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("hello over tls");
            assertThat(r.handshake().tlsVersion().javaName()).isEqualTo("TLSv1.3");
        }
    }

    @Test
    void aWrongPinIsRefusedAndSaysTheCertificateDoesNotMatch() {
        String wrong = "sha256:" + "ab".repeat(32);
        engine(RelayTrust.pinned(wrong));
        await().atMost(Duration.ofSeconds(15)).until(() -> engine.status().state() == EngineState.FAILED);
        assertThat(engine.status().message()).contains("does not match the pinned fingerprint " + wrong, relay.tlsFingerprint());
        assertThat(engine.untrustedFingerprint()).isEqualTo(relay.tlsFingerprint());
    }

    @Test
    void fingerprintsAreCheckedForShape() {
        assertThat(RelayTrust.normalize("SHA256:" + "AB:".repeat(31) + "AB")).isEqualTo("sha256:" + "ab".repeat(32));
        assertThatThrownBy(() -> RelayTrust.pinned("sha256:1234")).hasMessageContaining("64 hex digits");
        assertThatThrownBy(() -> RelayTrust.pinned("md5:" + "ab".repeat(32))).hasMessageContaining("is not a certificate fingerprint");
    }
}
