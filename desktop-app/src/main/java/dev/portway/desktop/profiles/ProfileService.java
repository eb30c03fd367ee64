package dev.portway.desktop.profiles;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;

/**
 * The store, asynchronously: every call returns at once and runs on {@code io}, one at a time in order
 * (a single-thread executor), so saves never race. Results complete on {@code io}; callers move them to
 * their own thread with {@code thenAcceptAsync(…, fx)}.
 */
public final class ProfileService {
    private final ProfileStore store;
    private final Executor io;

    public ProfileService(ProfileStore store, Executor io) {
        this.store = store;
        this.io = io;
    }

    public CompletableFuture<List<Profile>> loadAll() {
        return CompletableFuture.supplyAsync(store::loadAll, io);
    }

    public CompletableFuture<Profile> save(Profile p) {
        return CompletableFuture.supplyAsync(() -> {
            store.save(p);
            return p;
        }, io);
    }

    public CompletableFuture<Void> delete(String id) {
        return CompletableFuture.runAsync(() -> store.delete(id), io);
    }

    public CompletableFuture<Optional<String>> setting(String name) {
        return CompletableFuture.supplyAsync(() -> store.setting(name), io);
    }

    public CompletableFuture<Void> putSetting(String name, String value) {
        return CompletableFuture.runAsync(() -> store.putSetting(name, value), io);
    }
}
