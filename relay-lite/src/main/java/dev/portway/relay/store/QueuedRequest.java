package dev.portway.relay.store;

import dev.portway.shared.protocol.Header;

import java.util.List;

/**
 * One visitor request stored in a queued tunnel's durable queue (PROTOCOL.md §9.3): what the relay
 * needs to deliver it later as if it had just arrived.
 *
 * @param priority   0 high, 1 normal, 2 low (see {@link Priorities})
 * @param headers    end-to-end headers with {@code X-Forwarded-*} and {@code Portway-Request-Id}, as for an OPEN
 * @param body       the whole request body (at most the tunnel's {@code queue_max_body})
 * @param receivedAt epoch ms when the relay accepted it
 */
public record QueuedRequest(String deliveryId, String tunnel, int priority, String requestId, String remote,
                            String method, String target, List<Header> headers, byte[] body, long receivedAt) {
    public QueuedRequest {
        headers = List.copyOf(headers);
    }
}
