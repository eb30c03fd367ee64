package dev.portway.desktop.profiles;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ProfileStoreTest {
    @TempDir
    Path dir;

    private static Profile remote(String id) {
        return new Profile(id, "Staging API", Profile.Kind.TCP, "127.0.0.1", 5432, Profile.RelayMode.REMOTE,
                "wss://relay.example.com", "s3cret", "staging-db", Map.of("port", "15432"), true);
    }

    @Test
    void firstRunCreatesTheReadyMadeProfileOnce() {
        try (ProfileStore store = ProfileStore.open(dir)) {
            assertThat(store.loadAll()).singleElement().satisfies(p -> {
                assertThat(p.name()).isEqualTo("My app");
                assertThat(p.localTarget()).isEqualTo("localhost:3000");
                assertThat(p.relayMode()).isEqualTo(Profile.RelayMode.EMBEDDED);
                assertThat(p.requestedName()).isEqualTo("my-app");
            });
            store.delete(store.loadAll().getFirst().id());
            assertThat(store.loadAll()).as("a person who deleted every profile does not get it back").isEmpty();
        }
    }

    @Test
    void savedProfileRoundTripsWithEveryFieldAndSurvivesReopen() {
        Profile p = remote("7d1f6b0e-0000-4000-8000-000000000001");
        try (ProfileStore store = ProfileStore.open(dir)) {
            store.save(p);
            assertThat(store.loadAll()).contains(p);
        }
        try (ProfileStore store = ProfileStore.open(dir)) {
            assertThat(store.loadAll()).contains(p);
            assertThat(store.loadAll().getLast()).as("new profiles go last").isEqualTo(p);
        }
    }

    @Test
    void savingAgainReplacesTheProfileAndItsOptions() {
        Profile p = remote("7d1f6b0e-0000-4000-8000-000000000002");
        try (ProfileStore store = ProfileStore.open(dir)) {
            store.save(p);
            Profile changed = new Profile(p.id(), "Renamed", p.kind(), p.localHost(), 6543, p.relayMode(), p.relayUrl(),
                    p.token(), p.requestedName(), Map.of("other", "x"), false);
            store.save(changed);
            assertThat(store.loadAll()).filteredOn(x -> x.id().equals(p.id())).containsExactly(changed);
        }
    }

    @Test
    void failedSaveLeavesTheOldProfileWhole() {
        Profile p = remote("7d1f6b0e-0000-4000-8000-000000000003");
        try (ProfileStore store = ProfileStore.open(dir)) {
            store.save(p);
            // The profile row updates fine, then the option insert fails (value longer than its column):
            // the whole save must roll back, not leave the new name with the old options.
            Profile broken = new Profile(p.id(), "Half saved", p.kind(), p.localHost(), p.localPort(), p.relayMode(),
                    p.relayUrl(), p.token(), p.requestedName(), Map.of("huge", "x".repeat(5000)), p.autoConnect());
            assertThatThrownBy(() -> store.save(broken)).isInstanceOf(StoreException.class)
                    .hasMessageContaining("Could not save \"Half saved\"");
            assertThat(store.loadAll()).filteredOn(x -> x.id().equals(p.id())).containsExactly(p);
        }
        try (ProfileStore store = ProfileStore.open(dir)) {
            assertThat(store.loadAll()).filteredOn(x -> x.id().equals(p.id())).containsExactly(p);
        }
    }

    @Test
    void settingsAreStoredAndReplaced() {
        try (ProfileStore store = ProfileStore.open(dir)) {
            assertThat(store.setting("window")).isEmpty();
            store.putSetting("window", "1");
            store.putSetting("window", "2");
            assertThat(store.setting("window")).contains("2");
        }
    }

    @Test
    void tokenIsNeverInTheProfilesText() {
        assertThat(remote("x").toString()).doesNotContain("s3cret");
    }
}
