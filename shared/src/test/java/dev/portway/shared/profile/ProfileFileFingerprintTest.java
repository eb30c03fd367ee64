package dev.portway.shared.profile;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/** {@code relay.fingerprint} (PROFILES.md §2): written without secrets too, read back normalized, checked. */
class ProfileFileFingerprintTest {
    private final ProfileFile file = new ProfileFile(Clock.fixed(Instant.parse("2026-11-22T03:40:12Z"), ZoneOffset.UTC));
    private static final String PIN = "sha256:" + "3c".repeat(32);

    @Test
    void fingerprintRoundTripsAndIsExportedWithoutSecrets() throws Exception {
        List<ProfileEntry> entries = List.of(new ProfileEntry("Self-hosted", ProfileEntry.Kind.HTTP, "localhost", 3000,
                ProfileEntry.Relay.remote("wss://relay.example.com", "s3cret", PIN), null, Map.of(), false));
        String json = new String(file.write(entries, false), StandardCharsets.UTF_8);
        assertThat(json).containsPattern("\"fingerprint\" ?: \"" + PIN + "\"").doesNotContain("s3cret");
        List<ProfileEntry> back = ProfileFile.read(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(back.getFirst().relay().fingerprint()).isEqualTo(PIN);
        assertThat(back.getFirst().relay().token()).isNull();
    }

    @Test
    void fingerprintIsNormalizedAndABadOneIsAProblemNamingTheField() throws Exception {
        String upper = PIN.toUpperCase().replace("SHA256:", "SHA256:");
        List<ProfileEntry> ok = ProfileFile.read(stream(profile("\"fingerprint\": \"" + upper + "\"")));
        assertThat(ok.getFirst().relay().fingerprint()).isEqualTo(PIN);
        ProfileFileException e = catchThrowableOfType(ProfileFileException.class,
                () -> ProfileFile.read(stream(profile("\"fingerprint\": \"sha256:beef\""))));
        assertThat(e.problems()).singleElement().asString()
                .contains("Profile 1 (\"P\"): relay.fingerprint \"sha256:beef\" is not a certificate fingerprint");
    }

    private static ByteArrayInputStream stream(String json) {
        return new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8));
    }

    private static String profile(String fingerprintField) {
        return """
                {"format": "portway-profiles", "version": 1, "profiles": [
                  {"name": "P", "kind": "http", "local_port": 3000,
                   "relay": {"mode": "remote", "url": "wss://r.example", %s}}]}
                """.formatted(fingerprintField);
    }
}
