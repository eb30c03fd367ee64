package dev.portway.desktop.ui.queue;

import dev.portway.desktop.engine.DeliveryPolicy;
import dev.portway.desktop.engine.RelayQueueStatus;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import dev.portway.desktop.ui.connect.TunnelService;
import okhttp3.Dns;
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
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The queue view model on a real TunnelService: embedded relay, real engine with its client store on disk, and a
 * local app that is not running. A webhook sent while the profile was disconnected shows up as a row once it
 * connects again, and Discard all empties the queue. The view model lives on a single "fx" thread, as in the app.
 */
class QueueThroughTunnelServiceTest {
    private static final DeliveryPolicy FAST = new DeliveryPolicy(Duration.ofMillis(100), 2, 0, Duration.ofMillis(500), 4,
            Duration.ofSeconds(5));

    @TempDir
    Path engines;
    private final ExecutorService fx = Executors.newSingleThreadExecutor();
    private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final EmbeddedRelayHost relay = new EmbeddedRelayHost(0);
    private final OkHttpClient visitor = new OkHttpClient.Builder()
            .dns(host -> host.endsWith(".localhost") ? List.of(InetAddress.getLoopbackAddress()) : Dns.SYSTEM.lookup(host))
            .retryOnConnectionFailure(false).build();
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
    void aWebhookWaitingForTheLocalAppIsListedAndCanBeDiscarded() throws Exception {
        int appPort;
        try (ServerSocket s = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            appPort = s.getLocalPort(); // nothing listens there once closed: the local app is "down"
        }
        Profile p = new Profile(UUID.randomUUID().toString(), "Hooks", Profile.Kind.HTTP, "localhost", appPort,
                Profile.RelayMode.EMBEDDED, null, null, "hooks", Map.of("queue", "on"), false);
        tunnels = new TunnelService(relay, work, ticker, Duration.ofHours(1), fx, Clock.systemUTC(),
                c -> c.withDelivery(FAST), engines);
        QueueViewModel vm = onFx(() -> new QueueViewModel(tunnels.queue(p.id()), Clock.systemUTC(), ZoneOffset.UTC));
        List<RelayQueueStatus> relayQueues = new java.util.concurrent.CopyOnWriteArrayList<>();
        tunnels.addListener(new TunnelService.Listener() {
            @Override
            public void onQueueChanged(String profileId, int size) {
                vm.onQueueChanged(size);
            }

            @Override
            public void onRelayQueue(String profileId, RelayQueueStatus status) {
                relayQueues.add(status);
                vm.onRelayQueue(status);
            }
        });

        // Bind once so the relay reserves "hooks" for this installation, then go away.
        fx.execute(() -> tunnels.connect(p));
        await().atMost(Duration.ofSeconds(20)).until(() -> !relayQueues.isEmpty());
        fx.execute(() -> tunnels.disconnect(p.id()));
        int relayPort = relay.endpoint().port();
        await().atMost(Duration.ofSeconds(20)).until(() -> postWebhook(relayPort) == 202);

        fx.execute(() -> tunnels.connect(p));
        await().atMost(Duration.ofSeconds(20)).until(() -> onFx(() -> vm.rows().size() == 1
                && !vm.rows().getFirst().lastError().equals("—")));
        QueueRow row = onFx(() -> vm.rows().getFirst());
        assertThat(row.request()).isEqualTo("POST /hooks/stripe");
        assertThat(row.priority()).isEqualTo("normal");
        assertThat(row.lastError()).contains("localhost:" + appPort);
        assertThat(onFx(() -> vm.countProperty().get())).isEqualTo(1);
        assertThat(onFx(() -> vm.relayWarningProperty().get())).as("the relay's queue is far from full").isEmpty();

        fx.execute(vm::discardAll);
        await().atMost(Duration.ofSeconds(10)).until(() -> onFx(() -> vm.rows().isEmpty() && vm.countProperty().get() == 0));
    }

    private int postWebhook(int relayPort) throws Exception {
        Request post = new Request.Builder().url("http://hooks.localhost:" + relayPort + "/hooks/stripe")
                .post(RequestBody.create("{\"event\":\"paid\"}", MediaType.get("application/json"))).build();
        try (Response r = visitor.newCall(post).execute()) {
            return r.code();
        }
    }
}
