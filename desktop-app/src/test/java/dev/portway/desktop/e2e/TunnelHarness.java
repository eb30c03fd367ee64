package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.DeliveryEvent;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.EngineListener;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.engine.RelayQueueStatus;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import okhttp3.OkHttpClient;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.awaitility.Awaitility.await;

/** Shared pieces of the end-to-end tests: visitors that resolve *.localhost, and engines that record what they report. */
final class TunnelHarness {
    static final String TOKEN = "e2e-secret-token";

    private TunnelHarness() {
    }

    /** A visitor's HTTP client: real OkHttp, with {@code *.localhost} resolving to loopback as browsers do. */
    static OkHttpClient visitor() {
        return dev.portway.desktop.testing.Visitors.client();
    }

    /** An engine plus everything it reported, in order. */
    static final class RecordingEngine implements AutoCloseable {
        final TunnelEngine engine;
        final List<EngineStatus> statuses = new CopyOnWriteArrayList<>();
        final List<BoundTunnel> bound = new CopyOnWriteArrayList<>();
        final ConcurrentLinkedQueue<RequestEvent> requests = new ConcurrentLinkedQueue<>();
        final List<Duration> rtts = new CopyOnWriteArrayList<>();
        /** "tunnel state" for every breaker change. */
        final List<String> breakers = new CopyOnWriteArrayList<>();
        final List<DeliveryEvent> deliveries = new CopyOnWriteArrayList<>();
        final List<RelayQueueStatus> relayQueues = new CopyOnWriteArrayList<>();

        RecordingEngine(EngineConfig config) {
            engine = new TunnelEngine(config, Runnable::run);
            engine.addListener(new EngineListener() {
                @Override
                public void onStatus(EngineStatus status) {
                    statuses.add(status);
                }

                @Override
                public void onTunnelBound(BoundTunnel tunnel) {
                    bound.add(tunnel);
                }

                @Override
                public void onRequest(RequestEvent event) {
                    requests.add(event);
                }

                @Override
                public void onRtt(Duration rtt) {
                    rtts.add(rtt);
                }

                @Override
                public void onBreaker(String tunnel, String state) {
                    breakers.add(tunnel + " " + state);
                }

                @Override
                public void onDelivery(DeliveryEvent event) {
                    deliveries.add(event);
                }

                @Override
                public void onRelayQueue(RelayQueueStatus status) {
                    relayQueues.add(status);
                }
            });
            engine.start();
        }

        static RecordingEngine connect(String connectUrl, TunnelSpec... specs) {
            return new RecordingEngine(config(connectUrl, TOKEN, specs));
        }

        static EngineConfig config(String connectUrl, String token, TunnelSpec... specs) {
            return EngineConfig.of(URI.create(connectUrl), token, List.of(specs))
                    .withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 20));
        }

        /** Waits until the engine is connected with {@code n} tunnels bound, and returns them. */
        List<BoundTunnel> awaitBound(int n) {
            await().atMost(Duration.ofSeconds(15)).until(() ->
                    engine.status().state() == EngineState.CONNECTED && engine.tunnels().size() == n);
            return new ArrayList<>(engine.tunnels());
        }

        BoundTunnel awaitTunnel() {
            return awaitBound(1).getFirst();
        }

        @Override
        public void close() {
            engine.close();
        }
    }
}
