package dev.portway.desktop.metrics;

import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.shared.protocol.ErrorCategory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Real H2 files in a temp dir, opened the way the app opens them. */
class HistoryStoreTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private static final String ID = "7d1f6b0e-0000-4000-8000-000000000001";

    @TempDir
    Path dir;

    private void createProfile(String id) {
        try (ProfileStore profiles = ProfileStore.open(dir)) {
            profiles.save(new Profile(id, "API " + id.substring(id.length() - 2), Profile.Kind.HTTP, "localhost", 3000,
                    Profile.RelayMode.EMBEDDED, null, null, null, Map.of(), false));
        }
    }

    private static Bucket minute(Instant start, long requests, long targetErrors, double p99) {
        long[] e = new long[Bucket.CATEGORIES];
        e[ErrorCategory.TARGET.ordinal()] = targetErrors;
        return new Bucket(start, requests, e, 1000, 2000, Double.isNaN(p99) ? Double.NaN : p99 / 2, p99, p99, Double.NaN,
                45_000, 15_000, 1);
    }

    @Test
    void minutesSurviveReopeningTheDatabase() {
        createProfile(ID);
        Bucket busy = minute(T0, 120, 3, 40.5);
        Bucket idle = minute(T0.plusSeconds(60), 0, 0, Double.NaN);
        try (HistoryStore store = HistoryStore.open(dir)) {
            store.write(List.of(new HistoryStore.ProfileMinute(ID, busy), new HistoryStore.ProfileMinute(ID, idle)));
        }
        try (HistoryStore store = HistoryStore.open(dir)) {
            assertThat(store.read(ID, T0)).containsExactly(busy, idle);
            assertThat(store.read(ID, T0.plusSeconds(30))).containsExactly(idle);
            assertThat(store.read("someone-else", T0)).isEmpty();
        }
    }

    @Test
    void writingAMinuteAgainAddsToIt() {
        createProfile(ID);
        try (HistoryStore store = HistoryStore.open(dir)) {
            store.write(List.of(new HistoryStore.ProfileMinute(ID, minute(T0, 10, 1, 30))));
            store.write(List.of(new HistoryStore.ProfileMinute(ID, minute(T0, 5, 2, 80))));
            Bucket both = store.read(ID, T0).getFirst();
            assertThat(both.requests()).isEqualTo(15);
            assertThat(both.errors(ErrorCategory.TARGET)).isEqualTo(3);
            assertThat(both.bytesOut()).isEqualTo(4000);
            assertThat(both.upMillis()).isEqualTo(90_000);
            assertThat(both.reconnects()).isEqualTo(2);
            assertThat(both.p99Ms()).isEqualTo(80.0);
        }
    }

    @Test
    void pruneDeletesOnlyOlderMinutes() {
        createProfile(ID);
        try (HistoryStore store = HistoryStore.open(dir)) {
            store.write(List.of(new HistoryStore.ProfileMinute(ID, minute(T0.minus(Duration.ofDays(8)), 1, 0, 1)),
                    new HistoryStore.ProfileMinute(ID, minute(T0.minus(Duration.ofDays(6)), 2, 0, 1)),
                    new HistoryStore.ProfileMinute(ID, minute(T0, 3, 0, 1))));
            assertThat(store.prune(T0.minus(Duration.ofDays(7)))).isEqualTo(1);
            assertThat(store.read(ID, Instant.EPOCH)).extracting(Bucket::requests).containsExactly(2L, 3L);
        }
    }

    @Test
    void minutesOfADeletedProfileAreSkippedAndDeletingAProfileDeletesItsHistory() {
        createProfile(ID);
        try (ProfileStore profiles = ProfileStore.open(dir); HistoryStore store = HistoryStore.attach(dir)) {
            store.write(List.of(new HistoryStore.ProfileMinute(ID, minute(T0, 1, 0, 1)),
                    new HistoryStore.ProfileMinute("gone", minute(T0, 1, 0, 1))));
            assertThat(store.read(ID, T0)).hasSize(1);
            assertThat(store.read("gone", T0)).isEmpty();

            profiles.delete(ID);
            assertThat(store.read(ID, T0)).isEmpty();
        }
    }
}
