package dev.portway.relay.store;

/**
 * One queued tunnel's stored requests as the store holds them.
 *
 * @param oldestAt when the oldest of them arrived (epoch ms)
 */
public record QueueStats(String tunnel, long count, long bytes, long oldestAt) {
}
