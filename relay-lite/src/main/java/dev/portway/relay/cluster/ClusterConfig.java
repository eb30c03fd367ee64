package dev.portway.relay.cluster;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.regex.Pattern;

/**
 * How a relay joins a cluster (docs/cluster.md): its node id, the address other nodes reach it at, the shared
 * secret of node-to-node links and the length of its lease. Immutable; {@link #of} checks every value.
 *
 * @param nodeId  unique in the cluster, e.g. {@code relay-a}
 * @param address {@code host:port} the other nodes reach this one at
 * @param secret  shared by every node of the cluster (at least {@link #MIN_SECRET_CHARS} characters)
 * @param lease   a node that has not renewed its lease for this long is dead to the others
 * @param tls     node-to-node links are TLS 1.3, bound to the secret's handshake ({@code --cluster-tls}; docs/cluster.md)
 * @param clientUrl the {@code ws[s]://} URL clients reach this node at directly ({@code --client-url}), told to
 *                  clients on two nodes (welcome {@code nodes}); null: only through the cluster's shared address
 */
public record ClusterConfig(String nodeId, String address, String secret, Duration lease, boolean tls, String clientUrl) {
    public ClusterConfig(String nodeId, String address, String secret, Duration lease, String clientUrl) {
        this(nodeId, address, secret, lease, false, clientUrl);
    }

    public ClusterConfig(String nodeId, String address, String secret, Duration lease, boolean tls) {
        this(nodeId, address, secret, lease, tls, null);
    }

    public static final Duration DEFAULT_LEASE = Duration.ofSeconds(10);
    public static final int MIN_SECRET_CHARS = 16;
    private static final Pattern NODE_ID = Pattern.compile("[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?");
    private static final Pattern CLIENT_URL = Pattern.compile("wss?://[A-Za-z0-9.\\[\\]:-]+(/[\\x21-\\x7e]*)?");
    private static final Pattern ADDRESS = Pattern.compile("(\\[[0-9a-fA-F:]+]|[A-Za-z0-9.-]+):(\\d{1,5})");

    /** Plain-TCP links (no {@code --cluster-tls}). */
    public ClusterConfig(String nodeId, String address, String secret, Duration lease) {
        this(nodeId, address, secret, lease, false);
    }

    @Override
    public String toString() { // never the secret
        return "ClusterConfig[nodeId=" + nodeId + ", address=" + address + ", lease=" + lease + ", tls=" + tls
                + ", clientUrl=" + clientUrl + "]";
    }

    /** {@link #of(String, String, Path, String, Duration, String, boolean, String)} with plain-TCP links, no client URL. */
    public static ClusterConfig of(String nodeId, String address, Path secretFile, String secretEnv, Duration lease,
                                   String dbUrl) {
        return of(nodeId, address, secretFile, secretEnv, lease, dbUrl, false, null);
    }

    /** With {@code --cluster-tls}, no client URL. */
    public static ClusterConfig of(String nodeId, String address, Path secretFile, String secretEnv, Duration lease,
                                   String dbUrl, boolean tls) {
        return of(nodeId, address, secretFile, secretEnv, lease, dbUrl, tls, null);
    }

    /** With {@code --client-url} (or null), plain-TCP links. */
    public static ClusterConfig of(String nodeId, String address, Path secretFile, String secretEnv, Duration lease,
                                   String dbUrl, String clientUrl) {
        return of(nodeId, address, secretFile, secretEnv, lease, dbUrl, false, clientUrl);
    }

    /**
     * The cluster settings from the relay's options, or null when {@code nodeId} is not set (a single relay).
     *
     * @param dbUrl      the relay's --db: a cluster needs PostgreSQL
     * @param secretFile --cluster-secret-file, or null
     * @param secretEnv  --cluster-secret (also PORTWAY_CLUSTER_SECRET or the config file), or null
     * @param tls        --cluster-tls
     * @throws IllegalArgumentException with what to change when a value is missing or not valid
     */
    public static ClusterConfig of(String nodeId, String address, Path secretFile, String secretEnv, Duration lease,
                                   String dbUrl, boolean tls, String clientUrl) {
        if (nodeId == null || nodeId.isBlank()) {
            if (tls) {
                throw new IllegalArgumentException("--cluster-tls is for the links between cluster nodes — add --node-id "
                        + "(and the other cluster options), or leave it out for a single relay.");
            }
            if (address != null || secretFile != null || secretEnv != null || clientUrl != null) {
                throw new IllegalArgumentException("--cluster-address, --client-url and the cluster secret need --node-id — give this "
                        + "relay a node id (e.g. --node-id relay-a), or leave the cluster options out for a single relay.");
            }
            return null;
        }
        if (!NODE_ID.matcher(nodeId).matches()) {
            throw new IllegalArgumentException("--node-id must be lower-case letters, digits and dashes (up to 63, "
                    + "e.g. relay-a), not \"" + nodeId + "\".");
        }
        if (dbUrl == null || !dbUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("A cluster node keeps its state in PostgreSQL — add "
                    + "--db jdbc:postgresql://host:5432/portway (the same database for every node).");
        }
        if (address == null || !ADDRESS.matcher(address).matches()
                || Integer.parseInt(address.substring(address.lastIndexOf(':') + 1)) > 65535) {
            throw new IllegalArgumentException("--cluster-address must be the host:port other nodes reach this one at "
                    + "(e.g. 10.0.0.1:7443), not " + (address == null ? "missing" : "\"" + address + "\"") + ".");
        }
        String secret;
        if (secretFile != null) {
            try {
                secret = Files.readString(secretFile, StandardCharsets.UTF_8).strip();
            } catch (IOException e) {
                throw new IllegalArgumentException("Cannot read the cluster secret from " + secretFile + " ("
                        + e.getClass().getSimpleName() + ") — check --cluster-secret-file.");
            }
        } else {
            secret = secretEnv == null ? null : secretEnv.strip();
        }
        if (secret == null || secret.isEmpty()) {
            throw new IllegalArgumentException("A cluster node needs the cluster's shared secret — put it in a file for "
                    + "--cluster-secret-file, or in PORTWAY_CLUSTER_SECRET (e.g. openssl rand -base64 32).");
        }
        if (secret.length() < MIN_SECRET_CHARS) {
            throw new IllegalArgumentException("The cluster secret has " + secret.length() + " characters; use at least "
                    + MIN_SECRET_CHARS + " random ones (e.g. openssl rand -base64 32).");
        }
        if (lease == null || lease.compareTo(Duration.ofSeconds(3)) < 0 || lease.compareTo(Duration.ofMinutes(5)) > 0) {
            throw new IllegalArgumentException("--cluster-lease must be between 3s and 5m, not " + lease + ".");
        }
        if (clientUrl != null && !CLIENT_URL.matcher(clientUrl).matches()) {
            throw new IllegalArgumentException("--client-url must be the ws:// or wss:// address clients reach this node "
                    + "at directly (e.g. wss://relay-a.example.com), not \"" + clientUrl + "\".");
        }
        return new ClusterConfig(nodeId, address, secret, lease, tls, clientUrl);
    }
}
