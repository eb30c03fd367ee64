package dev.portway.desktop.engine;

import dev.failsafe.RetryPolicy;
import dev.failsafe.RetryPolicyBuilder;

/** Builds the Failsafe retry policy for connect attempts from a {@link ReconnectPolicy}. */
final class Reconnect {
    private Reconnect() {
    }

    /**
     * Retries {@link ConnectFailure}s with exponential backoff and jitter, waiting at least a refusal's
     * retry-after; aborts at once on fatal ones (wrong or revoked token, disabled user, no common protocol version).
     *
     * @param onRetryScheduled called with (attempt about to be made, delay) before each wait
     */
    static <T> RetryPolicy<T> policy(ReconnectPolicy p, java.util.function.BiConsumer<Integer, java.time.Duration> onRetryScheduled) {
        RetryPolicyBuilder<T> b = RetryPolicy.<T>builder()
                .handle(ConnectFailure.class)
                .abortOn(e -> e instanceof ConnectFailure f && f.fatal);
        if (p.forever()) {
            b.withMaxRetries(-1);
        } else {
            b.withMaxAttempts(p.maxAttempts());
        }
        if (p.base().compareTo(p.max()) < 0 && p.factor() > 1) {
            b.withBackoff(p.base(), p.max(), p.factor());
        } else {
            b.withDelay(p.base());
        }
        if (p.jitter() > 0) {
            b.withJitter(p.jitter());
        }
        // A rate_limited refusal names its retry-after: wait at least that (and at least the backoff). Failsafe
        // applies the jitter to this delay too, so it is scaled up by it: the shortest jittered wait is still enough.
        // (A delay function replaces Failsafe's backoff, so it computes that backoff itself for other failures.)
        b.withDelayFnOn(ctx -> {
            java.time.Duration backoff = p.nominalDelay(Math.max(1, ctx.getAttemptCount()));
            if (!(ctx.getLastException() instanceof ConnectFailure f) || f.retryAfter == null
                    || f.retryAfter.compareTo(backoff) <= 0) {
                return backoff;
            }
            return java.time.Duration.ofMillis((long) Math.ceil(f.retryAfter.toMillis() / (1 - p.jitter())));
        }, ConnectFailure.class);
        return b.onRetryScheduled(e -> onRetryScheduled.accept(e.getAttemptCount() + 1, e.getDelay())).build();
    }
}
