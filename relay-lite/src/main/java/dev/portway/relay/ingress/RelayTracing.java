package dev.portway.relay.ingress;

import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.tracing.RequestSpan;
import dev.portway.shared.tracing.Telemetry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.context.Context;

import java.util.ArrayList;
import java.util.List;

/**
 * The relay's span per visitor request to a tunnel (issue 16; README "Tracing"): SERVER kind, from the request head
 * until the response is done (for an upgrade, until the connection closes). A visitor's {@code traceparent} and
 * {@code tracestate} are its parent only with {@code --trust-proxy} (a trusted proxy in front started the trace);
 * otherwise the span starts a new trace and the visitor's fields are dropped. Either way the OPEN carries the
 * relay span's {@code traceparent} on to the engine. With tracing off nothing changes: the visitor's fields pass on
 * as they came. Stateless.
 */
public final class RelayTracing {
    /** {@code OTEL_SERVICE_NAME} unless set. */
    public static final String SERVICE = "portway-relay";
    static final String SCOPE = "dev.portway.relay";

    private RelayTracing() {
    }

    /** Starts the span of a visitor request for tunnel {@code name}; {@code user} is the tunnel owner's, if known. */
    static RequestSpan start(Telemetry telemetry, boolean trustProxy, HttpRequest req, String name, String user) {
        if (!telemetry.enabled()) {
            return RequestSpan.NONE;
        }
        Context parent = trustProxy ? Telemetry.extract(traceFields(req)) : Context.root();
        String host = req.headers().get(HttpHeaderNames.HOST);
        return RequestSpan.start(telemetry, SCOPE, SpanKind.SERVER, parent, req.method().name(), req.uri(), name)
                .attribute(RequestSpan.USER, user)
                .attribute("server.address", host == null ? null : hostOnly(host));
    }

    /** The OPEN as it goes to the engine: its {@code traceparent} names the relay's span. */
    static OpenMessage forward(RequestSpan span, OpenMessage open) {
        if (span == RequestSpan.NONE) {
            return open;
        }
        span.attribute(RequestSpan.REQUEST_ID, open.requestId());
        return new OpenMessage(open.tunnel(), open.kind(), open.remote(), open.requestId(), open.method(), open.target(),
                List.copyOf(span.propagate(open.headers())), open.deliveryId(), open.priority());
    }

    private static List<Header> traceFields(HttpRequest req) {
        List<Header> out = new ArrayList<>(2);
        for (String name : List.of(Telemetry.TRACEPARENT, Telemetry.TRACESTATE)) {
            String v = req.headers().get(name);
            if (v != null) {
                out.add(new Header(name, v));
            }
        }
        return out;
    }

    /** {@code example.com:8080} → {@code example.com}; {@code [::1]:80} → {@code ::1}. */
    static String hostOnly(String host) {
        String h = host.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end < 0 ? h : h.substring(1, end);
        }
        int colon = h.indexOf(':');
        return colon < 0 ? h : h.substring(0, colon);
    }
}
