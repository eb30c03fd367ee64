package dev.portway.relay.ingress.h2;

import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.tls.TlsSettings;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * HTTP/2 for visitors with real clients: curl (h2 by ALPN, h2c with prior knowledge, HTTP/1.1 still, an h2c Upgrade
 * over TLS ignored), headless Chromium (a page and its scripts over h2) and h2load (many concurrent streams on few connections), through a TLS relay and a plain one, each with a tunnel
 * that echoes what its app would see.
 */
class H2IT {
    @TempDir
    static Path dir;
    static Relay tlsRelay;
    static Relay plainRelay;
    static EchoTunnel tlsTunnel;
    static EchoTunnel plainTunnel;

    @BeforeAll
    static void start() throws Exception {
        tlsRelay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("t").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(dir.resolve("tls")).tls(new TlsSettings(true, null, null, -1)).build());
        plainRelay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("t").tcpPortFrom(0).tcpPortTo(0)
                .build());
        tlsTunnel = new EchoTunnel(tlsRelay.connectUrl(), "t", "app");
        plainTunnel = new EchoTunnel(plainRelay.connectUrl(), "t", "app");
    }

    @AfterAll
    static void stop() {
        for (AutoCloseable c : new AutoCloseable[]{tlsTunnel, plainTunnel}) {
            try {
                if (c != null) {
                    c.close();
                }
            } catch (Exception ignored) {
                // closing
            }
        }
        for (Relay r : new Relay[]{tlsRelay, plainRelay}) {
            if (r != null) {
                r.shutdown(Duration.ofMillis(200));
            }
        }
    }

    /** Runs a command and returns its standard output (standard error goes to the end, after a marker). */
    static String run(String... command) throws Exception {
        Process p = new ProcessBuilder(command).redirectErrorStream(false).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + String.join(" ", command));
        }
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8)
                + "\n--stderr--\n" + new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    static String curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "-w", "\nproto=%{http_version} status=%{http_code}"));
        cmd.addAll(List.of(args));
        return run(cmd.toArray(String[]::new));
    }

    String tlsUrl(String path) {
        return "https://app.localhost:" + tlsRelay.port() + path;
    }

    String plainUrl(String path) {
        return "http://app.localhost:" + plainRelay.port() + path;
    }

    @Test
    void h2IsChosenByAlpnOverTlsAndTheStreamReachesTheTunnel() throws Exception {
        String out = curl("-k", "--http2", tlsUrl("/a?x=1"));
        assertThat(out).contains("GET /a?x=1").contains("proto=2 status=200");
        // Netty's conversion headers (x-http2-scheme, x-http2-stream-id) are the relay's own: the app never sees them.
        assertThat(out).doesNotContain("x-http2-").contains("host");
    }

    @Test
    void http11StillWorksOnBothPorts() throws Exception {
        assertThat(curl("-k", "--http1.1", tlsUrl("/b"))).contains("GET /b").contains("proto=1.1 status=200");
        assertThat(curl("--http1.1", plainUrl("/b"))).contains("GET /b").contains("proto=1.1 status=200");
    }

    @Test
    void h2cWithPriorKnowledgeWorksOnThePlainPort() throws Exception {
        String out = curl("--http2-prior-knowledge", "-X", "POST", "--data-binary", "hello", plainUrl("/c"));
        assertThat(out).contains("POST /c").contains("proto=2 status=200").doesNotContain("x-http2-");
    }

    @Test
    void unknownTunnelOverH2GetsTheRelaysOwn404() throws Exception {
        String out = curl("-k", "--http2", "https://nope.localhost:" + tlsRelay.port() + "/");
        assertThat(out).contains("proto=2 status=404");
    }

    @Test
    void headlessChromiumLoadsAPageOverH2() throws Exception {
        Process p = new ProcessBuilder("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--no-first-run", "--ignore-certificate-errors", "--user-data-dir=" + dir.resolve("chromium"), "--dump-dom",
                tlsUrl("/page")).redirectError(dir.resolve("chromium.log").toFile()).start();
        p.getOutputStream().close();
        String dom = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("chromium did not finish in 60 s");
        }
        assertThat(dom).contains("proto=h2 resources=3 ran=3");
    }

    @Test
    void anH2cUpgradeOverTlsIsIgnoredAndTheRequestIsAnOrdinaryOne() throws Exception {
        // RFC 9113 §3.1: h2c is not for TLS. The relay answers over HTTP/1.1 and the app sees no upgrade.
        String out = curl("-k", "-v", "--http1.1", "-H", "Connection: Upgrade, HTTP2-Settings", "-H", "Upgrade: h2c",
                "-H", "HTTP2-Settings: AAMAAABkAARAAAAAAAIAAAAA", tlsUrl("/tls-upgrade"));
        assertThat(out).contains("GET /tls-upgrade").contains("proto=1.1 status=200").doesNotContain(" 101");
        assertThat(out.substring(out.indexOf("headers:"), out.indexOf("proto="))).doesNotContain("upgrade")
                .doesNotContain("http2-settings");
    }

    @Test
    void h2loadRunsManyConcurrentStreamsOverFewConnections() throws Exception {
        // h2load does not resolve *.localhost itself: connect by address and name the tunnel in :authority.
        String out = run("h2load", "-n", "200", "-c", "2", "-m", "20", "-H", ":authority: app.localhost:" + tlsRelay.port(),
                "https://127.0.0.1:" + tlsRelay.port() + "/load");
        assertThat(out).contains("Application protocol: h2").contains("200 succeeded, 0 failed, 0 errored")
                .contains("status codes: 200 2xx");
        String plain = run("h2load", "-n", "100", "-c", "1", "-m", "10", "-H", ":authority: app.localhost:" + plainRelay.port(),
                "http://127.0.0.1:" + plainRelay.port() + "/load");
        assertThat(plain).contains("100 succeeded, 0 failed, 0 errored");
    }
}
