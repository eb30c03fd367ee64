package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCategory;
import dev.portway.shared.protocol.ErrorCode;

/**
 * A connect attempt or a session failed. {@link #fatal} failures (wrong token, revoked token, disabled user,
 * no common protocol version) are never retried: retrying cannot fix them (PROTOCOL.md §2.3). A
 * {@code rate_limited} refusal carries {@link #retryAfter}: the next attempt waits at least that long.
 */
final class ConnectFailure extends RuntimeException {
    final ErrorCategory category;
    final ErrorCode code;
    final boolean fatal;
    /** How long the relay asked the client to wait before the next attempt, or null. */
    final java.time.Duration retryAfter;

    ConnectFailure(String message, ErrorCategory category, ErrorCode code, boolean fatal) {
        this(message, category, code, fatal, null);
    }

    private ConnectFailure(String message, ErrorCategory category, ErrorCode code, boolean fatal, java.time.Duration retryAfter) {
        super(message, null, false, false);
        this.category = category;
        this.code = code;
        this.fatal = fatal;
        this.retryAfter = retryAfter;
    }

    static ConnectFailure network(String message) {
        return new ConnectFailure(message, ErrorCategory.NETWORK, null, false);
    }

    /** The relay's certificate was refused: retrying cannot help until the user decides to trust it. */
    static ConnectFailure untrusted(String message) {
        return new ConnectFailure(message, ErrorCategory.AUTH, null, true);
    }

    static ConnectFailure refused(ErrorCode code, String message) {
        return refused(code, message, null);
    }

    /** @param retryAfterMs the refusal's {@code retry_after_ms}, or null */
    static ConnectFailure refused(ErrorCode code, String message, Long retryAfterMs) {
        // Retrying cannot fix these; an expired session token can (the next hello presents the API token).
        boolean fatal = code == ErrorCode.BAD_TOKEN || code == ErrorCode.UNSUPPORTED_VERSION
                || code == ErrorCode.TOKEN_REVOKED || code == ErrorCode.USER_DISABLED;
        java.time.Duration wait = retryAfterMs == null || retryAfterMs <= 0 ? null : java.time.Duration.ofMillis(retryAfterMs);
        return new ConnectFailure(message, code.category(), code, fatal, wait);
    }
}
