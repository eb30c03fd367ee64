package dev.portway.relay.ingress.h2;

import com.sun.net.httpserver.HttpServer;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * h2c by Upgrade (RFC 7540 §3.2, what {@code curl --http2 http://…} sends) on the plain port, with real clients (curl,
 * nghttp, h2load) through a real relay to a real local app (the JDK's HTTP server, which echoes the method, the target
 * and the body), carried by {@link EchoTunnel#forwarding}: the upgrade request itself is stream 1, its body included.
 */
class H2cUpgradeIT {
    @TempDir
    static Path dir;
    static HttpServer app;
    static Relay relay;
    static EchoTunnel tunnel;

    @BeforeAll
    static void start() throws Exception {
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", exchange -> {
            byte[] body = exchange.getRequestBody().readAllBytes();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            out.writeBytes((exchange.getRequestMethod() + " " + exchange.getRequestURI() + " " + body.length + "\n")
                    .getBytes(StandardCharsets.UTF_8));
            out.writeBytes(body);
            exchange.getResponseHeaders().set("Content-Type", "application/octet-stream");
            exchange.sendResponseHeaders(200, out.size());
            exchange.getResponseBody().write(out.toByteArray());
            exchange.close();
        });
        app.start();
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("t").tcpPortFrom(0).tcpPortTo(0).build());
        tunnel = EchoTunnel.forwarding(relay.connectUrl(), "t", "app",
                URI.create("http://127.0.0.1:" + app.getAddress().getPort()));
    }

    @AfterAll
    static void stop() {
        if (tunnel != null) {
            tunnel.close();
        }
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
        if (app != null) {
            app.stop(0);
        }
    }

    static String relayUrl(String path) {
        return "http://app.localhost:" + relay.port() + path;
    }

    static String appUrl(String path) {
        return "http://127.0.0.1:" + app.getAddress().getPort() + path;
    }

    /** curl's answer body as bytes, and its -v trace and the protocol and status of the final answer. */
    record Curl(byte[] body, String trace, String result) {
    }

    static Curl curl(String... args) throws Exception {
        Path body = Files.createTempFile(dir, "body", ".out");
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-v", "--max-time", "30", "-o", body.toString(),
                "-w", "proto=%{http_version} status=%{http_code}"));
        cmd.addAll(List.of(args));
        String out = H2IT.run(cmd.toArray(String[]::new));
        int marker = out.indexOf("\n--stderr--\n");
        return new Curl(Files.readAllBytes(body), out.substring(marker), out.substring(0, marker));
    }

    static Path randomFile(int size) throws Exception {
        byte[] bytes = new byte[size];
        new Random(size).nextBytes(bytes);
        return Files.write(dir.resolve("upload-" + size + ".bin"), bytes);
    }

    @Test
    void curlHttp2OnThePlainPortUpgradesAndGetsTheSameBytesAsDirect() throws Exception {
        Curl via = curl("--http2", relayUrl("/get?x=1"));
        assertThat(via.trace()).contains("Upgrade: h2c").contains("HTTP/1.1 101").contains("HTTP/2 200");
        assertThat(via.result()).isEqualTo("proto=2 status=200");
        Curl direct = curl("--http1.1", appUrl("/get?x=1"));
        assertThat(via.body()).isEqualTo(direct.body());
        assertThat(new String(via.body(), StandardCharsets.UTF_8)).isEqualTo("GET /get?x=1 0\n");
        // The HTTP/1.1 connection stopped counting when it became HTTP/2, its stream when it ended: none is left over.
        org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).until(() -> openHttpConnections() == 0.0);
    }

    static double openHttpConnections() {
        String prefix = "tunnel_active_connections{kind=\"http\"} ";
        return relay.metricsText().lines().filter(l -> l.startsWith(prefix))
                .mapToDouble(l -> Double.parseDouble(l.substring(prefix.length()).trim())).findFirst().orElseThrow();
    }

    @Test
    void anUpgradePostWithABodyReachesTheAppWhole() throws Exception {
        Path upload = randomFile(40_000);
        Curl via = curl("--http2", "--data-binary", "@" + upload, relayUrl("/post"));
        assertThat(via.trace()).contains("HTTP/1.1 101").contains("HTTP/2 200");
        assertThat(via.result()).isEqualTo("proto=2 status=200");
        Curl direct = curl("--http1.1", "--data-binary", "@" + upload, appUrl("/post"));
        assertThat(via.body()).hasSize(40_000 + "POST /post 40000\n".length()).isEqualTo(direct.body());
    }

    @Test
    void aBodyTooBigToAggregateIsServedAsHttp11() throws Exception {
        Path upload = randomFile(H2cUpgrade.MAX_UPGRADE_BODY + 1);
        Curl via = curl("--http2", "--data-binary", "@" + upload, relayUrl("/big"));
        assertThat(via.trace()).contains("Upgrade: h2c").doesNotContain(" 101");
        assertThat(via.result()).isEqualTo("proto=1.1 status=200");
        Curl direct = curl("--http1.1", "--data-binary", "@" + upload, appUrl("/big"));
        assertThat(via.body()).isEqualTo(direct.body());
    }

    @Test
    void aChunkedUpgradeBodyIsServedAsHttp11() throws Exception {
        Path upload = randomFile(5_000);
        Curl via = curl("--http2", "-H", "Transfer-Encoding: chunked", "--data-binary", "@" + upload, relayUrl("/chunked"));
        assertThat(via.trace()).contains("Upgrade: h2c").doesNotContain(" 101");
        assertThat(via.result()).isEqualTo("proto=1.1 status=200");
        assertThat(via.body()).isEqualTo(curl("--http1.1", "--data-binary", "@" + upload, appUrl("/chunked")).body());
    }

    @Test
    void theUpgradedStreamMeetsTheSameLimitsAsHttp11() throws Exception {
        List<String> args = new ArrayList<>(List.of("--http2"));
        for (int i = 0; i < 120; i++) {
            args.addAll(List.of("-H", "X-Many-" + i + ": v"));
        }
        args.add(relayUrl("/many"));
        Curl via = curl(args.toArray(String[]::new));
        assertThat(via.trace()).contains("HTTP/1.1 101");
        assertThat(via.result()).isEqualTo("proto=2 status=431");
        // A head the strict parsing refuses is not upgraded: the HTTP/1.1 400 and close.
        Curl badHost = curl("--http2", "-H", "Host: app localhost", relayUrl("/bad"));
        assertThat(badHost.trace()).contains("Upgrade: h2c").doesNotContain(" 101");
        assertThat(badHost.result()).isEqualTo("proto=1.1 status=400");
    }

    @Test
    void nghttpUpgradesAndCarriesManyStreamsOnTheConnection() throws Exception {
        // nghttp does not resolve *.localhost: the tunnel by path (/t/app/…), the same for the upgrade and the streams.
        List<String> cmd = new ArrayList<>(List.of("nghttp", "-u", "-n", "-s"));
        for (int i = 0; i < 30; i++) {
            cmd.add("http://127.0.0.1:" + relay.port() + "/t/app/n" + i);
        }
        String out = H2IT.run(cmd.toArray(String[]::new));
        // -s prints one line per response: its status among them (the upgrade's own request is the first).
        long ok = out.lines().filter(l -> l.matches(".*\\s200\\s.*/t/app/n\\d+$")).count();
        assertThat(ok).as(out).isEqualTo(30);
        out.lines().filter(l -> l.matches(".*/t/app/n(0|29)$")).forEach(l -> System.out.println("nghttp -u: " + l));
    }

    @Test
    void h2loadWithPriorKnowledgeThroughTheTunnelToTheApp() throws Exception {
        String out = H2IT.run("h2load", "-n", "200", "-c", "4", "-m", "10", "-H", ":authority: app.localhost:" + relay.port(),
                "http://127.0.0.1:" + relay.port() + "/load");
        assertThat(out).contains("Application protocol: h2c").contains("200 succeeded, 0 failed, 0 errored")
                .contains("status codes: 200 2xx");
        // For docs/benchmarks.md: the run's totals and request times, in the test's output.
        out.lines().filter(l -> l.startsWith("finished in") || l.startsWith("time for request") || l.startsWith("requests:"))
                .forEach(l -> System.out.println("h2load h2c prior knowledge: " + l));
    }
}
