package dev.portway.desktop.engine;

import dev.portway.desktop.engine.Stream.StreamResetException;
import dev.portway.desktop.engine.local.LocalBody;
import dev.portway.desktop.engine.local.LocalCall;
import dev.portway.desktop.engine.local.LocalCall.Framing;
import dev.portway.desktop.engine.local.LocalResponse;
import dev.portway.desktop.engine.local.RequestHead;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import dev.portway.shared.stream.HopByHop;
import dev.portway.shared.tracing.RequestSpan;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One HTTP stream (PROTOCOL.md §6.1, §6.2): forwards the visitor's request to the local service as it was received
 * ({@link RequestHead}: method, exact target, headers in order; only hop-by-hop fields go and, with host rewrite,
 * Host changes) over the engine's {@link dev.portway.desktop.engine.local.LocalLeg}, streaming the body from the
 * stream's inbound DATA, and sends the response back as REPLY, DATA and FIN. A response that ends early ends the
 * stream with RST {@code target_error} after the bytes that came, never FIN. A request asking to upgrade that gets 101
 * becomes a byte pipe ({@link UpgradePipe}). Runs on the stream's virtual thread; never holds a whole body in memory.
 */
final class HttpStreamHandler {
    private final StreamHandlers ctx;
    private final Stream stream;
    private final OpenMessage open;
    private final boolean upgrade;
    private long bytesIn;
    private long bytesOut;
    private final BodyCapture requestCapture;
    private final BodyCapture responseCapture;
    private String reason = "";
    private List<Header> responseHeaders = List.of();
    private final RequestSpan span;
    private int interims;

    HttpStreamHandler(StreamHandlers ctx, Stream stream) {
        this.ctx = ctx;
        this.stream = stream;
        this.open = stream.open;
        this.upgrade = HopByHop.isUpgrade(open.headers());
        // An upgrade's bytes are not bodies: headers only.
        this.requestCapture = new BodyCapture(upgrade ? 0 : ctx.captureLimit());
        this.responseCapture = new BodyCapture(upgrade ? 0 : ctx.captureLimit());
        this.span = EngineTracing.start(ctx.telemetry(), open, stream.spec, stream.user());
    }

    void run() {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        int status = 0;
        ErrorCode error = null;
        String errorMessage = null;
        // the app's traceparent names the engine's span (EngineTracing), so the app's own spans join the trace
        List<Header> headers = span.propagate(forwardedHeaders(open.headers(), upgrade, stream.spec, stream.trailers()));
        String problem = new RequestHead(open.method(), open.target(), headers).problem();
        if (problem != null) {
            // Never reaches the app, and says nothing about it: not counted by the breaker (status 0, protocol_error).
            error = ErrorCode.PROTOCOL_ERROR;
            errorMessage = "Portway did not forward this request: " + problem;
            stream.sendRst(error, errorMessage);
            Session.LOG.debug("{} refused: {}", open.method(), errorMessage);
            ctx.finished(event(started, t0, status, error, errorMessage, false));
            return;
        }
        Framing framing = Framing.NONE;
        try {
            framing = framing(headers);
            if (framing == Framing.CHUNKED) {
                headers.add(new Header("Transfer-Encoding", "chunked")); // the relay sent the body decoded
            } else if (framing == Framing.NONE && !upgrade) {
                stream.discardInbound();
            }
        } catch (IOException e) {
            error = stream.isAborted() ? stream.abortCode() : ErrorCode.CANCEL;
            errorMessage = "The visitor or the relay went away before the request was complete.";
            ctx.finished(event(started, t0, status, error, errorMessage, false));
            return;
        }
        LocalCall call = ctx.local().call(stream.spec.localHost(), stream.spec.localPort(), stream.spec.localH2c()).onInterim(this::interim);
        stream.onAbort(call::abort);
        try {
            LocalResponse response = call.send(new RequestHead(open.method(), open.target(), headers), framing, new InboundBody());
            status = response.status();
            reason = response.reason();
            responseHeaders = response.headers();
            if (upgrade && status == 101) {
                stream.sendReply(ReplyMessage.http(101, reason, HopByHop.strip(responseHeaders, true)));
                call.upgrade();
                long[] counts = new UpgradePipe(stream, call).run();
                bytesIn = counts[0];
                bytesOut = counts[1];
            } else {
                // an h2 head that ended its stream has no body: REPLY with END (gRPC's trailers-only answer stays one HEADERS)
                boolean body = hasBody(open.method(), status) && !call.atEnd();
                stream.sendReply(ReplyMessage.http(status, reason, HopByHop.strip(responseHeaders)), !body);
                copyBody(call, body);
                // no-op when the last DATA (or the REPLY) ended the stream; else with the app's trailers (§3.2)
                stream.sendFin(body ? responseTrailers(call) : List.of());
                if (upgrade) {
                    stream.abandonInbound();
                } else {
                    stream.discardInbound(); // request bytes the local app did not read
                }
            }
        } catch (IOException e) {
            if (e instanceof TooManyInterim) {
                error = ErrorCode.TARGET_ERROR;
                errorMessage = e.getMessage();
                Session.LOG.warn("stream {} reset: {}", stream.id, errorMessage);
                stream.sendRst(error, errorMessage);
            } else if (stream.isAborted() || e instanceof StreamResetException) {
                error = stream.isAborted() ? stream.abortCode() : ((StreamResetException) e).code;
                errorMessage = "The visitor or the relay went away before the response was complete.";
            } else if (status == 0) {
                LocalErrors local = LocalErrors.of(e, stream.localTarget(), ctx.connectTimeout());
                error = local.code();
                errorMessage = local.message();
                stream.sendRst(error, errorMessage);
            } else {
                // After the bytes that came, RST (not FIN): the relay ends the visitor's response as truncated.
                error = ErrorCode.TARGET_ERROR;
                errorMessage = stream.localTarget() + " broke the connection during the response: " + e.getMessage();
                stream.sendRst(error, errorMessage);
            }
            Session.LOG.debug("{} {}: {}", open.method(), open.target(), errorMessage);
        } finally {
            call.close();
        }
        ctx.finished(event(started, t0, status, error, errorMessage, true));
    }

