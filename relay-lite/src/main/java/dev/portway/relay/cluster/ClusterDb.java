package dev.portway.relay.cluster;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portway.relay.tunnel.SharedNames.Verdict;

import dev.portway.relay.tunnel.VisitorProtection;

import java.io.IOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The cluster's tables in PostgreSQL ({@code V10__cluster_nodes_and_bindings.sql}): node leases and the binding of
 * names to nodes. Every decision is one statement the database makes atomically — a binding is taken with
 * {@code INSERT … ON CONFLICT DO UPDATE … WHERE} the holder is this node or dead, never read and then written.
 * Times are the database's clock.
 *
 * <p>Threads: every method blocks on the database; callers run them on the cluster's own threads, never on an
 * event loop. Its own small pool, so the relay store's thread never waits for the cluster and the other way round.
 */
final class ClusterDb implements AutoCloseable {
    private final HikariDataSource pool;
    private final String nodeId;
    private final String incarnation;
    private final double leaseSeconds;
    /** Seals the tunnels' visitor checks in their rows, opens other nodes'. */
    private final ProtectionSeal seal;
    /** Names whose sealed checks did not open here, already warned about (one warning per name, not per re-read). */
    private final java.util.Set<String> unreadable = java.util.concurrent.ConcurrentHashMap.newKeySet();

    /** A node as {@code relay-lite nodes list} shows it. */
    record Node(String id, String address, Instant started, int clients, int tunnels, Instant leaseUntil, boolean alive,
                String clientUrl) {
    }

    /** Another live run holds the node id. */
    static final class NodeIdInUse extends Exception {
        NodeIdInUse(String message) {
            super(message);
        }
    }

    ClusterDb(String url, String user, String password, String nodeId, String incarnation, Duration lease,
              ProtectionSeal seal) throws IOException {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("relay-cluster");
        hc.setJdbcUrl(url);
        hc.setUsername(user);
        hc.setPassword(password);
        hc.setMaximumPoolSize(3);
        hc.setMinimumIdle(1);
        // A cut-off database must show within a lease: no 30 s waits for a connection or an answer.
        hc.setConnectionTimeout(2_000);
        hc.setValidationTimeout(1_000);
        hc.addDataSourceProperty("connectTimeout", "2");
        hc.addDataSourceProperty("socketTimeout", "5");
        hc.setInitializationFailTimeout(10_000);
        try {
            pool = new HikariDataSource(hc);
        } catch (RuntimeException e) {
            throw new IOException("Cannot connect to the cluster's database " + url + ": " + e.getMessage()
                    + " — check --db, --db-user and --db-password.", e);
        }
        this.nodeId = nodeId;
        this.incarnation = incarnation;
        this.leaseSeconds = lease.toMillis() / 1000.0;
        this.seal = seal;
    }

