package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCode;

import java.time.Duration;
import java.time.Instant;

/**
 * One finished visitor request (HTTP) or connection (TCP: method {@code TCP}, path = the visitor's
 * address, status 0).
 *
 * @param bytesIn  body bytes from the visitor to the local service
 * @param bytesOut body bytes from the local service to the visitor
 * @param error    null when the exchange completed; otherwise why it did not
 * @param time     when it started
 */
public record RequestEvent(String id, String tunnel, String method, String path, int status, Duration duration,
                           long bytesIn, long bytesOut, ErrorCode error, String errorMessage, Instant time) {
}
