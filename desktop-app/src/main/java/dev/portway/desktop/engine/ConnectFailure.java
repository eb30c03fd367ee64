package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCategory;
import dev.portway.shared.protocol.ErrorCode;

/**
 * A connect attempt or a session failed. {@link #fatal} failures (wrong token, no common protocol
 * version) are never retried: retrying cannot fix them.
 */
final class ConnectFailure extends RuntimeException {
    final ErrorCategory category;
    final ErrorCode code;
    final boolean fatal;

    ConnectFailure(String message, ErrorCategory category, ErrorCode code, boolean fatal) {
        super(message, null, false, false);
        this.category = category;
        this.code = code;
        this.fatal = fatal;
    }

    static ConnectFailure network(String message) {
        return new ConnectFailure(message, ErrorCategory.NETWORK, null, false);
    }

    /** The relay's certificate was refused: retrying cannot help until the user decides to trust it. */
    static ConnectFailure untrusted(String message) {
        return new ConnectFailure(message, ErrorCategory.AUTH, null, true);
    }

    static ConnectFailure refused(ErrorCode code, String message) {
        // Retrying cannot fix these; an expired session token can (the next hello presents the API token).
        boolean fatal = code == ErrorCode.BAD_TOKEN || code == ErrorCode.UNSUPPORTED_VERSION
                || code == ErrorCode.TOKEN_REVOKED || code == ErrorCode.USER_DISABLED;
        return new ConnectFailure(message, code.category(), code, fatal);
    }
}
