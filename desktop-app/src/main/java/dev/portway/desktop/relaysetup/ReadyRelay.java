package dev.portway.desktop.relaysetup;

import dev.portway.desktop.profiles.Profile;

import java.util.Map;
import java.util.UUID;

/**
 * What a good install gives the app: the relay's address, the account's token (null when an earlier setup made it:
 * that run's profile keeps it) and the relay certificate to pin.
 */
public record ReadyRelay(String relayUrl, String account, String token, String certificateFingerprint) {

    /** A profile for {@code localhost:<port>} through this relay. @throws IllegalStateException without a token */
    public Profile profile(String name, Profile.Kind kind, int localPort) {
        if (token == null) {
            throw new IllegalStateException("No new token: the profile made by the earlier setup has it.");
        }
        return new Profile(UUID.randomUUID().toString(), name, kind, "localhost", localPort, Profile.RelayMode.REMOTE,
                relayUrl, token, null, Map.of(), false, certificateFingerprint);
    }

    @Override
    public String toString() {
        return "ReadyRelay[" + relayUrl + ", account " + account + ", token " + (token == null ? "none" : "***") + ", "
                + certificateFingerprint + "]";
    }
}
