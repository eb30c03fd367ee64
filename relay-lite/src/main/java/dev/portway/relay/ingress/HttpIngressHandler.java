package dev.portway.relay.ingress;

import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.relay.metrics.RelayMetrics.Kind;
import dev.portway.relay.metrics.RelayMetrics.Outcome;
import dev.portway.relay.metrics.RelayMetrics.Refusal;
import dev.portway.relay.tunnel.VisitorProtection;
import dev.portway.relay.queue.HeldRequest;
import dev.portway.relay.queue.HeldRequests;
import dev.portway.relay.tunnel.ClientEndpoint;
import dev.portway.relay.tunnel.Reservation;
import dev.portway.relay.tunnel.TunnelBackend;
import dev.portway.relay.tunnel.TunnelStream;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.tracing.RequestSpan;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * The visitor side of the relay's HTTP port: routes each request (see {@link Router}) to a tunnel, to the
 * client WebSocket endpoint, or to the relay's own pages. One instance per connection; every method runs
 * on that connection's event loop. Requests are handled one at a time: the next is not read until the
 * current response is done.
 *
 * <p>A request for a tunnel whose client is away is either held (its head; reading stops, so its body
 * stays in the socket) until the client is back or the hold runs out, or — for a queued tunnel and a
 * matching request — read whole by a {@link QueueIntake} and stored (PROTOCOL.md §9).
 */
public final class HttpIngressHandler extends ChannelInboundHandlerAdapter {
    private final IngressContext ictx;
    private final VisitorGate gate;
    private final VisitorChecks checks;
    private ChannelHandlerContext ctx;
    /** Body bytes of the current request so far (against {@link VisitorLimits#maxBodyBytes()}). */
    private long bodyBytes;
    /** The request being proxied, or null. */
    private HttpExchange exchange;
    /** The request held while its tunnel's client reconnects, or null. */
    private HeldRequest waiting;
    /** The request being read whole to be stored for a queued tunnel, or null. */
    private QueueIntake intake;
    /** Swallowing the body of a request the relay answered itself. */
    private boolean discarding;
    private boolean closeAfterDiscard;
    private boolean webSocket;
    /** This connection counts in {@code tunnel_active_connections} (a visitor's, not yet a client's WebSocket). */
    private boolean counted;
    /** A health response waits for the store check; later requests wait behind it. */
    private boolean checkingHealth;
    /** The correlation id of the tunnel request being answered (returned as X-Request-Id on every answer), or null. */
    private String correlation;
    /** The span of the tunnel request being answered ({@link RelayTracing}), or NONE. */
    private RequestSpan span = RequestSpan.NONE;
    /** Objects of a pipelined next request, read before the current response was done (one socket read at most). */
    private final ArrayDeque<Object> held = new ArrayDeque<>();

