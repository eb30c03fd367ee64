package dev.portway.shared.tracing;

import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.OpenMessage;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.context.Context;

import java.util.List;

/**
 * The span of one tunnel request on one side (the relay's SERVER span, the engine's CLIENT span), with the attributes
 * both share: {@code http.request.method}, {@code url.path} (never the query: it may carry secrets),
 * {@code portway.tunnel}, {@code portway.request_id}, then {@code http.response.status_code}; a 5xx or a failure makes
 * its status ERROR. Ends once. Not thread-safe: one side's request runs on one thread or event loop at a time.
 */
public final class RequestSpan {
    /** The span when tracing is off: every method does nothing (headers pass unchanged). */
    public static final RequestSpan NONE = new RequestSpan(Span.getInvalid());
    public static final String TUNNEL = "portway.tunnel";
    public static final String USER = "portway.user";
    public static final String REQUEST_ID = "portway.request_id";

    private final Span span;
    private boolean ended;

    private RequestSpan(Span span) {
        this.span = span;
    }

    /**
     * Starts the span of the request {@code open} carries, as a child of {@code parent} (the root context: a new
     * trace). {@link #NONE} when tracing is off.
     */
    public static RequestSpan start(Telemetry telemetry, String scope, SpanKind kind, Context parent, OpenMessage open) {
        return start(telemetry, scope, kind, parent, open.method(), open.target(), open.tunnel())
                .attribute(REQUEST_ID, open.requestId());
    }

    /** Starts the span of a request for tunnel {@code tunnel}; {@link #NONE} when tracing is off. */
    public static RequestSpan start(Telemetry telemetry, String scope, SpanKind kind, Context parent, String method,
                                    String target, String tunnel) {
        if (!telemetry.enabled()) {
            return NONE;
        }
        String t = target == null ? "" : target;
        int q = t.indexOf('?');
        Span span = telemetry.tracer(scope).spanBuilder(method == null ? "HTTP" : method)
                .setSpanKind(kind)
                .setParent(parent)
                .setAttribute("http.request.method", method)
                .setAttribute("url.path", q < 0 ? t : t.substring(0, q))
                .setAttribute(TUNNEL, tunnel)
                .startSpan();
        return new RequestSpan(span);
    }

    public RequestSpan attribute(String key, String value) {
        if (value != null) {
            span.setAttribute(key, value);
        }
        return this;
    }

    public RequestSpan attribute(String key, long value) {
        span.setAttribute(key, value);
        return this;
    }

    /**
     * These request headers as they go on: {@code traceparent} (and {@code tracestate}) name this span. With tracing
     * off, unchanged.
     */
    public List<Header> propagate(List<Header> headers) {
        return this == NONE ? headers : Telemetry.propagate(headers, Context.root().with(span));
    }

    /** The status the other side got (0: none, the request ended without an answer). A 5xx is an error. */
    public void status(int status) {
        if (status > 0) {
            span.setAttribute("http.response.status_code", status);
            if (status >= 500) {
                span.setAttribute("error.type", Integer.toString(status));
                span.setStatus(StatusCode.ERROR);
            }
        }
    }

    /** The request failed: {@code type} (an error code) and why. */
    public void failed(String type, String message) {
        span.setAttribute("error.type", type);
        span.setStatus(StatusCode.ERROR, message == null ? "" : message);
    }

    public void end() {
        if (!ended) {
            ended = true;
            span.end();
        }
    }

    public Span span() {
        return span;
    }
}
