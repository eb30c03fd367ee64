package dev.portway.relay.admin;

import dev.portway.relay.store.IdentityRecords.SshKey;
import dev.portway.relay.store.IdentityStore;

import java.util.List;

/** SSH public keys of users (the SSH gateway's logins): add, list, remove. A user manages their own. Blocking. */
public final class KeyService {
    private final IdentityStore store;
    private final AdminAudit audit;

    public KeyService(IdentityStore store, AdminAudit audit) {
        this.store = store;
        this.audit = audit;
    }

    public SshKey add(Actor by, String user, String line) {
        by.requireOwnerOrAdmin(IdentityStore.checkUserName(user), "user");
        SshKey k = store.addSshKey(user, line);
        audit.record(by, k.user(), "action", "key_add", "fingerprint", k.fingerprint(), "key_type", k.type());
        return k;
    }

    public List<SshKey> list(Actor by, String user) {
        by.requireOwnerOrAdmin(IdentityStore.checkUserName(user), "user");
        return store.sshKeys(user);
    }

    public SshKey remove(Actor by, String user, String fingerprint) {
        by.requireOwnerOrAdmin(IdentityStore.checkUserName(user), "user");
        SshKey k = store.removeSshKey(user, fingerprint);
        audit.record(by, k.user(), "action", "key_remove", "fingerprint", k.fingerprint());
        return k;
    }
}
