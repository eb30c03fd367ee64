package dev.portway.desktop.queue;

/** The client queue cannot take a request: it is full, or the body is larger than allowed. Nothing was stored. */
public final class QueueFullException extends Exception {
    public QueueFullException(String message) {
        super(message, null, false, false);
    }
}
