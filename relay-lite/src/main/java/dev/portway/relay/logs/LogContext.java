package dev.portway.relay.logs;

import org.slf4j.MDC;

/**
 * MDC fields of relay log lines, set only around one log call. A Netty event loop serves many connections
 * and sessions one task after another, so a field left in its MDC would be stamped on the next,
 * unrelated line; {@link #log} therefore puts the fields, logs, and removes exactly those fields again.
 * The JSON log format writes every MDC field as a top-level JSON field; the text format shows the message.
 */
public final class LogContext {
    /** The user a session belongs to (set once the relay knows users). */
    public static final String USER = "user";
    /** The tunnel name. */
    public static final String TUNNEL = "tunnel";
    /** The client session (the WebSocket carrying the tunnel). */
    public static final String SESSION = "session";
    /** The visitor's TCP connection to the relay (Netty channel id; one connection carries many requests). */
    public static final String CONNECTION = "connection";
    /** The relay's id for one request ({@code Portway-Request-Id}). */
    public static final String REQUEST_ID = "request_id";
    /** The correlation id ({@code X-Request-Id}): the visitor's when it sent a valid one, else the request id. */
    public static final String CORRELATION_ID = "correlation_id";

    private LogContext() {
    }

    /**
     * Runs {@code logCall} with {@code keyValues} (key, value, key, value…; null values are skipped) in the MDC,
     * then removes them. Call it on the thread that logs; the fields are gone when it returns.
     */
    public static void log(Runnable logCall, String... keyValues) {
        if (keyValues.length % 2 != 0) {
            throw new IllegalArgumentException("keyValues must be pairs");
        }
        try {
            for (int i = 0; i < keyValues.length; i += 2) {
                if (keyValues[i + 1] != null) {
                    MDC.put(keyValues[i], keyValues[i + 1]);
                }
            }
            logCall.run();
        } finally {
            for (int i = 0; i < keyValues.length; i += 2) {
                MDC.remove(keyValues[i]);
            }
        }
    }
}
