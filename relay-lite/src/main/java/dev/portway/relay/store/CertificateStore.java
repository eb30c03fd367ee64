package dev.portway.relay.store;

import javax.sql.DataSource;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * ACME account keys and certificates per tunnel host (migration V30). Synchronous JDBC: the relay calls it on its
 * ACME thread only ({@code relay-acme}), never on an event loop.
 */
public final class CertificateStore {
    /** A stored certificate: PEM chain (leaf first) and its PEM key pair. */
    public record StoredCertificate(String host, String directory, String chainPem, String keyPem, long notAfter, long issuedAt) {
    }

    private final DataSource ds;

    public CertificateStore(DataSource ds) {
        this.ds = ds;
    }

    public Optional<String> accountKey(String directory) {
        return run(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT key_pem FROM acme_account WHERE directory = ?")) {
                q.setString(1, directory);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? Optional.of(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Keeps the first key saved for a directory; returns the one now stored (another relay may have won the race). */
    public String saveAccountKey(String directory, String keyPem) {
        return run(c -> {
            try (PreparedStatement u = c.prepareStatement(
                    "INSERT INTO acme_account (directory, key_pem, created_at) VALUES (?, ?, ?)")) {
                u.setString(1, directory);
                u.setString(2, keyPem);
                u.setLong(3, System.currentTimeMillis());
                u.executeUpdate();
                return keyPem;
            } catch (SQLException duplicate) {
                try (PreparedStatement q = c.prepareStatement("SELECT key_pem FROM acme_account WHERE directory = ?")) {
                    q.setString(1, directory);
                    try (ResultSet rs = q.executeQuery()) {
                        if (rs.next()) {
                            return rs.getString(1);
                        }
                    }
                }
                throw duplicate;
            }
        });
    }

    public List<StoredCertificate> certificates() {
        return run(c -> {
            List<StoredCertificate> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT host, directory, chain_pem, key_pem, not_after, issued_at FROM acme_certificate ORDER BY host")) {
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new StoredCertificate(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4),
                                rs.getLong(5), rs.getLong(6)));
                    }
                }
            }
            return out;
        });
    }

    /** Inserts or replaces the certificate of {@code cert.host()}. */
    public void save(StoredCertificate cert) {
        run(c -> {
            c.setAutoCommit(false);
            try {
                delete(c, cert.host());
                try (PreparedStatement u = c.prepareStatement("INSERT INTO acme_certificate (host, directory, chain_pem, key_pem, "
                        + "not_after, issued_at) VALUES (?, ?, ?, ?, ?, ?)")) {
                    u.setString(1, cert.host());
                    u.setString(2, cert.directory());
                    u.setString(3, cert.chainPem());
                    u.setString(4, cert.keyPem());
                    u.setLong(5, cert.notAfter());
                    u.setLong(6, cert.issuedAt());
                    u.executeUpdate();
                }
                c.commit();
                return null;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        });
    }

    /** @return whether there was a certificate for {@code host} */
    public boolean delete(String host) {
        return run(c -> delete(c, host) > 0);
    }

    private static int delete(Connection c, String host) throws SQLException {
        try (PreparedStatement u = c.prepareStatement("DELETE FROM acme_certificate WHERE host = ?")) {
            u.setString(1, host);
            return u.executeUpdate();
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T run(Work<T> work) {
        try (Connection c = ds.getConnection()) {
            return work.run(c);
        } catch (SQLException e) {
            throw new StoreException("The relay database failed: " + e.getMessage(), e);
        }
    }
}
