package dev.portway.relay.acme;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.function.LongSupplier;

/**
 * Which orders may start: at most {@code perHour} over all names in any hour, one in flight per name, and none for a
 * name within {@code retryAfter} of its last refusal. Names reach it only once they are known to be bound, so a
 * visitor sending random SNI names never costs an order. Thread-safe (synchronized; a handful of entries per hour).
 */
final class OrderLimiter {
    private static final long HOUR = Duration.ofHours(1).toNanos();
    private final int perHour;
    private final long retryAfterNanos;
    private final LongSupplier nanos;
    private final ArrayDeque<Long> started = new ArrayDeque<>();
    private final Map<String, Long> refusedAt = new HashMap<>();
    private final java.util.Set<String> inFlight = new java.util.HashSet<>();

    OrderLimiter(int perHour, Duration retryAfter, LongSupplier nanos) {
        this.perHour = perHour;
        this.retryAfterNanos = retryAfter.toNanos();
        this.nanos = nanos;
    }

    /** Why {@code host} may not be ordered now, or null when it may (it is then in flight until {@link #finished}). */
    synchronized String tryStart(String host) {
        long now = nanos.getAsLong();
        if (inFlight.contains(host)) {
            return "an order for " + host + " is already in progress";
        }
        refusedAt.values().removeIf(t -> now - t >= retryAfterNanos);
        Long refused = refusedAt.get(host);
        if (refused != null && now - refused < retryAfterNanos) {
            return "the last order for " + host + " was refused less than " + Duration.ofNanos(retryAfterNanos).toMinutes()
                    + " minutes ago";
        }
        while (!started.isEmpty() && now - started.peekFirst() >= HOUR) {
            started.pollFirst();
        }
        if (started.size() >= perHour) {
            return "the relay has started " + perHour + " orders in the last hour (its limit)";
        }
        started.addLast(now);
        inFlight.add(host);
        return null;
    }

    synchronized void finished(String host, boolean refused) {
        inFlight.remove(host);
        if (refused) {
            refusedAt.put(host, nanos.getAsLong());
        } else {
            refusedAt.remove(host);
        }
    }

    synchronized boolean inFlight(String host) {
        return inFlight.contains(host);
    }
}
