package dev.portway.relay.admin;

import dev.portway.relay.auth.Passwords;
import dev.portway.relay.store.IdentityRecords.User;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Role;
import dev.portway.relay.store.Tier;

import java.util.List;
import java.util.Optional;

/**
 * Users: add, list, tier, role, disable/enable, delete, passwords. The one place these changes are made and
 * audited, for the admin command line and the console alike. Blocking (JDBC, bcrypt): not on an event loop.
 */
public final class UserService {
    private final IdentityStore store;
    private final AdminAudit audit;
    private final LiveSessions live;
    private final Passwords passwords;

    public UserService(IdentityStore store, AdminAudit audit, LiveSessions live, Passwords passwords) {
        this.store = store;
        this.audit = audit;
        this.live = live;
        this.passwords = passwords;
    }

    public User add(Actor by, String name, Tier tier, Role role) {
        by.requireAdmin();
        User u = store.addUser(name, tier, role);
        audit.record(by, u.name(), "action", "user_add", "tier", tier.wireName(), "role", role.wireName());
        return u;
    }

    /** Every user for an admin; only themselves for a user. */
    public List<User> list(Actor by) {
        if (by.admin()) {
            return store.users();
        }
        return store.user(by.name()).map(List::of).orElse(List.of());
    }

    public User get(Actor by, String name) {
        String n = IdentityStore.checkUserName(name);
        by.requireOwnerOrAdmin(n, "user");
        return store.user(n).orElseThrow(() -> new IllegalArgumentException("No user " + n
                + " — add one with: users add " + n + " --tier free"));
    }

    public Optional<User> find(String name) {
        return store.user(name);
    }

    public void setTier(Actor by, String name, Tier tier) {
        by.requireAdmin();
        store.setTier(name, tier);
        audit.record(by, IdentityStore.checkUserName(name), "action", "user_tier", "tier", tier.wireName());
    }

    /** @return whether the role changed */
    public boolean setRole(Actor by, String name, Role role) {
        by.requireAdmin();
        String n = IdentityStore.checkUserName(name);
        if (n.equals(by.name()) && role != Role.ADMIN) {
            throw new IllegalArgumentException("You cannot take your own admin role — ask another admin.");
        }
        boolean changed = store.setRole(n, role);
        if (changed) {
            audit.record(by, n, "action", "user_role", "role", role.wireName());
        }
        return changed;
    }

    /** @return whether the state changed; disabling ends the user's live sessions now (in the console) */
    public boolean setDisabled(Actor by, String name, boolean disabled) {
        by.requireAdmin();
        String n = IdentityStore.checkUserName(name);
        if (disabled && n.equals(by.name())) {
            throw new IllegalArgumentException("You cannot disable yourself — ask another admin.");
        }
        boolean changed = store.setDisabled(n, disabled);
        if (changed) {
            audit.record(by, n, "action", disabled ? "user_disable" : "user_enable");
        }
        if (disabled) {
            live.endSessionsOfUser(n, "Your account was disabled by an admin.");
        }
        return changed;
    }

    /** Deletes a user with their tokens, names, keys and invites; their sessions end. */
    public User delete(Actor by, String name) {
        by.requireAdmin();
        String n = IdentityStore.checkUserName(name);
        if (n.equals(by.name())) {
            throw new IllegalArgumentException("You cannot delete yourself — ask another admin.");
        }
        User u = store.deleteUser(n);
        audit.record(by, u.name(), "action", "user_delete");
        live.endSessionsOfUser(u.name(), "Your account was deleted by an admin.");
        return u;
    }

    /** Sets a user's console password (an admin for anyone, a user for themselves). */
    public void setPassword(Actor by, String name, String password) {
        String n = IdentityStore.checkUserName(name);
        by.requireOwnerOrAdmin(n, "user");
        String hash = passwords.hash(password);
        store.setPasswordHash(n, hash);
        audit.record(by, n, "action", "password_set");
    }

    /** Removes a user's password: they cannot sign in until they use a new invite (an admin's reset). */
    public void clearPassword(Actor by, String name) {
        by.requireAdmin();
        String n = IdentityStore.checkUserName(name);
        store.setPasswordHash(n, null);
        audit.record(by, n, "action", "password_clear");
    }

    /**
     * Checks a sign-in. Takes as long for an unknown user as for a wrong password.
     *
     * @return the user when the password is theirs and they are not disabled
     */
    public Optional<User> verify(String name, String password) {
        String n;
        try {
            n = IdentityStore.checkUserName(name);
        } catch (IllegalArgumentException e) {
            passwords.matches(null, password);
            return Optional.empty();
        }
        Optional<User> u = store.user(n);
        String hash = u.isPresent() ? store.passwordHash(n).orElse(null) : null;
        boolean ok = passwords.matches(hash, password);
        return ok && u.isPresent() && !u.get().disabled() ? u : Optional.empty();
    }
}
