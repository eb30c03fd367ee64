package dev.portway.desktop.queue;

/** The client store failed (disk, database). Whatever the call was about did not happen. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
