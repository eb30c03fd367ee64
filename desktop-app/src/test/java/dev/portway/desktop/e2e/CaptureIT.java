package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;

import static dev.portway.desktop.e2e.TunnelHarness.RecordingEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The inspector's capture, through the whole path (real visitor → relay on port 0 → engine → local app): headers
 * both ways and the first bytes of each body, capped, binary kept as bytes, truncation and full size recorded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CaptureIT {
    private Relay relay;
    private LocalHttpApp app;
    private RecordingEngine capped;
    private RecordingEngine headersOnly;
    private final OkHttpClient visitor = TunnelHarness.visitor();

    @BeforeAll
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TunnelHarness.TOKEN).build());
        app = new LocalHttpApp();
        capped = new RecordingEngine(RecordingEngine.config(relay.connectUrl(), TunnelHarness.TOKEN, TunnelSpec.http("cap", app.port())));
        headersOnly = new RecordingEngine(RecordingEngine.config(relay.connectUrl(), TunnelHarness.TOKEN, TunnelSpec.http("nocap", app.port()))
                .withCaptureLimit(0));
        capped.awaitTunnel();
        headersOnly.awaitTunnel();
    }

    @AfterAll
    void stop() {
        capped.close();
        headersOnly.close();
        relay.close();
        app.close();
    }

    private RequestEvent send(RecordingEngine engine, String tunnel, Request.Builder request) throws IOException {
        String path;
        try (Response r = visitor.newCall(request.url("http://" + tunnel + ".localhost:" + relay.port() + request.build().url().encodedPath()
                + (request.build().url().encodedQuery() == null ? "" : "?" + request.build().url().encodedQuery())).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            r.body().bytes();
            path = r.request().url().encodedPath();
        }
        return await().atMost(Duration.ofSeconds(10)).until(
                () -> engine.requests.stream().filter(e -> e.path().startsWith(path)).reduce((a, b) -> b).orElse(null),
                e -> e != null);
    }

    private static Request.Builder at(String pathAndQuery) {
        return new Request.Builder().url("http://placeholder" + pathAndQuery);
    }

    @Test
    void smallJsonExchangeIsCapturedWholeWithHeadersBothWays() throws IOException {
        String json = "{\"order\":42,\"note\":\"café ☕\"}";
        RequestEvent e = send(capped, "cap", at("/echo").header("X-Trace", "abc")
                .post(RequestBody.create(json, MediaType.get("application/json; charset=utf-8"))));
        CapturedExchange x = e.exchange();
        assertThat(x).isNotNull();
        assertThat(CapturedExchange.header(x.requestHeaders(), "X-Trace")).isEqualTo("abc");
        assertThat(CapturedExchange.header(x.requestHeaders(), "Content-Type")).startsWith("application/json");
        assertThat(new String(x.requestBody().bytes(), StandardCharsets.UTF_8)).isEqualTo(json);
        assertThat(x.requestBody().truncated()).isFalse();
        assertThat(x.requestBody().size()).isEqualTo(json.getBytes(StandardCharsets.UTF_8).length);
        assertThat(CapturedExchange.header(x.responseHeaders(), "Content-Type")).isEqualTo("application/octet-stream");
        assertThat(x.responseBody().bytes()).isEqualTo(json.getBytes(StandardCharsets.UTF_8));
        assertThat(x.reason()).isEqualTo("OK");
    }

    @Test
    void binaryBodyIsKeptAsBytes() throws IOException {
        byte[] all = new byte[256];
        for (int i = 0; i < all.length; i++) {
            all[i] = (byte) i;
        }
        RequestEvent e = send(capped, "cap", at("/echo").post(RequestBody.create(all, MediaType.get("application/octet-stream"))));
        assertThat(e.exchange().requestBody().bytes()).isEqualTo(all);
        assertThat(e.exchange().responseBody().bytes()).isEqualTo(all);
        assertThat(e.exchange().responseBody().truncated()).isFalse();
    }

    @Test
    void largeBodiesAreCappedAtTheLimitAndMarkedTruncatedWithTheirFullSize() throws IOException {
        int size = 1024 * 1024 + 17;
        byte[] upload = new byte[size];
        LocalHttpApp.fill(upload, 0, size);
        RequestEvent up = send(capped, "cap", at("/digest").post(RequestBody.create(upload, MediaType.get("application/octet-stream"))));
        assertThat(up.exchange().requestBody().bytes()).hasSize(EngineConfig.DEFAULT_CAPTURE_LIMIT)
                .isEqualTo(Arrays.copyOf(upload, EngineConfig.DEFAULT_CAPTURE_LIMIT));
        assertThat(up.exchange().requestBody().size()).isEqualTo(size);
        assertThat(up.exchange().requestBody().truncated()).isTrue();
        assertThat(new String(up.exchange().responseBody().bytes(), StandardCharsets.UTF_8)).startsWith(size + " ");

        RequestEvent down = send(capped, "cap", at("/download?size=300000"));
        byte[] expected = new byte[EngineConfig.DEFAULT_CAPTURE_LIMIT];
        LocalHttpApp.fill(expected, 0, expected.length);
        assertThat(down.exchange().responseBody().bytes()).isEqualTo(expected);
        assertThat(down.exchange().responseBody().size()).isEqualTo(300_000);
        assertThat(down.exchange().responseBody().truncated()).isTrue();
        assertThat(down.bytesOut()).isEqualTo(300_000);
    }

    @Test
    void webSocketUpgradeKeepsHeadersOnly() throws Exception {
        try (WebSocketEchoServer ws = new WebSocketEchoServer();
             RecordingEngine engine = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.http("wscap", ws.port()))) {
            engine.awaitTunnel();
            java.util.concurrent.LinkedBlockingQueue<String> received = new java.util.concurrent.LinkedBlockingQueue<>();
            okhttp3.WebSocket socket = visitor.newWebSocket(new Request.Builder().url("ws://wscap.localhost:" + relay.port() + "/ws").build(),
                    new okhttp3.WebSocketListener() {
                        @Override
                        public void onMessage(okhttp3.WebSocket webSocket, String text) {
                            received.add(text);
                        }
                    });
            socket.send("a message that is not a body");
            assertThat(received.poll(10, java.util.concurrent.TimeUnit.SECONDS)).isEqualTo("echo: a message that is not a body");
            socket.close(1000, "done");
            RequestEvent e = await().atMost(Duration.ofSeconds(10)).until(() -> engine.requests.peek(), r -> r != null);
            assertThat(e.status()).isEqualTo(101);
            assertThat(CapturedExchange.header(e.exchange().requestHeaders(), "Upgrade")).isEqualToIgnoringCase("websocket");
            assertThat(CapturedExchange.header(e.exchange().responseHeaders(), "Sec-WebSocket-Accept")).isNotBlank();
            assertThat(e.exchange().requestBody().bytes()).isEmpty();
            assertThat(e.exchange().responseBody().bytes()).isEmpty();
            assertThat(e.bytesIn()).as("the piped bytes are still counted").isPositive();
        }
    }

    @Test
    void captureLimitZeroKeepsHeadersAndSizesButNoBodyBytes() throws IOException {
        RequestEvent e = send(headersOnly, "nocap", at("/echo").post(RequestBody.create("secret", MediaType.get("text/plain"))));
        assertThat(CapturedExchange.header(e.exchange().requestHeaders(), "Content-Type")).startsWith("text/plain");
        assertThat(e.exchange().requestBody().bytes()).isEmpty();
        assertThat(e.exchange().requestBody().size()).isEqualTo(6);
        assertThat(e.exchange().requestBody().truncated()).isTrue();
        assertThat(e.exchange().responseBody().bytes()).isEmpty();
    }
}
