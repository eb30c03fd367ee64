package dev.portway.relay.auth;

import dev.failsafe.RateLimiter;
import dev.portway.relay.IdentityConfig;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * Per-user limits: open client connections, bound tunnels, and visitor requests per minute by tier (a
 * Failsafe bursty {@link RateLimiter} per user: the tier's requests per one-minute window). Thread-safe and
 * non-blocking ({@code tryAcquirePermit} never waits), so every method may run on an event loop. The maps
 * hold one entry per user with something open (or a rate window), so they are bounded by the user count.
 */
public final class UserLimits {
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final IdentityConfig config;
    private final ConcurrentHashMap<String, Integer> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> tunnels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Rate> rates = new ConcurrentHashMap<>();

    private record Rate(int perMinute, RateLimiter<Object> limiter, long startNanos) {
    }

    public UserLimits(IdentityConfig config) {
        this.config = config;
    }

    /** Counts a new connection of the user; false (nothing counted) when at the limit. */
    public boolean tryConnect(String user) {
        return tryAdd(connections, user, config.maxConnectionsPerUser());
    }

    public void disconnected(String user) {
        release(connections, user);
    }

    /** Counts a new tunnel of the user; false (nothing counted) when at the limit. */
    public boolean tryTunnel(String user) {
        return tryAdd(tunnels, user, config.maxTunnelsPerUser());
    }

    public void tunnelGone(String user) {
        release(tunnels, user);
    }

    public int connections(String user) {
        return connections.getOrDefault(user, 0);
    }

    public int tunnels(String user) {
        return tunnels.getOrDefault(user, 0);
    }

    /**
     * Takes a permit for one visitor request to a tunnel of {@code p}.
     *
     * @return 0 when allowed (always when the tier's rate is 0: no limit), else the seconds until the user's window
     * renews (for {@code Retry-After})
     */
    public long requestPermit(Principal p) {
        int perMinute = config.perMinute(p.tier());
        if (perMinute <= 0) {
            return 0;
        }
        Rate r = rates.compute(p.user(), (u, old) -> old != null && old.perMinute == perMinute ? old
                : new Rate(perMinute, RateLimiter.burstyBuilder(perMinute, WINDOW).build(), System.nanoTime()));
        if (r.limiter.tryAcquirePermit()) {
            return 0;
        }
        long windowNanos = WINDOW.toNanos();
        long left = windowNanos - (System.nanoTime() - r.startNanos) % windowNanos;
        return Math.max(1, (long) Math.ceil(left / (double) TimeUnit.SECONDS.toNanos(1)));
    }

    private static boolean tryAdd(ConcurrentHashMap<String, Integer> counts, String user, int max) {
        boolean[] ok = new boolean[1];
        counts.compute(user, (u, n) -> {
            int now = n == null ? 0 : n;
            if (now >= max) {
                return n;
            }
            ok[0] = true;
            return now + 1;
        });
        return ok[0];
    }

    private static void release(ConcurrentHashMap<String, Integer> counts, String user) {
        counts.computeIfPresent(user, (u, n) -> n <= 1 ? null : n - 1);
    }

    public IdentityConfig config() {
        return config;
    }
}
