package dev.portway.desktop.queue;

import dev.portway.shared.protocol.Header;

import java.time.Instant;
import java.util.List;

/**
 * One request in the client queue: delivered by the relay and acknowledged, not yet delivered to the
 * local app. The body is not held here; {@link ClientStore#copyBody} streams it.
 *
 * @param priority    {@code high}, {@code normal} or {@code low}
 * @param attempts    local delivery attempts that failed so far
 * @param nextAttempt not delivered before this time
 * @param lastError   why the last attempt failed, in words; null before the first failure
 */
public record StoredRequest(String deliveryId, String tunnel, String priority, String method, String target,
                            List<Header> headers, long bodySize, int attempts, Instant received, Instant nextAttempt,
                            String lastError) {
}
