package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.BreakerPolicy;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.desktop.testing.RawHttpApp;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.shared.protocol.ErrorCode;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicInteger;

import static dev.portway.desktop.e2e.TunnelHarness.RecordingEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The engine forwards what the visitor sent instead of re-issuing it (PROTOCOL.md §6.1): real visitor → real relay →
 * real engine → a real local app (Python's http.server, or a raw socket that records the exact bytes it got).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class LocalLegIT {
    private Relay relay;
    private final OkHttpClient visitor = TunnelHarness.visitor();

    @BeforeAll
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TunnelHarness.TOKEN).build());
    }

    @AfterAll
    void stop() {
        relay.close();
    }

    private static RecordingEngine engine(Relay relay, String name, int port) {
        return new RecordingEngine(RecordingEngine.config(relay.connectUrl(), TunnelHarness.TOKEN, TunnelSpec.http(name, port))
                .withBreaker(new BreakerPolicy(2, Duration.ofSeconds(60))));
    }

    /** Sends {@code request} on a raw socket to the relay and returns every byte until the relay closes. */
    private byte[] raw(byte[] request) throws IOException {
        try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            s.setSoTimeout(15_000);
            s.getOutputStream().write(request);
            s.getOutputStream().flush();
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            InputStream in = s.getInputStream();
            byte[] buf = new byte[8192];
            try {
                for (int n; (n = in.read(buf)) != -1; ) {
                    got.write(buf, 0, n);
                }
            } catch (SocketException reset) {
                // a reset ends the response as well as a close does
            }
            return got.toByteArray();
        }
    }

    private static byte[] ascii(String s) {
        return s.getBytes(StandardCharsets.ISO_8859_1);
    }

    @Test
    void pythonsHttpServerAnswersEveryAlternatingGetAndPostItself(@TempDir Path dir) throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        Process python = new ProcessBuilder("python3", "-m", "http.server", String.valueOf(port), "--bind", "127.0.0.1")
                .directory(dir.toFile()).redirectErrorStream(true).redirectOutput(dir.resolve("python.log").toFile()).start();
        try (RecordingEngine engine = engine(relay, "pyapp", port)) {
            int p = port;
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
                try (Socket probe = new Socket(InetAddress.getLoopbackAddress(), p)) {
                    return true;
                }
            });
            engine.awaitTunnel();
            String url = "http://pyapp.localhost:" + relay.port() + "/";
            for (int i = 0; i < 20; i++) {
                boolean post = i % 2 == 1;
                Request.Builder b = new Request.Builder().url(url);
                if (post) {
                    b.post(RequestBody.create("x=" + i, MediaType.get("application/x-www-form-urlencoded")));
                }
                try (Response r = visitor.newCall(b.build()).execute()) {
                    assertThat(r.code()).as("request %d (%s)", i, post ? "POST" : "GET").isEqualTo(post ? 501 : 200);
                    assertThat(r.body().string()).as("http.server's own answer").isNotEmpty();
                }
            }
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.requests.size() == 20);
            assertThat(engine.requests).allSatisfy(e -> assertThat(e.error()).as(e.errorMessage()).isNull());
            assertThat(engine.breakers).isEmpty();
        } finally {
            python.destroy();
            python.waitFor();
        }
    }

    @Test
    void theLocalAppGetsTheTargetHeadersAndBodyAsTheVisitorSentThemWithNothingAdded() throws Exception {
        try (RawHttpApp app = new RawHttpApp(RawHttpApp.OK); RecordingEngine engine = engine(relay, "rawapp", app.port())) {
            engine.awaitTunnel();
            String host = "rawapp.localhost:" + relay.port();
            ByteArrayOutputStream req = new ByteArrayOutputStream();
            req.writeBytes(ascii("GET /a/./x/../y//z?raw="));
            req.writeBytes("\u2713".getBytes(StandardCharsets.UTF_8));
            req.writeBytes(ascii("&q=\"x\" HTTP/1.1\r\nHost: " + host + "\r\nx-lower-case: a\r\nX-Dup: 1\r\nX-UPPER: B\r\n"
                    + "X-Dup: 2\r\nContent-Length: 5\r\nConnection: close\r\n\r\nhello"));

            String answer = new String(raw(req.toByteArray()), StandardCharsets.ISO_8859_1);

            assertThat(answer).startsWith("HTTP/1.1 200");
            RawHttpApp.Received got = app.received.getFirst();
            assertThat(got.requestLine()).isEqualTo("GET /a/./x/../y//z?raw=\u00e2\u009c\u0093&q=\"x\" HTTP/1.1");
            assertThat(got.headerNames()).containsSubsequence("Host", "x-lower-case", "X-Dup", "X-UPPER", "X-Dup", "Content-Length");
            assertThat(got.headText()).contains("\r\nX-Dup: 1\r\n").contains("\r\nX-Dup: 2\r\n").contains("\r\nHost: " + host + "\r\n")
                    .contains("\r\nContent-Length: 5\r\n");
            assertThat(got.headerNames()).map(n -> n.toLowerCase(Locale.ROOT))
                    .doesNotContain("user-agent", "accept-encoding", "connection", "transfer-encoding");
            assertThat(got.bodyText()).isEqualTo("hello");
        }
    }

    @Test
    void aChunkedRequestBodyArrivesChunked() throws Exception {
        try (RawHttpApp app = new RawHttpApp(RawHttpApp.OK); RecordingEngine engine = engine(relay, "chunkapp", app.port())) {
            engine.awaitTunnel();
            String answer = new String(raw(ascii("POST /up HTTP/1.1\r\nHost: chunkapp.localhost:" + relay.port()
                    + "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n5\r\nhello\r\n6\r\n world\r\n0\r\n\r\n")),
                    StandardCharsets.ISO_8859_1);

            assertThat(answer).startsWith("HTTP/1.1 200");
            RawHttpApp.Received got = app.received.getFirst();
            assertThat(got.headText()).contains("\r\nTransfer-Encoding: chunked\r\n").doesNotContainIgnoringCase("content-length");
            assertThat(got.bodyText()).endsWith("0\r\n\r\n");
            assertThat(dechunk(got.bodyText())).isEqualTo("hello world");
        }
    }

    @Test
    void aResponseTheAppCutsShortReachesTheVisitorUpToTheCutThenEndsWithoutCompleting() throws Exception {
        try (RawHttpApp app = new RawHttpApp((r, out) -> {
            out.write(ascii("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n"));
            out.write(new byte[50_000]);
            return false; // dies mid-body
        }); RecordingEngine engine = engine(relay, "dyingapp", app.port())) {
            engine.awaitTunnel();

            byte[] answer = raw(ascii("GET /big HTTP/1.1\r\nHost: dyingapp.localhost:" + relay.port() + "\r\n\r\n"));

            String text = new String(answer, StandardCharsets.ISO_8859_1);
            assertThat(text).startsWith("HTTP/1.1 200");
            int bodyStart = text.indexOf("\r\n\r\n") + 4;
            assertThat(answer.length - bodyStart).as("body bytes the visitor got").isEqualTo(50_000);
            await().atMost(Duration.ofSeconds(5)).until(() -> !engine.requests.isEmpty());
            RequestEvent e = engine.requests.peek();
            assertThat(e.status()).isEqualTo(200);
            assertThat(e.bytesOut()).isEqualTo(50_000);
            assertThat(e.error()).as("RST target_error, not FIN").isEqualTo(ErrorCode.TARGET_ERROR);
            assertThat(engine.breakers).as("a cut-short answer is still an answer").isEmpty();
        }
    }

    @Test
    void oddAndRetargetingTargetsNeverReachAnotherPortNorOpenTheBreaker() throws Exception {
        AtomicInteger otherAccepted = new AtomicInteger();
        try (ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
             RawHttpApp app = new RawHttpApp((r, out) -> {
                 out.write(ascii(r.requestLine().startsWith("GET /ok ") ? "HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok"
                         : "HTTP/1.1 400 Bad Request\r\nContent-Length: 3\r\n\r\nbad"));
                 return true;
             });
             RecordingEngine engine = engine(relay, "oddapp", app.port())) {
            Thread.ofVirtual().start(() -> {
                while (!other.isClosed()) {
                    try (Socket s = other.accept()) {
                        otherAccepted.incrementAndGet();
                    } catch (IOException closed) {
                        return;
                    }
                }
            });
            engine.awaitTunnel();
            String host = "\r\nHost: oddapp.localhost:" + relay.port() + "\r\nConnection: close\r\n\r\n";
            int x = other.getLocalPort();
            for (String target : List.of("@127.0.0.1:" + x + "/secret", "*", "*", "*", "*", "*", "*", ".x")) {
                byte[] answer = raw(ascii("GET " + target + " HTTP/1.1" + host));
                // the relay refuses every target that is not origin-form before a stream opens
                assertThat(new String(answer, StandardCharsets.ISO_8859_1)).as(target)
                        .startsWith("HTTP/1.1 400").doesNotContain("Exception");
            }

            byte[] ok = raw(ascii("GET /ok HTTP/1.1" + host));

            assertThat(new String(ok, StandardCharsets.ISO_8859_1)).startsWith("HTTP/1.1 200");
            assertThat(otherAccepted).hasValue(0);
            assertThat(engine.breakers).as("the breaker stayed closed").isEmpty();
            assertThat(app.received).extracting(RawHttpApp.Received::requestLine).containsExactly("GET /ok HTTP/1.1");
        }
    }

    private static String dechunk(String chunked) {
        StringBuilder out = new StringBuilder();
        int i = 0;
        while (true) {
            int eol = chunked.indexOf("\r\n", i);
            int size = Integer.parseInt(chunked.substring(i, eol), 16);
            if (size == 0) {
                return out.toString();
            }
            out.append(chunked, eol + 2, eol + 2 + size);
            i = eol + 2 + size + 2;
        }
    }
}
