package dev.portway.desktop.ui.live;

import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.metrics.Bucket;
import dev.portway.desktop.metrics.HistoryStore;
import dev.portway.desktop.metrics.MutableClock;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.shared.protocol.ErrorCategory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

import static org.assertj.core.api.Assertions.assertThat;

/** The recorder with a real H2 store; the store thread and the FX thread are the test thread. */
class HistoryRecorderTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final String ID = "7d1f6b0e-0000-4000-8000-000000000001";
    private final MutableClock clock = new MutableClock(T0);
    private final List<Runnable> io = new ArrayList<>();
    private final Executor ioLater = io::add;

    @TempDir
    Path dir;

    private void runIo() {
        while (!io.isEmpty()) {
            io.removeFirst().run();
        }
    }

    private static MetricsSampler.Sample sample(Instant at, int count, long targetErrors) {
        long[] e = new long[ErrorCategory.values().length];
        e[ErrorCategory.TARGET.ordinal()] = targetErrors;
        return new MetricsSampler.Sample(at, count, 2, 4, 8, 0, 0, 0, List.of(), 10L * count, 100L * count, e, 0, 0.7);
    }

    private static EngineStatus status(EngineState s) {
        return new EngineStatus(s, s.name(), null, 0, 0, null);
    }

    @Test
    void finishedMinutesAreWrittenInBatchesAndReadBackAfterARestart() {
        try (ProfileStore profiles = ProfileStore.open(dir)) {
            profiles.save(new Profile(ID, "API", Profile.Kind.HTTP, "localhost", 3000, Profile.RelayMode.EMBEDDED, null, null,
                    null, java.util.Map.of(), false));
        }
        try (HistoryStore store = HistoryStore.open(dir)) {
            HistoryRecorder recorder = new HistoryRecorder(store, ioLater, Runnable::run, clock);
            recorder.onStatus(ID, status(EngineState.CONNECTED));
            for (int s = 1; s <= 59; s++) {
                clock.set(T0.plusSeconds(s));
                recorder.onSample(ID, sample(clock.instant(), 2, s == 30 ? 1 : 0));
            }
            runIo(); // the prune at start; no minute has ended yet
            assertThat(store.read(ID, T0)).isEmpty();

            clock.set(T0.plusSeconds(60));
            recorder.onStatus(ID, status(EngineState.RECONNECTING));
            clock.set(T0.plusSeconds(61));
            recorder.onSample(ID, sample(clock.instant(), 0, 0));
            assertThat(io).as("one write for the finished minute, not one per sample").hasSize(1);
            runIo();
            assertThat(store.read(ID, T0)).singleElement().satisfies(m -> {
                assertThat(m.start()).isEqualTo(T0);
                assertThat(m.requests()).isEqualTo(118);
                assertThat(m.errors(ErrorCategory.TARGET)).isEqualTo(1);
                assertThat(m.bytesOut()).isEqualTo(11_800);
                assertThat(m.p99Ms()).isEqualTo(8.0);
                assertThat(m.upMillis()).isEqualTo(60_000);
                assertThat(m.downMillis()).isZero();
            });

            clock.set(T0.plusSeconds(75));
            recorder.flushAll(); // the app closes mid-minute
            runIo();
        }

        try (HistoryStore store = HistoryStore.open(dir)) {
            clock.set(T0.plus(Duration.ofHours(2)));
            HistoryRecorder after = new HistoryRecorder(store, Runnable::run, Runnable::run, clock);
            List<Bucket> shown = new ArrayList<>();
            after.minutes(ID).thenAccept(shown::addAll);
            assertThat(shown).extracting(Bucket::start).containsExactly(T0, T0.plusSeconds(60));
            assertThat(shown.get(1).downMillis()).isEqualTo(15_000);
            assertThat(shown.get(1).upMillis()).isZero();
        }
    }
}
