package dev.portway.desktop.e2e;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.engine.DeliveryPolicy;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.QueuedRequest;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.shared.protocol.Protocol;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;

import static dev.portway.desktop.e2e.TunnelHarness.RecordingEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The durable queue end to end (PROTOCOL.md §9.3): real relay with its database, real engine with its client
 * store, real local app, real visitor. Webhooks sent while the client is away are answered 202 by the relay,
 * delivered to the engine when it comes back, and reach the local app — also when the app was down at first
 * and the engine was restarted in between.
 */
class QueueIT {
    private static final DeliveryPolicy FAST = new DeliveryPolicy(Duration.ofMillis(100), 2, 0, Duration.ofMillis(500), 4,
            Duration.ofSeconds(5));
    private static final MediaType JSON = MediaType.get("application/json");

    @TempDir
    Path relayDir;
    @TempDir
    Path engineDir;

    private final OkHttpClient visitor = TunnelHarness.visitor();
    private Relay relay;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TunnelHarness.TOKEN).dataDir(relayDir).build());
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    @Test
    void aWebhookSentWhileTheEngineIsStoppedReachesTheLocalAppWhenItStarts() throws Exception {
        try (Hooks app = Hooks.start(0)) {
            registerQueuedTunnel(app.port());

            String deliveryId = postWebhook("{\"event\":\"paid\"}");

            try (RecordingEngine engine = engine(app.port())) {
                await().atMost(Duration.ofSeconds(20)).until(() -> app.received.size() == 1);
                Hooks.Received r = app.received.getFirst();
                assertThat(r.deliveryId()).isEqualTo(deliveryId);
                assertThat(r.body()).isEqualTo("{\"event\":\"paid\"}");
                assertThat(r.path()).isEqualTo("/hooks");
                await().atMost(Duration.ofSeconds(5)).until(() -> engine.engine.queuedRequests().isEmpty());
                assertThat(engine.deliveries).anySatisfy(d -> assertThat(d.delivered()).isTrue());
                await().atMost(Duration.ofSeconds(5)).until(() -> engine.relayQueues.stream()
                        .anyMatch(q -> q.tunnel().equals("hooks") && q.level().equals("ok")));
            }
        }
    }

    @Test
    void aWebhookWaitsInTheClientQueueWhileTheAppIsDownEvenAcrossAnEngineRestart() throws Exception {
        int appPort;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            appPort = s.getLocalPort();
        }
        registerQueuedTunnel(appPort);
        String deliveryId = postWebhook("{\"event\":\"refund\"}");

        try (RecordingEngine engine = engine(appPort)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> engine.engine.queuedRequests().stream()
                    .anyMatch(q -> q.deliveryId().equals(deliveryId) && q.attempts() >= 1));
            QueuedRequest q = engine.engine.queuedRequests().getFirst();
            assertThat(q.lastError()).contains("Nothing is listening on localhost:" + appPort);
        }

        try (Hooks app = Hooks.start(appPort); RecordingEngine engine = engine(appPort)) {
            await().atMost(Duration.ofSeconds(20)).until(() -> app.received.size() == 1);
            assertThat(app.received.getFirst().deliveryId()).isEqualTo(deliveryId);
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.engine.queuedRequests().isEmpty());
            await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3)).until(() -> app.received.size() == 1);
        }
    }

    /** Binds the queued tunnel once (so the relay reserves "hooks" for this client key), then stops the engine. */
    private void registerQueuedTunnel(int appPort) {
        try (RecordingEngine engine = engine(appPort)) {
            engine.awaitTunnel();
        }
    }

    private String postWebhook(String json) throws IOException {
        Request post = new Request.Builder().url("http://hooks.localhost:" + relay.port() + "/hooks")
                .post(RequestBody.create(json, JSON)).build();
        try (Response r = visitor.newCall(post).execute()) {
            assertThat(r.code()).isEqualTo(202);
            String id = r.header(Protocol.DELIVERY_ID_HEADER);
            assertThat(id).isNotBlank();
            return id;
        }
    }

    private RecordingEngine engine(int appPort) {
        EngineConfig config = RecordingEngine.config(relay.connectUrl(), TunnelHarness.TOKEN,
                        new TunnelSpec("http", "hooks", "localhost", appPort, Map.of("queue", "on")))
                .withDataDir(engineDir).withDelivery(FAST);
        return new RecordingEngine(config);
    }

    /** A webhook receiver on a given port (0 = any). */
    static final class Hooks implements AutoCloseable {
        record Received(String deliveryId, String path, String body) {
        }

        final List<Received> received = new CopyOnWriteArrayList<>();
        private final HttpServer server;

        private Hooks(HttpServer server) {
            this.server = server;
        }

        static Hooks start(int port) throws IOException {
            HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 0);
            Hooks hooks = new Hooks(server);
            server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
            server.createContext("/", ex -> {
                String body = new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
                hooks.received.add(new Received(ex.getRequestHeaders().getFirst(Protocol.DELIVERY_ID_HEADER),
                        ex.getRequestURI().getPath(), body));
                ex.sendResponseHeaders(204, -1);
                ex.close();
            });
            server.start();
            return hooks;
        }

        int port() {
            return server.getAddress().getPort();
        }

        @Override
        public void close() {
            server.stop(0);
        }
    }
}
