package dev.portway.relay.ingress;

import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.relay.metrics.RelayMetrics.Kind;
import dev.portway.relay.metrics.RelayMetrics.Outcome;
import dev.portway.relay.metrics.RelayMetrics.Refusal;
import dev.portway.relay.tunnel.VisitorProtection;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

/**
 * The limits a visitor's request head must meet before it is routed: the relay-wide ones (relay-lite/README.md,
 * "Visitor limits") and the protection of the tunnel it is for (PROTOCOL.md §4.1). Each check counts its refusal
 * in the metrics and returns the page to answer with, or null when the request may go on. Thread-safe (the gate is).
 */
final class VisitorChecks {
    private final VisitorGate gate;
    private final RelayMetrics metrics;

    VisitorChecks(VisitorGate gate, RelayMetrics metrics) {
        this.gate = gate;
        this.metrics = metrics;
    }

    private void rejected() {
        metrics.request(Kind.HTTP, Outcome.REJECTED);
    }

    /**
     * Header count (431), the visitor's request rate (429) and a declared body size (413); the caller closes the
     * connection after the page.
     */
    FullHttpResponse overLimits(Channel ch, HttpRequest req) {
        VisitorLimits limits = gate.limits();
        if (req.headers().size() > limits.maxHeaderCount()) {
            metrics.refused(Refusal.HEADER_SIZE);
            return Pages.page(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Too many header fields",
                    "This request has " + req.headers().size() + " header fields; this relay accepts "
                            + limits.maxHeaderCount() + ".", null);
        }
        var rate = gate.rate(gate.visitor(ch, req.headers()));
        if (!rate.allowed()) {
            rejected();
            return HttpIngressHandler.withRetry(Pages.page(HttpResponseStatus.TOO_MANY_REQUESTS, "Too many requests",
                    "This address sent more than " + limits.ratePerMinute() + " requests in a minute.",
                    "Try again in " + rate.retryAfterSeconds() + " s."), (int) rate.retryAfterSeconds());
        }
        long length = HttpUtil.getContentLength(req, -1L);
        if (length > limits.maxBodyBytes()) {
            metrics.refused(Refusal.BODY_SIZE);
            rejected();
            return bodyTooLargePage();
        }
        return null;
    }

    FullHttpResponse bodyTooLargePage() {
        return Pages.page(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "Request too large",
                "This relay accepts request bodies of at most " + gate.limits().maxBodyBytes() + " bytes.",
                "Send a smaller request.");
    }

    /** The tunnel's protection: still being loaded (503), IP lists (403), then basic auth (401). */
    FullHttpResponse refusedByProtection(Channel ch, VisitorProtection protection, HttpRequest req, String name) {
        if (protection.isPending()) {
            rejected();
            return HttpIngressHandler.reconnecting();
        }
        if (!protection.admits(gate.visitor(ch, req.headers()))) {
            metrics.refused(Refusal.IP_LIST);
            rejected();
            return forbidden(name);
        }
        if (!protection.authorized(req.headers().get(HttpHeaderNames.AUTHORIZATION))) {
            metrics.refused(Refusal.BASIC_AUTH);
            rejected();
            return unauthorized(name);
        }
        return null;
    }

    static FullHttpResponse forbidden(String name) {
        return Pages.page(HttpResponseStatus.FORBIDDEN, "Forbidden", "The tunnel " + name + " does not accept visitors "
                + "from your address.", "Ask its owner to allow your address.");
    }

    static FullHttpResponse unauthorized(String name) {
        FullHttpResponse r = Pages.page(HttpResponseStatus.UNAUTHORIZED, "Sign-in required",
                "The tunnel " + name + " needs a user name and password.", "Ask its owner for them.");
        r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Basic realm=\"" + name + "\", charset=\"UTF-8\"");
        return r;
    }
}
