package dev.portway.relay.auth;

import dev.portway.relay.store.RelayStore;

import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The tunnel names admins reserved for users ({@code relay-lite names reserve}), kept in memory so a bind
 * is decided on the session's event loop without waiting for the store. The relay reloads it from the
 * store every {@link #REFRESH_MS} ms, so a reservation made by the admin command line, also while the
 * relay runs, counts within that time. Thread-safe (an immutable map behind a volatile field).
 */
public final class ReservedNames {
    /** How often the relay reloads the reservations. */
    public static final long REFRESH_MS = 2000;

    private final RelayStore store;
    private volatile Map<String, String> owners = Map.of();

    public ReservedNames(RelayStore store) {
        this.store = store;
    }

    /** The user a name is reserved for, or null. Never blocks. */
    public String owner(String name) {
        return owners.get(name);
    }

    /** Reloads from the store (on the store's thread); completes when loaded. */
    public CompletableFuture<Void> refresh() {
        return store.async("load reserved names", () -> {
            owners = Map.copyOf(store.identity().reservedNames());
            return null;
        });
    }
}
