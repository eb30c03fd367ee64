package dev.portway.relay.ingress;

import dev.portway.relay.tunnel.VisitorProtection;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;

import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** How a visitor's request head becomes the OPEN of a stream (PROTOCOL.md §6.1). Stateless. */
final class TunnelRequests {
    /** The OPEN, and the request's correlation id (X-Request-Id), which every answer to it carries. */
    record Prepared(OpenMessage open, String correlation) {
    }

    private TunnelRequests() {
    }

    /** End-to-end headers, X-Forwarded-*, Portway-Request-Id and X-Request-Id. */
    static Prepared open(HttpRequest req, String name, String target, boolean upgrade, Channel visitor, String publicScheme) {
        java.net.SocketAddress peer = ProxyProtocol.remote(visitor); // with --proxy-protocol, the balancer's header's
        String remote = peer instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "unknown";
        String remoteAddress = peer instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : "unknown";
        String requestId = RequestIds.next();
        String correlation = RequestIds.correlation(req.headers().get(RequestIds.CORRELATION_HEADER), requestId);
        // TE: trailers goes on from an HTTP/1.1 (or h2) visitor: it can take a chunked trailer section (§3.2)
        List<Header> headers = new ArrayList<>(HopByHop.endToEnd(req.headers(), upgrade,
                req.protocolVersion().equals(io.netty.handler.codec.http.HttpVersion.HTTP_1_1)));
        String xff = String.join(", ", req.headers().getAll("X-Forwarded-For"));
        headers.removeIf(h -> h.name().equalsIgnoreCase("X-Forwarded-For") || h.name().equalsIgnoreCase("X-Forwarded-Proto")
                || h.name().equalsIgnoreCase("X-Forwarded-Host") || h.name().equalsIgnoreCase(Protocol.REQUEST_ID_HEADER)
                || h.name().equalsIgnoreCase(Protocol.DELIVERY_ID_HEADER) || h.name().equalsIgnoreCase(RequestIds.CORRELATION_HEADER));
        headers.add(new Header("X-Forwarded-For", xff.isEmpty() ? remote : xff + ", " + remote));
        headers.add(new Header("X-Forwarded-Proto", publicScheme));
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            headers.add(new Header("X-Forwarded-Host", host));
        }
        headers.add(new Header(Protocol.REQUEST_ID_HEADER, requestId));
        headers.add(new Header(RequestIds.CORRELATION_HEADER, correlation));
        return new Prepared(OpenMessage.http(name, remoteAddress, requestId, req.method().name(), target, headers), correlation);
    }

    /** With basic auth on the tunnel, the visitor's credentials are the relay's business, not the app's. */
    static OpenMessage withoutCredentials(OpenMessage open, VisitorProtection protection) {
        if (!protection.hasBasicAuth()) {
            return open;
        }
        List<Header> headers = new ArrayList<>(open.headers());
        headers.removeIf(h -> h.name().equalsIgnoreCase("Authorization"));
        return new OpenMessage(open.tunnel(), open.kind(), open.remote(), open.requestId(), open.method(), open.target(),
                List.copyOf(headers), open.deliveryId(), open.priority());
    }

    /** About the bytes of the request head, for the held requests' byte bound. */
    static long headBytes(HttpRequest req) {
        long n = req.method().name().length() + req.uri().length() + 12;
        for (Map.Entry<String, String> h : req.headers()) {
            n += h.getKey().length() + h.getValue().length() + 4;
        }
        return n;
    }
}
