package dev.portway.desktop.relaysetup;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.engine.RelayTrust;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.relaysetup.SetupOptions.Mode;
import dev.portway.desktop.relaysetup.StepReport.Outcome;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.HttpsURLConnection;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay setup against a real OpenSSH server on loopback and a temporary install root: install, health, a tunnel
 * through the new profile with the real engine, re-run, upgrade, remove; the unit checked by systemd-analyze.
 */
class RelaySetupIT {

    @Test
    void installServesATunnelThenRerunChangesNothingUpgradeKeepsDataAndRemoveKeepsData(@TempDir Path dir) throws Exception {
        try (SetupServer server = new SetupServer(dir); LocalApp app = LocalApp.start()) {
            int port = freePort();
            Path archive = SetupServer.builtArchive();
            SetupOptions install = server.options(Mode.INSTALL, archive, port);

            RelaySetup.Result first = server.run(install);

            assertThat(first.reports()).as(lines(first)).allMatch(r -> r.outcome() == Outcome.CHANGED || r.outcome() == Outcome.OK);
            assertThat(first.ok()).isTrue();
            assertThat(server.confirmed).hasSize(1); // the host key was asked about once, then pinned
            ReadyRelay ready = first.ready();
            assertThat(ready.relayUrl()).isEqualTo("wss://127.0.0.1:" + port);
            assertThat(ready.token()).isNotBlank();
            assertThat(ready.certificateFingerprint()).startsWith("sha256:");
            assertNoSecretShown(first, ready.token());
            assertThat(Files.readString(server.path("/etc/portway/relay.properties"))).contains("port = " + port, "tls = true");
            assertThat(Files.readString(server.path("/etc/passwd"))).contains("portway:");
            assertThat(Files.exists(server.path(ServerLayout.UPLOAD_DIR_IN_ROOT))).isFalse();

            Profile profile = ready.profile("My app", Profile.Kind.HTTP, app.port());
            assertThat(throughTunnel(profile, port)).isEqualTo("hello from my app");
            verifyUnitWithSystemdAnalyze(server, dir.resolve("unit-check"));

            Map<String, String> before = server.tree();
            RelaySetup.Result again = server.run(install);
            assertThat(again.reports()).as(lines(again)).allMatch(r -> r.outcome() == Outcome.OK);
            assertThat(again.ready().token()).isNull();
            assertThat(server.tree()).isEqualTo(before);
            assertThat(server.confirmed).hasSize(1);

            Path newer = SetupServer.otherArchive(dir.resolve("newer"), "0.1.1-test");
            RelaySetup.Result refused = server.run(install.withArchive(newer));
            assertThat(refused.ok()).isFalse();
            StepReport existing = report(refused, "Existing relay");
            assertThat(existing.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(existing.hint()).contains("Upgrade");
            assertThat(server.tree()).isEqualTo(before);

            RelaySetup.Result upgrade = server.run(install.withMode(Mode.UPGRADE).withArchive(newer));
            assertThat(upgrade.ok()).as(lines(upgrade)).isTrue();
            assertThat(report(upgrade, "Install relay files").outcome()).isEqualTo(Outcome.CHANGED);
            assertThat(report(upgrade, "Start relay").outcome()).isEqualTo(Outcome.CHANGED);
            assertThat(report(upgrade, "Relay account").outcome()).isEqualTo(Outcome.OK);
            assertThat(Files.readString(server.path("/opt/portway-relay/.installed"))).startsWith("0.1.1-test ");
            assertThat(Files.readString(server.path("/opt/portway-relay.previous/.installed"))).doesNotStartWith("0.1.1-test");
            // Data kept: the account and token made by the install still work on the upgraded relay.
            assertThat(throughTunnel(profile, port)).isEqualTo("hello from my app");

            RelaySetup.Result remove = server.run(install.withMode(Mode.REMOVE));
            assertThat(remove.ok()).as(lines(remove)).isTrue();
            assertThat(Files.exists(server.path("/opt/portway-relay"))).isFalse();
            assertThat(Files.exists(server.path("/etc/portway"))).isFalse();
            assertThat(Files.exists(server.path("/var/lib/portway-relay"))).isTrue();
            assertThat(report(remove, "Relay data").detail()).contains("kept in");
            RelaySetup.Result removeAgain = server.run(install.withMode(Mode.REMOVE));
            assertThat(removeAgain.reports()).as(lines(removeAgain)).allMatch(r -> r.outcome() == Outcome.OK);

            RelaySetup.Result purge = server.run(install.withMode(Mode.REMOVE).withRemoveData(true));
            assertThat(purge.ok()).as(lines(purge)).isTrue();
            assertThat(Files.exists(server.path("/var/lib/portway-relay"))).isFalse();
            assertThat(Files.readString(server.path("/etc/passwd"))).doesNotContain("portway:");
        }
    }

    @Test
    void aChangedHostKeyIsRefusedBeforeAnyChange(@TempDir Path dir) throws Exception {
        try (SetupServer server = new SetupServer(dir)) {
            String other = "SHA256:" + "A".repeat(43);
            server.pins.pin(server.target().hostPort(), other);
            Map<String, String> before = server.tree();

            RelaySetup.Result r = server.run(server.options(Mode.INSTALL, SetupServer.builtArchive(), freePort()));

            assertThat(r.ok()).isFalse();
            StepReport hostKey = report(r, "Host key");
            assertThat(hostKey.outcome()).isEqualTo(Outcome.FAILED);
            assertThat(hostKey.detail()).contains("CHANGED", other);
            assertThat(hostKey.hint()).contains("intercepting");
            assertThat(r.reports().subList(2, r.reports().size())).allMatch(s -> s.outcome() == Outcome.SKIPPED);
            assertThat(server.confirmed).isEmpty();
            assertThat(server.pins.pinned(server.target().hostPort())).contains(other);
            assertThat(server.tree()).isEqualTo(before);
        }
    }

    @Test
    void theSshAgentsKeyLogsInAndRemovingNothingChangesNothing(@TempDir Path dir) throws Exception {
        try (SetupServer server = new SetupServer(dir)) {
            Path socket = dir.resolve("agent.sock");
            Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", socket.toString()).redirectErrorStream(true).start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> Files.exists(socket));
                ProcessBuilder pb = new ProcessBuilder("ssh-add", server.sshd.clientKey.toString()).redirectErrorStream(true);
                pb.environment().put("SSH_AUTH_SOCK", socket.toString());
                Process add = pb.start();
                assertThat(add.waitFor(10, TimeUnit.SECONDS)).isTrue();
                assertThat(add.exitValue()).as(new String(add.getInputStream().readAllBytes())).isZero();
                SshTarget viaAgent = new SshTarget(server.target().user(), "127.0.0.1", server.sshd.port, null, socket);
                Map<String, String> before = server.tree();

                RelaySetup.Result r = server.run(server.options(Mode.REMOVE, null, 8443).withTarget(viaAgent));

                assertThat(r.ok()).as(lines(r)).isTrue();
                assertThat(report(r, "Log in").detail()).contains("the SSH agent's keys");
                assertThat(report(r, "Existing relay").detail()).contains("nothing to remove");
                assertThat(r.reports()).allMatch(s -> s.outcome() == Outcome.OK);
                assertThat(server.tree()).isEqualTo(before);
            } finally {
                agent.destroy();
            }
        }
    }

