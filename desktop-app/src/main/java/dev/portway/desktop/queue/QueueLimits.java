package dev.portway.desktop.queue;

/**
 * Capacity of the client queue.
 *
 * @param maxCount requests held at most
 * @param maxBytes body bytes held at most, across all requests
 * @param maxBody  the largest body one delivery may have
 */
public record QueueLimits(int maxCount, long maxBytes, long maxBody) {
    public static final long DEFAULT_MAX_BODY = 8L * 1024 * 1024;

    public QueueLimits {
        if (maxCount < 1 || maxBytes < 1 || maxBody < 0) {
            throw new IllegalArgumentException("queue limits must be positive");
        }
    }

    /** 10,000 requests, 256 MiB, 8 MiB per body. */
    public static QueueLimits defaults() {
        return new QueueLimits(10_000, 256L * 1024 * 1024, DEFAULT_MAX_BODY);
    }
}
