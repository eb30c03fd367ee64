package dev.portway.desktop.e2e;

import dev.portway.desktop.testing.Curl;

import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Trailers and interim answers (PROTOCOL.md §3.2) through a real relay and engine to a raw-socket app, seen by the real
 * curl over HTTP/1.1, HTTP/1.0 and h2 (prior knowledge): the app's 103 Early Hints reach HTTP/1.1 and h2 visitors before
 * the 200 (not HTTP/1.0 ones), more than eight reset the stream; its response trailers reach a chunked or h2 response
 * without the fields a trailer may not carry; a visitor's request trailers and {@code TE: trailers} reach the app.
 */
class TrailersAndHintsIT {
    private HintsAndTrailersApp app;
    private Relay relay;
    private TunnelEngine engine;

    @BeforeEach
    void start() throws IOException {
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v curl").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().onExit().join().exitValue() == 0, "curl is not installed (.ci/run installs it)");
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret").build());
        app = new HintsAndTrailersApp();
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), "secret",
                List.of(TunnelSpec.http("app", app.port()))), Runnable::run);
        engine.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
    }

    @AfterEach
    void stop() throws IOException {
        if (engine != null) {
            engine.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (app != null) {
            app.close();
        }
    }

    /** curl -v at the tunnel's path form; returns stderr (the heads, trailers included) then the body. */
    private List<String> curl(String path, String... options) throws Exception {
        return Curl.verbose("http://127.0.0.1:" + relay.port() + "/t/app" + path, options);
    }

    private static List<String> received(String verbose) {
        return Curl.received(verbose);
    }

    @Test
    void earlyHintsReachAnHttp11VisitorBeforeTheFinalAnswer() throws Exception {
        List<String> r = curl("/hints/1", "--http1.1");
        List<String> lines = received(r.get(0));

        assertThat(lines).first().isEqualTo("HTTP/1.1 103 Early Hints");
        assertThat(lines.get(1)).isEqualTo("Link: </style.css>; rel=preload; as=style");
        assertThat(lines).contains("HTTP/1.1 200 OK");
        assertThat(lines.indexOf("HTTP/1.1 200 OK")).isGreaterThan(1);
        assertThat(r.get(1)).isEqualTo("hinted");
    }

    @Test
    void earlyHintsReachAnH2VisitorAsInterimHeaders() throws Exception {
        List<String> r = curl("/hints/2", "--http2-prior-knowledge");
        List<String> lines = received(r.get(0));

        assertThat(lines.stream().filter(l -> l.startsWith("HTTP/2 ")).toList()).containsExactly("HTTP/2 103", "HTTP/2 103", "HTTP/2 200");
        assertThat(lines).contains("link: </style.css>; rel=preload; as=style");
        assertThat(r.get(1)).isEqualTo("hinted");
    }

    @Test
    void anHttp10VisitorGetsNoInterimAnswer() throws Exception {
        List<String> r = curl("/hints/1", "--http1.0");

        assertThat(received(r.get(0)).stream().filter(l -> l.startsWith("HTTP/")).toList()).containsExactly("HTTP/1.1 200 OK");
        assertThat(r.get(1)).isEqualTo("hinted");
    }

    @Test
    void moreThanEightInterimAnswersResetTheStream() throws Exception {
        List<String> r = curl("/hints/9", "--http1.1");
        List<String> heads = received(r.get(0)).stream().filter(l -> l.startsWith("HTTP/")).toList();

        assertThat(heads).hasSize(9);
        assertThat(heads.subList(0, 8)).allMatch(h -> h.equals("HTTP/1.1 103 Early Hints"));
        assertThat(heads.getLast()).startsWith("HTTP/1.1 502");
        assertThat(r.get(1)).contains("more than 8 interim responses");
    }

    @Test
    void responseTrailersReachAChunkedHttp11ResponseWithoutTheForbiddenOnes() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET /t/app/trailers HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("\r\ntransfer-encoding: chunked\r\n");
            // the body (in chunks as the engine read it), then the terminating chunk with the one trailer a proxy may pass on
            assertThat(response.substring(response.indexOf("\r\n\r\n") + 4)).matches("(?s)[0-9a-f]+\r\nhello.* world\r\n"
                    + "0\r\nX-Checksum: abc123\r\n\r\n");
            assertThat(response).doesNotContain("stolen").doesNotContainIgnoringCase("content-length: 99");
        }
    }

    @Test
    void responseTrailersReachAnH2VisitorAsTrailingHeaders() throws Exception {
        List<String> r = curl("/trailers", "--http2-prior-knowledge");
        List<String> lines = received(r.get(0));

        assertThat(r.get(1)).isEqualTo("hello world");
        assertThat(lines).contains("HTTP/2 200", "x-checksum: abc123");
        assertThat(lines).noneMatch(l -> l.startsWith("set-cookie") || l.startsWith("content-length"));
    }

    @Test
    void anHttp10VisitorGetsTheBodyWithoutTrailers() throws Exception {
        List<String> r = curl("/trailers", "--http1.0");

        assertThat(r.get(1)).isEqualTo("hello world");
        assertThat(received(r.get(0))).noneMatch(l -> l.startsWith("X-Checksum"));
    }

    @Test
    void aVisitorsRequestTrailersAndTeTrailersReachTheApp() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /t/app/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTE: trailers, deflate;q=0.5\r\nConnection: TE\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n4\r\ndata\r\n0\r\nX-Signature: s1\r\nAuthorization: Bearer nope\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> !app.received.isEmpty());
        String request = app.received.getFirst();

        assertThat(request).contains("\r\nTE: trailers\r\n").doesNotContain("deflate");
        assertThat(request).contains("Transfer-Encoding: chunked\r\n");
        assertThat(request).endsWith("4\r\ndata\r\n0\r\nX-Signature: s1\r\n\r\n");
        assertThat(request).doesNotContain("Bearer nope");
    }
}
