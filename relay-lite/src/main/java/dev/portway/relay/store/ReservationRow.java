package dev.portway.relay.store;

/**
 * A queued tunnel's name, reserved for one client installation, with the queue rule of its last bind.
 *
 * @param keyHash  hex SHA-256 of the owner's {@code hello.client_key}
 * @param methods  upper-case HTTP methods, comma-separated
 * @param maxBody  largest request body queued, in bytes
 * @param priority {@code high}, {@code normal} or {@code low}
 */
public record ReservationRow(String name, String keyHash, String methods, long maxBody, String priority) {
}
