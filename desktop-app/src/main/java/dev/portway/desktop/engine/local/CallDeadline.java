package dev.portway.desktop.engine.local;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A whole-call time limit for a {@link LocalCall}: once {@code timeout} has passed the call is aborted (its blocked
 * reads fail), unless the caller finished first ({@link #close}). Scheduled on the JDK's shared delayer, so no thread
 * waits per call. Thread-safe.
 *
 * <pre>{@code try (CallDeadline d = CallDeadline.start(call, timeout)) { ... if (d.expired()) ... }}</pre>
 */
public final class CallDeadline implements AutoCloseable {
    private static final int RUNNING = 0;
    private static final int FINISHED = 1;
    private static final int EXPIRED = 2;
    private final AtomicInteger state = new AtomicInteger(RUNNING);

    private CallDeadline() {
    }

    public static CallDeadline start(LocalCall call, Duration timeout) {
        CallDeadline d = new CallDeadline();
        CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS).execute(() -> {
            if (d.state.compareAndSet(RUNNING, EXPIRED)) {
                call.abort();
            }
        });
        return d;
    }

    /** Whether the time ran out (and the call was aborted) before {@link #close}. */
    public boolean expired() {
        return state.get() == EXPIRED;
    }

    /** The caller is done: the deadline no longer aborts the call. */
    @Override
    public void close() {
        state.compareAndSet(RUNNING, FINISHED);
    }
}
