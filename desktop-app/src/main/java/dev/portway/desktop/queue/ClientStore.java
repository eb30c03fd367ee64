package dev.portway.desktop.queue;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.Protocol;
import org.flywaydb.core.Flyway;
import org.h2.jdbcx.JdbcConnectionPool;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * The engine's durable state (PROTOCOL.md §9): the client key and the client queue of requests the relay
 * delivered that the local app has not had yet. An H2 database file {@code <dataDir>/engine.mv.db}, or an
 * in-memory database when there is no data dir (not durable; for tests and embedding). Schema by Flyway,
 * {@code db/migration/engine}.
 *
 * <p>Threads: every method does blocking JDBC on the calling thread — call it from a virtual thread or a
 * named worker, never from a network reader or the FX thread. Thread-safe (a small connection pool).
 * Memory: bodies move in parts of at most 64 KiB; nothing holds a whole body.
 */
public final class ClientStore implements AutoCloseable {
    static final int PART = 64 * 1024;
    /** How many delivered (or discarded) ids are remembered to acknowledge redeliveries without delivering twice. */
    static final int RECENT_KEPT = 10_000;
    private static final TypeReference<List<Header>> HEADERS = new TypeReference<>() { };

    private final JdbcConnectionPool pool;
    private final QueueLimits limits;
    private final String clientKey;
    /** Guards count and bytes, and the check-then-commit of a new row against them. */
    private final Object capacity = new Object();
    private int count;
    private long bytes;

