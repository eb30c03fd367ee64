package dev.portway.desktop.relaysetup;

import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.engine.RelayTrust;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.relaysetup.RelaySetupIT.LocalApp;
import dev.portway.desktop.relaysetup.SetupOptions.Mode;
import dev.portway.desktop.relaysetup.StepReport.Outcome;
import dev.portway.relay.acme.Pebble;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.net.InetAddress;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static dev.portway.desktop.relaysetup.RelaySetupIT.freePort;
import static dev.portway.desktop.relaysetup.RelaySetupIT.lines;
import static dev.portway.desktop.relaysetup.RelaySetupIT.report;
import static dev.portway.desktop.relaysetup.RelaySetupIT.throughTunnel;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay setup with ACME against a real CA on loopback (Debian's pebble, which checks HTTP-01 on the relay's HTTP
 * port; its DNS says every name is 127.0.0.1), over the real OpenSSH server of {@link SetupServer}: the profile the
 * setup made still connects with its pinned self-signed certificate, while a visitor of a tunnel host gets a
 * certificate issued by pebble.
 */
class RelaySetupAcmeIT {

    @Test
    void acmeInstallServesTunnelHostsWithTheCasCertificateWhileTheProfileKeepsItsPin(@TempDir Path dir) throws Exception {
        // The launcher runs the relay as the test user: an HTTP port from 1024 up (Let's Encrypt's would be 80).
        int httpPort = freePort();
        try (Pebble pebble = Pebble.start(dir.resolve("pebble"), Pebble.freePort(), httpPort);
             SetupServer server = new SetupServer(dir); LocalApp app = LocalApp.start()) {
            int port = freePort();
            // The "server" is this machine: pebble's certificate file is where the relay can read it.
            SetupOptions.Acme acme = new SetupOptions.Acme("ops@example.com", pebble.directory(), pebble.caFile.toString(), httpPort);
            SetupOptions install = server.options(Mode.INSTALL, SetupServer.builtArchive(), port).withAcme(acme);

            RelaySetup.Result result = server.run(install);

            assertThat(result.ok()).as(lines(result)).isTrue();
            assertThat(result.reports()).as(lines(result)).allMatch(r -> r.outcome() == Outcome.CHANGED || r.outcome() == Outcome.OK);
            assertThat(report(result, "Free ports").detail()).contains("port " + httpPort + " is free (ACME's HTTP check)");
            assertThat(Files.readString(server.path("/etc/portway/relay.properties"))).contains("tls = true\n",
                    "\nacme-email = ops@example.com\n", "\nacme-directory = " + pebble.directory() + "\n",
                    "\nacme-ca-file = " + pebble.caFile + "\n", "\nhttp-redirect-port = " + httpPort + "\n");
            ReadyRelay ready = result.ready();
            assertThat(ready.certificateFingerprint()).startsWith("sha256:");
            Profile profile = ready.profile("My app", Profile.Kind.HTTP, app.port());

            try (TunnelEngine engine = connected(profile)) {
                String host = engine.tunnels().getFirst().name() + ".relay.test";
                X509Certificate root = pebble.issuingRoot();
                OkHttpClient visitor = visitorTrusting(root);
                String url = "https://" + host + ":" + port + "/";

                // The first handshake for a bound name gets the self-signed certificate and starts the order.
                X509Certificate served = await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                        .ignoreExceptions().until(() -> served(visitor, url), c -> c != null);

                assertThat(RelayTrust.fingerprint(served)).isNotEqualTo(ready.certificateFingerprint());
                assertThat(served.getSubjectAlternativeNames()).anySatisfy(san -> assertThat(san.get(1)).isEqualTo(host));
            }
            // The clients' endpoint keeps the pinned self-signed certificate: the profile still works as made.
            assertThat(throughTunnel(profile, port)).isEqualTo("hello from my app");
        }
    }

    private static TunnelEngine connected(Profile p) {
        EngineConfig config = EngineConfig.of(URI.create(p.relayUrl()), p.token(), List.of(TunnelSpec.http("myapp", p.localPort())))
                .withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 20));
        TunnelEngine engine = new TunnelEngine(config, Runnable::run, RelayTrust.pinned(p.relayFingerprint()));
        engine.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> engine.status().state() == EngineState.CONNECTED
                && !engine.tunnels().isEmpty());
        return engine;
    }

    /** A browser-like visitor: trusts only {@code root}, checks the host name; every name is this machine. */
    private static OkHttpClient visitorTrusting(X509Certificate root) throws Exception {
        KeyStore ks = KeyStore.getInstance(KeyStore.getDefaultType());
        ks.load(null, null);
        ks.setCertificateEntry("pebble-root", root);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ks);
        X509TrustManager trust = (X509TrustManager) tmf.getTrustManagers()[0];
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new javax.net.ssl.TrustManager[]{trust}, null);
        return new OkHttpClient.Builder().sslSocketFactory(ctx.getSocketFactory(), trust)
                .dns(hostname -> List.of(InetAddress.getLoopbackAddress()))
                .connectTimeout(Duration.ofSeconds(5)).readTimeout(Duration.ofSeconds(10)).build();
    }

    /** The leaf served with the local app's answer, or an exception while the relay still serves its own. */
    private static X509Certificate served(OkHttpClient visitor, String url) throws Exception {
        try (Response r = visitor.newCall(new Request.Builder().url(url).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("hello from my app");
            return (X509Certificate) r.handshake().peerCertificates().getFirst();
        }
    }
}
