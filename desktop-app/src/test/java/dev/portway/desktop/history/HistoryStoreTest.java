package dev.portway.desktop.history;

import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.IntStream;

import static org.assertj.core.api.Assertions.assertThat;

/** The history on real H2 files in a temp dir, opened next to the profile store as the app does. */
class HistoryStoreTest {
    @TempDir
    Path dir;

    static RequestEvent event(int n, byte[] requestBody, long requestSize) {
        CapturedExchange x = new CapturedExchange(List.of(new Header("Content-Type", "application/json"), new Header("X-N", "it's \"" + n + "\"")),
                new CapturedBody(requestBody, requestSize), "Created", List.of(new Header("Location", "/items/" + n)),
                new CapturedBody(new byte[]{0, (byte) 0xff, 7}, 3));
        return new RequestEvent("req-" + n, "my-app", "POST", "/items?n=" + n, 201, Duration.ofNanos(1_234_000), requestSize, 3, null, null,
                Instant.ofEpochMilli(1_700_000_000_000L + n), x);
    }

    private static String profile(ProfileStore profiles) {
        return profiles.loadAll().getFirst().id(); // the first-run profile
    }

    @Test
    void entriesRoundTripWithEveryFieldAndSurviveReopen() {
        RequestEvent live = event(1, "{\"a\":1}".getBytes(), 7);
        RequestEvent truncated = event(2, new byte[]{1, 2, 3}, 1_000_000);
        RequestEvent failed = new RequestEvent("req-3", "my-app", "TCP", "10.0.0.1:5000", 0, Duration.ofMillis(2), 0, 0,
                ErrorCode.TARGET_UNREACHABLE, "Nothing is listening on localhost:3000 — is your app running?", Instant.ofEpochMilli(5), null);
        String id;
        try (ProfileStore profiles = ProfileStore.open(dir); HistoryStore history = HistoryStore.open(dir)) {
            id = profile(profiles);
            history.append(id, List.of(new HistoryEntry(live, false), new HistoryEntry(truncated, true)));
            history.append(id, List.of(new HistoryEntry(failed, false)));
        }
        try (ProfileStore profiles = ProfileStore.open(dir); HistoryStore history = HistoryStore.open(dir)) {
            List<HistoryEntry> back = history.load(id);
            assertThat(back).containsExactly(new HistoryEntry(failed, false), new HistoryEntry(truncated, true), new HistoryEntry(live, false));
            assertThat(back.get(1).event().exchange().requestBody().truncated()).isTrue();
            assertThat(history.load("another-profile")).isEmpty();
        }
    }

    @Test
    void keepsTheNewestRowsPerProfile() {
        try (ProfileStore profiles = ProfileStore.open(dir); HistoryStore history = HistoryStore.open(dir, 5, 1 << 20)) {
            String id = profile(profiles);
            Profile other = new Profile("7d1f6b0e-0000-4000-8000-000000000002", "Other", Profile.Kind.HTTP, "localhost", 4000,
                    Profile.RelayMode.EMBEDDED, null, null, "other", java.util.Map.of(), false);
            profiles.save(other);
            history.append(other.id(), List.of(new HistoryEntry(event(100, new byte[0], 0), false)));
            for (int batch = 0; batch < 3; batch++) {
                List<HistoryEntry> entries = new ArrayList<>();
                for (int i = 0; i < 3; i++) {
                    entries.add(new HistoryEntry(event(batch * 3 + i, new byte[0], 0), false));
                }
                history.append(id, entries);
            }
            assertThat(history.load(id)).extracting(e -> e.event().id()).containsExactly("req-8", "req-7", "req-6", "req-5", "req-4");
            assertThat(history.load(other.id())).as("another profile's rows are not counted").hasSize(1);
        }
    }

    @Test
    void keepsCapturedBodiesWithinTheByteBound() {
        try (ProfileStore profiles = ProfileStore.open(dir); HistoryStore history = HistoryStore.open(dir, 500, 10_000)) {
            String id = profile(profiles);
            // Each entry holds 4,000 + 3 body bytes: two fit in 10,000, three do not.
            history.append(id, IntStream.range(0, 4).mapToObj(i -> new HistoryEntry(event(i, new byte[4_000], 4_000), false)).toList());
            List<HistoryEntry> kept = history.load(id);
            assertThat(kept).extracting(e -> e.event().id()).containsExactly("req-3", "req-2");
            assertThat(kept.stream().mapToLong(HistoryEntry::bodyBytes).sum()).isLessThanOrEqualTo(10_000);
        }
    }

    /**
     * A batch far over the byte bound (64 MiB of bodies, on this module's 64 MiB test heap) keeps only what fits: H2
     * must never see the rows that the bound drops at once, and what it keeps goes in slices it writes one by one.
     * Fails with OutOfMemoryError if the whole batch goes into one statement or one unwritten transaction.
     */
    @Test
    void aBatchFarOverTheByteBoundStoresOnlyTheNewestThatFitInBoundedMemory() {
        byte[] body = new byte[64 * 1024];
        long bound = 4L * 1024 * 1024;
        try (ProfileStore profiles = ProfileStore.open(dir); HistoryStore history = HistoryStore.open(dir, 5_000, bound)) {
            String id = profile(profiles);
            List<HistoryEntry> batch = IntStream.range(0, 1024).mapToObj(i -> new HistoryEntry(event(i, body, body.length), false)).toList();
            history.append(id, batch);
            history.append(id, batch); // the same again, over a full history
            List<HistoryEntry> kept = history.load(id);
            long perEntry = batch.getFirst().bodyBytes();
            assertThat(kept).hasSize((int) (bound / perEntry));
            assertThat(kept.getFirst().event().id()).isEqualTo("req-1023");
            assertThat(kept.stream().mapToLong(HistoryEntry::bodyBytes).sum()).isLessThanOrEqualTo(bound);
        }
    }

    @Test
    void clearAndProfileDeletionRemoveTheHistory() {
        try (ProfileStore profiles = ProfileStore.open(dir); HistoryStore history = HistoryStore.open(dir)) {
            String id = profile(profiles);
            history.append(id, List.of(new HistoryEntry(event(1, new byte[0], 0), false)));
            history.clear(id);
            assertThat(history.load(id)).isEmpty();
            history.append(id, List.of(new HistoryEntry(event(2, new byte[0], 0), false)));
            profiles.delete(id);
            assertThat(history.load(id)).isEmpty();
        }
    }
}