    private ClientStore(JdbcConnectionPool pool, QueueLimits limits) {
        this.pool = pool;
        this.limits = limits;
        this.clientKey = loadOrCreateClientKey();
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT COUNT(*), COALESCE(SUM(body_size), 0) FROM queued_request");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            count = rs.getInt(1);
            bytes = rs.getLong(2);
        } catch (SQLException e) {
            throw new StoreException("Cannot read the client queue: " + e.getMessage(), e);
        }
    }

    /**
     * Opens (creating or migrating) the store.
     *
     * @param dataDir the directory for {@code engine.mv.db}, created if missing; null for an in-memory store
     * @throws StoreException when the directory or the database cannot be used (the message says which)
     */
    public static ClientStore open(Path dataDir, QueueLimits limits) {
        String url;
        if (dataDir == null) {
            url = "jdbc:h2:mem:portway-" + UUID.randomUUID() + ";DB_CLOSE_DELAY=-1";
        } else {
            try {
                Files.createDirectories(dataDir);
            } catch (IOException e) {
                throw new StoreException("Cannot create the data directory " + dataDir + ": " + e.getMessage(), e);
            }
            // FILE_LOCK=FS: the operating system's file lock, released the moment a killed process dies.
            // WRITE_DELAY=0: a commit reaches the file before it returns (H2 otherwise writes up to 500 ms later),
            // so a delivery is acknowledged only once it survives kill -9.
            // REUSE_SPACE=FALSE: commits are appended, never written into space H2 freed inside the file (which it
            // does once up past its 45 s retention time): after an unclean stop an open could miss those commits and
            // come back at an older state. close() compacts the file that this makes grow.
            url = "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("engine") + ";FILE_LOCK=FS;WRITE_DELAY=0;REUSE_SPACE=FALSE";
        }
        JdbcConnectionPool pool = JdbcConnectionPool.create(url, "portway", "");
        pool.setMaxConnections(16);
        try {
            Flyway.configure().dataSource(pool).locations("classpath:db/migration/engine").load().migrate();
            return new ClientStore(pool, limits);
        } catch (RuntimeException e) {
            pool.dispose();
            String where = dataDir == null ? "the in-memory store" : dataDir.resolve("engine.mv.db").toString();
            throw e instanceof StoreException se ? se : new StoreException(cannotOpen(where, e), e);
        }
    }

    /**
     * One line a person can act on, never the database's multi-line report: the H2 file locked by another process
     * (another app window or {@code portway connect} on the same data directory), or else the innermost cause's
     * first line.
     */
    static String cannotOpen(String where, Throwable e) {
        Throwable root = e;
        boolean locked = false;
        for (Throwable t = e; t != null; t = t.getCause()) {
            root = t;
            locked |= t instanceof java.sql.SQLException q && q.getErrorCode() == org.h2.api.ErrorCode.DATABASE_ALREADY_OPEN_1
                    || String.valueOf(t.getMessage()).contains("Database may be already in use");
        }
        if (locked) {
            return "Cannot open " + where + ": another Portway (the app or a portway connect) is using it — close that "
                    + "one first, or give this one its own data directory (--data-dir).";
        }
        String why = String.valueOf(root.getMessage()).lines().findFirst().orElse("").strip();
        if (why.length() > 200) {
            why = why.substring(0, 200) + "…";
        }
        return "Cannot open " + where + " (" + why + ") — check that the directory is writable and not used by "
                + "another Portway.";
    }

    /** This installation's stable secret (§9.2): 256 random bits, base64url, created on first open. */
    public String clientKey() {
        return clientKey;
    }

    public QueueLimits limits() {
        return limits;
    }

    /** Requests in the client queue. */
    public int count() {
        synchronized (capacity) {
            return count;
        }
    }

    /** Body bytes in the client queue. */
    public long bytes() {
        synchronized (capacity) {
            return bytes;
        }
    }

    /** @return true when the id is queued, or was delivered or discarded recently: a redelivery to acknowledge as is */
    public boolean isKnown(String deliveryId) {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT 1 FROM queued_request WHERE delivery_id = ?"
                     + " UNION ALL SELECT 1 FROM recent_delivery WHERE delivery_id = ?")) {
            ps.setString(1, deliveryId);
            ps.setString(2, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next();
            }
        } catch (SQLException e) {
            throw fail("look up delivery " + deliveryId, e);
        }
    }

    /**
     * Stores a request and its body, committed before returning: after this the request survives a crash.
     * Reads {@code body} to its end (at most {@link QueueLimits#maxBody()} bytes).
     *
     * @return true when stored; false when the id was already known (nothing stored twice)
     * @throws QueueFullException when the queue is full or the body too large; nothing was stored
     * @throws IOException        when reading the body failed; nothing was stored
     */
    public boolean store(String deliveryId, String tunnel, String priority, String method, String target,
                         List<Header> headers, Instant received, InputStream body) throws QueueFullException, IOException {
        if (isKnown(deliveryId)) {
            return false;
        }
        synchronized (capacity) {
            if (count >= limits.maxCount()) {
                throw new QueueFullException("The client queue is full (" + count + " requests) — deliver or discard some.");
            }
        }
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                try (PreparedStatement ps = c.prepareStatement("INSERT INTO queued_request (delivery_id, tunnel, priority, method,"
                        + " target, headers, body_size, received_at, attempts, next_attempt) VALUES (?, ?, ?, ?, ?, ?, 0, ?, 0, ?)")) {
                    ps.setString(1, deliveryId);
                    ps.setString(2, tunnel);
                    ps.setInt(3, rank(priority));
                    ps.setString(4, method);
                    ps.setString(5, target);
                    ps.setString(6, Json.MAPPER.writeValueAsString(headers));
                    ps.setLong(7, received.toEpochMilli());
                    ps.setLong(8, received.toEpochMilli());
                    ps.executeUpdate();
                }
                long size = writeBody(c, deliveryId, body);
                try (PreparedStatement ps = c.prepareStatement("UPDATE queued_request SET body_size = ? WHERE delivery_id = ?")) {
                    ps.setLong(1, size);
                    ps.setString(2, deliveryId);
                    ps.executeUpdate();
                }
                synchronized (capacity) {
                    if (count >= limits.maxCount() || bytes + size > limits.maxBytes()) {
                        throw new QueueFullException("The client queue is full (" + count + " requests, " + bytes
                                + " bytes) — deliver or discard some.");
                    }
                    c.commit();
                    count++;
                    bytes += size;
                }
                return true;
            } catch (QueueFullException | IOException | RuntimeException e) {
                c.rollback();
                throw e;
            } catch (SQLException e) {
                c.rollback();
                if (isKnown(deliveryId)) {
                    return false; // the same delivery arrived twice at once and the other one won
                }
                throw e;
            }
        } catch (SQLException e) {
            throw fail("store delivery " + deliveryId, e);
        }
    }

    private long writeBody(Connection c, String deliveryId, InputStream body) throws SQLException, IOException, QueueFullException {
        long size = 0;
        int part = 0;
        byte[] buf = new byte[PART];
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO request_body (delivery_id, part, data) VALUES (?, ?, ?)")) {
            while (true) {
                int n = body.readNBytes(buf, 0, buf.length);
                if (n == 0) {
                    return size;
                }
                size += n;
                if (size > limits.maxBody()) {
                    throw new QueueFullException("The request body is larger than the client queue takes ("
                            + limits.maxBody() + " bytes).");
                }
                ps.setString(1, deliveryId);
                ps.setInt(2, part++);
                ps.setBytes(3, n == buf.length ? buf : java.util.Arrays.copyOf(buf, n));
                ps.executeUpdate();
            }
        }
    }

    /** Writes the stored body of a request to {@code out}, part by part. */
    public void copyBody(String deliveryId, OutputStream out) throws IOException {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT data FROM request_body WHERE delivery_id = ? ORDER BY part")) {
            ps.setString(1, deliveryId);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.write(rs.getBytes(1));
                }
            }
        } catch (SQLException e) {
            throw new IOException("cannot read the stored body of " + deliveryId + ": " + e.getMessage(), e);
        }
    }

    /** Every queued request, in delivery order: priority (high first), then arrival. */
    public List<StoredRequest> list() {
        return query("SELECT * FROM queued_request ORDER BY priority, seq", ps -> { });
    }

    /**
     * Requests due at {@code now}, in delivery order, leaving out {@code skip} (in flight).
     *
     * @param limit at most this many
     */
    public List<StoredRequest> due(Instant now, int limit, Set<String> skip) {
        List<StoredRequest> out = new ArrayList<>();
        for (StoredRequest r : query("SELECT * FROM queued_request WHERE next_attempt <= ? ORDER BY priority, seq",
                ps -> ps.setLong(1, now.toEpochMilli()))) {
            if (out.size() >= limit) {
                break;
            }
            if (!skip.contains(r.deliveryId())) {
                out.add(r);
            }
        }
        return out;
    }

    /** @return when the earliest waiting request is due, or null when the queue is empty */
    public Instant nextDue() {
        try (Connection c = pool.getConnection();
             PreparedStatement ps = c.prepareStatement("SELECT MIN(next_attempt) FROM queued_request");
             ResultSet rs = ps.executeQuery()) {
            rs.next();
            long t = rs.getLong(1);
            return rs.wasNull() ? null : Instant.ofEpochMilli(t);
        } catch (SQLException e) {
            throw fail("read the queue", e);
        }
    }

    /** The local app has the request: removes it and remembers its id. @return false when it was not queued */
    public boolean delivered(String deliveryId) {
        return remove(deliveryId, "delivered");
    }

    /** A person discarded the request: removes it undelivered and remembers its id. @return false when not queued */
    public boolean discard(String deliveryId) {
        return remove(deliveryId, "discarded");
    }

    /** Discards every queued request. @return how many */
    public int discardAll() {
        int n = 0;
        for (StoredRequest r : list()) {
            if (discard(r.deliveryId())) {
                n++;
            }
        }
        return n;
    }

    /** An attempt failed: counts it and sets when to try again. */
    public void failed(String deliveryId, Instant nextAttempt, String error) {
        update("UPDATE queued_request SET attempts = attempts + 1, next_attempt = ?, last_error = ? WHERE delivery_id = ?",
                nextAttempt.toEpochMilli(), truncate(error), deliveryId);
    }

    /** The request could not be tried (no such tunnel, breaker open): waits without counting an attempt. */
    public void postpone(String deliveryId, Instant nextAttempt, String reason) {
        update("UPDATE queued_request SET next_attempt = ?, last_error = ? WHERE delivery_id = ?",
                nextAttempt.toEpochMilli(), truncate(reason), deliveryId);
    }

    /** Makes one request due now. @return false when it is not queued */
    public boolean retryNow(String deliveryId) {
        return update("UPDATE queued_request SET next_attempt = 0 WHERE delivery_id = ?", deliveryId) > 0;
    }

    /** Makes every request due now. */
    public int retryAll() {
        return update("UPDATE queued_request SET next_attempt = 0");
    }

    @Override
    public void close() {
        // COMPACT: the file only grows while open (REUSE_SPACE=FALSE); a no-op for the in-memory store.
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement("SHUTDOWN COMPACT")) {
            ps.execute();
        } catch (SQLException e) {
            // closing anyway
        }
        pool.dispose();
    }

    // ---- internals

    private boolean remove(String deliveryId, String outcome) {
        try (Connection c = pool.getConnection()) {
            c.setAutoCommit(false);
            try {
                long size;
                try (PreparedStatement ps = c.prepareStatement("SELECT body_size FROM queued_request WHERE delivery_id = ?")) {
                    ps.setString(1, deliveryId);
                    try (ResultSet rs = ps.executeQuery()) {
                        if (!rs.next()) {
                            c.rollback();
                            return false;
                        }
                        size = rs.getLong(1);
                    }
                }
                exec(c, "DELETE FROM request_body WHERE delivery_id = ?", deliveryId);
                int removed = exec(c, "DELETE FROM queued_request WHERE delivery_id = ?", deliveryId);
                exec(c, "INSERT INTO recent_delivery (delivery_id, outcome, done_at) VALUES (?, ?, ?)",
                        deliveryId, outcome, System.currentTimeMillis());
                exec(c, "DELETE FROM recent_delivery WHERE seq <= (SELECT MAX(seq) FROM recent_delivery) - ?", RECENT_KEPT);
                synchronized (capacity) {
                    c.commit();
                    if (removed > 0) {
                        count--;
                        bytes -= size;
                    }
                }
                return removed > 0;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        } catch (SQLException e) {
            throw fail("remove delivery " + deliveryId, e);
        }
    }

    private String loadOrCreateClientKey() {
        try (Connection c = pool.getConnection()) {
            try (PreparedStatement ps = c.prepareStatement("SELECT meta_value FROM client_meta WHERE meta_key = 'client_key'");
                 ResultSet rs = ps.executeQuery()) {
                if (rs.next()) {
                    return rs.getString(1);
                }
            }
            byte[] secret = new byte[32];
            new SecureRandom().nextBytes(secret);
            String key = Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
            exec(c, "INSERT INTO client_meta (meta_key, meta_value) VALUES ('client_key', ?)", key);
            return key;
        } catch (SQLException e) {
            throw fail("read the client key", e);
        }
    }

    private interface Binder {
        void bind(PreparedStatement ps) throws SQLException;
    }

    private List<StoredRequest> query(String sql, Binder binder) {
        try (Connection c = pool.getConnection(); PreparedStatement ps = c.prepareStatement(sql)) {
            binder.bind(ps);
            List<StoredRequest> out = new ArrayList<>();
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
            return out;
        } catch (SQLException e) {
            throw fail("read the queue", e);
        }
    }

    private static StoredRequest row(ResultSet rs) throws SQLException {
        List<Header> headers;
        try {
            headers = Json.MAPPER.readValue(rs.getString("headers"), HEADERS);
        } catch (JsonProcessingException e) {
            throw new SQLException("unreadable headers of " + rs.getString("delivery_id"), e);
        }
        return new StoredRequest(rs.getString("delivery_id"), rs.getString("tunnel"), priorityName(rs.getInt("priority")),
                rs.getString("method"), rs.getString("target"), headers, rs.getLong("body_size"), rs.getInt("attempts"),
                Instant.ofEpochMilli(rs.getLong("received_at")), Instant.ofEpochMilli(rs.getLong("next_attempt")),
                rs.getString("last_error"));
    }

    private int update(String sql, Object... args) {
        try (Connection c = pool.getConnection()) {
            return exec(c, sql, args);
        } catch (SQLException e) {
            throw fail("update the queue", e);
        }
    }

    private static int exec(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            for (int i = 0; i < args.length; i++) {
                ps.setObject(i + 1, args[i]);
            }
            return ps.executeUpdate();
        }
    }

    static int rank(String priority) {
        return switch (priority == null ? "" : priority) {
            case Protocol.PRIORITY_HIGH -> 0;
            case Protocol.PRIORITY_LOW -> 2;
            default -> 1;
        };
    }

    private static String priorityName(int rank) {
        return switch (rank) {
            case 0 -> Protocol.PRIORITY_HIGH;
            case 2 -> Protocol.PRIORITY_LOW;
            default -> Protocol.PRIORITY_NORMAL;
        };
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 1000 ? s : s.substring(0, 1000) + "…";
    }

    private static StoreException fail(String what, SQLException e) {
        return new StoreException("Cannot " + what + " in the client store: " + e.getMessage(), e);
    }
}
