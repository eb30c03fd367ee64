package dev.portway.relay.ingress;

import dev.failsafe.RateLimiter;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Requests per visitor address and minute (a Failsafe bursty rate limiter per address: the full allowance at the
 * start of each minute, so a page with many assets loads at once). IPv6 visitors are counted per /64, the block
 * one host usually gets. Thread-safe and non-blocking ({@code tryAcquirePermit}): called on event loops.
 *
 * <p>Memory is bounded: an address's entry is evicted once it has been idle for two periods ({@link #sweep}, run
 * periodically), and at most {@code maxEntries} addresses are tracked; when the table is full, new addresses share
 * one overflow limiter (fail-safe: they are still limited, together) until entries are evicted.
 */
public final class VisitorRateLimiter {
    /** Whether a request may go on; when not, how many seconds until the visitor's allowance refills. */
    public record Decision(boolean allowed, long retryAfterSeconds) {
    }

    private static final Duration PERIOD = Duration.ofMinutes(1);

    private final int perMinute;
    private final int maxEntries;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();
    private final Entry overflow;

    private static final class Entry {
        final RateLimiter<Object> limiter;
        final long createdNanos;
        volatile long lastSeenNanos;

        Entry(int perMinute, long now) {
            this.limiter = RateLimiter.burstyBuilder(perMinute, PERIOD).build();
            this.createdNanos = now;
            this.lastSeenNanos = now;
        }

        /** Seconds until the limiter's current period ends: its periods start when it was created. */
        long secondsToRefill(long now) {
            long period = PERIOD.toNanos();
            long left = period - Math.floorMod(now - createdNanos, period);
            return Math.max(1, (left + 999_999_999L) / 1_000_000_000L);
        }
    }

    /** @param perMinute requests per address and minute; must be at least 1 (a limit of 0 means no limiter at all) */
    public VisitorRateLimiter(int perMinute, int maxEntries) {
        if (perMinute < 1 || maxEntries < 1) {
            throw new IllegalArgumentException("perMinute and maxEntries must be at least 1");
        }
        this.perMinute = perMinute;
        this.maxEntries = maxEntries;
        this.overflow = new Entry(perMinute, System.nanoTime());
    }

    /** Takes one request's permit for {@code address} if there is one. Never blocks. */
    public Decision acquire(InetAddress address) {
        long now = System.nanoTime();
        String key = key(address);
        Entry e = entries.get(key);
        if (e == null) {
            if (entries.size() >= maxEntries) {
                e = overflow;
            } else {
                e = entries.computeIfAbsent(key, k -> new Entry(perMinute, now));
            }
        }
        e.lastSeenNanos = now;
        if (e.limiter.tryAcquirePermit()) {
            return new Decision(true, 0);
        }
        return new Decision(false, e.secondsToRefill(now));
    }

    /** Forgets addresses idle for two periods or more. Cheap; safe from any thread. */
    public void sweep() {
        long cutoff = System.nanoTime() - 2 * PERIOD.toNanos();
        entries.values().removeIf(e -> e.lastSeenNanos - cutoff < 0);
    }

    /** Addresses tracked now (for tests and metrics). */
    public int size() {
        return entries.size();
    }

    /** An IPv4 address as is; an IPv6 address by its /64 prefix. */
    static String key(InetAddress address) {
        if (address instanceof Inet6Address) {
            byte[] b = address.getAddress();
            StringBuilder sb = new StringBuilder("v6:");
            for (int i = 0; i < 8; i++) {
                sb.append(String.format("%02x", b[i] & 0xff));
            }
            return sb.toString();
        }
        return address.getHostAddress();
    }
}
