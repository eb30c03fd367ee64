package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.tracing.RequestSpan;
import dev.portway.shared.tracing.Telemetry;
import io.opentelemetry.api.trace.SpanKind;

/**
 * The engine's span per forwarded HTTP request (issue 16; README "Tracing"), a child of the relay's span named by the
 * OPEN's {@code traceparent}. CLIENT kind: the engine serves nothing itself, it is the hop that calls the local app
 * (whose own SERVER span is then this one's child, as the app gets this span's {@code traceparent}). Attributes:
 * those of {@link RequestSpan}, {@code portway.user} (from the relay's welcome), {@code server.address} and {@code server.port} of the local target; ERROR on a
 * 5xx and when the local app could not be reached or broke off. Configured by the process's {@code OTEL_*} variables,
 * {@code OTEL_SERVICE_NAME} defaulting to {@value #SERVICE}; off unless they ask for it. Stateless.
 */
public final class EngineTracing {
    /** {@code OTEL_SERVICE_NAME} unless set. */
    public static final String SERVICE = "portway-engine";
    static final String SCOPE = "dev.portway.engine";

    private EngineTracing() {
    }

    /** The process's tracing from its {@code OTEL_*} variables (the CLI's and the desktop app's engines). */
    static Telemetry fromEnvironment() {
        return Telemetry.fromEnvironment(SERVICE);
    }

    /** @param user the session's user (the tunnel owner), or null when the relay did not say */
    static RequestSpan start(Telemetry telemetry, OpenMessage open, TunnelSpec spec, String user) {
        if (!telemetry.enabled()) {
            return RequestSpan.NONE;
        }
        return RequestSpan.start(telemetry, SCOPE, SpanKind.CLIENT, Telemetry.extract(open.headers()), open)
                .attribute(RequestSpan.USER, user)
                .attribute("server.address", spec.localHost())
                .attribute("server.port", spec.localPort());
    }

    /** The request is over: the local app's status (0: none), or why it failed. */
    static void end(RequestSpan span, int status, ErrorCode error, String message) {
        span.status(status);
        if (error != null) {
            span.failed(error.wireName(), message);
        }
        span.end();
    }
}
