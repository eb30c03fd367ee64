package dev.portway.desktop.metrics;

import dev.portway.desktop.profiles.ProfileStore;
import dev.portway.desktop.profiles.StoreException;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;

/**
 * The traffic history: one {@link Bucket} per profile per minute in table {@code traffic_minute} of the
 * app's H2 database (the same file as the profiles; schema {@code V30__traffic_history.sql}).
 *
 * <p>Blocking: call it from the app's store thread, never the FX thread. Thread-safe: one connection, every
 * method synchronized; {@link #write} is one transaction. Writing a minute that is already stored adds to it
 * (a restart within the same minute), and rows of profiles that no longer exist are skipped.
 */
public final class HistoryStore implements AutoCloseable {
    private static final String COLUMNS = "requests, errors_network, errors_auth, errors_config, errors_server, errors_protocol,"
            + " errors_target, bytes_in, bytes_out, p50_ms, p95_ms, p99_ms, rtt_ms, up_ms, down_ms, reconnects";

    private final Connection db;

    private HistoryStore(Connection db) {
        this.db = db;
    }

    /** Opens (and migrates, when needed) the app database in {@code dataDir}. */
    public static HistoryStore open(Path dataDir) {
        String url = ProfileStore.jdbcUrl(dataDir);
        try {
            Files.createDirectories(dataDir);
            Flyway.configure().dataSource(url, "sa", "").locations("classpath:db/migration/app").load().migrate();
            Connection c = DriverManager.getConnection(url, "sa", "");
            c.setAutoCommit(false);
            return new HistoryStore(c);
        } catch (SQLException | FlywayException | java.io.IOException e) {
            throw new StoreException("Cannot open the traffic history in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Opens the app database in {@code dataDir} that {@link ProfileStore#open} has already opened and migrated. */
    public static HistoryStore attach(Path dataDir) {
        try {
            Connection c = DriverManager.getConnection(ProfileStore.jdbcUrl(dataDir), "sa", "");
            c.setAutoCommit(false);
            return new HistoryStore(c);
        } catch (SQLException e) {
            throw new StoreException("Cannot open the traffic history in " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Adds {@code minutes} of {@code profileId}'s traffic, all or nothing. */
    public synchronized void write(List<ProfileMinute> minutes) {
        String update = "UPDATE traffic_minute SET requests = requests + ?, errors_network = errors_network + ?,"
                + " errors_auth = errors_auth + ?, errors_config = errors_config + ?, errors_server = errors_server + ?,"
                + " errors_protocol = errors_protocol + ?, errors_target = errors_target + ?, bytes_in = bytes_in + ?,"
                + " bytes_out = bytes_out + ?, p50_ms = COALESCE(GREATEST(p50_ms, ?), p50_ms, ?),"
                + " p95_ms = COALESCE(GREATEST(p95_ms, ?), p95_ms, ?), p99_ms = COALESCE(GREATEST(p99_ms, ?), p99_ms, ?),"
                + " rtt_ms = COALESCE(GREATEST(rtt_ms, ?), rtt_ms, ?), up_ms = up_ms + ?, down_ms = down_ms + ?,"
                + " reconnects = reconnects + ? WHERE profile_id = ? AND minute_start = ?";
        String insert = "INSERT INTO traffic_minute (profile_id, minute_start, " + COLUMNS + ")"
                + " SELECT ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ? FROM profile WHERE id = ?";
        try (PreparedStatement u = db.prepareStatement(update); PreparedStatement i = db.prepareStatement(insert)) {
            for (ProfileMinute m : minutes) {
                Bucket b = m.minute();
                int k = 1;
                u.setLong(k++, b.requests());
                for (long e : b.errors()) {
                    u.setLong(k++, e);
                }
                u.setLong(k++, b.bytesIn());
                u.setLong(k++, b.bytesOut());
                for (double v : new double[]{b.p50Ms(), b.p95Ms(), b.p99Ms(), b.rttMs()}) {
                    setDouble(u, k++, v);
                    setDouble(u, k++, v);
                }
                u.setLong(k++, b.upMillis());
                u.setLong(k++, b.downMillis());
                u.setLong(k++, b.reconnects());
                u.setString(k++, m.profileId());
                u.setObject(k, OffsetDateTime.ofInstant(b.start(), ZoneOffset.UTC));
                if (u.executeUpdate() > 0) {
                    continue;
                }
                k = 1;
                i.setString(k++, m.profileId());
                i.setObject(k++, OffsetDateTime.ofInstant(b.start(), ZoneOffset.UTC));
                i.setLong(k++, b.requests());
                for (long e : b.errors()) {
                    i.setLong(k++, e);
                }
                i.setLong(k++, b.bytesIn());
                i.setLong(k++, b.bytesOut());
                for (double v : new double[]{b.p50Ms(), b.p95Ms(), b.p99Ms(), b.rttMs()}) {
                    setDouble(i, k++, v);
                }
                i.setLong(k++, b.upMillis());
                i.setLong(k++, b.downMillis());
                i.setLong(k++, b.reconnects());
                i.setString(k, m.profileId());
                i.executeUpdate();
            }
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException("Cannot save the traffic history: " + e.getMessage(), e);
        }
    }

    /** The profile's minutes that started at or after {@code since}, oldest first. */
    public synchronized List<Bucket> read(String profileId, Instant since) {
        List<Bucket> out = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement("SELECT minute_start, " + COLUMNS
                + " FROM traffic_minute WHERE profile_id = ? AND minute_start >= ? ORDER BY minute_start")) {
            s.setString(1, profileId);
            s.setObject(2, OffsetDateTime.ofInstant(since, ZoneOffset.UTC));
            try (ResultSet rs = s.executeQuery()) {
                while (rs.next()) {
                    Instant start = rs.getObject(1, OffsetDateTime.class).toInstant();
                    long[] errors = new long[Bucket.CATEGORIES];
                    for (int e = 0; e < errors.length; e++) {
                        errors[e] = rs.getLong(3 + e);
                    }
                    out.add(new Bucket(start, rs.getLong(2), errors, rs.getLong(9), rs.getLong(10), getDouble(rs, 11),
                            getDouble(rs, 12), getDouble(rs, 13), getDouble(rs, 14), rs.getLong(15), rs.getLong(16), rs.getLong(17)));
                }
            }
            return out;
        } catch (SQLException e) {
            throw new StoreException("Cannot read the traffic history: " + e.getMessage(), e);
        }
    }

    /** Deletes every minute that started before {@code before}; returns how many. */
    public synchronized int prune(Instant before) {
        try (PreparedStatement s = db.prepareStatement("DELETE FROM traffic_minute WHERE minute_start < ?")) {
            s.setObject(1, OffsetDateTime.ofInstant(before, ZoneOffset.UTC));
            int n = s.executeUpdate();
            db.commit();
            return n;
        } catch (SQLException e) {
            rollback();
            throw new StoreException("Cannot prune the traffic history: " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("Cannot close the traffic history: " + e.getMessage(), e);
        }
    }

    private static void setDouble(PreparedStatement s, int i, double v) throws SQLException {
        if (Double.isNaN(v)) {
            s.setNull(i, Types.DOUBLE);
        } else {
            s.setDouble(i, v);
        }
    }

    private static double getDouble(ResultSet rs, int i) throws SQLException {
        double v = rs.getDouble(i);
        return rs.wasNull() ? Double.NaN : v;
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the original failure is what matters
        }
    }

    /** One minute of one profile. */
    public record ProfileMinute(String profileId, Bucket minute) {
    }
}
