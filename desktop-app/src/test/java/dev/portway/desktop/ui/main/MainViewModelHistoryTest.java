package dev.portway.desktop.ui.main;

import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.metrics.Bucket;
import dev.portway.desktop.metrics.HistoryStore;
import dev.portway.desktop.metrics.MutableClock;
import dev.portway.desktop.profiles.ProfileService;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.ui.connect.EmbeddedRelayHost;
import dev.portway.desktop.ui.connect.TunnelService;
import dev.portway.desktop.ui.live.DashboardViewModel;
import dev.portway.desktop.ui.live.HistoryRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;

/** The Overview shows what was stored before a restart, and follows status changes: real H2, inline executors. */
class MainViewModelHistoryTest {
    @TempDir
    Path dir;
    private final ScheduledExecutorService ticker = Executors.newSingleThreadScheduledExecutor();
    private ProfileStore store;
    private HistoryStore history;
    private TunnelService tunnels;

    @AfterEach
    void stop() {
        ticker.shutdownNow();
        tunnels.close();
        history.close();
        store.close();
    }

    @Test
    void storedMinutesShowOnTheOverviewAfterARestart() {
        store = ProfileStore.open(dir);
        String id = store.loadAll().getFirst().id();
        history = HistoryStore.attach(dir);
        Instant tenMinutesAgo = Instant.now().truncatedTo(ChronoUnit.MINUTES).minus(Duration.ofMinutes(10));
        history.write(List.of(new HistoryStore.ProfileMinute(id, new Bucket(tenMinutesAgo, 42, new long[Bucket.CATEGORIES],
                100, 200, 3, 5, 7, Double.NaN, 60_000, 0, 0))));

        MutableClock clock = new MutableClock(tenMinutesAgo.plus(Duration.ofMinutes(10)));
        tunnels = new TunnelService(new EmbeddedRelayHost(0), Runnable::run, ticker, Duration.ofHours(1), Runnable::run,
                clock, Function.identity());
        MainViewModel vm = new MainViewModel(new ProfileService(store, Runnable::run), tunnels, Runnable::run,
                clock, s -> { }, s -> { }, new HistoryRecorder(history, Runnable::run, Runnable::run, clock), null,
                MainViewModel.inMemoryInspectors(Runnable::run, s -> { }));
        vm.load();

        DashboardViewModel dashboard = vm.items().getFirst().live().dashboard();
        dashboard.rangeProperty().set(DashboardViewModel.Range.HOUR_1);
        assertThat(dashboard.viewProperty().get().requests()).isEqualTo(42);
        assertThat(dashboard.viewProperty().get().uptimeText()).isEqualTo("100 % up in the last 1 h");

        // Live states join the stored minute: 60 s up before, 60 s up now, then 30 s down.
        vm.onStatus(id, new EngineStatus(EngineState.CONNECTED, "up", null, 0, 10, null));
        clock.advance(Duration.ofSeconds(60));
        vm.onStatus(id, new EngineStatus(EngineState.RECONNECTING, "lost", null, 1, 10, Duration.ofSeconds(2)));
        clock.advance(Duration.ofSeconds(30));
        vm.onStatus(id, new EngineStatus(EngineState.DISCONNECTED, "off", null, 0, 0, null));
        assertThat(dashboard.viewProperty().get().uptimeText()).isEqualTo("80.0 % up in the last 1 h");
    }
}
