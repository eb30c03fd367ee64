package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.QueuedRequest;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static dev.portway.desktop.e2e.TunnelHarness.RecordingEngine;
import static dev.portway.desktop.e2e.TunnelHarness.TOKEN;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The promise "no request is lost", tested by breaking things for real: relays killed with
 * {@code kill -9}, a network that goes half-open, a local app that is down, a client killed in the
 * middle of deliveries, a queue filled to the brim.
 */
class FaultIT {
    private static final Duration LONG = Duration.ofSeconds(60);
    private final OkHttpClient visitor = TunnelHarness.visitor();

    @TempDir
    Path tmp;

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private static TunnelSpec hooks(int localPort) {
        return new TunnelSpec("http", "hooks", "localhost", localPort, Map.of("queue", "on"));
    }

    private EngineConfig queuedConfig(String connectUrl, int localPort) {
        return RecordingEngine.config(connectUrl, TOKEN, hooks(localPort)).withDataDir(tmp.resolve("client"));
    }

    /** POSTs a webhook to the relay; returns the delivery id of a 202, or null for any other answer. */
    private String postWebhook(int relayPort, int n) throws IOException {
        Request post = new Request.Builder().url("http://hooks.localhost:" + relayPort + "/hook/" + n)
                .post(RequestBody.create("{\"event\":" + n + "}", MediaType.get("application/json"))).build();
        try (Response r = visitor.newCall(post).execute()) {
            if (r.code() != 202) {
                return null;
            }
            String id = r.header("Portway-Delivery-Id");
            assertThat(id).isNotBlank();
            assertThat(r.body().string()).contains("\"delivery_id\":\"" + id + "\"").contains("queued");
            return id;
        }
    }

    /** Binds the queued tunnel once so the relay reserves its name for this client, then goes offline. */
    private void reserveAndGoOffline(String connectUrl, int localPort) {
        try (RecordingEngine engine = new RecordingEngine(queuedConfig(connectUrl, localPort))) {
            assertThat(engine.awaitTunnel().name()).isEqualTo("hooks");
        }
    }

    @Test
    void relayKilledHardWithQueuedRequestsDeliversEveryOneAfterRestart() throws Exception {
        int relayPort = freePort();
        Path relayData = tmp.resolve("relay");
        try (WebhookSink sink = new WebhookSink()) {
            JvmProcess relay = JvmProcess.relay(relayPort, relayData, TOKEN, tmp.resolve("relay.log")).start();
            try {
                relay.awaitOutput("listening", LONG);
                String url = "ws://127.0.0.1:" + relayPort;
                reserveAndGoOffline(url, sink.port());
                List<String> ids = new ArrayList<>();
                for (int i = 0; i < 20; i++) {
                    ids.add(postWebhook(relayPort, i));
                }
                assertThat(ids).doesNotContainNull().doesNotHaveDuplicates();

                relay.killHard();
                relay = JvmProcess.relay(relayPort, relayData, TOKEN, tmp.resolve("relay.log")).start();
                relay.awaitOutput("listening", LONG);

                try (RecordingEngine engine = new RecordingEngine(queuedConfig(url, sink.port()))) {
                    engine.awaitTunnel();
                    await().atMost(LONG).untilAsserted(() -> assertThat(sink.received.keySet()).containsAll(ids));
                    assertThat(sink.bodies.get(ids.get(7))).isEqualTo("{\"event\":7}");
                }
            } finally {
                relay.close();
            }
        }
    }

