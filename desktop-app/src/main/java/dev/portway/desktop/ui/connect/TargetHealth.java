package dev.portway.desktop.ui.connect;

import java.time.Duration;
import java.time.Instant;
import java.util.Locale;

/**
 * How a connected profile's local target is doing, as the person should see it: whether it accepts connections
 * (probed at Connect and every few seconds after) and its circuit breaker (PROTOCOL.md §9.4) as the engine reports it.
 *
 * @param target      {@code host:port}
 * @param answering   the last probe got a connection; true until the first probe has run
 * @param breaker     {@code closed}, {@code open} or {@code half_open}
 * @param failures    the failures in a row that open the breaker (for the words)
 * @param pausedUntil while {@code open}: when the breaker lets a trial request through; null otherwise
 * @param folder      the target is a shared folder (its path): "answering" means it is there and readable
 */
public record TargetHealth(String target, boolean answering, String breaker, int failures, Instant pausedUntil,
                           boolean folder) {

    public static TargetHealth unknown(String target) {
        return new TargetHealth(target, true, "closed", 0, null, false);
    }

    /** A shared folder's health before its first check. */
    public static TargetHealth folder(String path) {
        return new TargetHealth(path, true, "closed", 0, null, true);
    }

    /** True when the person should be told (amber): the target does not answer, or the breaker holds requests back. */
    public boolean degraded() {
        return !answering || !"closed".equals(breaker);
    }

    public TargetHealth withAnswering(boolean now) {
        return new TargetHealth(target, now, breaker, failures, pausedUntil, folder);
    }

    public TargetHealth withBreaker(String state, int failuresToOpen, Instant until) {
        return new TargetHealth(target, answering, state, failuresToOpen, "open".equals(state) ? until : null, folder);
    }

    /**
     * In words at {@code now}, e.g. {@code localhost:3000 is not answering — paused for 59 s}; empty when healthy.
     * The countdown is rounded up, so it reads 60 s right after the breaker opened and never 0 s while it is open.
     */
    public String describe(Instant now) {
        if (!degraded()) {
            return "";
        }
        String what = answering ? target + " failed " + failures + " times in a row"
                : folder ? "The folder " + target + " is gone or cannot be read — put it back, or edit the share"
                : target + " is not answering";
        return switch (breaker.toLowerCase(Locale.ROOT)) {
            case "open" -> {
                long left = pausedUntil == null ? 0 : Math.max(1, (Duration.between(now, pausedUntil).toMillis() + 999) / 1000);
                yield what + " — paused for " + left + " s";
            }
            case "half_open" -> what + " — the next request is a trial";
            default -> what;
        };
    }
}
