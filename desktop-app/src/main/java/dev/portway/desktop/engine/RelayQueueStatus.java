package dev.portway.desktop.engine;

/**
 * The state of a queued tunnel's durable queue on the relay ({@code queue_status}, PROTOCOL.md §9.3).
 *
 * @param level {@code ok}, {@code pressure} (≥ 80 % of a capacity) or {@code full} (new requests get 503)
 */
public record RelayQueueStatus(String tunnel, int count, long bytes, int maxCount, long maxBytes, String level) {
}