    private RequestEvent event(Instant started, long t0, int status, ErrorCode error, String errorMessage, boolean captured) {
        EngineTracing.end(span, status, error, errorMessage);
        String id = open.requestId() != null ? open.requestId() : "s" + stream.id;
        // Captured headers are the OPEN's (what the relay sent), as the inspector has always shown them.
        CapturedExchange exchange = new CapturedExchange(open.headers(), upgrade ? CapturedBody.EMPTY : requestCapture.result(),
                reason, responseHeaders, upgrade ? CapturedBody.EMPTY : responseCapture.result());
        return new RequestEvent(id, open.tunnel(), open.method(), open.target(), status,
                Duration.ofNanos(System.nanoTime() - t0), bytesIn, bytesOut, error, errorMessage, started, captured ? exchange : null);
    }

    /**
     * The fields the local app gets: the OPEN's, in order, without hop-by-hop ones; with host rewrite on, Host (in
     * place) names the local target. Nothing is added here.
     */
    static List<Header> forwardedHeaders(List<Header> received, boolean upgrade, TunnelSpec spec) {
        return forwardedHeaders(received, upgrade, spec, false);
    }

    /**
     * As {@link #forwardedHeaders(List, boolean, TunnelSpec)}; with {@code trailers} (the relay agreed to carry
     * trailers, PROTOCOL.md §3.2) a visitor's {@code TE: trailers} reaches the app: gRPC servers insist on it.
     */
    static List<Header> forwardedHeaders(List<Header> received, boolean upgrade, TunnelSpec spec, boolean trailers) {
        List<Header> out = new ArrayList<>(HopByHop.strip(received, upgrade, trailers));
        if (spec.rewritesHost()) {
            boolean found = false;
            for (int i = 0; i < out.size(); i++) {
                if (out.get(i).name().equalsIgnoreCase("Host")) {
                    if (found) {
                        out.remove(i--);
                    } else {
                        out.set(i, new Header(out.get(i).name(), spec.localTarget()));
                        found = true;
                    }
                }
            }
            if (!found) {
                out.addFirst(new Header("Host", spec.localTarget()));
            }
        }
        return out;
    }

    /**
     * How the body goes to the app: as sent with the visitor's Content-Length; chunked when there is none and DATA
     * comes before FIN; else none. An upgrade request has no body (and no FIN follows its OPEN).
     */
    private Framing framing(List<Header> headers) throws IOException {
        if (upgrade) {
            return Framing.NONE;
        }
        for (Header h : headers) {
            if (h.name().equalsIgnoreCase("Content-Length")) {
                return Framing.LENGTH;
            }
        }
        // trailers without a body still need the chunked framing that carries them
        return stream.inbound.awaitAny() || !stream.inbound.trailers().isEmpty() ? Framing.CHUNKED : Framing.NONE;
    }

    /** Copies the response body into DATA frames as it arrives: a slow or event-stream body waits for no full frame. */
    private void copyBody(LocalCall call, boolean send) throws IOException {
        byte[] buf = new byte[FrameCodec.MAX_PAYLOAD];
        int n;
        while ((n = call.read(buf)) != -1) {
            if (!send) {
                continue; // a body where none may be (HEAD, 204, 304): dropped
            }
            responseCapture.add(buf, 0, n); // before the write: the write hands buf on and we reuse it
            // the body's last bytes end the stream in the same frame, unless trailers follow on the FIN
            stream.sendData(buf, 0, n, call.atEnd() && responseTrailers(call).isEmpty());
            bytesOut += n;
        }
    }

    /** The app's response trailers a proxy may pass on, when the relay carries them (PROTOCOL.md §3.2). */
    private List<Header> responseTrailers(LocalCall call) {
        return stream.trailers() ? HopByHop.trailers(call.trailers(), responseHeaders) : List.of();
    }

    /** An interim answer from the app (103 Early Hints…): passed on as an interim REPLY, at most a few per stream. */
    private void interim(dev.portway.desktop.engine.local.LocalResponse head) throws IOException {
        if (++interims > dev.portway.shared.protocol.Protocol.MAX_INTERIM) {
            throw new TooManyInterim(stream.localTarget() + " sent more than " + dev.portway.shared.protocol.Protocol.MAX_INTERIM
                    + " interim responses (1xx) before its final one");
        }
        stream.sendInterim(ReplyMessage.http(head.status(), head.reason(), HopByHop.strip(head.headers())));
    }

    /** The app kept sending interim answers: the stream is reset rather than relay them without end. */
    private static final class TooManyInterim extends IOException {
        TooManyInterim(String message) {
            super(message);
        }
    }

    static boolean hasBody(String method, int status) {
        return !"HEAD".equals(method) && status >= 200 && status != 204 && status != 304;
    }

    /** The request body, read from the stream's inbound DATA until FIN; credit is granted back once each chunk is sent. */
    private final class InboundBody implements LocalBody {
        @Override
        public ByteBuffer next() throws IOException {
            ByteBuffer chunk = stream.inbound.take();
            if (chunk != null) {
                requestCapture.add(chunk);
                bytesIn += chunk.remaining();
            }
            return chunk;
        }

        @Override
        public void sent(int n) {
            stream.consumed(n);
        }

        @Override
        public List<Header> trailers() {
            return HopByHop.trailers(stream.inbound.trailers(), open.headers());
        }
    }
}
