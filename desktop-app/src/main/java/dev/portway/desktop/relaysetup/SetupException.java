package dev.portway.desktop.relaysetup;

/**
 * A step could not be done. The message says what happened, for people; the hint says what to do.
 */
public final class SetupException extends Exception {
    private final String hint;

    public SetupException(String message, String hint) {
        super(message);
        this.hint = hint == null ? "" : hint;
    }

    public SetupException(String message, String hint, Throwable cause) {
        super(message, cause);
        this.hint = hint == null ? "" : hint;
    }

    public String hint() {
        return hint;
    }
}
