package dev.portway.desktop.ui.queue;

import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import dev.portway.desktop.ui.connect.TunnelService;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Webhooks the embedded relay keeps while a queued profile is disconnected are not invisible: a real TunnelService,
 * the real embedded relay and a real visitor. Two webhooks sent while the profile is away read "2 requests wait at the
 * relay"; once it connects they are handed over and the count goes back to nothing.
 */
class RelayWaitingTest {
    @TempDir
    Path engines;
    private final ExecutorService fx = Executors.newSingleThreadExecutor();
    private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final EmbeddedRelayHost relay = new EmbeddedRelayHost(0);
    private final OkHttpClient visitor = dev.portway.desktop.testing.Visitors.client();
    private final AtomicInteger bound = new AtomicInteger();
    private final java.util.List<dev.portway.desktop.engine.RequestEvent> requests = new java.util.concurrent.CopyOnWriteArrayList<>();
    private TunnelService tunnels;

    @AfterEach
    void stop() {
        tunnels.close();
        ticker.shutdownNow();
        work.shutdownNow();
        fx.shutdownNow();
    }

    private <T> T onFx(Callable<T> read) throws Exception {
        return fx.submit(read).get();
    }

    @Test
    void webhooksKeptWhileDisconnectedAreCountedUntilDelivered() throws Exception {
        int appPort;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            appPort = s.getLocalPort(); // the app is down: delivered requests wait in the client queue instead
        }
        String name = "hooks-" + UUID.randomUUID().toString().substring(0, 6);
        Profile p = new Profile(UUID.randomUUID().toString(), "Hooks", Profile.Kind.HTTP, "localhost", appPort,
                Profile.RelayMode.EMBEDDED, null, null, name, Map.of("queue", "on"), false);
        tunnels = new TunnelService(relay, work, ticker, Duration.ofMillis(100), fx, Clock.systemUTC(), c -> c, engines);
        QueueViewModel vm = onFx(() -> new QueueViewModel(tunnels.queue(p.id()), Clock.systemUTC(), ZoneOffset.UTC));
        tunnels.addListener(new TunnelService.Listener() {
            @Override
            public void onRelayWaiting(String profileId, int count) {
                vm.onRelayWaiting(count);
            }

            @Override
            public void onSample(String profileId, dev.portway.desktop.ui.live.MetricsSampler.Sample sample) {
                requests.addAll(sample.newRequests());
            }

            @Override
            public void onBound(String profileId, dev.portway.desktop.engine.BoundTunnel tunnel) {
                bound.incrementAndGet();
            }
        });
        fx.execute(() -> tunnels.watchRelayQueue(p));

        fx.execute(() -> tunnels.connect(p)); // reserves the name for this installation
        await().atMost(Duration.ofSeconds(60)).until(() -> bound.get() == 1); // the first start in a JVM runs Flyway: slow on a busy machine
        fx.execute(() -> tunnels.disconnect(p.id()));
        int relayPort = relay.endpoint().port();
        await().atMost(Duration.ofSeconds(20)).until(() -> post(name, relayPort) == 202);
        assertThat(post(name, relayPort)).isEqualTo(202);

        await().atMost(Duration.ofSeconds(10)).until(() -> onFx(() -> vm.relayWaitingProperty().get())
                .equals("2 requests wait at the relay; they are delivered here once connected."));

        fx.execute(() -> tunnels.connect(p));
        await().atMost(Duration.ofSeconds(20)).until(() -> onFx(() -> vm.relayWaitingProperty().get()).isEmpty());
        // Each attempt to hand them to the app is listed in Requests, marked as a queued delivery.
        await().atMost(Duration.ofSeconds(20)).until(() -> requests.stream().filter(QueuedDelivery::is).count() >= 2);
        assertThat(requests.stream().filter(QueuedDelivery::is)).allSatisfy(r -> {
            assertThat(r.method()).isEqualTo("POST");
            assertThat(r.path()).isEqualTo("/hooks/stripe");
            assertThat(r.errorMessage()).contains("localhost:" + appPort);
            assertThat(new dev.portway.desktop.ui.inspector.Exchange(r, false).queued()).isTrue();
            assertThat(dev.portway.desktop.ui.inspector.InspectorView.marker(new dev.portway.desktop.ui.inspector.Exchange(r, false)))
                    .as("the inspector's marker column").isEqualTo("⇣");
        });
    }

    private int post(String name, int relayPort) throws Exception {
        Request post = new Request.Builder().url("http://" + name + ".localhost:" + relayPort + "/hooks/stripe")
                .post(RequestBody.create("{\"event\":\"paid\"}", MediaType.get("application/json"))).build();
        try (Response r = visitor.newCall(post).execute()) {
            return r.code();
        }
    }
}
