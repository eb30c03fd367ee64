package dev.portway.relay.store;

/** Rows of the identity tables (migration V2). Times are epoch milliseconds. */
public final class IdentityRecords {
    private IdentityRecords() {
    }

    /**
     * @param role        {@link Role#USER} or {@link Role#ADMIN} (migration V20)
     * @param hasPassword whether the user can sign in to the web console
     */
    public record User(String name, Tier tier, boolean disabled, long createdAt, Role role, boolean hasPassword) {
    }

    /** An API token without its secret (only the hash is stored). {@code revokedAt} is 0 while valid. */
    public record ApiToken(String id, String user, String label, long createdAt, long revokedAt) {
        public boolean revoked() {
            return revokedAt != 0;
        }
    }

    /** A token just created: {@code secret} is shown once and then forgotten. */
    public record NewToken(ApiToken token, String secret) {
    }

    public record SshKey(String fingerprint, String user, String type, String blob, String comment, long createdAt) {
    }

    /** A JWT signing key; {@code retiredAt} is 0 while it signs. */
    public record SigningKey(String kid, byte[] secret, long createdAt, long retiredAt) {
    }

    /** An invite link that sets a user's console password; works once, until {@code expiresAt}. */
    public record Invite(String user, long createdAt, long expiresAt) {
    }

    public record AuditRow(long seq, long at, String event, String user, String fieldsJson) {
    }
}
