package dev.portway.desktop.profiles;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** A remote profile's pinned relay certificate: validated in the draft, kept by the store (migration V2), exported. */
class ProfileFingerprintTest {
    @TempDir
    Path dir;
    static final String PIN = "sha256:" + "9a".repeat(32);

    static ProfileDraft draft(String url, String fingerprint) {
        return new ProfileDraft("Self-hosted", Profile.Kind.HTTP, "localhost", "3000", Profile.RelayMode.REMOTE, url, "t",
                "", false, fingerprint);
    }

    @Test
    void draftAcceptsAFingerprintForAWssRelayOnly() {
        assertThat(draft("wss://relay.example.com", "SHA256:" + "9A:".repeat(31) + "9A").toProfile("id", Map.of())
                .relayFingerprint()).isEqualTo(PIN);
        assertThat(draft("wss://relay.example.com", "").toProfile("id", Map.of()).relayFingerprint()).isNull();
        assertThat(draft("wss://relay.example.com", "sha256:12").problems())
                .containsEntry(ProfileDraft.Field.RELAY_FINGERPRINT, "Paste the fingerprint the relay prints at start: sha256: and 64 hex digits.");
        assertThat(draft("ws://relay.example.com", PIN).problems()).containsKey(ProfileDraft.Field.RELAY_FINGERPRINT);
        assertThat(ProfileDraft.of(draft("wss://r.example", PIN).toProfile("id", Map.of())).relayFingerprint()).isEqualTo(PIN);
    }

    @Test
    void storeKeepsTheFingerprintAcrossReopenAndDuplicates() {
        Profile p = draft("wss://relay.example.com", PIN).toProfile("p1", Map.of("basic_auth", "a:b"));
        try (ProfileStore store = ProfileStore.open(dir)) {
            store.save(p);
            store.save(p.duplicate());
        }
        try (ProfileStore store = ProfileStore.open(dir)) {
            assertThat(store.loadAll()).filteredOn(x -> x.name().startsWith("Self-hosted"))
                    .hasSize(2).allSatisfy(x -> assertThat(x.relayFingerprint()).isEqualTo(PIN));
            store.save(p.withRelayFingerprint(null));
            assertThat(store.loadAll()).filteredOn(x -> x.id().equals("p1")).singleElement()
                    .extracting(Profile::relayFingerprint).isNull();
        }
    }

    @Test
    void exportCarriesTheFingerprintAndImportBringsItBack() {
        Profile p = draft("wss://relay.example.com", PIN).toProfile("p1", Map.of());
        var entry = ProfileTransfer.toEntry(p);
        assertThat(entry.relay().fingerprint()).isEqualTo(PIN);
        assertThat(ProfileTransfer.toProfile("p2", entry, "Copy", null).relayFingerprint()).isEqualTo(PIN);
    }
}
