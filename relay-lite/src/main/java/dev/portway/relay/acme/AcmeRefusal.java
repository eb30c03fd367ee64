package dev.portway.relay.acme;

/** An order, validation or revocation that did not succeed; the message says why in words, for the operator's log. */
public final class AcmeRefusal extends Exception {
    AcmeRefusal(String message) {
        super(message);
    }

    AcmeRefusal(String message, Throwable cause) {
        super(message, cause);
    }
}
