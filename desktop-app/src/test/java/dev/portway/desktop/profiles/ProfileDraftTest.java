package dev.portway.desktop.profiles;

import dev.portway.desktop.profiles.ProfileDraft.Field;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class ProfileDraftTest {
    private static ProfileDraft embedded(String port) {
        return new ProfileDraft("My app", Profile.Kind.HTTP, "localhost", port, Profile.RelayMode.EMBEDDED, "", "", "my-app", false);
    }

    @Test
    void readyMadeProfileHasNoProblems() {
        assertThat(ProfileDraft.of(Profile.firstRun()).problems()).isEmpty();
    }

    @Test
    void portMustBeANumberInRange() {
        assertThat(embedded("abc").problems()).containsEntry(Field.LOCAL_PORT, "Port must be a number from 1 to 65535.");
        assertThat(embedded("0").problems()).containsKey(Field.LOCAL_PORT);
        assertThat(embedded("65536").problems()).containsKey(Field.LOCAL_PORT);
        assertThat(embedded("").problems()).containsEntry(Field.LOCAL_PORT, "Enter the port your service listens on, e.g. 3000.");
        assertThat(embedded(" 8080 ").problems()).isEmpty();
    }

    @Test
    void nameWithPathSeparatorsOrControlCharactersIsRefused() {
        for (String bad : new String[] {"a/b", "a\\b", "red\u001b[31m", "bell\u0007", "two\nlines", "del\u007f", "\u202eexe"}) {
            var d = new ProfileDraft(bad, Profile.Kind.HTTP, "localhost", "3000", Profile.RelayMode.EMBEDDED, "", "", "", false);
            assertThat(d.problems()).as(bad).containsOnlyKeys(Field.NAME);
        }
        var d = new ProfileDraft("red\u001b[31m", Profile.Kind.HTTP, "localhost", "3000", Profile.RelayMode.EMBEDDED, "", "", "", false);
        assertThat(d.problems().get(Field.NAME))
                .isEqualTo("The name contains a control character (\\e) — leave out /, \\, control characters and text-direction controls.");
    }

    @Test
    void nameAndHostAreRequired() {
        var d = new ProfileDraft(" ", Profile.Kind.HTTP, "", "3000", Profile.RelayMode.EMBEDDED, "", "", "", false);
        assertThat(d.problems()).containsOnlyKeys(Field.NAME, Field.LOCAL_HOST);
    }

    @Test
    void requestedNameFollowsTheTunnelNameRule() {
        var d = new ProfileDraft("x", Profile.Kind.HTTP, "localhost", "3000", Profile.RelayMode.EMBEDDED, "", "", "-bad_name", false);
        assertThat(d.problems()).containsOnlyKeys(Field.REQUESTED_NAME);
    }

    @Test
    void remoteRelayNeedsAnAddressAndAToken() {
        var d = new ProfileDraft("x", Profile.Kind.HTTP, "localhost", "3000", Profile.RelayMode.REMOTE, "ftp://nope", "", "", false);
        assertThat(d.problems()).containsOnlyKeys(Field.RELAY_URL, Field.TOKEN);
    }

    @Test
    void embeddedRelayIgnoresAddressAndToken() {
        var d = new ProfileDraft("x", Profile.Kind.HTTP, "localhost", "3000", Profile.RelayMode.EMBEDDED, "garbage", "", "", false);
        assertThat(d.problems()).isEmpty();
        assertThat(d.toProfile("id", Map.of()).relayUrl()).isNull();
    }

    @Test
    void remoteHttpsAddressBecomesTheWebSocketAddress() {
        var d = new ProfileDraft(" API ", Profile.Kind.TCP, "127.0.0.1", "5432", Profile.RelayMode.REMOTE,
                "https://relay.example.com", "t0k", "My-Db", true);
        Profile p = d.toProfile("id", Map.of());
        assertThat(p.relayUrl()).isEqualTo("wss://relay.example.com");
        assertThat(p.name()).isEqualTo("API");
        assertThat(p.requestedName()).isEqualTo("my-db");
        assertThat(p.localPort()).isEqualTo(5432);
    }
}