    /**
     * Registers this run of the node with a fresh lease; bindings left by an earlier run of the same id are
     * deleted (that run's sessions are gone). Nodes dead for a day are forgotten.
     *
     * @throws NodeIdInUse when another run of this node id still holds a live lease
     */
    void join(String address, String clientUrl) throws SQLException, NodeIdInUse {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement q = c.prepareStatement("SELECT incarnation, EXTRACT(EPOCH FROM lease_until - now()) "
                        + "FROM cluster_node WHERE node_id = ? FOR UPDATE")) {
                    q.setString(1, nodeId);
                    try (ResultSet rs = q.executeQuery()) {
                        if (rs.next() && rs.getDouble(2) > 0 && !incarnation.equals(rs.getString(1))) {
                            throw new NodeIdInUse("Node id " + nodeId + " is in use by a live node (its lease runs "
                                    + (long) Math.ceil(rs.getDouble(2)) + " s more) — give each node its own --node-id; "
                                    + "after a crash, start again once that lease has run out.");
                        }
                    }
                }
                try (PreparedStatement u = c.prepareStatement("INSERT INTO cluster_node (node_id, address, incarnation, "
                        + "started_at, lease_until, client_url) VALUES (?, ?, ?, now(), now() + make_interval(secs => ?), ?) "
                        + "ON CONFLICT (node_id) DO UPDATE SET address = EXCLUDED.address, incarnation = EXCLUDED.incarnation, "
                        + "started_at = now(), lease_until = EXCLUDED.lease_until, clients = 0, tunnels = 0, "
                        + "client_url = EXCLUDED.client_url")) {
                    u.setString(1, nodeId);
                    u.setString(2, address);
                    u.setString(3, incarnation);
                    u.setDouble(4, leaseSeconds);
                    u.setString(5, clientUrl);
                    u.executeUpdate();
                }
                for (String table : List.of("cluster_binding", "cluster_session")) {
                    try (PreparedStatement d = c.prepareStatement("DELETE FROM " + table + " WHERE node_id = ?")) {
                        d.setString(1, nodeId);
                        d.executeUpdate();
                    }
                }
                try (PreparedStatement d = c.prepareStatement(
                        "DELETE FROM cluster_node WHERE lease_until < now() - interval '1 day'")) {
                    d.executeUpdate();
                }
                c.commit();
            } catch (SQLException | NodeIdInUse | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** One of the database's decisions, made in a transaction of its own. */
    @FunctionalInterface
    private interface Decision {
        Verdict decide(Connection c) throws SQLException;
    }

    /** Runs {@code d} in one transaction: committed when it returns, rolled back when it throws. */
    private Verdict decision(Decision d) throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                Verdict v = d.decide(c);
                c.commit();
                return v;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        }
    }

    /** Extends this node's lease while it is still valid. @return false when it had run out (or the id was taken) */
    boolean renew(int clients, int tunnels) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement u = c.prepareStatement("UPDATE cluster_node SET lease_until = now() + make_interval(secs => ?), "
                     + "clients = ?, tunnels = ? WHERE node_id = ? AND incarnation = ? AND lease_until > now()")) {
            u.setDouble(1, leaseSeconds);
            u.setInt(2, clients);
            u.setInt(3, tunnels);
            u.setString(4, nodeId);
            u.setString(5, incarnation);
            return u.executeUpdate() == 1;
        }
    }

    /**
     * A new lease after this run's had run out, keeping its bindings that no other node took meanwhile.
     *
     * @throws NodeIdInUse when another run of the node id took over the row
     */
    void rejoin(String address, String clientUrl) throws SQLException, NodeIdInUse {
        try (Connection c = pool.getConnection();
             PreparedStatement u = c.prepareStatement("UPDATE cluster_node SET lease_until = now() + make_interval(secs => ?) "
                     + "WHERE node_id = ? AND incarnation = ?")) {
            u.setDouble(1, leaseSeconds);
            u.setString(2, nodeId);
            u.setString(3, incarnation);
            if (u.executeUpdate() == 1) {
                return;
            }
        }
        join(address, clientUrl); // the row was forgotten: register again
    }

    /**
     * Binds {@code name} on this node ({@code kind}, {@code sessionId}, {@code user} and {@code ownerKey} null: keep
     * this node's row's, a re-claim after a lost lease). Granted when no other live node binds the name, or every
     * other live node's binding has the same user and the same non-null {@code ownerKey} (one client's sessions on
     * several nodes); at most one row per node. Claims of one name are serialised by a transaction-scoped advisory
     * lock on the name, so two nodes never both see "nobody else" (no read-then-write race between nodes).
     *
     * <p>A new binding of a user also needs the user's distinct names on live nodes, not counting {@code name}
     * itself (one client's second binding of a name is the same tunnel), to be fewer than {@code maxTunnels}
     * ({@link Verdict#LIMIT} otherwise; 0: no limit). Those counts of one user are serialised by a second advisory
     * lock, {@code (1, hashtext(user))}, always taken after the name's, so two nodes never both count "one left".
     */
    Verdict claim(String name, String kind, String sessionId, String user, String ownerKey, VisitorProtection protection,
                  int maxTunnels, int perMinute) throws SQLException {
        return decision(c -> claim(c, name, kind, sessionId, user, ownerKey, protection, maxTunnels, perMinute));
    }

    private Verdict claim(Connection c, String name, String kind, String sessionId, String user, String ownerKey,
                          VisitorProtection protection, int maxTunnels, int perMinute) throws SQLException {
        try (PreparedStatement l = c.prepareStatement("SELECT pg_advisory_xact_lock(hashtext(?))")) {
            l.setString(1, name);
            l.execute();
        }
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM cluster_node WHERE node_id = ? AND incarnation = ? "
                + "AND lease_until > now()")) {
            q.setString(1, nodeId);
            q.setString(2, incarnation);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Verdict.UNAVAILABLE;
                }
            }
        }
        String myUser = user;
        String myOwner = ownerKey;
        boolean reclaim = kind == null;
        Boolean guarded = protection == null ? null : !protection.isNone();
        String sealed = protection == null ? null : seal.seal(name, protection);
        if (reclaim) { // the owner is this node's row's
            try (PreparedStatement q = c.prepareStatement("SELECT user_name, owner_key FROM cluster_binding "
                    + "WHERE name = ? AND node_id = ?")) {
                q.setString(1, name);
                q.setString(2, nodeId);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        myUser = rs.getString(1);
                        myOwner = rs.getString(2);
                    }
                }
            }
        }
        try (PreparedStatement q = c.prepareStatement("SELECT b.user_name, b.owner_key FROM cluster_binding b "
                + "JOIN cluster_node n ON n.node_id = b.node_id WHERE b.name = ? AND b.node_id <> ? AND n.lease_until > now()")) {
            q.setString(1, name);
            q.setString(2, nodeId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (myOwner == null || !myOwner.equals(rs.getString(2)) || !java.util.Objects.equals(myUser, rs.getString(1))) {
                        return Verdict.TAKEN;
                    }
                }
            }
        }
        if (!reclaim && user != null && maxTunnels > 0 && tunnelsBesides(c, user, name) >= maxTunnels) {
            return Verdict.LIMIT;
        }
        // Dead nodes' rows of this name go (their lease ran out: their sessions are gone).
        try (PreparedStatement d = c.prepareStatement("DELETE FROM cluster_binding b WHERE b.name = ? AND b.node_id <> ? "
                + "AND NOT EXISTS (SELECT 1 FROM cluster_node n WHERE n.node_id = b.node_id AND n.lease_until > now())")) {
            d.setString(1, name);
            d.setString(2, nodeId);
            d.executeUpdate();
        }
        try (PreparedStatement i = c.prepareStatement("INSERT INTO cluster_binding (name, node_id, session_id, user_name, "
                + "owner_key, kind, guarded, per_minute, protection) VALUES (?, ?, ?, ?, ?, COALESCE(?, 'http'), COALESCE(?, false), ?, ?) "
                + "ON CONFLICT (name, node_id) DO UPDATE SET bound_at = now(), "
                // a re-claim after a lost lease passes no session, user, owner or kind: the row's stay
                + "session_id = COALESCE(EXCLUDED.session_id, cluster_binding.session_id), "
                + "user_name = COALESCE(EXCLUDED.user_name, cluster_binding.user_name), "
                + "owner_key = CASE WHEN ? THEN cluster_binding.owner_key ELSE EXCLUDED.owner_key END, "
                + "per_minute = CASE WHEN ? THEN cluster_binding.per_minute ELSE EXCLUDED.per_minute END, "
                + "protection = CASE WHEN ? THEN cluster_binding.protection ELSE EXCLUDED.protection END, "
                + "kind = COALESCE(?, cluster_binding.kind), guarded = COALESCE(?, cluster_binding.guarded), "
                // a new bind's port is set by claimPort once its listener is open (it may be another port now)
                + "port = CASE WHEN ? THEN cluster_binding.port ELSE NULL END")) {
            i.setString(1, name);
            i.setString(2, nodeId);
            i.setString(3, sessionId);
            i.setString(4, user);
            i.setString(5, ownerKey);
            i.setString(6, kind);
            i.setObject(7, guarded, java.sql.Types.BOOLEAN);
            i.setInt(8, perMinute);
            i.setString(9, sealed);
            i.setBoolean(10, reclaim);
            i.setBoolean(11, reclaim);
            i.setBoolean(12, reclaim);
            i.setString(13, kind);
            i.setObject(14, guarded, java.sql.Types.BOOLEAN);
            i.setBoolean(15, reclaim);
            i.executeUpdate();
        }
        return Verdict.GRANTED;
    }

    /**
     * The user's tunnels on live nodes other than {@code name}, each name once (bound on several nodes by one
     * client, or held on a node for a dropped session), after taking the user's advisory lock for this transaction.
     */
    private static int tunnelsBesides(Connection c, String user, String name) throws SQLException {
        lockUser(c, 1, user);
        try (PreparedStatement q = c.prepareStatement("SELECT count(DISTINCT b.name) FROM cluster_binding b "
                + "JOIN cluster_node n ON n.node_id = b.node_id WHERE b.user_name = ? AND b.name <> ? AND n.lease_until > now()")) {
            q.setString(1, user);
            q.setString(2, name);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** Key space 1: a user's tunnel count; 2: a user's connection count (one-key locks are the names'). */
    private static void lockUser(Connection c, int space, String user) throws SQLException {
        try (PreparedStatement l = c.prepareStatement("SELECT pg_advisory_xact_lock(?, hashtext(?))")) {
            l.setInt(1, space);
            l.setString(2, user);
            l.execute();
        }
    }

    /**
     * Counts a client session of {@code user} on this node ({@code V13__cluster_sessions.sql}): granted when the
     * user's sessions on live nodes are fewer than {@code maxConnections}, counting each {@code ownerKey} once (one
     * client on several nodes is one connection; its own key never counts against it) and each session without a
     * key once. {@link Verdict#UNAVAILABLE} when this node's lease ran out. Serialised per user by an advisory lock.
     */
    Verdict connect(String sessionId, String user, String ownerKey, int maxConnections) throws SQLException {
        return decision(c -> connect(c, sessionId, user, ownerKey, maxConnections));
    }

    private Verdict connect(Connection c, String sessionId, String user, String ownerKey, int maxConnections)
            throws SQLException {
        lockUser(c, 2, user);
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM cluster_node WHERE node_id = ? AND incarnation = ? "
                + "AND lease_until > now()")) {
            q.setString(1, nodeId);
            q.setString(2, incarnation);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Verdict.UNAVAILABLE;
                }
            }
        }
        try (PreparedStatement q = c.prepareStatement("SELECT count(DISTINCT COALESCE(s.owner_key, 'session:' || s.session_id)) "
                + "FROM cluster_session s JOIN cluster_node n ON n.node_id = s.node_id "
                + "WHERE s.user_name = ? AND n.lease_until > now() "
                + "AND (s.owner_key IS NULL OR CAST(? AS VARCHAR) IS NULL OR s.owner_key <> ?)")) {
            q.setString(1, user);
            q.setString(2, ownerKey);
            q.setString(3, ownerKey);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                if (rs.getInt(1) >= maxConnections) {
                    return Verdict.LIMIT;
                }
            }
        }
        try (PreparedStatement i = c.prepareStatement("INSERT INTO cluster_session (session_id, node_id, user_name, owner_key) "
                + "VALUES (?, ?, ?, ?) ON CONFLICT (session_id) DO NOTHING")) {
            i.setString(1, sessionId);
            i.setString(2, nodeId);
            i.setString(3, user);
            i.setString(4, ownerKey);
            i.executeUpdate();
        }
        return Verdict.GRANTED;
    }

    /** The session ended: it no longer counts against its user's connections. */
    void disconnect(String sessionId) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement d = c.prepareStatement("DELETE FROM cluster_session WHERE session_id = ? AND node_id = ?")) {
            d.setString(1, sessionId);
            d.setString(2, nodeId);
            d.executeUpdate();
        }
    }

    /**
     * Records the public port this node opened for its TCP binding of {@code name}: granted when no binding of another
     * name on a live node has that port, and every other live node's binding of the name (one client's other session)
     * has no port yet or the same one. Serialised per port by the advisory lock {@code (3, port)}, so two nodes never
     * both give one port to two names. {@link Verdict#UNAVAILABLE} when this node's lease ran out or it has no binding
     * of the name (released meanwhile).
     */
    Verdict claimPort(String name, int port) throws SQLException {
        return decision(c -> claimPort(c, name, port));
    }

    private Verdict claimPort(Connection c, String name, int port) throws SQLException {
        try (PreparedStatement l = c.prepareStatement("SELECT pg_advisory_xact_lock(3, ?)")) {
            l.setInt(1, port);
            l.execute();
        }
        try (PreparedStatement q = c.prepareStatement("SELECT 1 FROM cluster_binding b JOIN cluster_node n "
                + "ON n.node_id = b.node_id WHERE n.lease_until > now() AND b.node_id <> ? AND "
                + "((b.port = ? AND b.name <> ?) OR (b.name = ? AND b.port IS NOT NULL AND b.port <> ?))")) {
            q.setString(1, nodeId);
            q.setInt(2, port);
            q.setString(3, name);
            q.setString(4, name);
            q.setInt(5, port);
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    return Verdict.TAKEN;
                }
            }
        }
        try (PreparedStatement u = c.prepareStatement("UPDATE cluster_binding b SET port = ? WHERE b.name = ? AND b.node_id = ? "
                + "AND EXISTS (SELECT 1 FROM cluster_node n WHERE n.node_id = b.node_id AND n.incarnation = ? "
                + "AND n.lease_until > now())")) {
            u.setInt(1, port);
            u.setString(2, name);
            u.setString(3, nodeId);
            u.setString(4, incarnation);
            return u.executeUpdate() == 1 ? Verdict.GRANTED : Verdict.UNAVAILABLE;
        }
    }

    /** Deletes this node's binding of {@code name} (none when another node took it meanwhile). */
    void release(String name) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement d = c.prepareStatement("DELETE FROM cluster_binding WHERE name = ? AND node_id = ?")) {
            d.setString(1, name);
            d.setString(2, nodeId);
            d.executeUpdate();
        }
    }

    /** This node starts draining: its bindings are deleted (the other nodes hear of it by NOTIFY), its lease stays. */
    void withdraw() throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement d = c.prepareStatement("DELETE FROM cluster_binding WHERE node_id = ?")) {
            d.setString(1, nodeId);
            d.executeUpdate();
        }
    }

    /** This node stops (graceful shutdown): its bindings are deleted and its lease ends now. */
    void leave() throws SQLException {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement d = c.prepareStatement("DELETE FROM cluster_binding WHERE node_id = ?");
                 PreparedStatement ds = c.prepareStatement("DELETE FROM cluster_session WHERE node_id = ?");
                 PreparedStatement u = c.prepareStatement("UPDATE cluster_node SET lease_until = now(), clients = 0, "
                         + "tunnels = 0 WHERE node_id = ? AND incarnation = ?")) {
                d.setString(1, nodeId);
                d.executeUpdate();
                ds.setString(1, nodeId);
                ds.executeUpdate();
                u.setString(1, nodeId);
                u.setString(2, incarnation);
                u.executeUpdate();
                c.commit();
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** Every name bound on a live node. */
    List<Located> directory() throws SQLException {
        return located(null);
    }

    /** The live bindings of one name (one per node), or none. */
    List<Located> locate(String name) throws SQLException {
        return located(name);
    }

    private List<Located> located(String name) throws SQLException {
        try (Connection c = pool.getConnection();
             PreparedStatement q = c.prepareStatement("SELECT b.name, b.node_id, n.address, b.kind, b.guarded, b.user_name, "
                     + "b.per_minute, b.protection, COALESCE(b.port, 0) FROM cluster_binding b "
                     + "JOIN cluster_node n ON n.node_id = b.node_id WHERE n.lease_until > now()"
                     + (name == null ? "" : " AND b.name = ?"))) {
            if (name != null) {
                q.setString(1, name);
            }
            List<Located> out = new ArrayList<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    String n = rs.getString(1);
                    out.add(new Located(n, rs.getString(2), rs.getString(3), rs.getString(4),
                            protection(n, rs.getString(2), rs.getBoolean(5), rs.getString(8)), rs.getString(6), rs.getInt(7),
                            rs.getInt(9)));
                }
            }
            return out;
        }
    }

    /**
     * A binding row's visitor checks as this node makes them: none when the tunnel asked for none; what its node
     * sealed; {@link VisitorProtection#PENDING} (its visitors turned away here, never let through unchecked) when the
     * row has checks this node cannot open — written by a node from before sealed checks, or with another secret.
     */
    private VisitorProtection protection(String name, String node, boolean guarded, String sealed) {
        if (!guarded) {
            return VisitorProtection.NONE;
        }
        if (sealed == null) {
            return VisitorProtection.PENDING; // a node that predates them keeps its checks to itself
        }
        try {
            VisitorProtection p = seal.open(name, sealed);
            unreadable.remove(name);
            return p;
        } catch (IllegalArgumentException e) {
            if (unreadable.add(name)) {
                org.slf4j.LoggerFactory.getLogger(ClusterDb.class).warn("The visitor checks of tunnel {} on node {} do not "
                        + "open here ({}): its visitors on this node are refused — give every node the same cluster secret",
                        name, node, e.getMessage());
            }
            return VisitorProtection.PENDING;
        }
    }

    /** Every known node, live or not, by id. */
    static List<Node> nodes(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT node_id, address, started_at, clients, tunnels, lease_until, "
                + "lease_until > now(), client_url FROM cluster_node ORDER BY node_id");
             ResultSet rs = q.executeQuery()) {
            List<Node> out = new ArrayList<>();
            while (rs.next()) {
                Timestamp started = rs.getTimestamp(3);
                Timestamp until = rs.getTimestamp(6);
                out.add(new Node(rs.getString(1), rs.getString(2), started.toInstant(), rs.getInt(4), rs.getInt(5),
                        until.toInstant(), rs.getBoolean(7), rs.getString(8)));
            }
            return out;
        }
    }

    /** Every known node (for tests and diagnostics on a running node). */
    List<Node> nodes() throws SQLException {
        try (Connection c = pool.getConnection()) {
            return nodes(c);
        }
    }

    @Override
    public void close() {
        pool.close();
    }
}