    @Test
    void aHalfOpenNetworkIsNoticedOnBothSidesAndTheClientComesBackWithItsName() throws Exception {
        try (Relay relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TOKEN)
                .pingInterval(Duration.ofMillis(300)).deadAfter(Duration.ofMillis(1500)).grace(Duration.ofSeconds(30)).build());
             LocalHttpApp app = new LocalHttpApp();
             TcpProxy network = new TcpProxy(relay.port());
             RecordingEngine engine = new RecordingEngine(RecordingEngine.config("ws://127.0.0.1:" + network.port(), TOKEN,
                     TunnelSpec.http("steady", app.port())).withHeartbeat(Duration.ofMillis(300), Duration.ofMillis(1500)))) {
            BoundTunnel before = engine.awaitTunnel();
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.sessionCount() == 1);

            network.freeze(); // nothing is closed; bytes just stop
            await().atMost(Duration.ofSeconds(6)).until(() -> relay.sessionCount() == 0);
            await().atMost(Duration.ofSeconds(6)).until(() -> engine.engine.status().state() != EngineState.CONNECTED);

            network.heal();
            List<BoundTunnel> after = engine.awaitBound(1);
            assertThat(after.getFirst().name()).isEqualTo("steady");
            assertThat(after.getFirst().url()).isEqualTo(before.url());
            try (Response r = visitor.newCall(new Request.Builder().url("http://steady.localhost:" + relay.port() + "/hello").build()).execute()) {
                assertThat(r.body().string()).isEqualTo("hello from the local app");
            }
        }
    }

    @Test
    void localTargetDownWhileTheQueueFlushesKeepsRequestsUntilItIsBackEvenAcrossAClientRestart() throws Exception {
        try (Relay relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TOKEN)
                .dataDir(tmp.resolve("relay")).build());
             WebhookSink sink = new WebhookSink()) {
            reserveAndGoOffline(relay.connectUrl(), sink.port());
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                ids.add(postWebhook(relay.port(), i));
            }
            sink.failing.set(true);
            try (RecordingEngine engine = new RecordingEngine(queuedConfig(relay.connectUrl(), sink.port()))) {
                engine.awaitTunnel();
                // The relay handed everything over (acknowledged after the client stored it)...
                await().atMost(LONG).until(() -> relay.queuedCount("hooks") == 0);
                // ...and the client keeps it while the local app fails.
                await().atMost(LONG).untilAsserted(() -> assertThat(engine.engine.queuedRequests())
                        .hasSize(5).allSatisfy(q -> assertThat(q.attempts()).isPositive()));
                QueuedRequest first = engine.engine.queuedRequests().getFirst();
                assertThat(first.lastError()).isNotBlank();
                assertThat(first.tunnel()).isEqualTo("hooks");
                assertThat(sink.received).isEmpty();
            }
            sink.failing.set(false);
            try (RecordingEngine restarted = new RecordingEngine(queuedConfig(relay.connectUrl(), sink.port()))) {
                restarted.awaitTunnel();
                restarted.engine.retryAll();
                await().atMost(LONG).untilAsserted(() -> assertThat(sink.received.keySet()).containsExactlyInAnyOrderElementsOf(ids));
                await().atMost(LONG).until(() -> restarted.engine.queuedRequests().isEmpty());
            }
        }
    }

    @Test
    void aClientKilledInTheMiddleOfDeliveriesLosesNothing() throws Exception {
        try (Relay relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TOKEN)
                .dataDir(tmp.resolve("relay")).build());
             WebhookSink sink = new WebhookSink()) {
            Path clientData = tmp.resolve("client-process");
            Path log = tmp.resolve("client.log");
            JvmProcess client = JvmProcess.client(relay.port(), TOKEN, clientData, log,
                    "http", String.valueOf(sink.port()), "--name", "hooks", "--queue").start();
            client.awaitOutput("Forwarding", LONG);
            client.killHard(); // no unbind: the name stays reserved, requests queue up
            // Once the relay has seen the connection go: a webhook sent before that goes to the dying session (502).
            await().atMost(LONG).until(() -> relay.sessionCount() == 0);

            List<String> ids = new ArrayList<>();
            for (int i = 0; i < 200; i++) {
                ids.add(postWebhook(relay.port(), i));
            }
            assertThat(ids).doesNotContainNull();

            client = JvmProcess.client(relay.port(), TOKEN, clientData, log, "http", String.valueOf(sink.port()), "--name", "hooks", "--queue").start();
            await().atMost(LONG).until(() -> sink.distinct() >= 20);
            client.killHard(); // in the middle of the flush
            int beforeRestart = sink.distinct();

            client = JvmProcess.client(relay.port(), TOKEN, clientData, log, "http", String.valueOf(sink.port()), "--name", "hooks", "--queue").start();
            try {
                await().atMost(LONG).untilAsserted(() -> assertThat(sink.received.keySet()).containsAll(ids));
            } finally {
                client.close();
            }
            System.out.printf("client killed after %d of 200 deliveries: %d/200 delivered, %d duplicates%n",
                    beforeRestart, sink.distinct(), sink.duplicates());
            assertThat(sink.requestsWithoutId).hasValue(0);
        }
    }

    @Test
    void aFillingQueueSignalsPressureThenRefusesWithRetryAfterAndLosesNothingItAccepted() throws Exception {
        try (Relay relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TOKEN)
                .dataDir(tmp.resolve("relay")).queueMaxCount(10).build());
             WebhookSink sink = new WebhookSink()) {
            reserveAndGoOffline(relay.connectUrl(), sink.port());
            List<String> accepted = new ArrayList<>();
            for (int i = 0; i < 8; i++) {
                accepted.add(postWebhook(relay.port(), i));
            }
            try (RecordingEngine engine = new RecordingEngine(queuedConfig(relay.connectUrl(), sink.port()))) {
                engine.awaitTunnel();
                await().atMost(LONG).untilAsserted(() -> assertThat(engine.relayQueues).anySatisfy(s -> {
                    assertThat(s.level()).isEqualTo("pressure");
                    assertThat(s.count()).isEqualTo(8);
                    assertThat(s.maxCount()).isEqualTo(10);
                }));
                await().atMost(LONG).untilAsserted(() -> assertThat(sink.received.keySet()).containsAll(accepted));
            }

            List<String> second = new ArrayList<>();
            for (int i = 0; i < 10; i++) {
                second.add(postWebhook(relay.port(), 100 + i));
            }
            assertThat(second).doesNotContainNull();
            Request eleventh = new Request.Builder().url("http://hooks.localhost:" + relay.port() + "/hook/full")
                    .post(RequestBody.create("{}", MediaType.get("application/json"))).build();
            try (Response r = visitor.newCall(eleventh).execute()) {
                assertThat(r.code()).isEqualTo(503);
                assertThat(r.header("Retry-After")).isNotBlank();
            }
            try (RecordingEngine engine = new RecordingEngine(queuedConfig(relay.connectUrl(), sink.port()))) {
                engine.awaitTunnel();
                await().atMost(LONG).untilAsserted(() -> assertThat(sink.received.keySet()).containsAll(second));
            }
            assertThat(sink.distinct()).isEqualTo(18);
        }
    }
}
