package dev.portway.desktop.e2e;

import dev.portway.desktop.testing.Curl;

import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.store.PostgresServer;
import dev.portway.relay.testing.ClusterNodes;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Trailers and interim answers (PROTOCOL.md §3.2) across a node link (docs/cluster.md): two in-process relay nodes on
 * a real PostgreSQL, the real engine connected to node B only, the raw-socket app of {@link HintsAndTrailersApp}, and
 * every visitor on node A, so each stream crosses the link. The visitor gets the app's 103 Early Hints before the 200
 * (HTTP/1.1 and h2), the response trailers (chunked and h2), more than eight hints reset the stream, and the visitor's
 * request trailers reach the app.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterTrailersIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";

    @TempDir
    static Path tmp;
    private Relay a;
    private Relay b;
    private HintsAndTrailersApp app;
    private TunnelEngine engine;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v curl").redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().onExit().join().exitValue() == 0, "curl is not installed (.ci/run installs it)");
        String db = PG.newDatabase();
        a = node(db, "link-a");
        b = node(db, "link-b");
        app = new HintsAndTrailersApp();
        engine = new TunnelEngine(EngineConfig.of(URI.create(b.connectUrl()), "secret",
                List.of(TunnelSpec.http("app", app.port()))), Runnable::run);
        engine.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.tunnels().isEmpty());
        // A knows the binding and its link to B is up (until then A answers with a 503)
        await().atMost(Duration.ofSeconds(20)).until(() -> a.cluster().servable("app"));
    }

    private Relay node(String db, String id) throws Exception {
        return ClusterNodes.start(tmp, db, id, SECRET);
    }

    @AfterAll
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (app != null) {
            app.close();
        }
    }

    /** curl -v on node A at the tunnel's path form; returns stderr (the heads, trailers included) then the body. */
    private List<String> curl(String path, String... options) throws Exception {
        return Curl.verbose("http://127.0.0.1:" + a.port() + "/t/app" + path, options);
    }

    private static List<String> received(String verbose) {
        return Curl.received(verbose);
    }

    @Test
    void earlyHintsCrossTheLinkToAnHttp11VisitorBeforeTheFinalAnswer() throws Exception {
        List<String> r = curl("/hints/1", "--http1.1");
        List<String> lines = received(r.get(0));

        assertThat(lines).first().isEqualTo("HTTP/1.1 103 Early Hints");
        assertThat(lines.get(1)).isEqualTo("Link: </style.css>; rel=preload; as=style");
        assertThat(lines.indexOf("HTTP/1.1 200 OK")).isGreaterThan(1);
        assertThat(r.get(1)).isEqualTo("hinted");
    }

    @Test
    void earlyHintsCrossTheLinkToAnH2VisitorAsInterimHeaders() throws Exception {
        List<String> r = curl("/hints/2", "--http2-prior-knowledge");
        List<String> lines = received(r.get(0));

        assertThat(lines.stream().filter(l -> l.startsWith("HTTP/2 ")).toList()).containsExactly("HTTP/2 103", "HTTP/2 103", "HTTP/2 200");
        assertThat(lines).contains("link: </style.css>; rel=preload; as=style");
        assertThat(r.get(1)).isEqualTo("hinted");
    }

    @Test
    void moreThanEightInterimAnswersResetTheStreamAcrossTheLink() throws Exception {
        List<String> r = curl("/hints/9", "--http1.1");
        List<String> heads = received(r.get(0)).stream().filter(l -> l.startsWith("HTTP/")).toList();

        assertThat(heads).hasSize(9);
        assertThat(heads.subList(0, 8)).allMatch(h -> h.equals("HTTP/1.1 103 Early Hints"));
        assertThat(heads.getLast()).startsWith("HTTP/1.1 502");
    }

    @Test
    void responseTrailersCrossTheLinkToAChunkedHttp11Response() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), a.port())) {
            s.setSoTimeout(20_000);
            s.getOutputStream().write("GET /t/app/trailers HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
                    .getBytes(StandardCharsets.ISO_8859_1));
            String response = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);

            assertThat(response).startsWith("HTTP/1.1 200 OK\r\n").containsIgnoringCase("\r\ntransfer-encoding: chunked\r\n");
            assertThat(response.substring(response.indexOf("\r\n\r\n") + 4)).matches("(?s)[0-9a-f]+\r\nhello.* world\r\n"
                    + "0\r\nX-Checksum: abc123\r\n\r\n");
            assertThat(response).doesNotContain("stolen");
        }
    }

    @Test
    void responseTrailersCrossTheLinkToAnH2VisitorAsTrailingHeaders() throws Exception {
        List<String> r = curl("/trailers", "--http2-prior-knowledge");
        List<String> lines = received(r.get(0));

        assertThat(r.get(1)).isEqualTo("hello world");
        assertThat(lines).contains("HTTP/2 200", "x-checksum: abc123");
        assertThat(lines).noneMatch(l -> l.startsWith("set-cookie") || l.startsWith("content-length"));
    }

    @Test
    void aVisitorsRequestTrailersCrossTheLinkToTheApp() throws Exception {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), a.port())) {
            s.setSoTimeout(20_000);
            OutputStream out = s.getOutputStream();
            out.write(("POST /t/app/upload HTTP/1.1\r\nHost: 127.0.0.1\r\nTE: trailers\r\nConnection: TE\r\n"
                    + "Transfer-Encoding: chunked\r\n\r\n4\r\ndata\r\n0\r\nX-Signature: s1\r\nAuthorization: Bearer nope\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            byte[] head = new byte[12];
            assertThat(in.readNBytes(head, 0, 12)).isEqualTo(12);
            assertThat(new String(head, StandardCharsets.ISO_8859_1)).isEqualTo("HTTP/1.1 200");
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> app.received.stream().anyMatch(q -> q.startsWith("POST ")));
        String request = app.received.stream().filter(q -> q.startsWith("POST ")).findFirst().orElseThrow();

        assertThat(request).contains("\r\nTE: trailers\r\n").contains("Transfer-Encoding: chunked\r\n");
        assertThat(request).endsWith("4\r\ndata\r\n0\r\nX-Signature: s1\r\n\r\n");
        assertThat(request).doesNotContain("Bearer nope");
    }
}
