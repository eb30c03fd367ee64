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
 */
public record EngineStatus(EngineState state, String message, ErrorCategory category, int attempt, int maxAttempts,
                           Duration nextRetryIn) {

    static EngineStatus of(EngineState state, String message) {
        return new EngineStatus(state, message, null, 0, 0, null);
    }
}
