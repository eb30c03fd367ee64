package dev.portway.relay.store;

import dev.portway.relay.store.IdentityRecords.ApiToken;
import dev.portway.relay.store.IdentityRecords.Invite;
import dev.portway.relay.store.IdentityRecords.AuditRow;
import dev.portway.relay.store.IdentityRecords.NewToken;
import dev.portway.relay.store.IdentityRecords.SigningKey;
import dev.portway.relay.store.IdentityRecords.SshKey;
import dev.portway.relay.store.IdentityRecords.User;
import dev.portway.shared.protocol.TunnelNames;

import javax.sql.DataSource;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Users, API tokens, reserved names, SSH keys, signing keys and audit rows (migration V2). Every method
 * is synchronous JDBC: the relay calls them on its store thread ({@link RelayStore#identity}), the admin
 * command line calls them directly. Bad input throws {@link IllegalArgumentException} with a message for
 * a person, before anything is changed.
 */
public final class IdentityStore {
    /** API tokens start with this, so they are easy to recognise (and to find in leaked text). */
    public static final String TOKEN_PREFIX = "pw_";
    private static final Pattern USER = Pattern.compile("[a-z0-9][a-z0-9._-]{0,62}");
    private static final SecureRandom RANDOM = new SecureRandom();

    private final DataSource ds;

    public IdentityStore(DataSource ds) {
        this.ds = ds;
    }

    // ---- users

    public User addUser(String name, Tier tier) {
        return addUser(name, tier, Role.USER);
    }

    public User addUser(String name, Tier tier, Role role) {
        String n = checkUserName(name);
        return tx(c -> {
            if (findUser(c, n).isPresent()) {
                throw new IllegalArgumentException("User " + n + " already exists — see it with: users list");
            }
            long now = System.currentTimeMillis();
            update(c, "INSERT INTO app_user (name, tier, disabled, created_at, role) VALUES (?, ?, ?, ?, ?)", n, tier.wireName(),
                    false, now, role.wireName());
            return new User(n, tier, false, now, role, false);
        });
    }

    /**
     * Creates the user unless it exists (the compatibility user of a single-token relay). Cluster nodes starting
     * at once on one database race here: the one whose insert loses to another's reads the winner's row.
     */
    public User ensureUser(String name, Tier tier) {
        try {
            return createUnlessPresent(name, tier);
        } catch (StoreException e) {
            Optional<User> created = user(name);
            if (created.isPresent()) {
                return created.get();
            }
            throw e;
        }
    }

    private User createUnlessPresent(String name, Tier tier) {
        return tx(c -> {
            Optional<User> u = findUser(c, name);
            if (u.isPresent()) {
                return u.get();
            }
            long now = System.currentTimeMillis();
            update(c, "INSERT INTO app_user (name, tier, disabled, created_at) VALUES (?, ?, ?, ?)", name, tier.wireName(), false, now);
            return new User(name, tier, false, now, Role.USER, false);
        });
    }

    public Optional<User> user(String name) {
        return tx(c -> findUser(c, name));
    }

    public List<User> users() {
        return tx(c -> {
            List<User> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("SELECT " + USER_COLUMNS + " FROM app_user ORDER BY name");
                 ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(userOf(rs));
                }
            }
            return out;
        });
    }

    /** @return whether the state changed */
    public boolean setDisabled(String name, boolean disabled) {
        return tx(c -> {
            User u = requireUser(c, name);
            if (u.disabled() == disabled) {
                return false;
            }
            update(c, "UPDATE app_user SET disabled = ? WHERE name = ?", disabled, u.name());
            return true;
        });
    }

    public void setTier(String name, Tier tier) {
        tx(c -> {
            User u = requireUser(c, name);
            update(c, "UPDATE app_user SET tier = ? WHERE name = ?", tier.wireName(), u.name());
            return null;
        });
    }

    /** @return whether the role changed */
    public boolean setRole(String name, Role role) {
        return tx(c -> {
            User u = requireUser(c, name);
            if (u.role() == role) {
                return false;
            }
            update(c, "UPDATE app_user SET role = ? WHERE name = ?", role.wireName(), u.name());
            return true;
        });
    }

    /** Deletes a user with their tokens, reserved names, SSH keys and invites (audit rows stay). */
    public User deleteUser(String name) {
        return tx(c -> {
            User u = requireUser(c, name);
            for (String table : new String[]{"api_token", "reserved_name", "ssh_key", "console_invite"}) {
                update(c, "DELETE FROM " + table + " WHERE user_name = ?", u.name());
            }
            update(c, "DELETE FROM app_user WHERE name = ?", u.name());
            return u;
        });
    }

    // ---- console passwords and invites (migration V20)

    /** Stores a password hash (made by the caller: {@code auth.Passwords}); null removes the password. */
    public void setPasswordHash(String name, String hash) {
        tx(c -> {
            User u = requireUser(c, name);
            update(c, "UPDATE app_user SET password_hash = ? WHERE name = ?", hash, u.name());
            return null;
        });
    }

    /** The stored password hash of an existing user, or empty (no such user, or no password set). */
    public Optional<String> passwordHash(String name) {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT password_hash FROM app_user WHERE name = ?")) {
                q.setString(1, name);
                try (ResultSet rs = q.executeQuery()) {
                    return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
                }
            }
        });
    }

    /** Creates an invite for a user; the caller keeps the secret, the store only its hash. */
    public Invite createInvite(String userName, String secretHash, long expiresAt) {
        return tx(c -> {
            User u = requireUser(c, userName);
            long now = System.currentTimeMillis();
            update(c, "INSERT INTO console_invite (token_hash, user_name, created_at, expires_at, used_at) VALUES (?, ?, ?, ?, NULL)",
                    secretHash, u.name(), now, expiresAt);
            return new Invite(u.name(), now, expiresAt);
        });
    }

    /** The invite of this hash if it is neither used nor expired at {@code now}, or empty. Changes nothing. */
    public Optional<Invite> openInvite(String secretHash, long now) {
        return tx(c -> findOpenInvite(c, secretHash, now));
    }

    /**
     * Uses an invite once: sets the user's password hash and marks the invite used, in one transaction.
     *
     * @throws IllegalArgumentException when the invite is unknown, used or expired
     */
    public Invite useInvite(String secretHash, long now, String passwordHash) {
        return tx(c -> {
            Invite i = findOpenInvite(c, secretHash, now).orElseThrow(() -> new IllegalArgumentException(
                    "This invite link was already used or has expired — ask an admin for a new one."));
            // The used_at IS NULL condition makes a second use in a racing transaction change nothing.
            if (update(c, "UPDATE console_invite SET used_at = ? WHERE token_hash = ? AND used_at IS NULL", now, secretHash) != 1) {
                throw new IllegalArgumentException("This invite link was already used — ask an admin for a new one.");
            }
            update(c, "UPDATE app_user SET password_hash = ? WHERE name = ?", passwordHash, i.user());
            return i;
        });
    }

    private static Optional<Invite> findOpenInvite(Connection c, String secretHash, long now) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
                "SELECT user_name, created_at, expires_at FROM console_invite WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?")) {
            q.setString(1, secretHash);
            q.setLong(2, now);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(new Invite(rs.getString(1), rs.getLong(2), rs.getLong(3))) : Optional.empty();
            }
        }
    }

    // ---- API tokens

    public NewToken createToken(String userName, String label) {
        String l = label == null ? "" : label.strip();
        if (l.length() > 100) {
            throw new IllegalArgumentException("A token label has at most 100 characters.");
        }
        return tx(c -> {
            User u = requireUser(c, userName);
            String secret = TOKEN_PREFIX + random(24);
            String id = HexFormat.of().formatHex(randomBytes(6));
            long now = System.currentTimeMillis();
            update(c, "INSERT INTO api_token (id, user_name, label, token_hash, created_at, revoked_at) VALUES (?, ?, ?, ?, ?, NULL)",
                    id, u.name(), l, sha256Hex(secret), now);
            return new NewToken(new ApiToken(id, u.name(), l, now, 0), secret);
        });
    }

    /** The token whose secret this is (revoked or not), or empty. */
    public Optional<ApiToken> tokenBySecret(String secret) {
        if (secret == null || secret.isEmpty()) {
            return Optional.empty();
        }
        String hash = sha256Hex(secret);
        return tx(c -> firstToken(c, "WHERE token_hash = ?", hash));
    }

    public Optional<ApiToken> token(String id) {
        return tx(c -> firstToken(c, "WHERE id = ?", id));
    }

    public List<ApiToken> tokens(String userName) {
        return tx(c -> {
            User u = requireUser(c, userName);
            return tokens(c, "WHERE user_name = ? ORDER BY created_at, id", u.name());
        });
    }

    /** @return the token, revoked now or earlier */
    public ApiToken revokeToken(String id) {
        return tx(c -> {
            ApiToken t = firstToken(c, "WHERE id = ?", id).orElseThrow(() -> new IllegalArgumentException(
                    "No token with id " + id + " — see the ids with: tokens list <user>"));
            if (t.revoked()) {
                return t;
            }
            long now = System.currentTimeMillis();
            update(c, "UPDATE api_token SET revoked_at = ? WHERE id = ?", now, id);
            return new ApiToken(t.id(), t.user(), t.label(), t.createdAt(), now);
        });
    }

    // ---- reserved names

    public void reserveName(String userName, String name) {
        String n = TunnelNames.normalize(name);
        if (n == null) {
            throw new IllegalArgumentException(TunnelNames.invalidMessage(name));
        }
        tx(c -> {
            User u = requireUser(c, userName);
            String owner = nameOwner(c, n);
            if (owner != null) {
                throw new IllegalArgumentException("The name " + n + " is already reserved for " + owner
                        + (owner.equals(u.name()) ? "." : " — release it first: names release " + n));
            }
            update(c, "INSERT INTO reserved_name (name, user_name, created_at) VALUES (?, ?, ?)", n, u.name(), System.currentTimeMillis());
            return null;
        });
    }

    /** @return the user the name was reserved for */
    public String releaseName(String name) {
        String n = TunnelNames.normalize(name);
        if (n == null) {
            throw new IllegalArgumentException(TunnelNames.invalidMessage(name));
        }
        return tx(c -> {
            String owner = nameOwner(c, n);
            if (owner == null) {
                throw new IllegalArgumentException("The name " + n + " is not reserved — see reserved names with: names list");
            }
            update(c, "DELETE FROM reserved_name WHERE name = ?", n);
            return owner;
        });
    }

    /** Every reserved name and its user, by name. */
    public Map<String, String> reservedNames() {
        return tx(c -> {
            Map<String, String> out = new LinkedHashMap<>();
            try (PreparedStatement q = c.prepareStatement("SELECT name, user_name FROM reserved_name ORDER BY name");
                 ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
            return out;
        });
    }

    /** The user a name is reserved for, or null. */
    public String reservedFor(String name) {
        return tx(c -> nameOwner(c, name));
    }

    // ---- SSH keys

    /**
     * Adds a public key given as an {@code authorized_keys} line ({@code ssh-ed25519 AAAA... comment}).
     *
     * @throws IllegalArgumentException when the line is not a public key, or the key is already registered
     */
    public SshKey addSshKey(String userName, String line) {
        String[] parts = line == null ? new String[0] : line.strip().split("\\s+", 3);
        if (parts.length < 2 || !parts[0].matches("(ssh-|ecdsa-|sk-)[A-Za-z0-9@.+-]+")) {
            throw new IllegalArgumentException("That is not an SSH public key line — paste the whole line of your "
                    + "~/.ssh/id_ed25519.pub, like: ssh-ed25519 AAAAC3Nza... you@host");
        }
        byte[] blob;
        try {
            blob = Base64.getDecoder().decode(parts[1]);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("The key part of that SSH line is not valid base64 — paste the line unchanged.");
        }
        String declared = keyTypeInBlob(blob);
        if (!parts[0].equals(declared)) {
            throw new IllegalArgumentException("The key says it is " + parts[0] + " but its data is "
                    + (declared == null ? "not an SSH key" : declared) + " — paste the line unchanged.");
        }
        String fingerprint = "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(sha256(blob));
        String comment = parts.length > 2 ? parts[2].strip() : "";
        if (comment.length() > 200) {
            comment = comment.substring(0, 200);
        }
        String cmt = comment;
        return tx(c -> {
            User u = requireUser(c, userName);
            try (PreparedStatement q = c.prepareStatement("SELECT user_name FROM ssh_key WHERE fingerprint = ?")) {
                q.setString(1, fingerprint);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next()) {
                        throw new IllegalArgumentException("This key (" + fingerprint + ") is already registered for " + rs.getString(1) + ".");
                    }
                }
            }
            long now = System.currentTimeMillis();
            update(c, "INSERT INTO ssh_key (fingerprint, user_name, key_type, key_blob, comment, created_at) VALUES (?, ?, ?, ?, ?, ?)",
                    fingerprint, u.name(), parts[0], parts[1], cmt, now);
            return new SshKey(fingerprint, u.name(), parts[0], parts[1], cmt, now);
        });
    }

    public List<SshKey> sshKeys(String userName) {
        return tx(c -> {
            User u = requireUser(c, userName);
            return sshKeys(c, "WHERE user_name = ? ORDER BY created_at, fingerprint", u.name());
        });
    }

    /** The key with this fingerprint ({@code SHA256:...}), whoever owns it: what the SSH gateway asks. */
    public Optional<SshKey> sshKey(String fingerprint) {
        return tx(c -> sshKeys(c, "WHERE fingerprint = ?", fingerprint).stream().findFirst());
    }

    public SshKey removeSshKey(String userName, String fingerprint) {
        return tx(c -> {
            User u = requireUser(c, userName);
            SshKey k = sshKeys(c, "WHERE fingerprint = ? AND user_name = ?", fingerprint, u.name()).stream().findFirst()
                    .orElseThrow(() -> new IllegalArgumentException("User " + u.name() + " has no key " + fingerprint
                            + " — see the fingerprints with: keys list " + u.name()));
            update(c, "DELETE FROM ssh_key WHERE fingerprint = ?", fingerprint);
            return k;
        });
    }

    // ---- signing keys

    /** Every signing key, newest first. */
    public List<SigningKey> signingKeys() {
        return tx(c -> {
            List<SigningKey> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT kid, secret, created_at, retired_at FROM signing_key ORDER BY created_at DESC, kid");
                 ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    long retired = rs.getLong(4);
                    out.add(new SigningKey(rs.getString(1), Base64.getUrlDecoder().decode(rs.getString(2)), rs.getLong(3),
                            rs.wasNull() ? 0 : retired));
                }
            }
            return out;
        });
    }

    /** Creates a key if none signs yet (first start). @return the signing key */
    public SigningKey ensureSigningKey() {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT kid, secret, created_at FROM signing_key WHERE retired_at IS NULL ORDER BY created_at DESC");
                 ResultSet rs = q.executeQuery()) {
                if (rs.next()) {
                    return new SigningKey(rs.getString(1), Base64.getUrlDecoder().decode(rs.getString(2)), rs.getLong(3), 0);
                }
            }
            return insertKey(c);
        });
    }

    /** Retires every signing key and creates a new one; the old ones still verify until their JWTs expire. */
    public SigningKey rotateSigningKey() {
        return tx(c -> {
            update(c, "UPDATE signing_key SET retired_at = ? WHERE retired_at IS NULL", System.currentTimeMillis());
            return insertKey(c);
        });
    }

    /** Deletes keys retired before {@code before} (their JWTs have all expired). */
    public int pruneSigningKeys(long before) {
        return tx(c -> update(c, "DELETE FROM signing_key WHERE retired_at IS NOT NULL AND retired_at < ?", before));
    }

    private static SigningKey insertKey(Connection c) throws SQLException {
        byte[] secret = randomBytes(32);
        String kid = HexFormat.of().formatHex(randomBytes(8));
        long now = System.currentTimeMillis();
        update(c, "INSERT INTO signing_key (kid, secret, created_at, retired_at) VALUES (?, ?, ?, NULL)",
                kid, Base64.getUrlEncoder().withoutPadding().encodeToString(secret), now);
        return new SigningKey(kid, secret, now, 0);
    }

    // ---- audit

    public void insertAudit(long at, String event, String user, String fieldsJson) {
        tx(c -> update(c, "INSERT INTO audit_event (at_ms, event, user_name, fields) VALUES (?, ?, ?, ?)", at, event, user,
                fieldsJson.length() > 4000 ? fieldsJson.substring(0, 4000) : fieldsJson));
    }

    /** The newest audit row's sequence number, or 0 when there is none. */
    public long lastAuditSeq() {
        return tx(c -> {
            try (PreparedStatement q = c.prepareStatement("SELECT MAX(seq) FROM audit_event");
                 ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getLong(1) : 0L;
            }
        });
    }

    /** Audit rows of one event after {@code afterSeq}, oldest first, at most {@code max} (a running relay tails admin changes). */
    public List<AuditRow> auditAfter(long afterSeq, String event, int max) {
        return tx(c -> {
            List<AuditRow> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(
                    "SELECT seq, at_ms, event, user_name, fields FROM audit_event WHERE seq > ? AND event = ? ORDER BY seq")) {
                q.setMaxRows(max);
                q.setLong(1, afterSeq);
                q.setString(2, event);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    /** Audit rows at or after {@code since} (epoch ms), of {@code user} when not null, oldest first, at most {@code max}. */
    public List<AuditRow> audit(long since, String user, int max) {
        return tx(c -> {
            String sql = "SELECT seq, at_ms, event, user_name, fields FROM audit_event WHERE at_ms >= ?"
                    + (user == null ? "" : " AND user_name = ?") + " ORDER BY seq";
            List<AuditRow> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(sql)) {
                q.setMaxRows(max);
                q.setLong(1, since);
                if (user != null) {
                    q.setString(2, user);
                }
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    /**
     * One page of the audit log, newest first: rows with {@code seq < beforeSeq} (0 = from the newest), of
     * {@code user} and {@code event} when not null, at most {@code max}.
     */
    public List<AuditRow> auditPage(long beforeSeq, String user, String event, int max) {
        return tx(c -> {
            StringBuilder sql = new StringBuilder("SELECT seq, at_ms, event, user_name, fields FROM audit_event WHERE 1 = 1");
            List<Object> args = new ArrayList<>();
            if (beforeSeq > 0) {
                sql.append(" AND seq < ?");
                args.add(beforeSeq);
            }
            if (user != null) {
                sql.append(" AND user_name = ?");
                args.add(user);
            }
            if (event != null) {
                sql.append(" AND event = ?");
                args.add(event);
            }
            sql.append(" ORDER BY seq DESC");
            List<AuditRow> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement(sql.toString())) {
                q.setMaxRows(max);
                bind(q, args.toArray());
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new AuditRow(rs.getLong(1), rs.getLong(2), rs.getString(3), rs.getString(4), rs.getString(5)));
                    }
                }
            }
            return out;
        });
    }

    // ---- helpers

    public static String checkUserName(String name) {
        String n = name == null ? "" : name.strip().toLowerCase(java.util.Locale.ROOT);
        if (!USER.matcher(n).matches()) {
            throw new IllegalArgumentException("\"" + name + "\" is not a valid user name — use 1-63 lower-case letters, "
                    + "digits, '.', '_' or '-', starting with a letter or digit.");
        }
        return n;
    }

    public static String sha256Hex(String s) {
        return HexFormat.of().formatHex(sha256(s.getBytes(StandardCharsets.UTF_8)));
    }

    private static byte[] sha256(byte[] b) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(b);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private static byte[] randomBytes(int n) {
        byte[] b = new byte[n];
        RANDOM.nextBytes(b);
        return b;
    }

    private static String random(int bytes) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(randomBytes(bytes));
    }

    /** The key type inside an SSH public key blob (a length-prefixed string first), or null. */
    private static String keyTypeInBlob(byte[] blob) {
        if (blob.length < 4) {
            return null;
        }
        int len = ((blob[0] & 0xff) << 24) | ((blob[1] & 0xff) << 16) | ((blob[2] & 0xff) << 8) | (blob[3] & 0xff);
        if (len <= 0 || len > 64 || 4 + len > blob.length) {
            return null;
        }
        return new String(blob, 4, len, StandardCharsets.US_ASCII);
    }

    private static Optional<User> findUser(Connection c, String name) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT " + USER_COLUMNS + " FROM app_user WHERE name = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(userOf(rs)) : Optional.empty();
            }
        }
    }

    private static final String USER_COLUMNS = "name, tier, disabled, created_at, role, password_hash IS NOT NULL";

    private static User userOf(ResultSet rs) throws SQLException {
        return new User(rs.getString(1), Tier.parse(rs.getString(2)), rs.getBoolean(3), rs.getLong(4), Role.parse(rs.getString(5)),
                rs.getBoolean(6));
    }

    private static User requireUser(Connection c, String name) throws SQLException {
        String n = checkUserName(name);
        return findUser(c, n).orElseThrow(() -> new IllegalArgumentException("No user " + n
                + " — add one with: users add " + n + " --tier free"));
    }

    private static String nameOwner(Connection c, String name) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("SELECT user_name FROM reserved_name WHERE name = ?")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    private static Optional<ApiToken> firstToken(Connection c, String where, Object... args) throws SQLException {
        return tokens(c, where, args).stream().findFirst();
    }

    private static List<ApiToken> tokens(Connection c, String where, Object... args) throws SQLException {
        List<ApiToken> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("SELECT id, user_name, label, created_at, revoked_at FROM api_token " + where)) {
            bind(q, args);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    long revoked = rs.getLong(5);
                    out.add(new ApiToken(rs.getString(1), rs.getString(2), rs.getString(3), rs.getLong(4), rs.wasNull() ? 0 : revoked));
                }
            }
        }
        return out;
    }

    private static List<SshKey> sshKeys(Connection c, String where, Object... args) throws SQLException {
        List<SshKey> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(
                "SELECT fingerprint, user_name, key_type, key_blob, comment, created_at FROM ssh_key " + where)) {
            bind(q, args);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new SshKey(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5), rs.getLong(6)));
                }
            }
        }
        return out;
    }

    private static int update(Connection c, String sql, Object... args) throws SQLException {
        try (PreparedStatement u = c.prepareStatement(sql)) {
            bind(u, args);
            return u.executeUpdate();
        }
    }

    private static void bind(PreparedStatement s, Object... args) throws SQLException {
        for (int i = 0; i < args.length; i++) {
            s.setObject(i + 1, args[i]);
        }
    }

    @FunctionalInterface
    private interface Tx<T> {
        T run(Connection c) throws SQLException;
    }

    /** Runs in one transaction; rolls back on any failure (so bad input changes nothing). */
    private <T> T tx(Tx<T> work) {
        try (Connection c = ds.getConnection()) {
            c.setAutoCommit(false);
            try {
                T v = work.run(c);
                c.commit();
                return v;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            } finally {
                c.setAutoCommit(true);
            }
        } catch (SQLException e) {
            throw new StoreException("The relay database failed: " + e.getMessage(), e);
        }
    }
}
