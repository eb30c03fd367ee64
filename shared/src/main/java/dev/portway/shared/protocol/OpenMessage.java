package dev.portway.shared.protocol;

import com.fasterxml.jackson.annotation.JsonIgnore;

import java.util.List;
import java.util.Objects;

/**
 * Payload of an OPEN frame: the relay asks the client to carry one visitor connection (TCP) or one
 * visitor request (HTTP) on a new stream.
 *
 * @param tunnel    the tunnel name the visitor reached
 * @param kind      {@code http} or {@code tcp}
 * @param remote    the visitor's address, {@code ip:port}
 * @param requestId HTTP only: the relay's id for the request (also sent as {@code Portway-Request-Id})
 * @param method    HTTP only: request method
 * @param target    HTTP only: request target (path and query) as the local app should see it
 * @param headers   HTTP only: request headers, hop-by-hop fields removed, {@code X-Forwarded-*} added
 * @param deliveryId HTTP only: set when this stream delivers a request from the relay's durable queue
 *                  (PROTOCOL.md §9); the client answers REPLY only once the request is stored durably
 * @param priority  with {@code deliveryId}: {@code high}, {@code normal} or {@code low}
 */
public record OpenMessage(String tunnel, String kind, String remote, String requestId,
                          String method, String target, List<Header> headers, String deliveryId, String priority) {

    public static OpenMessage tcp(String tunnel, String remote) {
        return new OpenMessage(tunnel, Protocol.KIND_TCP, remote, null, null, null, null, null, null);
    }

    public static OpenMessage http(String tunnel, String remote, String requestId, String method, String target, List<Header> headers) {
        return new OpenMessage(tunnel, Protocol.KIND_HTTP, remote, requestId, method, target, List.copyOf(headers), null, null);
    }

    /** A request delivered from the relay's durable queue. */
    public static OpenMessage delivery(String tunnel, String remote, String requestId, String method, String target,
                                       List<Header> headers, String deliveryId, String priority) {
        return new OpenMessage(tunnel, Protocol.KIND_HTTP, remote, requestId, method, target, List.copyOf(headers),
                deliveryId, priority);
    }

    @JsonIgnore
    public boolean isDelivery() {
        return deliveryId != null;
    }

    @JsonIgnore
    public boolean isHttp() {
        return Protocol.KIND_HTTP.equals(kind);
    }

    /** Checks the fields a receiver relies on. */
    public void validate() throws ProtocolException {
        if (tunnel == null || tunnel.isEmpty()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "OPEN without a tunnel name");
        }
        if (Protocol.KIND_HTTP.equals(kind)) {
            if (method == null || method.isEmpty() || target == null || target.isEmpty() || headers == null
                    || headers.stream().anyMatch(java.util.Objects::isNull)) {
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "HTTP OPEN needs method, target and headers (no null header)");
            }
        } else if (!Protocol.KIND_TCP.equals(kind)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "OPEN of unknown kind " + kind);
        }
    }

    /** @return the first value of a header (case-insensitive), or {@code null}. */
    public String header(String name) {
        if (headers != null) {
            for (Header h : headers) {
                if (h.name().equalsIgnoreCase(name)) {
                    return h.value();
                }
            }
        }
        return null;
    }

    public OpenMessage {
        Objects.requireNonNull(kind, "kind");
    }
}
