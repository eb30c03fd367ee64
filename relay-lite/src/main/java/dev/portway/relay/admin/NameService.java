package dev.portway.relay.admin;

import dev.portway.relay.store.IdentityStore;
import dev.portway.shared.protocol.TunnelNames;

import java.util.LinkedHashMap;
import java.util.Map;

/** Reserved tunnel names: reserve, release, list. Only admins change them; a user sees their own. Blocking. */
public final class NameService {
    private final IdentityStore store;
    private final AdminAudit audit;

    public NameService(IdentityStore store, AdminAudit audit) {
        this.store = store;
        this.audit = audit;
    }

    /** @return the normalized name */
    public String reserve(Actor by, String user, String name) {
        by.requireAdmin();
        store.reserveName(user, name);
        String n = TunnelNames.normalize(name);
        audit.record(by, IdentityStore.checkUserName(user), "action", "name_reserve", "tunnel", n);
        return n;
    }

    /** @return the user the name was reserved for */
    public String release(Actor by, String name) {
        by.requireAdmin();
        String owner = store.releaseName(name);
        audit.record(by, owner, "action", "name_release", "tunnel", TunnelNames.normalize(name));
        return owner;
    }

    /** Name to user: all of them for an admin, a user's own for a user. */
    public Map<String, String> list(Actor by) {
        Map<String, String> all = store.reservedNames();
        if (by.admin()) {
            return all;
        }
        Map<String, String> mine = new LinkedHashMap<>();
        all.forEach((n, u) -> {
            if (u.equals(by.name())) {
                mine.put(n, u);
            }
        });
        return mine;
    }
}
