package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Protocol;
import dev.portway.desktop.engine.local.LocalLeg;
import org.slf4j.MDC;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * Starts the work for each new stream on its own virtual thread: HTTP requests (and upgrades) and
 * TCP connections to the local service.
 *
 * @param local          the engine's local leg: HTTP to the local apps as received, pooled keep-alive (owned by the
 *                       engine, closed with it)
 * @param connectTimeout how long the local service may take to accept a connection
 * @param report         receives one {@link RequestEvent} per finished request or connection
 * @param breakers       told the outcome of every live stream (admitted by {@link Session.Events#admit})
 * @param deliveries     takes the streams that deliver from the relay's durable queue
 * @param captureLimit   bytes of each HTTP body kept for the inspector ({@link EngineConfig#captureLimit()})
 * @param telemetry      traces each forwarded HTTP request ({@link EngineTracing})
 */
record StreamHandlers(LocalLeg local, Duration connectTimeout, Consumer<RequestEvent> report, Breakers breakers,
                      DeliveryAcceptor deliveries, int captureLimit, dev.portway.shared.tracing.Telemetry telemetry) {

    void start(Stream stream) {
        Thread.ofVirtual().name("portway-stream-" + stream.id).start(() -> run(stream));
    }

    /** A live request or connection finished: counts it for the tunnel's breaker, then reports it. */
    void finished(RequestEvent e) {
        breakers.record(e.tunnel(), Breakers.isFailure(e.error(), e.status()));
        report.accept(e);
    }

    private void run(Stream stream) {
        MDC.put("tunnel", stream.open.tunnel());
        MDC.put("stream", String.valueOf(stream.id));
        try {
            if (stream.open.isDelivery()) {
                deliveries.accept(stream);
            } else if (stream.spec.folder() != null) {
                finished(ShareHook.serve(stream, captureLimit())); // a shared folder: answered here, no local app
            } else if (Protocol.KIND_TCP.equals(stream.open.kind())) {
                new TcpStreamHandler(this, stream).run();
            } else {
                new HttpStreamHandler(this, stream).run();
            }
        } catch (RuntimeException e) {
            Session.LOG.error("stream {} failed", stream.id, e);
            if (!stream.open.isDelivery()) {
                breakers.record(stream.open.tunnel(), false); // a fault in Portway says nothing about the local app
            }
            stream.sendRst(ErrorCode.INTERNAL, "Portway failed on this request: " + e);
        } finally {
            MDC.clear();
        }
    }
}
