package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCategory;

import java.time.Duration;

/**
 * A snapshot of the engine's state for people.
 *
 * @param message     what happened, in words; never null
 * @param category    the kind of failure, or null when nothing failed
 * @param attempt     RECONNECTING: the attempt about to be made (1-based); otherwise 0
 * @param maxAttempts the attempts allowed per outage, -1 for forever
 * @param nextRetryIn RECONNECTING: time until the next attempt; otherwise null
 * @param nodes       the relay cluster nodes the engine has a session to now, by id (PROTOCOL.md §3.3); empty for a
 *                    single relay or while not connected
 */
public record EngineStatus(EngineState state, String message, ErrorCategory category, int attempt, int maxAttempts,
                           Duration nextRetryIn, java.util.List<String> nodes) {
    public EngineStatus {
        nodes = nodes == null ? java.util.List.of() : java.util.List.copyOf(nodes);
    }

    public EngineStatus(EngineState state, String message, ErrorCategory category, int attempt, int maxAttempts,
                        Duration nextRetryIn) {
        this(state, message, category, attempt, maxAttempts, nextRetryIn, java.util.List.of());
    }

    static EngineStatus of(EngineState state, String message) {
        return new EngineStatus(state, message, null, 0, 0, null);
    }
}
