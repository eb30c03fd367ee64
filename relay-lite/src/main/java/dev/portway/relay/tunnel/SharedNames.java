package dev.portway.relay.tunnel;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * Who decides that a name the {@link TunnelRegistry} granted on this relay is free everywhere: nobody else
 * on a single relay ({@link #LOCAL}), the cluster's database on a node of a relay cluster
 * ({@code dev.portway.relay.cluster.ClusterNames}). Thread-safe; no method blocks.
 */
public interface SharedNames {
    /** The answer to {@link #claim}. */
    enum Verdict {
        /** The name is this relay's. */
        GRANTED,
        /** Another node's session holds it. */
        TAKEN,
        /** This node cannot ask (its database is unreachable or its lease ran out): no new bindings now. */
        UNAVAILABLE,
        /** The user is at their limit across the cluster (tunnels for {@link #claim}, connections for {@link #connect}). */
        LIMIT
    }

    /**
     * Claims {@code name} for a session of this relay. Completes (on any thread) with the verdict; never
     * exceptionally. On a cluster another node's binding of the name does not stop it when that binding has the
     * same {@code user} and the same non-null {@code ownerKey} (one client on several nodes).
     *
     * @param ownerKey   the session's hashed client key (scoped by its user), or null when the hello had none
     * @param protection the tunnel's visitor checks, which other nodes serving its visitors make as this one does
     * @param maxTunnels the most tunnels {@code user} may have in the whole cluster, each name once whatever the
     *                   number of nodes binding it ({@link Verdict#LIMIT} when this name would be one more); 0: none
     * @param perMinute  the user's visitor requests per minute (0: no limit), which other nodes carrying the tunnel's
     *                   visitors apply their share of
     */
    CompletableFuture<Verdict> claim(String name, String kind, String sessionId, String user, String ownerKey,
                                     VisitorProtection protection, int maxTunnels, int perMinute);

    /**
     * Counts a client session of {@code user} that passed this relay's own checks; completes (on any thread, never
     * exceptionally) with {@link Verdict#GRANTED}, {@link Verdict#LIMIT} when the user already has
     * {@code maxConnections} sessions in the cluster (one client's sessions on several nodes, same non-null
     * {@code ownerKey}, count once), or {@link Verdict#UNAVAILABLE}. A single relay grants at once: its
     * {@code UserLimits} decided already. Every call is followed by {@link #disconnected} when the session ends.
     */
    default CompletableFuture<Verdict> connect(String sessionId, String user, String ownerKey, int maxConnections) {
        return CompletableFuture.completedFuture(Verdict.GRANTED);
    }

    /** A session passed to {@link #connect} ended (whatever the verdict was). */
    default void disconnected(String sessionId) {
    }

    /** Live relays sharing the per-user request rates: 1 on a single relay, the live nodes of a cluster. */
    default int liveNodes() {
        return 1;
    }

    /** This node's id in its cluster, or null on a single relay (then welcome offers no {@code ha}). */
    default String nodeId() {
        return null;
    }

    /** The other live nodes of the cluster as welcome {@code nodes} lists them (PROTOCOL.md §3.3). Never blocks. */
    default java.util.List<dev.portway.shared.protocol.ControlMessage.ClusterNode> peers() {
        return java.util.List.of();
    }

    /**
     * A tunnel bound on another node, as this node's ingress may serve it.
     *
     * @param protection the tunnel's visitor checks, made here for the visitors this node serves
     *                   ({@link VisitorProtection#PENDING} when this node cannot read them: no visitor is admitted)
     */
    record Remote(String kind, VisitorProtection protection, TunnelBackend backend) {
    }

    /**
     * The tunnel {@code name} (HTTP or TCP) when another live node binds it, else null. Never blocks (every visitor
     * request and connection).
     */
    default Remote remote(String name) {
        return null;
    }

    /**
     * Records the public port this relay opened for its TCP tunnel {@code name} (granted it already). Completes (on
     * any thread, never exceptionally) with {@link Verdict#GRANTED}; on a cluster {@link Verdict#TAKEN} when a tunnel
     * of another name on a live node has that port, or another node's binding of the same name (one client's other
     * session) has another port, and {@link Verdict#UNAVAILABLE} when the node cannot ask now. A single relay grants
     * at once: its registry reserved the port.
     */
    default CompletableFuture<Verdict> claimPort(String name, int port) {
        return CompletableFuture.completedFuture(Verdict.GRANTED);
    }

    /**
     * The public port another live node's binding of the TCP tunnel {@code name} has (one client's other session: a
     * second bind of the name must get the same one), or 0. Never blocks.
     */
    default int clusterPort(String name) {
        return 0;
    }

    /** The name is no longer bound or held on this relay (unbind, end of a hold). */
    void release(String name);

    /** For the health endpoint: the cluster's state on this node, or null on a single relay. */
    Map<String, Object> status();

    /** Whether this node may take new bindings now (always on a single relay). */
    boolean accepting();

    /** A single relay: every name it grants is free, decided by its registry alone. */
    SharedNames LOCAL = new SharedNames() {
        @Override
        public CompletableFuture<Verdict> claim(String name, String kind, String sessionId, String user, String ownerKey,
                                                VisitorProtection protection, int maxTunnels, int perMinute) {
            return CompletableFuture.completedFuture(Verdict.GRANTED);
        }

        @Override
        public void release(String name) {
        }

        @Override
        public Map<String, Object> status() {
            return null;
        }

        @Override
        public boolean accepting() {
            return true;
        }
    };
}
