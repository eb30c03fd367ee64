package dev.portway.relay.store;

import com.fasterxml.jackson.core.type.TypeReference;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import org.flywaydb.core.Flyway;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * The relay's database: reservations of queued tunnels and their queued requests (PROTOCOL.md §9).
 * H2 in a file under the data directory, or in memory when there is none; the schema is Flyway
 * migrations in {@code db/migration/relay}, plain SQL that also runs on PostgreSQL.
 *
 * <p>Threads: every statement runs on the one {@code relay-store} thread, never on the caller's, so
 * writes are serialised and no Netty event loop ever waits for the disk. Asynchronous methods complete
 * their future on that thread once the transaction is committed; callers hop back to their own loop.
 * {@link #open} and {@link #close} block: call them at start and stop only.
 */
public final class RelayStore implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(RelayStore.class);
    private static final TypeReference<List<Header>> HEADERS = new TypeReference<>() {
    };

    private final HikariDataSource pool;
    private final ExecutorService executor;
    private final boolean inMemory;
    /** The H2 file's folder guard, or null (in memory, PostgreSQL). */
    private final DiskSpace disk;
    /** When to compact the H2 file, or null (in memory, PostgreSQL). */
    private final FileCompaction compaction;
    /** Set on the store thread when the database broke; calls fail fast until then (reopen backoff). */
    private long retryAtNanos;
    private long backoffNanos;
    private String brokenBecause;

    private final IdentityStore identity;
    private final CertificateStore certificates;
    /** A cluster node's id: {@link #next} then claims rows for it (V11, PostgreSQL); null on a single relay. */
    private volatile String claimant;

    private RelayStore(HikariDataSource pool, boolean inMemory, DiskSpace disk, FileCompaction compaction) {
        this.pool = pool;
        this.identity = new IdentityStore(pool);
        this.certificates = new CertificateStore(pool);
        this.inMemory = inMemory;
        this.disk = disk;
        this.compaction = compaction;
        this.executor = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, "relay-store");
            t.setDaemon(true);
            t.setUncaughtExceptionHandler((th, e) -> log.error("Unexpected failure on {}", th.getName(), e));
            return t;
        });
    }

    /**
     * Opens (creating or migrating) the database. Blocks.
     *
     * @param dataDir the relay's data directory, or null for an in-memory database (not durable)
     * @throws IOException when the database cannot be opened, with a message saying what to do
     */
    public static RelayStore open(Path dataDir) throws IOException {
        return open(null, null, null, dataDir);
    }

    /**
     * Opens (creating or migrating) the database. Blocks.
     *
     * @param jdbcUrl  a {@code jdbc:postgresql://} (or {@code jdbc:h2:}) URL, or null for the H2 file in {@code dataDir}
     * @param user     database user for {@code jdbcUrl}, or null
     * @param password database password for {@code jdbcUrl}, or null
     * @param dataDir  the relay's data directory, or null for an in-memory database (not durable)
     * @throws IOException when the database cannot be opened, with a message saying what to do
     */
    public static RelayStore open(String jdbcUrl, String user, String password, Path dataDir) throws IOException {
        HikariConfig hc = new HikariConfig();
        hc.setPoolName("relay-store");
        hc.setMaximumPoolSize(2);
        hc.setMinimumIdle(1);
        hc.setAutoCommit(true);
        if (jdbcUrl != null) {
            if (!jdbcUrl.startsWith("jdbc:postgresql:") && !jdbcUrl.startsWith("jdbc:h2:")) {
                throw new IOException("--db must be a jdbc:postgresql://host:port/database URL (or jdbc:h2:...), not \""
                        + jdbcUrl + "\".");
            }
            hc.setJdbcUrl(jdbcUrl);
            hc.setUsername(user);
            hc.setPassword(password);
            hc.setInitializationFailTimeout(10_000);
        } else if (dataDir == null) {
            // DB_CLOSE_DELAY=-1 keeps it while the pool recycles connections; close() drops it with SHUTDOWN.
            hc.setJdbcUrl("jdbc:h2:mem:relay-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1");
        } else {
            hc.setJdbcUrl(h2FileUrl(dataDir));
            // A database that broke (disk full, file gone) is reopened on the next call: waiting for it must not
            // hold the store's one thread for Hikari's default 30 s while webhooks wait for their answer.
            hc.setConnectionTimeout(3_000);
        }
        boolean h2File = jdbcUrl == null && dataDir != null;
        DiskSpace disk = h2File ? new DiskSpace(dataDir, Long.getLong(RESERVE_PROPERTY, DiskSpace.DEFAULT_RESERVE)) : null;
        HikariDataSource ds;
        try {
            if (disk != null) {
                java.nio.file.Files.createDirectories(dataDir);
                disk.check(0);
            }
            ds = new HikariDataSource(hc);
        } catch (IOException | RuntimeException e) {
            throw new IOException(jdbcUrl != null ? "Cannot connect to the database " + jdbcUrl + ": " + rootMessage(e)
                    + " — check --db, --db-user and --db-password (or PORTWAY_DB_USER, PORTWAY_DB_PASSWORD)."
                    : OpenFailure.explain(dataDir, e), e);
        }
        try {
            // PostgreSQL also gets the cluster's tables (V10-V19, plpgsql triggers); the H2 store never needs them.
            String[] locations = jdbcUrl != null && jdbcUrl.startsWith("jdbc:postgresql:")
                    ? new String[]{"classpath:db/migration/relay", "classpath:db/migration/relay-postgresql"}
                    : new String[]{"classpath:db/migration/relay"};
            // Out of order: the cluster's V10-V19 are numbered below the relay's V20, V30, so a cluster migration
            // added later (V13) is still applied to a database that is past V30 (ClusterMigrationIT).
            Flyway.configure().dataSource(ds).locations(locations).outOfOrder(true).load().migrate();
        } catch (RuntimeException e) {
            ds.close();
            throw new IOException(h2File ? OpenFailure.explain(dataDir, e)
                    : "Cannot prepare the relay database" + (dataDir == null ? "" : " in " + dataDir) + ": " + rootMessage(e), e);
        }
        if (jdbcUrl != null) {
            log.info("Relay data is kept in {}", jdbcUrl);
        } else if (dataDir == null) {
            log.info("No data directory: queued requests and reservations are kept in memory and lost when the relay stops");
        } else {
            log.info("Queued requests and reservations are kept in {}", dataDir.toAbsolutePath());
        }
        return new RelayStore(ds, jdbcUrl == null && dataDir == null, disk,
                h2File ? new FileCompaction(dataDir, Long.getLong(COMPACT_PROPERTY, 64L << 20)) : null);
    }

    /** System property: the H2 file is compacted once past this size (and 4 times its compacted size); for tests. */
    public static final String COMPACT_PROPERTY = "portway.store.compact-min-bytes";
    /** System property: free bytes the H2 store leaves on its disk (see {@link DiskSpace}); for tests. */
    public static final String RESERVE_PROPERTY = "portway.store.reserve-bytes";
    /**
     * System property: H2's RETENTION_TIME in ms (how long freed chunks are kept before their space is reused;
     * H2's default 45 s). For tests that need the state of a relay that has been up longer than that.
     */
    public static final String RETENTION_PROPERTY = "portway.store.h2-retention-ms";

    /**
     * The JDBC URL of the H2 file in a data directory. AUTO_SERVER=TRUE: the admin command line
     * ({@code relay-lite users ...}) opens the same file while the relay runs; the second process connects
     * to the first over loopback TCP. That needs H2's cooperative lock file (FILE_LOCK=FILE, the default;
     * H2 refuses AUTO_SERVER with FILE_LOCK=FS): after a kill -9 the next start waits a few seconds until
     * H2 sees the stale lock file's heartbeat stop. WRITE_DELAY=0: a commit reaches the file before it
     * returns (H2 otherwise writes up to 500 ms later), so a 202 is only sent for a request that survives
     * kill -9; on the relay every write is also followed by CHECKPOINT SYNC (fsync), so it survives power loss
     * too. REUSE_SPACE=FALSE: commits are only appended, never written into space freed inside the file, so an
     * unclean open finds the newest one (see {@link FileCompaction}, which keeps the file's size in bounds), and
     * {@link DiskSpace} keeps H2 from writing on a full disk.
     */
    public static String h2FileUrl(Path dataDir) {
        String retention = System.getProperty(RETENTION_PROPERTY);
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("relay") + ";WRITE_DELAY=0;AUTO_SERVER=TRUE;REUSE_SPACE=FALSE"
                + (retention == null ? "" : ";RETENTION_TIME=" + Integer.parseInt(retention));
    }

    /** Users, tokens, names, keys and audit rows. Its methods block: on the relay, call them through {@link #async}. */
    public IdentityStore identity() {
        return identity;
    }

    /** ACME accounts and certificates (V30). Its methods block: the relay calls them on its ACME thread only. */
    public CertificateStore certificates() {
        return certificates;
    }

    /** Runs blocking store work on the store thread; the future completes there. */
    public <T> CompletableFuture<T> async(String what, java.util.function.Supplier<T> work) {
        return call(what, c -> work.get());
    }

    // ---- read at start (blocking, caller's thread)

    /** Every reservation. Blocking: at start only. */
    public List<ReservationRow> loadReservations() {
        return reservations().join();
    }

    /** Per tunnel: {count, bytes} of stored requests. Blocking: at start only. */
    public Map<String, long[]> loadTotals() {
        return totals().join();
    }

    /** Per tunnel: {count, bytes} of stored requests (a cluster node re-reads them: other nodes store and deliver too). */
    public CompletableFuture<Map<String, long[]>> totals() {
        return call("count queued requests", c -> {
            Map<String, long[]> out = new HashMap<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT tunnel, COUNT(*), SUM(body_length) FROM queued_request GROUP BY tunnel")) {
                while (rs.next()) {
                    out.put(rs.getString(1), new long[]{rs.getLong(2), rs.getLong(3)});
                }
            }
            return out;
        });
    }

    /** Every reservation, read now (a cluster node re-reads them: other nodes make and end reservations too). */
    public CompletableFuture<List<ReservationRow>> reservations() {
        return call("read reservations", c -> {
            List<ReservationRow> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT name, key_hash, methods, max_body, priority FROM reservation")) {
                while (rs.next()) {
                    out.add(new ReservationRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.getString(5)));
                }
            }
            return out;
        });
    }

    /** One reservation, read now; completes with null when there is none. */
    public CompletableFuture<ReservationRow> reservation(String name) {
        return call("read the reservation of " + name, c -> {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT name, key_hash, methods, max_body, priority FROM reservation WHERE name = ?")) {
                q.setString(1, name);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? new ReservationRow(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4),
                            rs.getString(5)) : null;
                }
            }
        });
    }

    // ---- the queue shared by a cluster (V11, PostgreSQL only)

    /**
     * Makes this store deliver as cluster node {@code nodeId}: {@link #next} claims the rows it returns for the node
     * ({@code FOR UPDATE SKIP LOCKED}), so no two nodes deliver one request at once. Claims an earlier run of this
     * node id left are given back first. Blocking: at start only, before the first delivery.
     */
    public void deliverAs(String nodeId) {
        call("give back the claims of an earlier run of " + nodeId, c -> {
            try (PreparedStatement u = c.prepareStatement("UPDATE queued_request SET claimed_by = NULL WHERE claimed_by = ?")) {
                u.setString(1, nodeId);
                return u.executeUpdate();
            }
        }).join();
        claimant = nodeId;
    }

    /** Gives back this node's claims on a tunnel's requests (its client's session here ended); nothing on a single relay. */
    public CompletableFuture<Integer> releaseClaims(String tunnel) {
        String me = claimant;
        if (me == null) {
            return CompletableFuture.completedFuture(0);
        }
        return call("give back the claims on " + tunnel, c -> {
            try (PreparedStatement u = c.prepareStatement(
                    "UPDATE queued_request SET claimed_by = NULL WHERE tunnel = ? AND claimed_by = ?")) {
                u.setString(1, tunnel);
                u.setString(2, me);
                return u.executeUpdate();
            }
        });
    }

    // ---- reservations

    /** Creates or updates a reservation. */
    public CompletableFuture<Void> saveReservation(ReservationRow r) {
        return call("save the reservation of " + r.name(), c -> inTransaction(c, () -> {
            // UPDATE then INSERT rather than MERGE/ON CONFLICT: portable, and only this thread writes.
            try (PreparedStatement u = c.prepareStatement(
                    "UPDATE reservation SET key_hash = ?, methods = ?, max_body = ?, priority = ? WHERE name = ?")) {
                u.setString(1, r.keyHash());
                u.setString(2, r.methods());
                u.setLong(3, r.maxBody());
                u.setString(4, r.priority());
                u.setString(5, r.name());
                if (u.executeUpdate() > 0) {
                    return null;
                }
            }
            try (PreparedStatement i = c.prepareStatement(
                    "INSERT INTO reservation (name, key_hash, methods, max_body, priority, created_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                i.setString(1, r.name());
                i.setString(2, r.keyHash());
                i.setString(3, r.methods());
                i.setLong(4, r.maxBody());
                i.setString(5, r.priority());
                i.setLong(6, System.currentTimeMillis());
                i.executeUpdate();
            }
            return null;
        }));
    }

    /** Deletes a reservation and every request queued for it, in one transaction; completes with the requests deleted. */
    public CompletableFuture<Integer> deleteReservation(String name) {
        return call("delete the reservation of " + name, c -> inTransaction(c, () -> {
            int requests;
            try (PreparedStatement d = c.prepareStatement("DELETE FROM queued_request WHERE tunnel = ?")) {
                d.setString(1, name);
                requests = d.executeUpdate();
            }
            try (PreparedStatement d = c.prepareStatement("DELETE FROM reservation WHERE name = ?")) {
                d.setString(1, name);
                d.executeUpdate();
            }
            return requests;
        }));
    }

    // ---- queued requests

    /** Stores a request; the future completes once it is committed. */
    public CompletableFuture<Void> enqueue(QueuedRequest q) {
        return call("store a queued request for " + q.tunnel(), q.body().length, c -> {
            try (PreparedStatement i = c.prepareStatement("INSERT INTO queued_request (delivery_id, tunnel, priority, "
                    + "request_id, remote, method, target, headers, body, body_length, received_at, not_before) "
                    + "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
                i.setString(1, q.deliveryId());
                i.setString(2, q.tunnel());
                i.setInt(3, q.priority());
                i.setString(4, q.requestId());
                i.setString(5, q.remote());
                i.setString(6, q.method());
                i.setString(7, q.target());
                i.setString(8, new String(Json.write(q.headers()), java.nio.charset.StandardCharsets.UTF_8));
                i.setBytes(9, q.body());
                i.setLong(10, q.body().length);
                i.setLong(11, q.receivedAt());
                i.setLong(12, 0);
                i.executeUpdate();
            }
            return null;
        });
    }

    /**
     * The next requests to deliver for a tunnel: highest priority first, then arrival order; skipping
     * those in {@code exclude} (in flight) and those postponed past {@code now}.
     */
    public CompletableFuture<List<QueuedRequest>> next(String tunnel, int max, Collection<String> exclude, long now) {
        List<String> skip = List.copyOf(exclude);
        String me = claimant;
        if (me != null) {
            return claim(me, tunnel, max, skip, now);
        }
        return call("read queued requests of " + tunnel, c -> {
            StringBuilder sql = new StringBuilder("SELECT delivery_id, priority, request_id, remote, method, target, headers, "
                    + "body, received_at FROM queued_request WHERE tunnel = ? AND not_before <= ?");
            if (!skip.isEmpty()) {
                sql.append(" AND delivery_id NOT IN (").append("?, ".repeat(skip.size() - 1)).append("?)");
            }
            sql.append(" ORDER BY priority, seq");
            List<QueuedRequest> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(sql.toString())) {
                q.setMaxRows(max); // portable LIMIT
                q.setString(1, tunnel);
                q.setLong(2, now);
                for (int i = 0; i < skip.size(); i++) {
                    q.setString(3 + i, skip.get(i));
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new QueuedRequest(rs.getString(1), tunnel, rs.getInt(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), Json.MAPPER.readValue(rs.getString(7), HEADERS),
                                rs.getBytes(8), rs.getLong(9)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * {@link #next} on a cluster node: claims up to {@code max} rows for node {@code me} in one statement. A row is
     * claimable when nobody claims it, this node does (an earlier session's delivery here), or its claimant's lease
     * has run out; {@code SKIP LOCKED} passes over rows another node is claiming in the same instant.
     */
    private CompletableFuture<List<QueuedRequest>> claim(String me, String tunnel, int max, List<String> skip, long now) {
        return call("claim queued requests of " + tunnel, c -> {
            StringBuilder sql = new StringBuilder("UPDATE queued_request SET claimed_by = ? WHERE seq IN (SELECT q.seq FROM "
                    + "queued_request q WHERE q.tunnel = ? AND q.not_before <= ? AND (q.claimed_by IS NULL OR q.claimed_by = ? "
                    + "OR NOT EXISTS (SELECT 1 FROM cluster_node n WHERE n.node_id = q.claimed_by AND n.lease_until > now()))");
            if (!skip.isEmpty()) {
                sql.append(" AND q.delivery_id NOT IN (").append("?, ".repeat(skip.size() - 1)).append("?)");
            }
            sql.append(" ORDER BY q.priority, q.seq LIMIT ? FOR UPDATE SKIP LOCKED) RETURNING delivery_id, priority, "
                    + "request_id, remote, method, target, headers, body, received_at, seq");
            List<long[]> order = new ArrayList<>();
            List<QueuedRequest> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(sql.toString())) {
                int i = 1;
                q.setString(i++, me);
                q.setString(i++, tunnel);
                q.setLong(i++, now);
                q.setString(i++, me);
                for (String id : skip) {
                    q.setString(i++, id);
                }
                q.setInt(i, max);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        order.add(new long[]{rs.getInt(2), rs.getLong(10), out.size()});
                        out.add(new QueuedRequest(rs.getString(1), tunnel, rs.getInt(2), rs.getString(3), rs.getString(4),
                                rs.getString(5), rs.getString(6), Json.MAPPER.readValue(rs.getString(7), HEADERS),
                                rs.getBytes(8), rs.getLong(9)));
                    }
                }
            }
            // RETURNING keeps no order: deliver highest priority first, then arrival order, as on a single relay.
            order.sort(java.util.Comparator.<long[]>comparingLong(o -> o[0]).thenComparingLong(o -> o[1]));
            List<QueuedRequest> sorted = new ArrayList<>(out.size());
            for (long[] o : order) {
                sorted.add(out.get((int) o[2]));
            }
            return sorted;
        });
    }

    /** Deletes a delivered request; completes with its body length, or -1 when it was not there. */
    public CompletableFuture<Long> delete(String deliveryId) {
        return call("delete a delivered request", c -> inTransaction(c, () -> {
            long length = -1;
            try (PreparedStatement q = c.prepareStatement("SELECT body_length FROM queued_request WHERE delivery_id = ?")) {
                q.setString(1, deliveryId);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        length = rs.getLong(1);
                    }
                }
            }
            try (PreparedStatement d = c.prepareStatement("DELETE FROM queued_request WHERE delivery_id = ?")) {
                d.setString(1, deliveryId);
                return d.executeUpdate() > 0 ? length : -1L;
            }
        }));
    }

    /** Keeps a request from being delivered before {@code notBefore} (epoch ms). */
    public CompletableFuture<Void> postpone(String deliveryId, long notBefore) {
        // On a cluster node the claim is given back with it: whichever node holds the client's session then takes it.
        String sql = claimant == null ? "UPDATE queued_request SET not_before = ? WHERE delivery_id = ?"
                : "UPDATE queued_request SET not_before = ?, claimed_by = NULL WHERE delivery_id = ?";
        return call("postpone a queued request", c -> {
            try (PreparedStatement u = c.prepareStatement(sql)) {
                u.setLong(1, notBefore);
                u.setString(2, deliveryId);
                u.executeUpdate();
            }
            return null;
        });
    }

    /** Stored requests of a tunnel. */
    public CompletableFuture<Integer> count(String tunnel) {
        return call("count queued requests of " + tunnel, c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*) FROM queued_request WHERE tunnel = ?")) {
                q.setString(1, tunnel);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    return rs.getInt(1);
                }
            }
        });
    }

    // ---- the console's and the admin commands' view of the queues

    /** Per tunnel with stored requests: their count, bytes and the oldest one's arrival (epoch ms). */
    public CompletableFuture<List<QueueStats>> queueStats() {
        return call("read the queues' totals", c -> {
            List<QueueStats> out = new ArrayList<>();
            try (Statement s = c.createStatement();
                 ResultSet rs = s.executeQuery("SELECT tunnel, COUNT(*), SUM(body_length), MIN(received_at) FROM queued_request "
                         + "GROUP BY tunnel ORDER BY tunnel")) {
                while (rs.next()) {
                    out.add(new QueueStats(rs.getString(1), rs.getLong(2), rs.getLong(3), rs.getLong(4)));
                }
            }
            return out;
        });
    }

    /**
     * Deletes every stored request of a tunnel (the reservation stays), in one transaction; completes with
     * {count, bytes} deleted. A request being delivered meanwhile is then gone for {@link #delete} (-1).
     */
    public CompletableFuture<long[]> purge(String tunnel) {
        return call("purge the queue of " + tunnel, c -> inTransaction(c, () -> {
            long[] gone = {0, 0};
            try (PreparedStatement q = c.prepareStatement("SELECT COUNT(*), SUM(body_length) FROM queued_request WHERE tunnel = ?")) {
                q.setString(1, tunnel);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    gone[1] = rs.getLong(2);
                }
            }
            try (PreparedStatement d = c.prepareStatement("DELETE FROM queued_request WHERE tunnel = ?")) {
                d.setString(1, tunnel);
                gone[0] = d.executeUpdate();
            }
            return gone;
        }));
    }

    /**
     * A trivial query on the store's executor: completes when the database answers (readiness) and, for the
     * H2 file, its disk has room for writes.
     */
    public CompletableFuture<Void> ping() {
        return call("check the database", 0, c -> {
            try (Statement s = c.createStatement()) {
                s.execute("SELECT 1");
            }
            return null;
        });
    }

    /** Waits for pending writes (up to 5 s), then closes the database. Blocks; idempotent. */
    @Override
    public void close() {
        if (executor.isShutdown()) {
            return;
        }
        executor.shutdown();
        try {
            if (!executor.awaitTermination(5, TimeUnit.SECONDS)) {
                log.warn("The relay database was still busy after 5 s; closing it anyway");
                executor.shutdownNow();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (inMemory) {
            try (Connection c = pool.getConnection(); Statement s = c.createStatement()) {
                s.execute("SHUTDOWN");
            } catch (SQLException e) {
                log.debug("SHUTDOWN of the in-memory database failed: {}", e.toString());
            }
        }
        pool.close();
    }

    // ---- plumbing

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws Exception;
    }

    @FunctionalInterface
    private interface Body<T> {
        T run() throws Exception;
    }

    private <T> CompletableFuture<T> call(String what, Work<T> work) {
        return call(what, 0, work);
    }

    /**
     * Runs {@code work} on the store thread. For the H2 file: refused while the disk lacks room for
     * {@code writing} bytes plus the reserve; followed by CHECKPOINT SYNC, so what it committed is on disk
     * (fsync) when the future completes; a database that broke is reopened by the next call after a backoff
     * (0.5 s doubling to 8 s), and calls meanwhile fail at once with the reason.
     */
    private <T> CompletableFuture<T> call(String what, long writing, Work<T> work) {
        CompletableFuture<T> result = new CompletableFuture<>();
        try {
            executor.execute(() -> {
                if (brokenBecause != null && System.nanoTime() - retryAtNanos < 0) {
                    result.completeExceptionally(new StoreException("Could not " + what + ": " + brokenBecause, null));
                    return;
                }
                Connection c = null;
                try {
                    if (disk != null) {
                        disk.check(writing);
                    }
                    c = pool.getConnection();
                    T value = work.run(c);
                    if (disk != null) {
                        try (Statement s = c.createStatement()) {
                            s.execute("CHECKPOINT SYNC");
                        }
                    }
                    if (compaction != null && compaction.due()) {
                        compact(c);
                    } else {
                        c.close();
                    }
                    c = null;
                    if (brokenBecause != null) {
                        log.info("Relay database: available again (it could not {} before)", what);
                        brokenBecause = null;
                        backoffNanos = 0;
                    }
                    result.complete(value);
                } catch (StoreException.DiskFull e) {
                    log.warn("Relay database: could not {}: {}", what, e.getMessage());
                    result.completeExceptionally(new StoreException("Could not " + what + ": " + e.getMessage(), e));
                } catch (Exception e) {
                    if (broken(e)) {
                        discard(c);
                        c = null;
                        backoffNanos = Math.min(TimeUnit.SECONDS.toNanos(8), Math.max(TimeUnit.MILLISECONDS.toNanos(500),
                                backoffNanos * 2));
                        retryAtNanos = System.nanoTime() + backoffNanos;
                        brokenBecause = rootMessage(e);
                    }
                    log.warn("Relay database: could not {}: {}", what, rootMessage(e));
                    result.completeExceptionally(new StoreException("Could not " + what + ": " + rootMessage(e), e));
                } finally {
                    if (c != null) {
                        try {
                            c.close();
                        } catch (SQLException e) {
                            log.debug("Closing a store connection failed: {}", e.toString());
                        }
                    }
                }
            });
        } catch (java.util.concurrent.RejectedExecutionException e) {
            result.completeExceptionally(new StoreException("Could not " + what + ": the relay is stopping", e));
        }
        return result;
    }

    /**
     * Whether a failure means the database itself is gone (closed after a failed write, unreachable), not a
     * refused statement: SQL states of class 22 (data), 23 (constraint) and 42 (syntax) leave it usable.
     */
    private static boolean broken(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                return state == null || !(state.startsWith("22") || state.startsWith("23") || state.startsWith("42"));
            }
        }
        return false;
    }

    /** SHUTDOWN COMPACT (H2 writes a compacted copy and swaps it in); the next call reopens the file. Store thread. */
    private void compact(Connection c) {
        long before = compaction.size();
        long start = System.nanoTime();
        try (Statement s = c.createStatement()) {
            s.execute("SHUTDOWN COMPACT");
        } catch (SQLException e) {
            log.warn("Relay database: compacting the file failed (it is reopened as it was): {}", rootMessage(e));
        } finally {
            discard(c);
            compaction.compacted();
        }
        log.info("Relay database compacted from {} kB to {} kB in {} ms", before / 1024, compaction.size() / 1024,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start));
    }

    /**
     * Drops the pool's connections so the next call opens the database afresh: after H2 gave up on a failed
     * write it has closed the database, and its old sessions only repeat that error.
     */
    private void discard(Connection c) {
        if (c != null) {
            pool.evictConnection(c);
        }
        var bean = pool.getHikariPoolMXBean();
        if (bean != null) {
            bean.softEvictConnections();
        }
    }

    private static <T> T inTransaction(Connection c, Body<T> body) throws Exception {
        c.setAutoCommit(false);
        try {
            T value = body.run();
            c.commit();
            return value;
        } catch (Exception e) {
            c.rollback();
            throw e;
        } finally {
            c.setAutoCommit(true);
        }
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t.getMessage() == null ? t.toString() : t.getMessage();
    }
}
