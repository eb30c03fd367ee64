package dev.portway.relay.auth;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.function.LongSupplier;

/**
 * Slows down credential guessing, for WebSocket hellos and SSH logins alike (one set of counters): after
 * {@code freeFailures} failed logins within {@code window} from one address (IPv6: its /64) or for one user,
 * further attempts are refused <em>before</em> their credential is checked, for a delay that starts at
 * {@code firstDelay} and doubles with every failure after a lockout, up to {@code maxDelay}. The right
 * credential is refused too while the lockout lasts: that is the point. A success resets the user's count (not
 * the address's: one valid token must not launder guesses at others). Also bounds the credential checks in
 * flight (they queue on the store's one thread) to {@code maxPendingChecks}.
 *
 * <p>Thread-safe and never blocking: called on event loops and on SSHD's threads. Memory: at most
 * {@link #MAX_ENTRIES} counters; {@link #sweep} (every 30 s) drops those whose window and lockout are over.
 */
public final class LoginThrottle {
    /** Counters kept at most; past it new addresses are not counted (logged) until the sweep frees room. */
    public static final int MAX_ENTRIES = 100_000;

    /**
     * @param freeFailures     failed logins within {@code window} before a lockout starts (0 = no throttling)
     * @param window           how long a failure counts
     * @param firstDelay       the first lockout; each failure after a lockout doubles it
     * @param maxDelay         the longest lockout
     * @param maxPendingChecks credential checks waiting for or on the store at once; more are refused as busy
     */
    public record Policy(int freeFailures, Duration window, Duration firstDelay, Duration maxDelay, int maxPendingChecks) {
        public static final Policy DEFAULTS = new Policy(5, Duration.ofMinutes(1), Duration.ofSeconds(1),
                Duration.ofMinutes(5), 64);

        public Policy {
            if (freeFailures < 0) {
                throw new IllegalArgumentException("--auth-free-failures must be 0 (no throttling) or more.");
            }
            for (Duration d : new Duration[]{window, firstDelay, maxDelay}) {
                if (d == null || d.toMillis() < 1) {
                    throw new IllegalArgumentException("--auth-window, --auth-delay and --auth-max-delay must be positive.");
                }
            }
            if (maxDelay.compareTo(firstDelay) < 0) {
                throw new IllegalArgumentException("--auth-max-delay must be at least --auth-delay.");
            }
            if (maxPendingChecks < 1) {
                throw new IllegalArgumentException("--auth-max-pending must be at least 1.");
            }
        }
    }

    /** Failures of one address or user; guarded by its own monitor. */
    private static final class Counter {
        int failures;
        long lastFailure;
        long lockedUntil;
        long delay;
    }

    private final Policy policy;
    private final LongSupplier clock;
    private final Map<String, Counter> counters = new ConcurrentHashMap<>();
    private final Semaphore checks;

    public LoginThrottle(Policy policy) {
        this(policy, () -> System.nanoTime() / 1_000_000);
    }

    /** @param clock milliseconds, monotonic (tests pass their own) */
    LoginThrottle(Policy policy, LongSupplier clock) {
        this.policy = policy;
        this.clock = clock;
        this.checks = new Semaphore(policy.maxPendingChecks());
    }

    public Policy policy() {
        return policy;
    }

    /** The key of a remote address: {@code ip:<address>}, IPv6 by its /64; null when unknown. */
    public static String addressKey(SocketAddress remote) {
        if (!(remote instanceof InetSocketAddress isa) || isa.getAddress() == null) {
            return null;
        }
        return addressKey(isa.getAddress());
    }

    /** As {@link #addressKey(SocketAddress)}, for an address already taken from a socket or a trusted proxy. */
    public static String addressKey(InetAddress a) {
        if (a == null) {
            return null;
        }
        if (a instanceof Inet6Address) {
            byte[] b = a.getAddress();
            StringBuilder s = new StringBuilder("ip:");
            for (int i = 0; i < 8; i += 2) {
                s.append(Integer.toHexString(((b[i] & 0xff) << 8) | (b[i + 1] & 0xff))).append(':');
            }
            return s.append(":/64").toString();
        }
        return "ip:" + a.getHostAddress();
    }

