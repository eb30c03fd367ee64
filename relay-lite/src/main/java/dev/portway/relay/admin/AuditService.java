package dev.portway.relay.admin;

import dev.portway.relay.store.IdentityRecords.AuditRow;
import dev.portway.relay.store.IdentityStore;

import java.util.List;

/** Reads the audit log: an admin all of it, a user only their own entries. Blocking. */
public final class AuditService {
    public static final int MAX_PAGE = 500;
    private final IdentityStore store;

    public AuditService(IdentityStore store) {
        this.store = store;
    }

    /** Oldest first, as {@code relay-lite audit} prints it. */
    public List<AuditRow> since(Actor by, long sinceMs, String user, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("--limit must be at least 1.");
        }
        return store.audit(sinceMs, scope(by, user), limit);
    }

    /** Newest first, one page: rows before {@code beforeSeq} (0 = the newest), filtered by user and event. */
    public List<AuditRow> page(Actor by, long beforeSeq, String user, String event, int limit) {
        if (limit < 1 || limit > MAX_PAGE) {
            throw new IllegalArgumentException("limit must be 1-" + MAX_PAGE + ".");
        }
        if (event != null && !event.matches("[a-z_]{1,40}")) {
            throw new IllegalArgumentException("event must be an audit event name such as admin or auth_failure.");
        }
        return store.auditPage(Math.max(0, beforeSeq), scope(by, user), event, limit);
    }

    /** A user sees only their own rows whatever they ask for; an admin any user's, or all. */
    private static String scope(Actor by, String user) {
        String u = user == null || user.isBlank() ? null : IdentityStore.checkUserName(user);
        if (by.admin()) {
            return u;
        }
        if (u != null && !u.equals(by.name())) {
            throw new Actor.NotYours("No audit entries of yours for that user.");
        }
        return by.name();
    }
}
