package dev.portway.relay.admin;

import dev.portway.relay.audit.AuditLog;
import dev.portway.relay.auth.Passwords;
import dev.portway.relay.store.IdentityStore;

/**
 * The services over the relay's store that the admin command line and the web console share: a change made
 * through one shows in the other, audited the same way.
 *
 * @param audit who did what, with {@code via} naming the front end
 */
public record AdminServices(UserService users, InviteService invites, TokenService tokens, NameService names,
                            KeyService keys, AuditService auditLog, AdminAudit audit) {

    /**
     * @param via  {@code cli} or {@code console}, written into every admin audit event
     * @param live ends sessions at once where the caller runs inside the relay
     */
    public static AdminServices of(IdentityStore store, AuditLog log, String via, LiveSessions live, Passwords passwords) {
        AdminAudit audit = new AdminAudit(log, via);
        return new AdminServices(new UserService(store, audit, live, passwords), new InviteService(store, audit, passwords),
                new TokenService(store, audit, live), new NameService(store, audit), new KeyService(store, audit),
                new AuditService(store), audit);
    }
}