    private static String userKey(String user) {
        return user == null ? null : "user:" + user;
    }

    /**
     * Before a credential is checked.
     *
     * @param address {@link #addressKey} of the caller, or null
     * @param user    the user the attempt is for when known before the check (SSH login name is not: it names nobody), or null
     * @return 0 to go ahead, else how many ms until an attempt is checked again
     */
    public long retryAfterMs(String address, String user) {
        long now = clock.getAsLong();
        return Math.max(lockLeft(address, now), lockLeft(userKey(user), now));
    }

    private long lockLeft(String key, long now) {
        if (key == null || policy.freeFailures() == 0) {
            return 0;
        }
        Counter c = counters.get(key);
        if (c == null) {
            return 0;
        }
        synchronized (c) {
            return Math.max(0, c.lockedUntil - now);
        }
    }

    /**
     * A credential was checked and was wrong (or revoked, or its user disabled).
     *
     * @param user the user it named, or null when it named nobody
     * @return the lockout this failure started (ms), or 0 — callers audit a lockout once, not every refusal
     */
    public long failed(String address, String user) {
        long now = clock.getAsLong();
        return Math.max(count(address, now), count(userKey(user), now));
    }

    private long count(String key, long now) {
        if (key == null || policy.freeFailures() == 0) {
            return 0;
        }
        Counter c = counters.get(key);
        if (c == null) {
            if (counters.size() >= MAX_ENTRIES) {
                return 0; // full until the sweep: fail open rather than lock everyone out
            }
            c = counters.computeIfAbsent(key, k -> new Counter());
        }
        synchronized (c) {
            if (now - c.lastFailure > policy.window().toMillis() && now >= c.lockedUntil) {
                c.failures = 0; // quiet for a window: start over
                c.delay = 0;
            }
            c.failures++;
            c.lastFailure = now;
            if (c.failures < policy.freeFailures()) {
                return 0;
            }
            c.delay = c.delay == 0 ? policy.firstDelay().toMillis() : Math.min(c.delay * 2, policy.maxDelay().toMillis());
            c.lockedUntil = now + c.delay;
            return c.delay;
        }
    }

    /** A login succeeded: the user's failures are forgotten. */
    public void succeeded(String user) {
        String key = userKey(user);
        if (key != null) {
            counters.remove(key);
        }
    }

    /**
     * Takes one of the {@code maxPendingChecks} permits for a credential check; give it back with
     * {@link #endCheck} when the check has answered.
     *
     * @return false when the relay is already checking as many as it allows: refuse as busy
     */
    public boolean tryBeginCheck() {
        return checks.tryAcquire();
    }

    public void endCheck() {
        checks.release();
    }

    /** Checks waiting for or on the store now (tests, diagnostics). */
    public int pendingChecks() {
        return policy.maxPendingChecks() - checks.availablePermits();
    }

    /** Drops counters whose window and lockout are over. */
    public void sweep() {
        long now = clock.getAsLong();
        long window = policy.window().toMillis();
        counters.entrySet().removeIf(e -> {
            Counter c = e.getValue();
            synchronized (c) {
                return now - c.lastFailure > window && now >= c.lockedUntil;
            }
        });
    }

    /** Counters kept now (tests). */
    int size() {
        return counters.size();
    }

    /** Words for a person: when to try again. */
    public static String lockedMessage(long retryAfterMs) {
        return "Too many failed logins from this address or for this user — wait " + seconds(retryAfterMs)
                + " s before trying again, and check the token (or key) you use.";
    }

    static String seconds(long ms) {
        return String.valueOf(Math.max(1, (ms + 999) / 1000));
    }

    /** Refusal of a hello or SSH login when too many checks are in flight. */
    public static final String BUSY_MESSAGE = "The relay is busy checking other logins — try again in a moment.";
    /** Retry-after of {@link #BUSY_MESSAGE}. */
    public static final long BUSY_RETRY_MS = 1000;
}
