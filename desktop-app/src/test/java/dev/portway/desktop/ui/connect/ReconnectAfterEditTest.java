package dev.portway.desktop.ui.connect;

import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.profiles.Profile;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Saving an edit while connected disconnects and connects again at once (MainViewModel.save). With the engine's client
 * store on disk (as in the app) the new engine must not open the store while the old one still has it: a real
 * embedded relay, a real TunnelService on a virtual-thread executor, ten reconnects in a row.
 */
class ReconnectAfterEditTest {
    @TempDir
    Path engines;
    private final ExecutorService fx = Executors.newSingleThreadExecutor();
    private final ExecutorService work = Executors.newVirtualThreadPerTaskExecutor();
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private final EmbeddedRelayHost relay = new EmbeddedRelayHost(0);
    private final AtomicReference<EngineStatus> last = new AtomicReference<>();
    private final java.util.concurrent.atomic.AtomicInteger connects = new java.util.concurrent.atomic.AtomicInteger();
    private TunnelService tunnels;

    @AfterEach
    void stop() {
        tunnels.close();
        ticker.shutdownNow();
        work.shutdownNow();
        fx.shutdownNow();
    }

    private Profile profile(String name) {
        return new Profile("p-1", name, Profile.Kind.HTTP, "localhost", 3999, Profile.RelayMode.EMBEDDED, null, null,
                "edit-" + UUID.randomUUID().toString().substring(0, 8), Map.of(), false);
    }

    private TunnelService service(Path dir) {
        TunnelService t = new TunnelService(relay, work, ticker, Duration.ofHours(1), fx, Clock.systemUTC(), Function.identity(), dir);
        t.addListener(new TunnelService.Listener() {
            @Override
            public void onStatus(String profileId, EngineStatus status) {
                last.set(status);
                if (status.state() == EngineState.CONNECTED) {
                    connects.incrementAndGet();
                }
            }
        });
        return t;
    }

    @Test
    void savingAnEditWhileConnectedReconnectsEveryTime() throws Exception {
        tunnels = service(engines);
        Profile p = profile("App");
        fx.execute(() -> tunnels.connect(p));
        await().atMost(Duration.ofSeconds(60)).until(() -> last.get() != null && last.get().state() == EngineState.CONNECTED);
        for (int i = 1; i <= 10; i++) {
            Profile edited = profile("App " + i);
            fx.execute(() -> { // as MainViewModel.save does, in one FX turn
                tunnels.disconnect(edited.id());
                tunnels.connect(edited);
            });
            int round = i;
            await().alias("reconnect " + round).atMost(Duration.ofSeconds(30))
                    .until(() -> connects.get() == round + 1 || last.get().state() == EngineState.FAILED);
            assertThat(last.get().state()).as("reconnect %d: %s", round, last.get().message()).isEqualTo(EngineState.CONNECTED);
            // The new engine's client store must be its own and open: the old engine's close must not have shut it.
            assertThat(tunnels.queue(edited.id()).list().toCompletableFuture().get(10, TimeUnit.SECONDS))
                    .as("reconnect %d: the client queue still works", round).isEmpty();
        }
    }

    @Test
    void anEngineThatCannotStartEndsInAFailureInWordsNotConnectingForever() throws Exception {
        Path blocked = Files.createFile(engines.resolve("not-a-folder")); // the profile's engine folder cannot be made
        tunnels = service(blocked);
        fx.execute(() -> tunnels.connect(profile("App")));
        await().atMost(Duration.ofSeconds(15)).until(() -> last.get() != null && last.get().state() == EngineState.FAILED);
        assertThat(last.get().message()).startsWith("Cannot ").contains("not-a-folder");
    }
}
