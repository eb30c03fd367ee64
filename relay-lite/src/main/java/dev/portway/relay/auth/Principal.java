package dev.portway.relay.auth;

import dev.portway.relay.store.Tier;

/**
 * Who a client session acts for.
 *
 * @param user    the user name
 * @param tier    the user's tier (chooses the request rate)
 * @param tokenId the API token the session authenticated with; {@link Authenticator#LOCAL_TOKEN_ID} for the
 *                relay's own {@code --token} secret
 */
public record Principal(String user, Tier tier, String tokenId) {
    /** True for the single local user of a relay run with {@code --token} (and of the embedded relay). */
    public boolean local() {
        return Authenticator.LOCAL_TOKEN_ID.equals(tokenId);
    }
}
