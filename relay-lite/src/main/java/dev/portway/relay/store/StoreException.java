package dev.portway.relay.store;

/** The relay's database failed; the message says what the relay was doing. */
public final class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
