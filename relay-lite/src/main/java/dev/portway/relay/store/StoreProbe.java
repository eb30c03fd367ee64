package dev.portway.relay.store;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * Whether the store answers, for the relay's readiness check. A result is cached for {@code maxAge}, so
 * health checks cost at most one trivial query per {@code maxAge}; a query that takes longer than
 * {@code timeout} counts as unavailable. While a query has not even started (the store's one thread is
 * stuck), no further query is queued behind it. Thread-safe; {@link #check()} never blocks.
 */
public final class StoreProbe {
    private final Supplier<CompletableFuture<?>> ping;
    private final long maxAgeNanos;
    private final long timeoutNanos;
    private final LongSupplier nanoClock;
    // guarded by this
    private boolean lastOk;
    private long lastAt;
    private boolean checked;
    private CompletableFuture<Boolean> inFlight;
    private CompletableFuture<?> lastPing;

    /**
     * @param ping      starts the query; its future completes when the store answered
     * @param nanoClock {@link System#nanoTime} except in tests
     */
    public StoreProbe(Supplier<CompletableFuture<?>> ping, Duration maxAge, Duration timeout, LongSupplier nanoClock) {
        this.ping = ping;
        this.maxAgeNanos = maxAge.toNanos();
        this.timeoutNanos = timeout.toNanos();
        this.nanoClock = nanoClock;
    }

    public StoreProbe(RelayStore store) {
        this(store::ping, Duration.ofMillis(1500), Duration.ofSeconds(1), System::nanoTime);
    }

    /**
     * @return true when the store answered; completed already when a fresh result is cached, else within
     * {@code timeout}. Never completes exceptionally. Its dependents may run on the store's thread or a timer.
     */
    public synchronized CompletableFuture<Boolean> check() {
        long now = nanoClock.getAsLong();
        if (checked && now - lastAt < maxAgeNanos) {
            return CompletableFuture.completedFuture(lastOk);
        }
        if (inFlight != null) {
            return inFlight;
        }
        if (lastPing != null && !lastPing.isDone()) {
            record(false, now); // the previous query is still waiting for the store: it is not answering
            return CompletableFuture.completedFuture(false);
        }
        CompletableFuture<?> p;
        try {
            p = ping.get();
        } catch (RuntimeException e) {
            record(false, now);
            return CompletableFuture.completedFuture(false);
        }
        lastPing = p;
        CompletableFuture<Boolean> result = p.copy().orTimeout(timeoutNanos, TimeUnit.NANOSECONDS)
                .handle((v, e) -> e == null);
        inFlight = result;
        result.thenAccept(ok -> {
            synchronized (this) {
                inFlight = null;
                record(ok, nanoClock.getAsLong());
            }
        });
        return result;
    }

    private void record(boolean ok, long at) {
        lastOk = ok;
        lastAt = at;
        checked = true;
    }
}
