package dev.portway.desktop.profiles;

import dev.portway.shared.profile.ProfileFile;

import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Function;

/**
 * The store, asynchronously: every call returns at once and runs on {@code io}, one at a time in order
 * (a single-thread executor), so saves never race. Results complete on {@code io}; callers move them to
 * their own thread with {@code thenAcceptAsync(…, fx)}.
 */
public final class ProfileService {
    private final ProfileStore store;
    private final Executor io;
    private final ProfileTransfer transfer;

    public ProfileService(ProfileStore store, Executor io) {
        this.store = store;
        this.io = io;
        this.transfer = new ProfileTransfer(store, new ProfileFile(Clock.systemUTC()));
    }

    /** Writes every profile to {@code file} (see {@link ProfileTransfer#export}); completes with them. */
    public CompletableFuture<List<Profile>> export(Path file, boolean includeSecrets) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return transfer.export(file, includeSecrets);
            } catch (dev.portway.shared.profile.ProfileFileException e) {
                throw new CompletionException(new StoreException(String.join("\n", e.problems()), e));
            } catch (java.io.IOException e) {
                throw new CompletionException(new StoreException(ProfileTransfer.describe(e, file, true), e));
            }
        }, io);
    }

    /**
     * Checks a profiles file and finds its clashes (see {@link ProfileTransfer#read}); fails with a
     * {@link dev.portway.shared.profile.ProfileFileException} listing the problems of a bad file.
     */
    public CompletableFuture<ProfileTransfer.Plan> readImport(Path file) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                return transfer.read(file);
            } catch (dev.portway.shared.profile.ProfileFileException e) {
                throw new CompletionException(e);
            } catch (java.io.IOException e) {
                throw new CompletionException(new StoreException(ProfileTransfer.describe(e, file, false), e));
            }
        }, io);
    }

    /** Saves a checked import in one transaction (see {@link ProfileTransfer#apply}). */
    public CompletableFuture<List<ProfileTransfer.Outcome>> applyImport(ProfileTransfer.Plan plan,
                                                                        Function<ProfileTransfer.Clash, ProfileTransfer.Choice> choices) {
        return CompletableFuture.supplyAsync(() -> transfer.apply(plan, choices), io);
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
