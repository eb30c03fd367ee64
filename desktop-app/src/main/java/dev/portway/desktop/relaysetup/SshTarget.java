package dev.portway.desktop.relaysetup;

import java.nio.file.Path;
import java.util.Objects;

/**
 * The server to set up and how to log in to it.
 *
 * @param keyFile     a private key file (OpenSSH or PEM); null to use the keys of the SSH agent at {@code agentSocket}
 * @param agentSocket the SSH agent's socket ({@code SSH_AUTH_SOCK}); used when {@code keyFile} is null
 */
public record SshTarget(String user, String host, int port, Path keyFile, Path agentSocket) {

    public SshTarget {
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(host, "host");
        if (user.isBlank() || host.isBlank()) {
            throw new IllegalArgumentException("Give the server as user@host, e.g. root@203.0.113.7.");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("SSH port " + port + " is not a port — use 1 to 65535 (usually 22).");
        }
        if (keyFile == null && agentSocket == null) {
            throw new IllegalArgumentException("No SSH key: give a key file, or start an SSH agent (SSH_AUTH_SOCK) with your key.");
        }
    }

    /**
     * Parses {@code user@host} (or {@code user@host:port}).
     *
     * @throws IllegalArgumentException with what to type when it is not of that form
     */
    public static SshTarget parse(String userAtHost, int defaultPort, Path keyFile, Path agentSocket) {
        int at = userAtHost == null ? -1 : userAtHost.indexOf('@');
        if (at <= 0 || at == userAtHost.length() - 1) {
            throw new IllegalArgumentException("\"" + userAtHost + "\" is not user@host — e.g. root@203.0.113.7.");
        }
        String host = userAtHost.substring(at + 1);
        int port = defaultPort;
        int colon = host.lastIndexOf(':');
        if (colon > 0 && host.indexOf(':') == colon) {
            try {
                port = Integer.parseInt(host.substring(colon + 1));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("\"" + host.substring(colon + 1) + "\" is not a port number.");
            }
            host = host.substring(0, colon);
        }
        return new SshTarget(userAtHost.substring(0, at), host, port, keyFile, agentSocket);
    }

    /** {@code host:port}, the key under which the host key is pinned. */
    public String hostPort() {
        return host + ":" + port;
    }
}
