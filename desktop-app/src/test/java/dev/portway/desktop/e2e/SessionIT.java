package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.shared.protocol.ErrorCategory;
import dev.portway.shared.protocol.ErrorCode;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static dev.portway.desktop.e2e.TunnelHarness.RecordingEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Sessions, names, WebSocket upgrades and TCP tunnels, end to end with real peers. */
class SessionIT {
    private Relay relay;
    private LocalHttpApp app;
    private final OkHttpClient visitor = TunnelHarness.visitor();

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TunnelHarness.TOKEN)
                .tcpPortFrom(0).tcpPortTo(0).grace(Duration.ofSeconds(20)).build());
        app = new LocalHttpApp();
    }

    @AfterEach
    void stop() {
        relay.close();
        app.close();
    }

    private String get(String host, String path) throws IOException {
        try (Response r = visitor.newCall(new Request.Builder().url("http://" + host + ":" + relay.port() + path).build()).execute()) {
            return r.code() + " " + r.body().string();
        }
    }

    @Test
    void aBrowserStyleWebSocketReachesTheLocalAppThroughTheTunnel() throws Exception {
        try (WebSocketEchoServer ws = new WebSocketEchoServer();
             RecordingEngine engine = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.http("wsapp", ws.port()))) {
            engine.awaitTunnel();
            LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
            WebSocket socket = visitor.newWebSocket(new Request.Builder().url("ws://wsapp.localhost:" + relay.port() + "/ws").build(),
                    new WebSocketListener() {
                        @Override
                        public void onMessage(WebSocket webSocket, String text) {
                            received.add(text);
                        }

                        @Override
                        public void onMessage(WebSocket webSocket, ByteString bytes) {
                            received.add(bytes);
                        }

                        @Override
                        public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                            received.add(t);
                        }
                    });
            socket.send("hello through the tunnel");
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: hello through the tunnel");
            ByteString binary = ByteString.of(new byte[]{0, 1, 2, (byte) 255});
            socket.send(binary);
            assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo(binary);
            socket.close(1000, "done");
        }
    }

    @Test
    void tcpTunnelEchoesAndHalfClosesBothWays() throws Exception {
        try (TcpEchoServer echo = new TcpEchoServer();
             RecordingEngine engine = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.tcp("echo", echo.port()))) {
            BoundTunnel t = engine.awaitTunnel();
            assertThat(t.kind()).isEqualTo("tcp");
            assertThat(t.port()).isPositive();
            assertThat(t.url()).isEqualTo("tcp://localhost:" + t.port());
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port())) {
                s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
                s.getOutputStream().flush();
                byte[] first = s.getInputStream().readNBytes(5);
                assertThat(new String(first, StandardCharsets.US_ASCII)).isEqualTo("hello");
                s.shutdownOutput(); // half-close: the echo server answers with its trailer, then closes
                assertThat(new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("bye:5");
            }
        }
    }

    @Test
    void tcpVisitorIsClosedAtOnceWhenTheLocalPortRefuses() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            deadPort = s.getLocalPort();
        }
        try (RecordingEngine engine = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.tcp("dead", deadPort))) {
            BoundTunnel t = engine.awaitTunnel();
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), t.port())) {
                s.setSoTimeout(10_000);
                InputStream in = s.getInputStream();
                assertThat(readToEndOrReset(in)).isEmpty();
            }
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(engine.requests)
                    .anySatisfy(e -> {
                        assertThat(e.error()).isEqualTo(ErrorCode.TARGET_UNREACHABLE);
                        assertThat(e.errorMessage()).contains("localhost:" + deadPort);
                    }));
        }
    }

    private static byte[] readToEndOrReset(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try {
            in.transferTo(out);
        } catch (java.net.SocketException reset) {
            // a reset is as good as a close here: the point is that it ends at once
        }
        return out.toByteArray();
    }

    @Test
    void wrongTokenFailsAtOnceWithAnAuthErrorAndIsNotRetried() {
        try (RecordingEngine engine = new RecordingEngine(RecordingEngine.config(relay.connectUrl(), "wrong-token",
                TunnelSpec.http("x", app.port())))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.engine.status().state() == EngineState.FAILED);
            EngineStatus failed = engine.engine.status();
            assertThat(failed.category()).isEqualTo(ErrorCategory.AUTH);
            assertThat(failed.message()).containsIgnoringCase("token");
            assertThat(engine.statuses).noneMatch(s -> s.state() == EngineState.RECONNECTING);
            assertThat(relay.sessionCount()).isZero();
        }
    }

    @Test
    void retryAfterFailedConnectsAgain() {
        try (RecordingEngine engine = new RecordingEngine(RecordingEngine.config(relay.connectUrl(), "wrong-token",
                TunnelSpec.http("x", app.port())))) {
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.engine.status().state() == EngineState.FAILED);
            int before = engine.statuses.size();

            engine.engine.retry();

            await().atMost(Duration.ofSeconds(10)).until(() -> engine.statuses.size() > before + 1
                    && engine.engine.status().state() == EngineState.FAILED);
            assertThat(engine.statuses.subList(before, engine.statuses.size())).extracting(EngineStatus::state)
                    .containsExactly(EngineState.CONNECTING, EngineState.FAILED);
        }
    }

    @Test
    void aRelayThatFallsSilentIsDroppedAfterDeadAfterAndTheClientTakesItsSessionOverWithItsName() throws Exception {
        // The relay here notices a dead client only after 45 s; the client notices a dead relay after 1 s.
        try (TcpProxy network = new TcpProxy(relay.port());
             RecordingEngine engine = new RecordingEngine(RecordingEngine.config("ws://127.0.0.1:" + network.port(), TunnelHarness.TOKEN,
                     TunnelSpec.http("silent", app.port())).withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(1)))) {
            BoundTunnel before = engine.awaitTunnel();

            network.blackholeExisting(); // the old connection dangles without closing (a Wi-Fi switch); a new one works

            await().atMost(Duration.ofSeconds(10)).alias("statuses: " + engine.statuses).until(() -> engine.statuses.stream()
                    .anyMatch(s -> s.state() == EngineState.RECONNECTING && s.message().startsWith("No answer from the relay")));
            List<BoundTunnel> after = engine.awaitBound(1);
            // The relay still counted the old session as alive: the resume key in the new hello takes it over.
            assertThat(after.getFirst().name()).isEqualTo("silent");
            assertThat(after.getFirst().url()).isEqualTo(before.url());
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.sessionCount() == 1);
            assertThat(get("silent.localhost", "/hello")).isEqualTo("200 hello from the local app");
        }
    }

    @Test
    void aSecondClientAskingForATakenNameGetsAnotherAndTheFirstKeepsIt() throws Exception {
        try (LocalHttpApp other = new LocalHttpApp();
             RecordingEngine first = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.http("shared-name", app.port()))) {
            BoundTunnel a = first.awaitTunnel();
            try (RecordingEngine second = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.http("shared-name", other.port()))) {
                BoundTunnel b = second.awaitTunnel();
                assertThat(a.name()).isEqualTo("shared-name");
                assertThat(b.name()).isNotEqualTo("shared-name").startsWith("shared-name");
                assertThat(b.notice()).isNotBlank();
                assertThat(get("shared-name.localhost", "/hello")).isEqualTo("200 hello from the local app");
                assertThat(get(b.name() + ".localhost", "/hello")).isEqualTo("200 hello from the local app");
                assertThat(app.seen).hasSize(1);
                assertThat(other.seen).hasSize(1);
            }
        }
    }

    @Test
    void aClientThatDropsAndReconnectsWithinTheGracePeriodKeepsItsName() throws Exception {
        try (TcpProxy network = new TcpProxy(relay.port());
             RecordingEngine engine = RecordingEngine.connect("ws://127.0.0.1:" + network.port() + "/api/tunnel/connect",
                     TunnelSpec.http("sticky", app.port()))) {
            BoundTunnel before = engine.awaitTunnel();
            assertThat(before.name()).isEqualTo("sticky");
            assertThat(get("sticky.localhost", "/hello")).isEqualTo("200 hello from the local app");

            network.dropAll();
            await().atMost(Duration.ofSeconds(15)).until(() -> engine.statuses.stream()
                    .anyMatch(s -> s.state() == EngineState.RECONNECTING));
            // Someone else tries to grab the name while its owner is away: they must not get it.
            try (RecordingEngine thief = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.http("sticky", app.port()))) {
                assertThat(thief.awaitTunnel().name()).isNotEqualTo("sticky");
                List<BoundTunnel> after = engine.awaitBound(1);
                assertThat(after.getFirst().name()).isEqualTo("sticky");
                assertThat(after.getFirst().url()).isEqualTo(before.url());
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(get("sticky.localhost", "/hello")).isEqualTo("200 hello from the local app"));
        }
    }

    @Test
    void aLocalAppThatClosesEveryConnectionAnswersEveryRequest() throws Exception {
        try (ServerSocket http10 = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                // Like `python3 -m http.server`: HTTP/1.0, one response per connection, then close.
                while (!http10.isClosed()) {
                    try (Socket s = http10.accept()) {
                        java.io.BufferedReader in = new java.io.BufferedReader(new java.io.InputStreamReader(s.getInputStream(), StandardCharsets.US_ASCII));
                        for (String line; (line = in.readLine()) != null && !line.isEmpty(); ) {
                            // read the request head
                        }
                        s.getOutputStream().write("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok".getBytes(StandardCharsets.US_ASCII));
                    } catch (IOException e) {
                        return;
                    }
                }
            });
            try (RecordingEngine engine = RecordingEngine.connect(relay.connectUrl(), TunnelSpec.http("old", http10.getLocalPort()))) {
                engine.awaitTunnel();
                for (int i = 0; i < 5; i++) {
                    assertThat(get("old.localhost", "/" + i)).isEqualTo("200 ok");
                }
            }
        }
    }

    @Test
    void heartbeatReportsRoundTripTimes() {
        try (RecordingEngine engine = new RecordingEngine(RecordingEngine.config(relay.connectUrl(), TunnelHarness.TOKEN,
                TunnelSpec.http("beat", app.port())).withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(5)))) {
            engine.awaitTunnel();
            await().atMost(Duration.ofSeconds(10)).until(() -> engine.rtts.size() >= 3);
            assertThat(engine.rtts).allSatisfy(rtt -> assertThat(rtt).isBetween(Duration.ZERO, Duration.ofSeconds(5)));
        }
    }
}
