package dev.portway.relay.ssh;

import java.security.PublicKey;
import java.util.Optional;

/**
 * Who an SSH login is: the gateway's only question to the relay's users. Implementations are thread-safe and
 * may block briefly (they are called on SSHD's threads, never on a Netty event loop).
 */
public interface SshDirectory {
    /** @return the user this public key is registered for, if any */
    Optional<String> userForKey(PublicKey key);

    /** @return the user this API token belongs to, if any (password authentication, when turned on) */
    Optional<String> userForToken(String apiToken);
}
