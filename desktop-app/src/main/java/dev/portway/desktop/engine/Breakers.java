package dev.portway.desktop.engine;

import dev.failsafe.CircuitBreaker;
import dev.portway.shared.protocol.ErrorCode;

import java.time.Duration;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.BiConsumer;

/**
 * One Failsafe circuit breaker per tunnel, guarding its local target (PROTOCOL.md §9.4).
 *
 * <p>What counts: a <b>failure</b> is a request the local target did not answer because it is unhealthy — the
 * connection was refused or timed out ({@code target_unreachable}, {@code target_timeout}), or it was reset or closed
 * before any response ({@code target_error} with no status). Everything else is a <b>success</b>: every answer the app
 * gave, 4xx and 5xx alike (the app is up and has an opinion; a 5xx is its own answer, passed on), a response the app
 * cut short after its head, a request Portway refused as malformed without sending it, a visitor who went away.
 *
 * <p>Each admitted request must be followed by exactly one {@link #record}: in the half-open state
 * the single trial permit is only given back by recording its outcome.
 *
 * <p>Thread-safe. {@code onChange} is called on whichever thread caused the change (possibly the
 * WebSocket reader); it must not block.
 */
final class Breakers {
    private final BreakerPolicy policy;
    private final BiConsumer<String, String> onChange;
    private final Map<String, CircuitBreaker<Object>> byTunnel = new ConcurrentHashMap<>();

    /** @param onChange (tunnel, state) with state {@code closed}, {@code open} or {@code half_open} */
    Breakers(BreakerPolicy policy, BiConsumer<String, String> onChange) {
        this.policy = policy;
        this.onChange = onChange;
    }

    /** @return true when a request to the tunnel's target may be made now (then {@link #record} its outcome) */
    boolean tryAcquire(String tunnel) {
        return breaker(tunnel).tryAcquirePermit();
    }

    void record(String tunnel, boolean failed) {
        CircuitBreaker<Object> b = breaker(tunnel);
        if (failed) {
            b.recordFailure();
        } else {
            b.recordSuccess();
        }
    }

    /** {@code closed}, {@code open} or {@code half_open}. */
    String state(String tunnel) {
        CircuitBreaker<Object> b = byTunnel.get(key(tunnel));
        return b == null ? "closed" : name(b.getState());
    }

    /** How long until an open breaker lets a trial through; zero when not open. */
    Duration remainingDelay(String tunnel) {
        CircuitBreaker<Object> b = byTunnel.get(key(tunnel));
        return b == null ? Duration.ZERO : b.getRemainingDelay();
    }

    /**
     * A person asked to retry now: every open breaker goes half-open at once, so the next request to its target is the
     * one trial (its outcome closes or opens it again) instead of waiting out the pause. Closed ones are left alone.
     */
    void trialNow() {
        byTunnel.values().forEach(b -> {
            if (b.isOpen()) {
                b.halfOpen();
            }
        });
    }

    /** @return whether a finished live request counts as a failure of the local target */
    static boolean isFailure(ErrorCode error, int status) {
        return status == 0
                && (error == ErrorCode.TARGET_UNREACHABLE || error == ErrorCode.TARGET_TIMEOUT || error == ErrorCode.TARGET_ERROR);
    }

    private CircuitBreaker<Object> breaker(String tunnel) {
        String key = key(tunnel);
        return byTunnel.computeIfAbsent(key, k -> CircuitBreaker.builder()
                .withFailureThreshold(policy.failures())
                .withSuccessThreshold(1)
                .withDelay(policy.delay())
                .onOpen(e -> onChange.accept(k, "open"))
                .onHalfOpen(e -> onChange.accept(k, "half_open"))
                .onClose(e -> onChange.accept(k, "closed"))
                .build());
    }

    private static String key(String tunnel) {
        return tunnel.toLowerCase(Locale.ROOT);
    }

    private static String name(CircuitBreaker.State s) {
        return s.name().toLowerCase(Locale.ROOT);
    }
}
