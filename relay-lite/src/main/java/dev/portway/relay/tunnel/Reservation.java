package dev.portway.relay.tunnel;

/**
 * A queued tunnel's name, reserved for the client installation whose {@code client_key} hashes to
 * {@code keyHash}, until that client unbinds it (PROTOCOL.md §9.2). Durable: kept in the relay's store.
 */
public record Reservation(String name, String keyHash, QueueOptions queue) {
}
