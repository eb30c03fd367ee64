package dev.portway.desktop.profiles;

/** The app store could not be opened, read or written. The message is for a person. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
