package dev.portway.desktop.history;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;

/**
 * The history as the UI uses it: every call returns at once; the {@link HistoryStore} work runs on {@code io}
 * (the app's one store thread, so writes keep their order) and results arrive on {@code fx}. Without a store
 * ({@link #inMemory}) nothing is kept across restarts.
 */
public final class RequestHistory {
    private static final Logger LOG = LoggerFactory.getLogger(RequestHistory.class);

    private final HistoryStore store;
    private final Executor io;
    private final Executor fx;

    public RequestHistory(HistoryStore store, Executor io, Executor fx) {
        this.store = store;
        this.io = io;
        this.fx = fx;
    }

    /** No persistence: loads nothing, keeps nothing. */
    public static RequestHistory inMemory(Executor fx) {
        return new RequestHistory(null, Runnable::run, fx);
    }

    /** The profile's kept requests, newest first. */
    public CompletionStage<List<HistoryEntry>> load(String profileId) {
        if (store == null) {
            return CompletableFuture.completedFuture(List.of());
        }
        return CompletableFuture.supplyAsync(() -> store.load(profileId), io).whenCompleteAsync((r, e) -> {
        }, fx);
    }

    /** Keeps {@code entries} (oldest first) in the background; a failure is logged, the UI carries on. */
    public void append(String profileId, List<HistoryEntry> entries) {
        if (store == null || entries.isEmpty()) {
            return;
        }
        io.execute(() -> {
            try {
                store.append(profileId, entries);
            } catch (RuntimeException e) {
                LOG.warn("request history not saved: {}", e.getMessage());
            }
        });
    }

    public CompletionStage<Void> clear(String profileId) {
        if (store == null) {
            return CompletableFuture.completedFuture(null);
        }
        return CompletableFuture.runAsync(() -> store.clear(profileId), io).whenCompleteAsync((r, e) -> {
        }, fx);
    }
}
