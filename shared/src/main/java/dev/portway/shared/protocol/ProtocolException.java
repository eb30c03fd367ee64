package dev.portway.shared.protocol;

/** A peer sent something protocol v1 does not allow. Carries the code to answer with. */
public final class ProtocolException extends Exception {
    private final ErrorCode code;

    public ProtocolException(ErrorCode code, String message) {
        super(message);
        this.code = code;
    }

    public ErrorCode code() {
        return code;
    }
}
