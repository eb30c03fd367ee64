package dev.portway.desktop.engine;

import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.ThreadLocalRandom;

/**
 * How the engine delivers requests from its client queue to the local app (PROTOCOL.md §9.3): after a
 * failed attempt it waits {@code base} × {@code factor}^(attempts−1), at most {@code max}, varied by
 * ±{@code jitter}; never gives up on its own (only a person discards a request).
 *
 * @param concurrency how many deliveries run at once, across all tunnels
 * @param callTimeout how long one attempt may take, from connecting to the end of the response head
 */
public record DeliveryPolicy(Duration base, double factor, double jitter, Duration max, int concurrency, Duration callTimeout) {

    public DeliveryPolicy {
        Objects.requireNonNull(base, "base");
        Objects.requireNonNull(max, "max");
        Objects.requireNonNull(callTimeout, "callTimeout");
        if (base.isNegative() || base.isZero() || max.compareTo(base) < 0 || factor < 1 || jitter < 0 || jitter >= 1) {
            throw new IllegalArgumentException("delivery backoff needs 0 < base <= max, factor >= 1, jitter in [0, 1)");
        }
        if (concurrency < 1) {
            throw new IllegalArgumentException("delivery concurrency must be at least 1");
        }
    }

    /** 2 s, ×2 per attempt, at most 60 s, 30 % jitter; 4 at once; 30 s per attempt. */
    public static DeliveryPolicy defaults() {
        return new DeliveryPolicy(Duration.ofSeconds(2), 2.0, 0.3, Duration.ofSeconds(60), 4, Duration.ofSeconds(30));
    }

    /** The wait after the {@code attempts}-th failed attempt (1 = the first), before jitter. */
    public Duration nominalDelay(int attempts) {
        double millis = base.toMillis() * Math.pow(factor, Math.max(0, attempts - 1));
        return millis >= max.toMillis() ? max : Duration.ofMillis((long) millis);
    }

    /** {@link #nominalDelay} varied randomly by ±jitter. */
    public Duration delay(int attempts) {
        long nominal = nominalDelay(attempts).toMillis();
        double vary = jitter == 0 ? 0 : ThreadLocalRandom.current().nextDouble(-jitter, jitter);
        return Duration.ofMillis(Math.max(1, Math.round(nominal * (1 + vary))));
    }
}
