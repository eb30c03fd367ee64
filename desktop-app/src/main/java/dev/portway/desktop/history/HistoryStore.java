package dev.portway.desktop.history;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.profiles.StoreException;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Header;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The request inspector's history, table {@code request_history} in the app store ({@code app.mv.db}, schema
 * {@code V20__request_history.sql}). Per profile it keeps the newest {@value #MAX_PER_PROFILE} requests and at most
 * {@value #MAX_BODY_BYTES_PER_PROFILE} bytes of captured bodies; older rows are deleted as new ones come in.
 *
 * <p>Memory: H2 holds a committed transaction's rows in memory until its background writer (every 500 ms) or close
 * writes them out as one chunk, through a buffer that grows by half while it is copied — one 19 MiB batch (300
 * requests of 64 KiB) ran a 64 MiB heap out of memory there ({@code OutOfMemoryError: Capacity}). So {@link #append} never writes rows the bounds would
 * drop at once, and writes the rest in slices of at most {@value #SLICE_BYTES} body bytes, each its own transaction,
 * with a checkpoint once that much is unwritten: what H2 buffers stays near one slice whatever the batch.
 *
 * <p>Blocking: call it on the store thread, never the FX thread. Thread-safe: its own connection, every method
 * synchronized; every write is one transaction per slice, each leaving the history within its bounds. Open it after
 * {@link ProfileStore#open}, which migrates the schema. Headers are stored as JSON arrays of {@code [name, value]} pairs.
 */
public final class HistoryStore implements AutoCloseable {
    public static final int MAX_PER_PROFILE = 500;
    public static final long MAX_BODY_BYTES_PER_PROFILE = 16L * 1024 * 1024;
    /** Body bytes per transaction of {@link #append}, and unwritten bytes after which it checkpoints. */
    static final long SLICE_BYTES = 1024 * 1024;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final TypeReference<List<List<String>>> PAIRS = new TypeReference<>() {
    };
    private static final String COLUMNS = "request_id, tunnel, method, path, status, duration_micros, bytes_in, bytes_out, error_code,"
            + " error_message, started_at_millis, replay, captured, reason, request_headers, request_body, request_size,"
            + " response_headers, response_body, response_size, body_bytes";

    private final Connection db;
    private final int maxRows;
    private final long maxBodyBytes;
    private long unwrittenBytes; // body bytes committed since the last checkpoint

    private HistoryStore(Connection db, int maxRows, long maxBodyBytes) {
        this.db = db;
        this.maxRows = maxRows;
        this.maxBodyBytes = maxBodyBytes;
    }

    public static HistoryStore open(Path dataDir) {
        return open(dataDir, MAX_PER_PROFILE, MAX_BODY_BYTES_PER_PROFILE);
    }

    /** With other bounds (tests). */
    public static HistoryStore open(Path dataDir, int maxRows, long maxBodyBytes) {
        try {
            Connection c = DriverManager.getConnection(ProfileStore.jdbcUrl(dataDir), "sa", "");
            c.setAutoCommit(false);
            return new HistoryStore(c, maxRows, maxBodyBytes);
        } catch (SQLException e) {
            throw new StoreException("Cannot open the request history in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /**
     * Adds {@code entries} (oldest first) to the profile's history and trims it to its bounds. Entries that the
     * bounds would drop at once are not written; the rest go in slices of at most {@value #SLICE_BYTES} body bytes
     * (one entry at least), each one transaction. On a failure the slices before it stay saved.
     */
    public synchronized void append(String profileId, List<HistoryEntry> entries) {
        List<HistoryEntry> kept = newestWithinBounds(entries);
        if (kept.isEmpty()) {
            return;
        }
        try (PreparedStatement insert = db.prepareStatement("INSERT INTO request_history (profile_id, " + COLUMNS
                + ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            int from = 0;
            while (from < kept.size()) {
                long slice = 0;
                int to = from;
                while (to < kept.size() && (to == from || slice + kept.get(to).bodyBytes() <= SLICE_BYTES)) {
                    slice += kept.get(to).bodyBytes();
                    bind(insert, profileId, kept.get(to++));
                    insert.addBatch();
                }
                insert.executeBatch();
                trim(profileId);
                db.commit();
                unwrittenBytes += slice;
                if (unwrittenBytes >= SLICE_BYTES) {
                    checkpoint();
                }
                from = to;
            }
        } catch (SQLException | JsonProcessingException e) {
            rollback();
            throw new StoreException("Could not save the request history: " + e.getMessage(), e);
        }
    }

    /** The newest of {@code entries} (oldest first) that fit {@code maxRows} and {@code maxBodyBytes}, oldest first: the same rule as {@link #trim}. */
    private List<HistoryEntry> newestWithinBounds(List<HistoryEntry> entries) {
        int first = entries.size();
        long bytes = 0;
        while (first > 0 && entries.size() - first < maxRows && bytes + entries.get(first - 1).bodyBytes() <= maxBodyBytes) {
            bytes += entries.get(--first).bodyBytes();
        }
        return entries.subList(first, entries.size());
    }

    /** Makes H2 write what is committed now, rather than let it pile up until its background writer runs. */
    private void checkpoint() throws SQLException {
        try (Statement s = db.createStatement()) {
            s.execute("CHECKPOINT");
        }
        unwrittenBytes = 0;
    }

    /** The profile's history, newest first. */
    public synchronized List<HistoryEntry> load(String profileId) {
        try (PreparedStatement s = db.prepareStatement("SELECT " + COLUMNS + " FROM request_history WHERE profile_id = ?"
                + " ORDER BY seq DESC LIMIT ?")) {
            s.setString(1, profileId);
            s.setInt(2, maxRows);
            List<HistoryEntry> out = new ArrayList<>();
            try (ResultSet r = s.executeQuery()) {
                while (r.next()) {
                    out.add(read(r));
                }
            }
            db.commit();
            return out;
        } catch (SQLException | JsonProcessingException e) {
            rollback();
            throw new StoreException("Could not read the request history: " + e.getMessage(), e);
        }
    }

    public synchronized void clear(String profileId) {
        try (PreparedStatement s = db.prepareStatement("DELETE FROM request_history WHERE profile_id = ?")) {
            s.setString(1, profileId);
            s.executeUpdate();
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException("Could not clear the request history: " + e.getMessage(), e);
        }
    }

    /** Deletes the profile's oldest rows beyond {@code maxRows}, then beyond {@code maxBodyBytes} of bodies. */
    private void trim(String profileId) throws SQLException {
        long cutoff = -1; // rows with seq <= cutoff go
        try (PreparedStatement s = db.prepareStatement("SELECT seq, body_bytes FROM request_history WHERE profile_id = ? ORDER BY seq DESC")) {
            s.setString(1, profileId);
            try (ResultSet r = s.executeQuery()) {
                int rows = 0;
                long bytes = 0;
                while (r.next()) {
                    rows++;
                    bytes += r.getInt(2);
                    if (rows > maxRows || bytes > maxBodyBytes) {
                        cutoff = r.getLong(1);
                        break;
                    }
                }
            }
        }
        if (cutoff >= 0) {
            try (PreparedStatement d = db.prepareStatement("DELETE FROM request_history WHERE profile_id = ? AND seq <= ?")) {
                d.setString(1, profileId);
                d.setLong(2, cutoff);
                d.executeUpdate();
            }
        }
    }

    private static void bind(PreparedStatement s, String profileId, HistoryEntry entry) throws SQLException, JsonProcessingException {
        RequestEvent e = entry.event();
        CapturedExchange x = e.exchange();
        int i = 1;
        s.setString(i++, profileId);
        s.setString(i++, e.id());
        s.setString(i++, e.tunnel());
        s.setString(i++, e.method());
        s.setString(i++, e.path());
        s.setInt(i++, e.status());
        s.setLong(i++, e.duration() == null ? 0 : e.duration().toNanos() / 1000);
        s.setLong(i++, e.bytesIn());
        s.setLong(i++, e.bytesOut());
        s.setString(i++, e.error() == null ? null : e.error().name());
        s.setString(i++, e.errorMessage());
        s.setLong(i++, e.time().toEpochMilli());
        s.setBoolean(i++, entry.replay());
        s.setBoolean(i++, x != null);
        s.setString(i++, x == null ? null : x.reason());
        s.setString(i++, x == null ? null : JSON.writeValueAsString(pairs(x.requestHeaders())));
        setBytes(s, i++, x == null ? null : x.requestBody().bytes());
        s.setLong(i++, x == null ? 0 : x.requestBody().size());
        s.setString(i++, x == null ? null : JSON.writeValueAsString(pairs(x.responseHeaders())));
        setBytes(s, i++, x == null ? null : x.responseBody().bytes());
        s.setLong(i++, x == null ? 0 : x.responseBody().size());
        s.setInt(i, (int) entry.bodyBytes());
    }

    private static void setBytes(PreparedStatement s, int i, byte[] b) throws SQLException {
        if (b == null) {
            s.setNull(i, Types.VARBINARY);
        } else {
            s.setBytes(i, b);
        }
    }

    private static HistoryEntry read(ResultSet r) throws SQLException, JsonProcessingException {
        String code = r.getString("error_code");
        ErrorCode error = null;
        if (code != null) {
            try {
                error = ErrorCode.valueOf(code);
            } catch (IllegalArgumentException unknown) {
                error = ErrorCode.INTERNAL; // written by a newer Portway
            }
        }
        CapturedExchange x = null;
        if (r.getBoolean("captured")) {
            x = new CapturedExchange(headers(r.getString("request_headers")), body(r.getBytes("request_body"), r.getLong("request_size")),
                    r.getString("reason"), headers(r.getString("response_headers")),
                    body(r.getBytes("response_body"), r.getLong("response_size")));
        }
        RequestEvent e = new RequestEvent(r.getString("request_id"), r.getString("tunnel"), r.getString("method"), r.getString("path"),
                r.getInt("status"), Duration.ofNanos(r.getLong("duration_micros") * 1000), r.getLong("bytes_in"), r.getLong("bytes_out"),
                error, r.getString("error_message"), Instant.ofEpochMilli(r.getLong("started_at_millis")), x);
        return new HistoryEntry(e, r.getBoolean("replay"));
    }

    private static CapturedBody body(byte[] bytes, long size) {
        byte[] b = bytes == null ? new byte[0] : bytes;
        return new CapturedBody(b, Math.max(size, b.length));
    }

    private static List<List<String>> pairs(List<Header> headers) {
        List<List<String>> out = new ArrayList<>(headers.size());
        for (Header h : headers) {
            out.add(List.of(h.name(), h.value()));
        }
        return out;
    }

    private static List<Header> headers(String json) throws JsonProcessingException {
        if (json == null) {
            return List.of();
        }
        List<Header> out = new ArrayList<>();
        for (List<String> pair : JSON.readValue(json, PAIRS)) {
            if (pair.size() == 2) {
                out.add(new Header(pair.get(0), pair.get(1)));
            }
        }
        return out;
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("Cannot close the request history: " + e.getMessage(), e);
        }
    }
}
