package dev.portway.relay.ssh;

import dev.portway.shared.protocol.ErrorCode;

import java.security.PublicKey;
import java.util.Optional;

/**
 * Who an SSH login is: the gateway's only question to the relay's users. Implementations are thread-safe and
 * may block briefly (they are called on SSHD's threads or virtual threads, never on a Netty event loop).
 */
public interface SshDirectory {
    /**
     * A password login's outcome: the user and the API token id it used, or why it is refused.
     *
     * @param refusal null when the login is good
     * @param user    the user (also of a refused token when it named one), or null
     */
    record Login(String user, String tokenId, ErrorCode refusal, String message) {
        static Login of(String user, String tokenId) {
            return new Login(user, tokenId, null, null);
        }

        static Login refused(ErrorCode code, String user, String message) {
            return new Login(user, null, code, message);
        }

        boolean ok() {
            return refusal == null;
        }
    }

    /** @return the user this public key is registered for, if any (and not disabled) */
    Optional<String> userForKey(PublicKey key);

    /** Checks an API token presented as a password (when password logins are on). */
    Login tokenLogin(String apiToken);

    /**
     * Checks again that a live login may go on — the token not revoked, the user not disabled, the key still
     * registered — as a WebSocket session's JWT refresh does (PROTOCOL.md §10).
     *
     * @param tokenId the API token id of a password login, or null for a key login
     * @param key     the key of a key login, or null
     * @return null while it may go on, else the refusal
     */
    Login recheck(String user, String tokenId, PublicKey key);
}
