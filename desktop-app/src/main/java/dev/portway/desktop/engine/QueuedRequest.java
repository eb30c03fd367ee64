package dev.portway.desktop.engine;

import java.time.Instant;

/**
 * A request in the engine's client queue: the relay delivered it and this client acknowledged it; the
 * local app has not had it yet (PROTOCOL.md §9.3).
 *
 * @param priority    {@code high}, {@code normal} or {@code low}
 * @param target      the path and query the local app will see
 * @param attempts    failed delivery attempts so far
 * @param nextAttempt not tried again before this time
 * @param lastError   why the last attempt failed, in words; null before any failure
 */
public record QueuedRequest(String deliveryId, String tunnel, String priority, String method, String target,
                            long bodySize, int attempts, Instant received, Instant nextAttempt, String lastError) {
}