    private static void assertNoSecretShown(RelaySetup.Result r, String token) {
        for (StepReport s : r.reports()) {
            assertThat(s.detail() + s.hint() + s.serverOutput()).doesNotContain(token);
        }
    }

    /** The new profile through the real engine: a visitor's request reaches the local app and comes back. */
    static String throughTunnel(Profile p, int relayPort) throws Exception {
        EngineConfig config = EngineConfig.of(URI.create(p.relayUrl()), p.token(), List.of(TunnelSpec.http("myapp", p.localPort())))
                .withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 20));
        try (TunnelEngine engine = new TunnelEngine(config, Runnable::run, RelayTrust.pinned(p.relayFingerprint()))) {
            engine.start();
            await().atMost(Duration.ofSeconds(20)).until(() -> engine.status().state() == EngineState.CONNECTED
                    && !engine.tunnels().isEmpty());
            String url = "https://127.0.0.1:" + relayPort + "/t/" + engine.tunnels().getFirst().name() + "/";
            return get(url, p.relayFingerprint());
        }
    }

    private static String get(String url, String pin) throws Exception {
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(null, new TrustManager[]{new X509TrustManager() {
            @Override
            public void checkClientTrusted(X509Certificate[] chain, String authType) {
            }

            @Override
            public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
                if (!pin.equals(RelayTrust.fingerprint(chain[0]))) {
                    throw new java.security.cert.CertificateException("not the pinned relay");
                }
            }

            @Override
            public X509Certificate[] getAcceptedIssuers() {
                return new X509Certificate[0];
            }
        }}, null);
        HttpsURLConnection c = (HttpsURLConnection) URI.create(url).toURL().openConnection();
        c.setSSLSocketFactory(ctx.getSocketFactory());
        c.setHostnameVerifier((h, s) -> true);
        c.setConnectTimeout(5000);
        c.setReadTimeout(10000);
        try {
            assertThat(c.getResponseCode()).isEqualTo(200);
            return new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        } finally {
            c.disconnect();
        }
    }

    /**
     * systemd-analyze verify on the unit as installed, in a root of its own with the launcher at the unit's path and
     * the system's units (skipped with a message where systemd-analyze is not installed).
     */
    private static void verifyUnitWithSystemdAnalyze(SetupServer server, Path check) throws Exception {
        Path analyze = Path.of("/usr/bin/systemd-analyze");
        Path systemUnits = Path.of("/usr/lib/systemd/system");
        if (!Files.isExecutable(analyze) || !Files.isDirectory(systemUnits)) {
            System.out.println("SKIPPED systemd-analyze verify: systemd-analyze or /usr/lib/systemd/system is missing here");
            return;
        }
        Path bin = Files.createDirectories(check.resolve("opt/portway-relay/bin"));
        Files.copy(server.path("/opt/portway-relay/bin/relay-lite"), bin.resolve("relay-lite"));
        Path units = Files.createDirectories(check.resolve("etc/systemd/system"));
        Files.copy(server.path("/opt/portway-relay/systemd/portway-relay.service"), units.resolve("portway-relay.service"));
        // The drop-in an ACME install on port 80 adds (CAP_NET_BIND_SERVICE), checked along with the unit.
        SetupOptions acme = server.options(Mode.REMOVE, null, 8443).withAcme(SetupOptions.Acme.letsEncrypt("ops@example.com"));
        Path dropIns = Files.createDirectories(units.resolve("portway-relay.service.d"));
        Files.writeString(dropIns.resolve("acme.conf"), FileSteps.capabilityDropIn(acme));
        Process cp = new ProcessBuilder("cp", "-r", systemUnits.toString(), Files.createDirectories(check.resolve("usr/lib/systemd")).toString())
                .redirectErrorStream(true).start();
        assertThat(cp.waitFor(30, TimeUnit.SECONDS)).isTrue();
        Process p = new ProcessBuilder(analyze.toString(), "verify", "--root=" + check, "portway-relay.service")
                .redirectErrorStream(true).start();
        assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).as(out).doesNotContain("portway-relay.service:", "acme.conf:");
    }

    static StepReport report(RelaySetup.Result r, String title) {
        return r.reports().stream().filter(s -> s.title().equals(title)).findFirst().orElseThrow();
    }

    static String lines(RelaySetup.Result r) {
        StringBuilder b = new StringBuilder("\n");
        for (StepReport s : r.reports()) {
            b.append(s.line()).append('\n');
            if (s.outcome() == Outcome.FAILED || s.outcome() == Outcome.ROLLBACK_FAILED) {
                b.append(s.serverOutput()).append('\n');
            }
        }
        return b.toString();
    }

    /** The local app behind the tunnel: answers "hello from my app". */
    record LocalApp(HttpServer server) implements AutoCloseable {
        static LocalApp start() throws IOException {
            HttpServer s = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
            s.createContext("/", ex -> {
                byte[] body = "hello from my app".getBytes(StandardCharsets.UTF_8);
                ex.sendResponseHeaders(200, body.length);
                ex.getResponseBody().write(body);
                ex.close();
            });
            s.start();
            return new LocalApp(s);
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }
}
