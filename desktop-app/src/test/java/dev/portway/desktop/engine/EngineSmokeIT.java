package dev.portway.desktop.engine;

import com.sun.net.httpserver.HttpServer;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.shared.protocol.ErrorCategory;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A real relay on port 0, real local servers and the engine between them. */
class EngineSmokeIT {
    private final OkHttpClient visitor = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    private final List<RequestEvent> events = new CopyOnWriteArrayList<>();
    private final List<EngineStatus> statuses = new CopyOnWriteArrayList<>();
    private HttpServer local;
    private Relay relay;
    private TunnelEngine engine;

    @BeforeEach
    void startRelayAndLocalServer() throws IOException {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret").build());
        local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        local.createContext("/", ex -> {
            byte[] body;
            try (InputStream in = ex.getRequestBody()) {
                body = ex.getRequestMethod().equals("POST")
                        ? sha256(in).getBytes(StandardCharsets.UTF_8)
                        : ("hello from local, host " + ex.getRequestHeaders().getFirst("Host")).getBytes(StandardCharsets.UTF_8);
            }
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        local.createContext("/big", ex -> {
            ex.sendResponseHeaders(200, 0); // chunked
            byte[] chunk = new byte[64 * 1024];
            try (OutputStream out = ex.getResponseBody()) {
                for (int i = 0; i < 50 * 16; i++) {
                    out.write(chunk);
                }
            }
        });
        local.createContext("/events", ex -> {
            ex.getResponseHeaders().add("Content-Type", "text/event-stream");
            ex.sendResponseHeaders(200, 0);
            try (OutputStream out = ex.getResponseBody()) {
                out.write("data: first\n\n".getBytes(StandardCharsets.UTF_8));
                out.flush();
                sseRelease.await();
                out.write("data: second\n\n".getBytes(StandardCharsets.UTF_8));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        local.start();
    }

    private final java.util.concurrent.CountDownLatch sseRelease = new java.util.concurrent.CountDownLatch(1);

    @Test
    void bigDownloadStreamsThroughWithoutHoldingItInMemory() throws IOException {
        start("secret", TunnelSpec.http("big", local.getAddress().getPort()));
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());

        try (Response r = get("big", "/big")) {
            long n = 0;
            byte[] buf = new byte[64 * 1024];
            InputStream in = r.body().byteStream();
            int k;
            while ((k = in.read(buf)) != -1) {
                n += k;
            }
            assertThat(n).isEqualTo(50L * 1024 * 1024);
        }
        await().until(() -> events.stream().anyMatch(e -> e.bytesOut() == 50L * 1024 * 1024));
    }

    @Test
    void serverSentEventsArriveBeforeTheResponseEnds() throws IOException {
        start("secret", TunnelSpec.http("sse", local.getAddress().getPort()));
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());

        try (Response r = get("sse", "/events")) {
            assertThat(r.body().source().readUtf8Line()).isEqualTo("data: first");
            sseRelease.countDown();
            assertThat(r.body().string()).contains("data: second");
        }
    }

    @Test
    void reconnectsAfterTheRelayRestartsAndBindsTheSameName() throws IOException {
        int port = relay.port();
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), "secret",
                        List.of(TunnelSpec.http(null, local.getAddress().getPort())))
                .withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), -1)), Runnable::run);
        engine.addListener(new EngineListener() {
            @Override
            public void onStatus(EngineStatus status) {
                statuses.add(status);
            }
        });
        engine.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
        String name = engine.tunnels().getFirst().name();

        relay.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.status().state() == EngineState.RECONNECTING);
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(port).token("secret").build());

        await().atMost(Duration.ofSeconds(15)).until(() -> engine.status().state() == EngineState.CONNECTED && !engine.tunnels().isEmpty());
        assertThat(engine.tunnels().getFirst().name()).isEqualTo(name);
        try (Response r = get(name, "/")) {
            assertThat(r.code()).isEqualTo(200);
        }
    }

    @AfterEach
    void stopAll() {
        if (engine != null) {
            engine.close();
        }
        local.stop(0);
        relay.close();
        visitor.dispatcher().executorService().shutdown();
        visitor.connectionPool().evictAll();
    }

    private TunnelEngine start(String token, TunnelSpec... specs) {
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), token, List.of(specs)), Runnable::run);
        engine.addListener(new EngineListener() {
            @Override
            public void onRequest(RequestEvent event) {
                events.add(event);
            }

            @Override
            public void onStatus(EngineStatus status) {
                statuses.add(status);
            }
        });
        engine.start();
        return engine;
    }

    private Response get(String name, String path) throws IOException {
        return visitor.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + path)
                .header("Host", name + ".localhost").build()).execute();
    }

    @Test
    void getThroughTheRelayReturnsTheLocalResponse() throws IOException {
        start("secret", TunnelSpec.http("myapp", local.getAddress().getPort()));
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
        assertThat(engine.tunnels().getFirst().url()).contains("myapp.localhost");

        try (Response r = get("myapp", "/")) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("hello from local, host myapp.localhost");
        }
        await().until(() -> events.stream().anyMatch(e -> e.status() == 200 && e.path().equals("/")));
    }

    @Test
    void localTargetDownGives502WithTheMessage() throws IOException {
        int downPort;
        try (ServerSocket s = new ServerSocket(0)) {
            downPort = s.getLocalPort();
        }
        start("secret", TunnelSpec.http("down", downPort));
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());

        try (Response r = get("down", "/")) {
            assertThat(r.code()).isEqualTo(502);
            assertThat(r.body().string()).contains("Nothing is listening on localhost:" + downPort + " — is your app running?");
        }
    }

    @Test
    void uploadIsStreamedToTheLocalService() throws Exception {
        start("secret", TunnelSpec.http("up", local.getAddress().getPort()));
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
        byte[] body = new byte[8 * 1024 * 1024];
        new Random(1).nextBytes(body);

        Request post = new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/upload").header("Host", "up.localhost")
                .post(RequestBody.create(body, MediaType.get("application/octet-stream"))).build();
        try (Response r = visitor.newCall(post).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(body)));
        }
    }

    @Test
    void tcpBytesFlowBothWays() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (IOException ignored) {
                    // test over
                }
            });
            start("secret", TunnelSpec.tcp("db", echo.getLocalPort()));
            await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
            int publicPort = engine.tunnels().getFirst().port();

            try (Socket s = new Socket("127.0.0.1", publicPort)) {
                s.getOutputStream().write("ping over tcp".getBytes(StandardCharsets.UTF_8));
                s.shutdownOutput();
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("ping over tcp");
            }
        }
    }

    @Test
    void webSocketToTheLocalAppEchoes() throws Exception {
        try (MockWebServer ws = new MockWebServer()) {
            ws.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
                @Override
                public void onMessage(WebSocket webSocket, String text) {
                    webSocket.send("echo: " + text);
                }

                @Override
                public void onClosing(WebSocket webSocket, int code, String reason) {
                    webSocket.close(code, reason); // OkHttp leaves answering the close to the application
                }
            }).build());
            ws.start();
            start("secret", TunnelSpec.http("ws", ws.getPort()));
            await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());

            List<String> got = new CopyOnWriteArrayList<>();
            WebSocket client = visitor.newWebSocket(new Request.Builder().url("ws://127.0.0.1:" + relay.port() + "/socket")
                    .header("Host", "ws.localhost").build(), new WebSocketListener() {
                @Override
                public void onMessage(WebSocket webSocket, String text) {
                    got.add(text);
                }

                @Override
                public void onClosed(WebSocket webSocket, int code, String reason) {
                    got.add("closed " + code);
                }
            });
            client.send("hi");
            await().atMost(Duration.ofSeconds(10)).until(() -> got.contains("echo: hi"));
            client.close(1000, "bye");
            await().atMost(Duration.ofSeconds(10)).until(() -> got.contains("closed 1000"));
            await().atMost(Duration.ofSeconds(10)).until(() -> events.stream().anyMatch(e -> e.path().equals("/socket")));
        }
    }

    @Test
    void wrongTokenFailsAtOnceWithAnAuthError() {
        start("wrong", TunnelSpec.http("myapp", local.getAddress().getPort()));

        await().atMost(Duration.ofSeconds(10)).until(() -> engine.status().state() == EngineState.FAILED);
        assertThat(engine.status().category()).isEqualTo(ErrorCategory.AUTH);
        assertThat(statuses).noneMatch(s -> s.state() == EngineState.RECONNECTING);
    }

    private static String sha256(InputStream in) throws IOException {
        try {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[64 * 1024];
            int n;
            while ((n = in.read(buf)) != -1) {
                md.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(md.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
