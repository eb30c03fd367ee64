package dev.portway.desktop.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The request a local app receives through the tunnel is the one curl sent, byte for byte but for the documented
 * proxy additions: each case runs the same curl command at the tunnel and at the recording app directly, and
 * compares the requests the app saw.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RequestFidelityIT {
    @TempDir
    static Path dir;
    private RecordingApp app;
    private Stack stack;
    private Curl curl;
    private String host;

    @BeforeAll
    void start() throws Exception {
        app = new RecordingApp();
        stack = Stack.start(Map.of("rec", app.port()));
        curl = new Curl(dir);
        host = stack.host("rec");
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
        app.close();
    }

    /** Runs the curl command at the tunnel and at the app, and compares what the app received. */
    private HttpMessage sameEcho(String what, String path, String... options) throws Exception {
        Curl.Result direct = curl.at(app.port(), host, path, options);
        Curl.Result tunnel = curl.at(stack.relayPort(), host, path, options);
        assertThat(direct.exit()).as("curl direct: %s", direct.stderr()).isZero();
        assertThat(tunnel.exit()).as("curl through the tunnel: %s", tunnel.stderr()).isZero();
        Diff.assertSameEcho(what, direct.last(), tunnel.last());
        return HttpMessage.parse(tunnel.last().body());
    }

    @Test
    void queryWithUtf8AndQuoteArrivesByteIdentical() throws Exception {
        HttpMessage seen = sameEcho("query ?raw=✓&q=\"x\"", "/echo?raw=✓&q=\"x\"");
        assertThat(seen.startLine().getBytes(StandardCharsets.ISO_8859_1))
                .as("request line the app saw")
                .startsWith("GET /echo?raw=✓&q=\"x\" ".getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void dotSegmentsAndDoubleSlashesArriveAsSent() throws Exception {
        HttpMessage seen = sameEcho("path /a/./x/../y//z", "/a/./x/../y//z");
        assertThat(seen.startLine()).startsWith("GET /a/./x/../y//z ");
    }

    @Test
    void getWithBodyKeepsBodyAndContentLength() throws Exception {
        HttpMessage seen = sameEcho("GET with a body", "/get-with-body", "-X", "GET", "-H", "Content-Type: text/plain",
                "--data-binary", "a body on a GET");
        assertThat(seen.bodyText()).isEqualTo("a body on a GET");
        assertThat(seen.header("Content-Length")).isEqualTo("15");
    }

    @Test
    void noUserAgentOrAcceptEncodingAddedWhenTheClientSentNone() throws Exception {
        HttpMessage seen = sameEcho("no User-Agent, no Accept-Encoding", "/bare", "-H", "User-Agent:", "-H", "Accept:");
        assertThat(seen.header("User-Agent")).as("User-Agent the app saw").isNull();
        assertThat(seen.header("Accept-Encoding")).as("Accept-Encoding the app saw").isNull();
    }

    @Test
    void h2cUpgradePostKeepsItsBody() throws Exception {
        // curl --http2 on http:// asks for h2c by Upgrade: the relay switches (101, then HTTP/2) and the request, body
        // included, reaches the app as the first h2 stream; the app asked directly ignores the Upgrade.
        String[] options = {"--http2", "--data-binary", "body of an h2c upgrade"};
        Curl.Result direct = curl.at(app.port(), host, "/h2c", options);
        Curl.Result tunnel = curl.at(stack.relayPort(), host, "/h2c", options);
        assertThat(direct.exit()).as("curl direct: %s", direct.stderr()).isZero();
        assertThat(tunnel.exit()).as("curl through the tunnel: %s", tunnel.stderr()).isZero();
        assertThat(tunnel.heads().getFirst().startLine()).startsWith("HTTP/1.1 101");
        assertThat(tunnel.last().startLine()).startsWith("HTTP/2 200");
        HttpMessage seen = HttpMessage.parse(tunnel.last().body());
        assertThat(Diff.view(seen)).as("the request the app received through the tunnel (actual) vs direct (expected)")
                .isEqualTo(Diff.view(HttpMessage.parse(direct.last().body())));
        assertThat(seen.bodyText()).isEqualTo("body of an h2c upgrade");
    }

    @Test
    void expect100ContinueBodyArrives() throws Exception {
        Path body = Files.write(dir.resolve("expect.bin"), RecordingApp.pattern(4000));
        Curl.Result direct = curl.at(app.port(), host, "/expect", "-H", "Expect: 100-continue", "--data-binary", "@" + body);
        Curl.Result tunnel = curl.at(stack.relayPort(), host, "/expect", "-H", "Expect: 100-continue", "--data-binary", "@" + body);
        assertThat(tunnel.exit()).as("curl through the tunnel: %s", tunnel.stderr()).isZero();
        // The relay answers 100 Continue itself (PROTOCOL.md §6.2); whether it passes Expect on is its choice.
        Diff.assertSameEcho("POST with Expect: 100-continue", direct.last(), tunnel.last(), "expect");
        assertThat(HttpMessage.parse(tunnel.last().body()).body()).isEqualTo(RecordingApp.pattern(4000));
    }

    @Test
    void http10RequestIsAnsweredLikeTheApp() throws Exception {
        sameEcho("HTTP/1.0 request (curl -0)", "/ten", "--http1.0");
    }

    @Test
    void chunkedRequestBodyArrivesWhole() throws Exception {
        Path body = Files.write(dir.resolve("chunked.bin"), RecordingApp.pattern(20_000));
        HttpMessage seen = sameEcho("chunked request body", "/chunked", "-H", "Transfer-Encoding: chunked",
                "-H", "Content-Type: application/octet-stream", "--data-binary", "@" + body);
        assertThat(seen.body()).isEqualTo(RecordingApp.pattern(20_000));
    }

    @Test
    void absoluteFormTargetIsRoutedByItsAuthorityToTheApp() throws Exception {
        String request = "GET http://" + host + "/absolute HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n";
        List<HttpMessage> tunnel = RawHttp.exchange(stack.relayPort(), request, "GET");
        assertThat(tunnel).as("an answer through the tunnel").hasSize(1);
        assertThat(tunnel.getFirst().startLine()).as("status line; body: %s", tunnel.getFirst().bodyText())
                .isEqualTo("HTTP/1.1 200 OK");
        assertThat(tunnel.getFirst().header("X-Recorded")).as("answered by the app").isEqualTo("yes");
        HttpMessage seen = HttpMessage.parse(tunnel.getFirst().body());
        // A gateway sends the origin form on (RFC 9112 §3.2.1); the app sees the path it would see direct.
        assertThat(seen.startLine()).isEqualTo("GET /absolute HTTP/1.1");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        StringBuilder request = new StringBuilder();
        for (int i = 1; i <= 3; i++) {
            request.append("GET /p").append(i).append(" HTTP/1.1\r\nHost: ").append(host).append("\r\n")
                    .append(i == 3 ? "Connection: close\r\n" : "").append("\r\n");
        }
        List<HttpMessage> direct = RawHttp.exchange(app.port(), request.toString(), "GET", "GET", "GET");
        List<HttpMessage> tunnel = RawHttp.exchange(stack.relayPort(), request.toString(), "GET", "GET", "GET");
        assertThat(direct).hasSize(3);
        assertThat(tunnel).as("answers to 3 pipelined requests through the tunnel").hasSize(3);
        for (int i = 0; i < 3; i++) {
            Diff.assertSameEcho("pipelined request " + (i + 1), direct.get(i), tunnel.get(i));
            assertThat(HttpMessage.parse(tunnel.get(i).body()).startLine()).startsWith("GET /p" + (i + 1) + " ");
        }
    }
}
