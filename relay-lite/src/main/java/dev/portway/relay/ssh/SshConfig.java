package dev.portway.relay.ssh;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * The SSH gateway's settings ({@code --ssh-*} flags, documented in docs/ssh-gateway.md).
 *
 * @param host            interface to listen on
 * @param port            SSH port; 0 picks a free one (tests)
 * @param publicHost      the host name users type after {@code ssh -J user@}; shown in commands
 * @param passwordAuth    the API token is accepted as a password (off by default: keys only)
 * @param maxSessions     concurrent SSH connections per user at most
 * @param keepAlive       how often the gateway sends a keep-alive request to each SSH client
 * @param keepAliveMisses unanswered keep-alives after which a client is declared dead and its tunnels freed
 * @param dataDir         where the host key ({@code ssh_host_ed25519_key}) and the {@code ssh-keys} file live
 */
public record SshConfig(String host, int port, String publicHost, boolean passwordAuth, int maxSessions,
                        Duration keepAlive, int keepAliveMisses, Path dataDir) {
    public static final int DEFAULT_MAX_SESSIONS = 3;

    public SshConfig {
        Objects.requireNonNull(host, "host");
        Objects.requireNonNull(publicHost, "publicHost");
        Objects.requireNonNull(dataDir, "dataDir");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("--ssh-port " + port + " is not a valid port (0-65535).");
        }
        if (maxSessions < 1) {
            throw new IllegalArgumentException("--ssh-max-sessions must be at least 1, not " + maxSessions + ".");
        }
        if (keepAlive == null || keepAlive.isNegative() || keepAlive.isZero() || keepAliveMisses < 1) {
            throw new IllegalArgumentException("The SSH keep-alive interval must be positive and at least one miss allowed.");
        }
    }
}
