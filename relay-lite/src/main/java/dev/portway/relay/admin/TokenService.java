package dev.portway.relay.admin;

import dev.portway.relay.store.IdentityRecords.ApiToken;
import dev.portway.relay.store.IdentityRecords.NewToken;
import dev.portway.relay.store.IdentityStore;

import java.util.List;

/** API tokens: create (secret shown once), list, revoke. A user manages only their own. Blocking. */
public final class TokenService {
    private final IdentityStore store;
    private final AdminAudit audit;
    private final LiveSessions live;

    public TokenService(IdentityStore store, AdminAudit audit, LiveSessions live) {
        this.store = store;
        this.audit = audit;
        this.live = live;
    }

    public NewToken create(Actor by, String user, String label) {
        by.requireOwnerOrAdmin(IdentityStore.checkUserName(user), "user");
        NewToken t = store.createToken(user, label);
        audit.record(by, t.token().user(), "action", "token_create", "token", t.token().id(), "label", t.token().label());
        return t;
    }

    public List<ApiToken> list(Actor by, String user) {
        by.requireOwnerOrAdmin(IdentityStore.checkUserName(user), "user");
        return store.tokens(user);
    }

    /** The token of this id if the actor may see it. */
    public ApiToken get(Actor by, String id) {
        ApiToken t = store.token(id).orElse(null);
        if (t == null) {
            if (!by.admin()) {
                throw new Actor.NotYours("No token of yours by that name or id."); // the same answer as for another's token
            }
            throw new IllegalArgumentException("No token with id " + id + " — see the ids with: tokens list <user>");
        }
        by.requireOwnerOrAdmin(t.user(), "token");
        return t;
    }

    /** What {@link #revoke} did. */
    public record Revoked(ApiToken token, boolean wasRevoked, int sessionsEnded) {
    }

    /** Revokes a token; in the console its sessions end at once. */
    public Revoked revoke(Actor by, String id) {
        ApiToken before = get(by, id);
        ApiToken t = store.revokeToken(id);
        int ended = 0;
        if (!before.revoked()) {
            audit.record(by, t.user(), "action", "token_revoke", "token", t.id());
            ended = live.endSessionsOfToken(t.id(), "Your token was revoked.");
        }
        return new Revoked(t, before.revoked(), ended);
    }
}
