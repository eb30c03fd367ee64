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
 * @param exchange HTTP only: the captured headers and first body bytes for the inspector; null for TCP
 *                 connections and requests that never reached the local app
 */
public record RequestEvent(String id, String tunnel, String method, String path, int status, Duration duration,
                           long bytesIn, long bytesOut, ErrorCode error, String errorMessage, Instant time,
                           CapturedExchange exchange) {

    /** An event with nothing captured. */
    public RequestEvent(String id, String tunnel, String method, String path, int status, Duration duration,
                        long bytesIn, long bytesOut, ErrorCode error, String errorMessage, Instant time) {
        this(id, tunnel, method, path, status, duration, bytesIn, bytesOut, error, errorMessage, time, null);
    }
}
