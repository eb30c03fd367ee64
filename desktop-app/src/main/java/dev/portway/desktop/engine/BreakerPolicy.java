package dev.portway.desktop.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * The circuit breaker per tunnel (PROTOCOL.md §9.4): opens after {@code failures} consecutive failed
 * requests to the tunnel's local target, stays open for {@code delay}, then lets one trial request
 * through (half-open); its success closes the breaker, its failure opens it again.
 */
public record BreakerPolicy(int failures, Duration delay) {

    public BreakerPolicy {
        Objects.requireNonNull(delay, "delay");
        if (failures < 1 || delay.isNegative() || delay.isZero()) {
            throw new IllegalArgumentException("a breaker needs failures >= 1 and a positive delay");
        }
    }

    /** 5 failures in a row, 60 s open. */
    public static BreakerPolicy defaults() {
        return new BreakerPolicy(5, Duration.ofSeconds(60));
    }
}
