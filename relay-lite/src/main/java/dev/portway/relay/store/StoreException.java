package dev.portway.relay.store;

/** The relay's database failed; the message says what the relay was doing. */
public class StoreException extends RuntimeException {
    public StoreException(String message, Throwable cause) {
        super(message, cause);
    }

    /** The data folder's disk has too little free space: nothing was written (see {@link DiskSpace}). */
    public static final class DiskFull extends StoreException {
        DiskFull(String message) {
            super(message, null);
        }
    }

    /** What a visitor or client is told: short, no paths. */
    public String publicReason() {
        Throwable t = this;
        while (t != null) {
            if (t instanceof DiskFull) {
                return "the relay's disk is full";
            }
            t = t.getCause() == t ? null : t.getCause();
        }
        return "the relay's database is unavailable";
    }
}