    public HttpIngressHandler(IngressContext ictx, VisitorGate gate) {
        this.ictx = ictx;
        this.gate = gate;
        this.checks = new VisitorChecks(gate, ictx.sessions().metrics());
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** Taken out of a connection that went on as HTTP/2 (h2c Upgrade): from now on its streams count, not it. */
    @Override
    public void handlerRemoved(ChannelHandlerContext c) {
        if (counted) {
            counted = false;
            metrics().connectionClosed(Kind.HTTP);
        }
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        counted = true;
        metrics().connectionOpened(Kind.HTTP);
        c.fireChannelActive();
    }

    RelayMetrics metrics() {
        return ictx.sessions().metrics();
    }

    /** What visitor handlers share (the exchange's response rewriting reads the tunnel's options from it). */
    IngressContext context() {
        return ictx;
    }

    private void rejected() {
        metrics().request(Kind.HTTP, Outcome.REJECTED);
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        if (webSocket) {
            if (msg instanceof HttpContent) {
                ReferenceCountUtil.release(msg); // the end of the handshake request
            } else {
                c.fireChannelRead(msg);
            }
            return;
        }
        if (exchange != null && exchange.upgraded()) {
            exchange.visitorBytes(msg);
            return;
        }
        if (mustWait() || !held.isEmpty()) {
            held.add(msg);
            return;
        }
        handle(msg);
    }

    private void handle(Object msg) {
        if (msg instanceof HttpRequest req) {
            onRequest(req);
        }
        if (msg instanceof HttpContent content) {
            if (!discarding && (bodyBytes += content.content().readableBytes()) > gate.limits().maxBodyBytes()) {
                bodyTooLarge(content);
                return;
            }
            if (exchange != null && !exchange.requestDone()) {
                exchange.requestBody(content);
            } else if (intake != null && intake.accept(content)) {
                return;
            } else {
                content.release();
                if (content instanceof LastHttpContent && discarding) {
                    discarding = false;
                    if (closeAfterDiscard) {
                        ctx.close();
                    }
                }
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onRequest(HttpRequest req) {
        bodyBytes = 0;
        correlation = null;
        if (req.decoderResult().isFailure()) {
            RequestHead.Refusal refusal = RequestHead.decoderFailure(req.decoderResult().cause(), gate.limits().maxHeaderBytes());
            if (refusal.status().code() != HttpResponseStatus.BAD_REQUEST.code()) {
                metrics().refused(Refusal.HEADER_SIZE);
            }
            respond(refusal.page(), false);
            return;
        }
        RequestHead.Refusal refusal = RequestHead.check(req); // an absolute-form target becomes origin-form here
        if (refusal != null) {
            rejected();
            respond(refusal.page(), false);
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        String domain = ictx.sessions().config().domain();
        Router.Route route = Router.route(req.headers().get(HttpHeaderNames.HOST), req.uri(), domain);
        FullHttpResponse over = checks.overLimits(ctx.channel(), req);
        if (over != null) {
            respond(over, false); // the clients' endpoint too: a flood of hellos from one address is refused here
            return;
        }
        if (RequestHead.verdict(req) == RequestHead.Verdict.SERVER_OPTIONS) {
            respond(RelayEndpoints.serverOptions(), keepAlive);
            return;
        }
        switch (route) {
            case Router.Route.ToTunnel t -> proxy(req, t.name(), t.target(), keepAlive);
            case Router.Route.Connect ignored -> connect(req);
            case Router.Route.Health ignored -> health(keepAlive);
            case Router.Route.Metrics ignored -> respond(RelayEndpoints.metrics(metrics()), keepAlive);
            case Router.Route.Landing ignored -> respond(RelayEndpoints.landing(domain), keepAlive);
            case Router.Route.NotFound ignored -> respond(RelayEndpoints.notFound(req.uri(), domain), keepAlive);
        }
    }

    /** A body without (or beyond) a Content-Length grew past the limit: 413 if nothing was answered yet, and close. */
    private void bodyTooLarge(HttpContent content) {
        content.release();
        metrics().refused(Refusal.BODY_SIZE);
        discarding = true;
        closeAfterDiscard = true;
        if (exchange != null) {
            HttpExchange ex = exchange;
            exchange = null;
            ex.bodyTooLarge(checks.bodyTooLargePage());
        } else if (intake != null) {
            intake.visitorGone();
            intake = null;
            ctx.writeAndFlush(checks.bodyTooLargePage()).addListener(ChannelFutureListener.CLOSE);
        } else {
            ctx.close();
        }
    }

    /**
     * The tunnel's protection (PROTOCOL.md §4.1); answers when the visitor may not pass.
     *
     * @return true when the visitor may reach the tunnel
     */
    private boolean passes(VisitorProtection protection, HttpRequest req, String name, boolean keepAlive) {
        FullHttpResponse refusal = checks.refusedByProtection(ctx.channel(), protection, req, name);
        if (refusal != null) {
            respond(refusal, keepAlive);
        }
        return refusal == null;
    }

    /**
     * Liveness (this answer at all) and readiness: 503 when the store does not answer. The store check runs on
     * the store's executor and is cached briefly; while it runs, reading stops and later requests wait.
     */
    private void health(boolean keepAlive) {
        var ready = ictx.storeProbe().check();
        if (ready.isDone()) {
            respondHealth(ready.join(), keepAlive);
            return;
        }
        checkingHealth = true;
        ctx.channel().config().setAutoRead(false);
        ready.thenAccept(ok -> onVisitorLoop(() -> {
            checkingHealth = false;
            if (ctx.channel().isActive()) {
                respondHealth(ok, keepAlive);
                readOn();
            }
        }));
    }

    private void respondHealth(boolean storeOk, boolean keepAlive) {
        respond(RelayEndpoints.health(ictx, storeOk), keepAlive);
    }

    private void proxy(HttpRequest req, String name, String target, boolean keepAlive) {
        var registry = ictx.sessions().registry();
        Tunnel<?> tunnel = registry.lookup(name);
        span = RelayTracing.start(ictx.telemetry(), gate.limits().trustProxy(), req, name, tunnel == null ? null : tunnel.user());
        if (tunnel != null && Protocol.KIND_HTTP.equals(tunnel.kind()) && !passes(tunnel.protection(), req, name, keepAlive)) {
            return;
        }
        if (tunnel != null && !ictx.holds().anyWaiting()) {
            forward(tunnel, req, name, target, keepAlive);
            return;
        }
        boolean upgrade = HopByHop.isUpgrade(req.headers());
        if (tunnel == null) {
            Reservation reservation = registry.reservation(name);
            if (reservation != null && !upgrade && reservation.queue().queues(req.method().name())) {
                intake(req, name, target, keepAlive, reservation);
                return;
            }
        }
        // Not bound (or bound with held requests still being handed over): hold it (PROTOCOL.md §9.1).
        OpenMessage heldOpen = openMessage(req, name, target, upgrade);
        HttpExchange ex = new HttpExchange(this, ctx, req, keepAlive, upgrade, heldOpen, correlation);
        HeldRequest waiter = new HeldRequest(ictx.holds(), registry, name, heldOpen, ex, TunnelRequests.headBytes(req),
                new HeldVisitor(req, name, keepAlive, ex));
        switch (ictx.holds().admit(name, waiter)) {
            case HeldRequests.Admission.OpenNow now -> forward(now.tunnel(), req, name, target, keepAlive);
            case HeldRequests.Admission.Held ignored -> {
                waiting = waiter;
                ctx.channel().config().setAutoRead(false); // the body stays in the visitor's socket meanwhile
                // One read, so a visitor that gives up (closes) while held is noticed at once, not at the hold's
                // deadline; whatever that read brings waits in `held` (mustWait() is true), and nothing reads again.
                ctx.read();
                waiter.hold(ictx.sessions().config().holdTime());
            }
            case HeldRequests.Admission.Full ignored -> {
                rejected();
                respond(reconnecting(), keepAlive);
            }
            case HeldRequests.Admission.Unknown ignored -> notFound(name, keepAlive);
        }
    }

    private void notFound(String name, boolean keepAlive) {
        rejected();
        respond(Pages.page(HttpResponseStatus.NOT_FOUND, "Tunnel not found", "No tunnel named " + name + " is connected.",
                "Start Portway with a tunnel named " + name + ", or check the address."), keepAlive);
    }

    /** Carries the request over the tunnel's session now. */
    private void forward(Tunnel<?> tunnel, HttpRequest req, String name, String target, boolean keepAlive) {
        if (!Protocol.KIND_HTTP.equals(tunnel.kind())) {
            notFound(name, keepAlive);
            return;
        }
        long retryAfter = tunnel.backend().requestPermit(); // the tunnel user's requests per minute
        if (retryAfter > 0) {
            rejected();
            respond(withRetry(Pages.page(HttpResponseStatus.TOO_MANY_REQUESTS, "Too many requests",
                    "The tunnel " + name + " is getting more requests than its owner's plan on this relay allows.",
                    "Try again in " + retryAfter + " s."), (int) retryAfter), keepAlive);
            return;
        }
        boolean upgrade = HopByHop.isUpgrade(req.headers());
        OpenMessage open = TunnelRequests.withoutCredentials(openMessage(req, name, target, upgrade), tunnel.protection());
        HttpExchange ex = new HttpExchange(this, ctx, req, keepAlive, upgrade, open, correlation);
        // A request without Content-Length or Transfer-Encoding has no body (RFC 9112 §6.3): its OPEN can end the stream.
        boolean bodyless = !upgrade && !HttpUtil.isTransferEncodingChunked(req) && HttpUtil.getContentLength(req, 0L) == 0
                && !req.headers().contains(io.netty.handler.codec.http.HttpHeaderNames.TRANSFER_ENCODING);
        TunnelBackend.Opened opened = bodyless ? tunnel.backend().openFinishedStream(open, ctx.channel().eventLoop(), ex)
                : tunnel.backend().openStream(open, ctx.channel().eventLoop(), ex);
        if (opened.stream() == null) {
            rejected();
            respond(refusal(opened.refusal(), name), keepAlive);
            return;
        }
        exchange = ex;
        ex.start(opened.stream(), tunnel.backend().sessionId());
    }

    private static FullHttpResponse refusal(ErrorCode refusal, String name) {
        return refusal == ErrorCode.REFUSED_STREAM
                ? withRetry(Pages.page(HttpResponseStatus.SERVICE_UNAVAILABLE, "Tunnel busy",
                "The tunnel " + name + " has too many requests in flight.", "Try again in a moment."), 1)
                : reconnecting();
    }

    /** The OPEN for a visitor request (see {@link TunnelRequests#open}); fixes this request's correlation id. */
    private OpenMessage openMessage(HttpRequest req, String name, String target, boolean upgrade) {
        TunnelRequests.Prepared prepared = TunnelRequests.open(req, name, target, upgrade, ctx.channel(),
                ictx.sessions().config().publicScheme());
        correlation = prepared.correlation();
        return RelayTracing.forward(span, prepared.open());
    }

    // ---- held requests (PROTOCOL.md §9.1; the waiting itself is queue.HeldRequest's)

    /** This connection, as a held request sees it. Every method runs on the visitor's loop. */
    private final class HeldVisitor implements HeldRequest.Visitor {
        private final HttpRequest request;
        private final String name;
        private final boolean keepAlive;
        private final HttpExchange exchange;

        HeldVisitor(HttpRequest request, String name, boolean keepAlive, HttpExchange exchange) {
            this.request = request;
            this.name = name;
            this.keepAlive = keepAlive;
            this.exchange = exchange;
        }

        @Override
        public io.netty.channel.EventLoop loop() {
            return ctx.channel().eventLoop();
        }

        @Override
        public boolean isActive() {
            return ctx.channel().isActive();
        }

        @Override
        public OpenMessage admitted(VisitorProtection protection, OpenMessage open) {
            return passes(protection, request, name, keepAlive) ? TunnelRequests.withoutCredentials(open, protection) : null;
        }

        @Override
        public void handedOver(TunnelStream stream, String sessionId) {
            HttpIngressHandler.this.exchange = exchange;
            var bound = ictx.sessions().registry().lookup(name);
            span.attribute(RequestSpan.USER, bound == null ? null : bound.user());
            exchange.start(stream, sessionId);
        }

        @Override
        public void refused(ErrorCode refusal) {
            rejected();
            respond(HttpIngressHandler.refusal(refusal, name), keepAlive);
        }

        @Override
        public void turnedAway() {
            rejected();
            respond(reconnecting(), keepAlive);
        }

        @Override
        public void released(HeldRequest request) {
            if (waiting == request) {
                waiting = null;
            }
            readOn();
        }

        @Override
        public void close() {
            ctx.channel().close();
        }
    }

    private void onVisitorLoop(Runnable task) {
        try {
            ctx.executor().execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            ctx.channel().close();
        }
    }

    // ---- queued tunnels (PROTOCOL.md §9.3)

    private void intake(HttpRequest req, String name, String target, boolean keepAlive, Reservation reservation) {
        long limit = reservation.queue().maxBody();
        long length = HttpUtil.getContentLength(req, -1L);
        if (length > limit) {
            rejected();
            respond(tooLarge(limit), keepAlive);
            return;
        }
        if (!ictx.queue().hasRoom(name, Math.max(0, length))) {
            rejected();
            respond(queueFull(name), keepAlive);
            return;
        }
        intake = new QueueIntake(this, ctx, ictx.queue(), openMessage(req, name, target, false), reservation, keepAlive);
    }

    static FullHttpResponse tooLarge(long limit) {
        return Pages.page(HttpResponseStatus.REQUEST_ENTITY_TOO_LARGE, "Request too large",
                "This tunnel queues request bodies of at most " + limit + " bytes while its client is away.",
                "Send a smaller request, or try again when the tunnel is connected.");
    }

    static FullHttpResponse queueFull(String name) {
        return withRetry(Pages.page(HttpResponseStatus.SERVICE_UNAVAILABLE, "Queue full",
                "The tunnel " + name + " is offline and its queue is full.", "Try again later."), 60);
    }

    /** The intake refused its request (413, 503) before storing it; the caller goes on reading. */
    void intakeRefused(QueueIntake refused, FullHttpResponse response, boolean keepAlive, boolean bodyLeft) {
        if (intake == refused) {
            intake = null;
            rejected();
            respond(response, keepAlive, bodyLeft);
        }
    }

    /** The intake stored its request (or failed) and answered: go on with the next request. */
    void intakeDone(QueueIntake done) {
        if (intake == done) {
            intake = null;
            readOn();
        }
    }

    /** Feeds what was read meanwhile to the current state, then reads the socket again unless a request must wait. */
    private void readOn() {
        while (!held.isEmpty() && !mustWait() && ctx.channel().isActive()) {
            handle(held.poll());
        }
        if (exchange != null) {
            exchange.updateRead();
        } else if (!mustWait()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    /**
     * True while objects read now must wait in {@code held}: a response in progress, a held request, a store
     * write, a health check.
     */
    private boolean mustWait() {
        return exchange != null && exchange.requestDone() || waiting != null || intake != null && intake.storing()
                || checkingHealth;
    }

    static FullHttpResponse reconnecting() {
        return withRetry(Pages.page(HttpResponseStatus.SERVICE_UNAVAILABLE, "Tunnel reconnecting",
                "The tunnel's client is reconnecting.", "Try again in a few seconds."), 5);
    }

    static FullHttpResponse withRetry(FullHttpResponse r, int seconds) {
        r.headers().set(HttpHeaderNames.RETRY_AFTER, seconds);
        return r;
    }

    private void connect(HttpRequest req) {
        if (!ClientEndpoint.asksForWebSocket(req)) {
            respond(Pages.page(HttpResponseStatus.BAD_REQUEST, "Portway client endpoint",
                    "This address is for Portway clients, which connect with a WebSocket.", null), false);
            return;
        }
        // from here on this handler passes what it reads on to the session
        webSocket = true;
        // Behind a trusted proxy every client shares the proxy's socket address: throttle by the one it forwarded.
        if (!ClientEndpoint.upgrade(ctx, req, ictx.sessions(), gate.visitor(ctx.channel(), req.headers()))) {
            webSocket = false;
            return;
        }
        if (counted) {
            counted = false; // from now on a client session (tunnel_sessions), not a visitor
            metrics().connectionClosed(Kind.HTTP);
        }
    }

    /** Writes a relay page; the rest of the request's body is discarded. */
    void respond(FullHttpResponse response, boolean keepAlive) {
        respond(response, keepAlive, true);
    }

    /** @param bodyLeft whether the request's body is still to come (and must be discarded) */
    void respond(FullHttpResponse response, boolean keepAlive, boolean bodyLeft) {
        HttpUtil.setKeepAlive(response, keepAlive);
        if (correlation != null) {
            response.headers().set(RequestIds.CORRELATION_HEADER, correlation);
        }
        discarding = bodyLeft;
        closeAfterDiscard = !keepAlive;
        spanOver(response.status().code());
        var f = ctx.writeAndFlush(response);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The exchange is over and the connection stays open: read the next request. */
    void exchangeDone(HttpExchange ex) {
        if (exchange != ex) {
            return;
        }
        exchange = null;
        spanOver(0);
        readOn();
    }

    /** The status the visitor gets for the current tunnel request (0: none), from its exchange. */
    void spanStatus(int status) {
        span.status(status);
    }

    /** The current tunnel request is answered ({@code status}; 0: as the exchange told) or over: its span ends. */
    void spanOver(int status) {
        span.status(status);
        span.end();
        span = RequestSpan.NONE;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (exchange != null) {
                exchange.visitorInputClosed();
            } else if (waiting != null) {
                // a visitor that closes while its request is held has given up (as nginx takes a client's FIN
                // for an abort, 499): free the hold now instead of at its deadline
                c.close();
            } else if (intake != null) {
                // a half-closed visitor still gets its answer; nothing more will be read
            } else {
                c.close(); // an idle visitor or a client that closed its side: nothing more will come
            }
        }
        c.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        if (counted) {
            counted = false;
            metrics().connectionClosed(Kind.HTTP);
        }
        if (exchange != null) {
            exchange.visitorGone();
        }
        if (waiting != null) {
            metrics().request(Kind.HTTP, Outcome.CANCELLED);
            waiting.visitorGone();
            waiting = null;
        }
        if (intake != null) {
            intake.visitorGone();
            intake = null;
        }
        spanOver(0);
        Object o;
        while ((o = held.poll()) != null) {
            ReferenceCountUtil.release(o);
        }
        c.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        c.close();
    }

    TunnelStream currentStream() {
        return exchange == null ? null : exchange.stream();
    }
}
