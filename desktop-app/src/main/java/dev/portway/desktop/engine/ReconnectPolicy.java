package dev.portway.desktop.engine;

import java.time.Duration;
import java.util.Objects;

/**
 * How the engine reconnects after a connect failure or a lost session: exponential backoff from
 * {@code base}, multiplied by {@code factor} per attempt up to {@code max}, each delay randomly
 * varied by ±{@code jitter} (a fraction), at most {@code maxAttempts} attempts per outage
 * ({@code -1} = forever).
 */
public record ReconnectPolicy(Duration base, double factor, double jitter, Duration max, int maxAttempts) {

    public ReconnectPolicy {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(max, "max");
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0) {
            throw new IllegalArgumentException("reconnect delays need 0 < base <= max, got " + base + " and " + max);
        }
        if (factor < 1 || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("reconnect factor must be >= 1 and jitter in [0, 1)");
        }
        if (maxAttempts == 0 || maxAttempts < -1) {
            throw new IllegalArgumentException("maxAttempts must be >= 1, or -1 for forever");
        }
    }

    /** 2 s, ×2 per attempt, 30 % jitter, at most 60 s, 10 attempts. */
    public static ReconnectPolicy defaults() {
        return new ReconnectPolicy(Duration.ofSeconds(2), 2.0, 0.3, Duration.ofSeconds(60), 10);
    }

    public boolean forever() {
        return maxAttempts == -1;
    }

    /** The delay before retry number {@code retry} (1 = the first retry), before jitter. */
    public Duration nominalDelay(int retry) {
        double millis = base.toMillis() * Math.pow(factor, Math.max(0, retry - 1));
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }
}
