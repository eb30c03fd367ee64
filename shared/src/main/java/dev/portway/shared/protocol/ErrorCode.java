package dev.portway.shared.protocol;

import java.util.Locale;

/**
 * Every error the protocol can carry. The numeric code travels in RST frames; the
 * lower-case name travels in {@code refused} and {@code bind_refused} control messages.
 * Codes are stable across versions: never renumber, only add.
 */
public enum ErrorCode {
    // Stream and session errors (RST).
    PROTOCOL_ERROR(1, ErrorCategory.PROTOCOL),
    FLOW_CONTROL(2, ErrorCategory.PROTOCOL),
    FRAME_TOO_LARGE(3, ErrorCategory.PROTOCOL),
    UNKNOWN_STREAM(4, ErrorCategory.PROTOCOL),
    /** The other end of the stream (visitor or local connection) went away. */
    CANCEL(5, ErrorCategory.NETWORK),
    /** The receiver will not take another stream now (too many open). */
    REFUSED_STREAM(6, ErrorCategory.SERVER),
    /** Nothing listens at the local target, or it refused the connection. */
    TARGET_UNREACHABLE(10, ErrorCategory.TARGET),
    /** The local target did not answer in time. */
    TARGET_TIMEOUT(11, ErrorCategory.TARGET),
    /** The local target broke the connection or sent something unusable. */
    TARGET_ERROR(12, ErrorCategory.TARGET),
    /** The client's circuit breaker for the local target is open: it failed repeatedly; not tried now. */
    TARGET_FAILING(13, ErrorCategory.TARGET),
    INTERNAL(20, ErrorCategory.SERVER),
    // Handshake refusals.
    UNSUPPORTED_VERSION(30, ErrorCategory.PROTOCOL),
    BAD_HELLO(31, ErrorCategory.PROTOCOL),
    BAD_TOKEN(32, ErrorCategory.AUTH),
    SHUTTING_DOWN(33, ErrorCategory.SERVER),
    /** The session JWT expired without a refresh (or an expired JWT was presented). Reconnecting with the API token helps. */
    TOKEN_EXPIRED(34, ErrorCategory.AUTH),
    /** An admin revoked the API token. A new token is needed. */
    TOKEN_REVOKED(35, ErrorCategory.AUTH),
    /** An admin disabled the user. */
    USER_DISABLED(36, ErrorCategory.AUTH),
    // Bind refusals.
    NAME_INVALID(40, ErrorCategory.CONFIG),
    NAME_TAKEN(41, ErrorCategory.CONFIG),
    KIND_UNSUPPORTED(42, ErrorCategory.CONFIG),
    PORT_UNAVAILABLE(43, ErrorCategory.CONFIG),
    LIMIT_REACHED(44, ErrorCategory.SERVER),
    /** A durable queue (the relay's for a tunnel, or the client's) is full; the delivery stays where it was. */
    QUEUE_FULL(45, ErrorCategory.SERVER),
    /**
     * Too many failed logins from this address or for this user, or the relay is too busy checking logins: the
     * credential was not even checked. {@code refused.retry_after_ms} says when to try again; clients wait at least that.
     */
    RATE_LIMITED(46, ErrorCategory.SERVER);

    private final int code;
    private final ErrorCategory category;

    ErrorCode(int code, ErrorCategory category) {
        this.code = code;
        this.category = category;
    }

    public int code() {
        return code;
    }

    public ErrorCategory category() {
        return category;
    }

    /** The name used in JSON control messages, e.g. {@code bad_token}. */
    public String wireName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** @return the error for a numeric code; unknown codes map to {@link #PROTOCOL_ERROR}. */
    public static ErrorCode ofCode(int code) {
        for (ErrorCode e : values()) {
            if (e.code == code) {
                return e;
            }
        }
        return PROTOCOL_ERROR;
    }

    /** @return the error for a wire name; unknown names map to {@link #PROTOCOL_ERROR}. */
    public static ErrorCode ofWireName(String name) {
        if (name != null) {
            for (ErrorCode e : values()) {
                if (e.wireName().equals(name)) {
                    return e;
                }
            }
        }
        return PROTOCOL_ERROR;
    }
}
