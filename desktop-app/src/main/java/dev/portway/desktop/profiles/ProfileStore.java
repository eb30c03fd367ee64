package dev.portway.desktop.profiles;

import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The desktop app's store: profiles and settings in an H2 file {@code <dataDir>/app.mv.db}, schema by
 * Flyway ({@code db/migration/app}).
 *
 * <p>Blocking: call it from a background thread ({@link ProfileService} does), never the FX thread.
 * Thread-safe: one connection, every method synchronized. Every write is one transaction, so a crash or a
 * failed statement never leaves half a profile behind. {@code FILE_LOCK=FS} keeps a second app instance
 * from opening the same files.
 */
public final class ProfileStore implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(ProfileStore.class);
    private static final String SEEDED = "profiles.seeded";

    private final Connection db;

    private ProfileStore(Connection db) {
        this.db = db;
    }

    /** The JDBC URL of the app's database in {@code dataDir}; other stores of the app open it the same way. */
    public static String jdbcUrl(Path dataDir) {
        return "jdbc:h2:file:" + dataDir.toAbsolutePath().resolve("app") + ";FILE_LOCK=FS";
    }

    public static ProfileStore open(Path dataDir) {
        migrate(dataDir);
        return connect(dataDir);
    }

    /**
     * Opens the database in {@code dataDir} without touching its schema (a new one is empty until {@link #migrate}):
     * the desktop app reads its window settings with it before the first frame and migrates after. Fails, as
     * {@link #open} does, when another Portway has the files.
     */
    public static ProfileStore connect(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            Connection c = DriverManager.getConnection(jdbcUrl(dataDir), "sa", "");
            c.setAutoCommit(false);
            return new ProfileStore(c);
        } catch (SQLException e) {
            throw failure(dataDir, e);
        } catch (java.io.IOException e) {
            throw new StoreException("Cannot create Portway's data folder " + dataDir + ": " + e.getMessage(), e);
        }
    }

    /** Brings the schema of the database in {@code dataDir} up to date (Flyway, {@code db/migration/app}). */
    public static void migrate(Path dataDir) {
        try {
            Files.createDirectories(dataDir);
            long t0 = System.nanoTime();
            Flyway.configure().dataSource(jdbcUrl(dataDir), "sa", "").locations("classpath:db/migration/app").load().migrate();
            LOG.info("app database migrated in {} ms", (System.nanoTime() - t0) / 1_000_000);
        } catch (FlywayException e) {
            throw failure(dataDir, e);
        } catch (java.io.IOException e) {
            throw new StoreException("Cannot create Portway's data folder " + dataDir + ": " + e.getMessage(), e);
        }
    }

    private static StoreException failure(Path dataDir, Exception e) {
        String m = String.valueOf(e.getMessage());
        if (m.contains("already in use") || m.contains("locked")) {
            return new StoreException("Another Portway is already using " + dataDir + " — close it, or start this one with --data-dir.", e);
        }
        return new StoreException("Cannot open Portway's data in " + dataDir + ": " + m, e);
    }

    /** All profiles in list order. On a first run, creates the ready-made first-run profile. */
    public synchronized List<Profile> loadAll() {
        try {
            List<Profile> all = query();
            if (all.isEmpty() && setting(SEEDED).isEmpty()) {
                Profile first = Profile.firstRun();
                write(first);
                putSettingNoCommit(SEEDED, "true");
                db.commit();
                return List.of(first);
            }
            return all;
        } catch (SQLException e) {
            rollback();
            throw new StoreException("Cannot read profiles: " + e.getMessage(), e);
        }
    }

    /** Inserts or replaces {@code p} with its options, all or nothing. New profiles go to the end of the list. */
    public synchronized void save(Profile p) {
        try {
            write(p);
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException("Could not save \"" + p.name() + "\": " + e.getMessage(), e);
        }
    }

    /**
     * Inserts or replaces every profile in {@code all} in ONE transaction: either all of them are saved or,
     * when any fails, none (an import never leaves half its profiles behind).
     */
    public synchronized void saveAll(List<Profile> all) {
        Profile current = null;
        try {
            for (Profile p : all) {
                current = p;
                write(p);
            }
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException("Nothing was imported: could not save \"" + (current == null ? "?" : current.name()) + "\": "
                    + e.getMessage(), e);
        }
    }

    public synchronized void delete(String id) {
        try (PreparedStatement options = db.prepareStatement("DELETE FROM profile_option WHERE profile_id = ?");
             PreparedStatement profile = db.prepareStatement("DELETE FROM profile WHERE id = ?")) {
            options.setString(1, id);
            options.executeUpdate();
            profile.setString(1, id);
            profile.executeUpdate();
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException("Could not delete the profile: " + e.getMessage(), e);
        }
    }

    public synchronized Optional<String> setting(String name) {
        try (PreparedStatement s = db.prepareStatement("SELECT setting_value FROM app_setting WHERE name = ?")) {
            s.setString(1, name);
            try (ResultSet rs = s.executeQuery()) {
                return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
            }
        } catch (SQLException e) {
            throw new StoreException("Cannot read setting " + name + ": " + e.getMessage(), e);
        }
    }

    public synchronized void putSetting(String name, String value) {
        try {
            putSettingNoCommit(name, value);
            db.commit();
        } catch (SQLException e) {
            rollback();
            throw new StoreException("Cannot save setting " + name + ": " + e.getMessage(), e);
        }
    }

    @Override
    public synchronized void close() {
        try {
            db.close();
        } catch (SQLException e) {
            throw new StoreException("Cannot close the store: " + e.getMessage(), e);
        }
    }

    // ---- SQL (caller holds the lock and commits)

    private List<Profile> query() throws SQLException {
        Map<String, Map<String, String>> options = new HashMap<>();
        try (PreparedStatement s = db.prepareStatement("SELECT profile_id, name, option_value FROM profile_option");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                options.computeIfAbsent(rs.getString(1), k -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
            }
        }
        List<Profile> all = new ArrayList<>();
        try (PreparedStatement s = db.prepareStatement("SELECT id, name, kind, local_host, local_port, relay_mode, relay_url,"
                + " token, requested_name, auto_connect FROM profile ORDER BY position, name");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                String id = rs.getString(1);
                all.add(new Profile(id, rs.getString(2), Profile.Kind.valueOf(rs.getString(3)), rs.getString(4), rs.getInt(5),
                        Profile.RelayMode.valueOf(rs.getString(6)), rs.getString(7), rs.getString(8), rs.getString(9),
                        options.getOrDefault(id, Map.of()), rs.getBoolean(10)));
            }
        }
        Map<String, String> pins = new HashMap<>();
        try (PreparedStatement s = db.prepareStatement("SELECT id, relay_fingerprint FROM profile WHERE relay_fingerprint IS NOT NULL");
             ResultSet rs = s.executeQuery()) {
            while (rs.next()) {
                pins.put(rs.getString(1), rs.getString(2));
            }
        }
        all.replaceAll(p -> pins.containsKey(p.id()) ? p.withRelayFingerprint(pins.get(p.id())) : p);
        return all;
    }

    private void write(Profile p) throws SQLException {
        int updated;
        try (PreparedStatement u = db.prepareStatement("UPDATE profile SET name = ?, kind = ?, local_host = ?, local_port = ?,"
                + " relay_mode = ?, relay_url = ?, token = ?, requested_name = ?, auto_connect = ? WHERE id = ?")) {
            bind(u, p);
            u.setString(10, p.id());
            updated = u.executeUpdate();
        }
        if (updated == 0) {
            try (PreparedStatement i = db.prepareStatement("INSERT INTO profile (name, kind, local_host, local_port, relay_mode,"
                    + " relay_url, token, requested_name, auto_connect, id, position)"
                    + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, (SELECT COALESCE(MAX(position), 0) + 1 FROM profile))")) {
                bind(i, p);
                i.setString(10, p.id());
                i.executeUpdate();
            }
        }
        try (PreparedStatement f = db.prepareStatement("UPDATE profile SET relay_fingerprint = ? WHERE id = ?")) {
            f.setString(1, p.relayFingerprint());
            f.setString(2, p.id());
            f.executeUpdate();
        }
        try (PreparedStatement d = db.prepareStatement("DELETE FROM profile_option WHERE profile_id = ?")) {
            d.setString(1, p.id());
            d.executeUpdate();
        }
        try (PreparedStatement o = db.prepareStatement("INSERT INTO profile_option (profile_id, name, option_value) VALUES (?, ?, ?)")) {
            for (Map.Entry<String, String> e : p.options().entrySet()) {
                o.setString(1, p.id());
                o.setString(2, e.getKey());
                o.setString(3, e.getValue());
                o.executeUpdate();
            }
        }
    }

    private static void bind(PreparedStatement s, Profile p) throws SQLException {
        s.setString(1, p.name());
        s.setString(2, p.kind().name());
        s.setString(3, p.localHost());
        s.setInt(4, p.localPort());
        s.setString(5, p.relayMode().name());
        s.setString(6, p.relayUrl());
        s.setString(7, p.token());
        s.setString(8, p.requestedName());
        s.setBoolean(9, p.autoConnect());
    }

    private void putSettingNoCommit(String name, String value) throws SQLException {
        int updated;
        try (PreparedStatement u = db.prepareStatement("UPDATE app_setting SET setting_value = ? WHERE name = ?")) {
            u.setString(1, value);
            u.setString(2, name);
            updated = u.executeUpdate();
        }
        if (updated == 0) {
            try (PreparedStatement i = db.prepareStatement("INSERT INTO app_setting (name, setting_value) VALUES (?, ?)")) {
                i.setString(1, name);
                i.setString(2, value);
                i.executeUpdate();
            }
        }
    }

    private void rollback() {
        try {
            db.rollback();
        } catch (SQLException ignored) {
            // the connection is gone; nothing was committed
        }
    }
}
