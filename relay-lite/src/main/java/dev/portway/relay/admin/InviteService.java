package dev.portway.relay.admin;

import dev.portway.relay.auth.Passwords;
import dev.portway.relay.store.IdentityRecords.Invite;
import dev.portway.relay.store.IdentityStore;

import java.security.SecureRandom;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;

/**
 * One-time invite links that let a user set their console password: an admin creates one (shown once, only
 * its hash is stored), the user opens {@code /invite/<secret>} before it expires and chooses a password; a
 * second use is refused. Blocking: not on an event loop.
 */
public final class InviteService {
    public static final Duration DEFAULT_VALIDITY = Duration.ofHours(24);
    public static final Duration MAX_VALIDITY = Duration.ofDays(30);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final IdentityStore store;
    private final AdminAudit audit;
    private final Passwords passwords;

    public InviteService(IdentityStore store, AdminAudit audit, Passwords passwords) {
        this.store = store;
        this.audit = audit;
        this.passwords = passwords;
    }

    /** A new invite and its secret (shown once). */
    public record NewInvite(Invite invite, String secret) {
        /** The path of the link on the console, e.g. {@code /invite/Yk3...}. */
        public String path() {
            return "/invite/" + secret;
        }
    }

    public NewInvite create(Actor by, String user, Duration validity) {
        by.requireAdmin();
        if (validity.isNegative() || validity.isZero() || validity.compareTo(MAX_VALIDITY) > 0) {
            throw new IllegalArgumentException("An invite is valid for 1 minute to 30 days, not " + validity + ".");
        }
        byte[] b = new byte[24];
        RANDOM.nextBytes(b);
        String secret = Base64.getUrlEncoder().withoutPadding().encodeToString(b);
        Invite i = store.createInvite(user, IdentityStore.sha256Hex(secret), System.currentTimeMillis() + validity.toMillis());
        audit.record(by, i.user(), "action", "invite_create", "expires", java.time.Instant.ofEpochMilli(i.expiresAt()));
        return new NewInvite(i, secret);
    }

    /** The open invite of this secret (not used, not expired), or empty. */
    public Optional<Invite> peek(String secret) {
        if (secret == null || secret.length() > 100) {
            return Optional.empty();
        }
        return store.openInvite(IdentityStore.sha256Hex(secret), System.currentTimeMillis());
    }

    /**
     * Sets the invited user's password and spends the invite.
     *
     * @throws IllegalArgumentException when the password is not acceptable (the invite stays open), or the
     *                                  invite is unknown, used or expired
     */
    public Invite use(String secret, String password) {
        if (secret == null || secret.length() > 100) {
            throw new IllegalArgumentException("This invite link was already used or has expired — ask an admin for a new one.");
        }
        String hash = passwords.hash(password);
        Invite i = store.useInvite(IdentityStore.sha256Hex(secret), System.currentTimeMillis(), hash);
        audit.record(new Actor(i.user(), dev.portway.relay.store.Role.USER), i.user(), "action", "invite_used");
        return i;
    }
}
