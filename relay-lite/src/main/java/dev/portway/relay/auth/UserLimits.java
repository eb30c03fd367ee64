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
 *
 * <p>On a node of a relay cluster the counts here are this node's; the cluster's database decides the cluster-wide
 * tunnel and connection counts ({@code SharedNames}), and each live node allows its {@link #share} of a user's request
 * rate (docs/cluster.md "Per-user limits in the cluster"), so no visitor request waits for the database.
 */
public final class UserLimits {
    private static final Duration WINDOW = Duration.ofMinutes(1);

    private final IdentityConfig config;
    private final ConcurrentHashMap<String, Integer> connections = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Integer> tunnels = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Rate> rates = new ConcurrentHashMap<>();
    private volatile java.util.function.IntSupplier liveNodes = () -> 1;

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
     * Shares the request rates among the relays that {@code liveNodes} counts (a cluster's live nodes, read on each
     * request: it must not block). A single relay never calls this: it allows the whole rate.
     */
    public void shareRatesAmong(java.util.function.IntSupplier liveNodes) {
        this.liveNodes = liveNodes;
    }

    /**
     * A node's share of {@code perMinute} when {@code nodes} relays are live: rounded up, so the whole cluster allows
     * at least the rate (and at most {@code nodes - 1} more); the whole rate for one node (or none known).
     */
    public static int share(int perMinute, int nodes) {
        return nodes <= 1 ? perMinute : (int) ((perMinute + (long) nodes - 1) / nodes);
    }

    /** The requests per minute this relay allows a user of that tier now (0: no limit). */
    public int perMinuteHere(dev.portway.relay.store.Tier tier) {
        int perMinute = config.perMinute(tier);
        return perMinute <= 0 ? 0 : share(perMinute, liveNodes.getAsInt());
    }

    /**
     * Takes a permit for one visitor request to a tunnel of {@code p}.
     *
     * @return 0 when allowed (always when the tier's rate is 0: no limit), else the seconds until the user's window
     * renews (for {@code Retry-After})
     */
    public long requestPermit(Principal p) {
        return requestPermit(p.user(), config.perMinute(p.tier()));
    }

    /**
     * Like {@link #requestPermit(Principal)} for a tunnel of {@code user} bound on another node of the cluster, whose
     * node told the user's whole rate ({@code perMinute}); this node allows its share of it, in the same window as
     * the user's own tunnels here.
     */
    public long requestPermit(String user, int perMinute) {
        perMinute = perMinute <= 0 ? 0 : share(perMinute, liveNodes.getAsInt());
        if (perMinute <= 0) {
            return 0;
        }
        int wanted = perMinute;
        Rate r = rates.compute(user, (u, old) -> old != null && old.perMinute == wanted ? old
                : new Rate(wanted, RateLimiter.burstyBuilder(wanted, WINDOW).build(), System.nanoTime()));
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
