package dev.portway.relay.ingress;

import dev.portway.relay.tunnel.RelayStream;
import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.SessionHandler;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.TooLongFrameException;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.ReferenceCountUtil;

import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The visitor side of the relay's HTTP port: routes each request (see {@link Router}) to a tunnel, to the
 * client WebSocket endpoint, or to the relay's own pages. One instance per connection; every method runs
 * on that connection's event loop. Requests are handled one at a time: the next is not read until the
 * current response is done.
 */
public final class HttpIngressHandler extends ChannelInboundHandlerAdapter {
    private final IngressContext ictx;
    private ChannelHandlerContext ctx;
    /** The request being proxied, or null. */
    private HttpExchange exchange;
    /** Swallowing the body of a request the relay answered itself. */
    private boolean discarding;
    private boolean closeAfterDiscard;
    private boolean webSocket;
    /** Objects of a pipelined next request, read before the current response was done (one socket read at most). */
    private final ArrayDeque<Object> held = new ArrayDeque<>();

    public HttpIngressHandler(IngressContext ictx) {
        this.ictx = ictx;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
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
        if (exchange != null && exchange.requestDone() || !held.isEmpty()) {
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
            if (exchange != null && !exchange.requestDone()) {
                exchange.requestBody(content);
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
        if (req.decoderResult().isFailure()) {
            Throwable cause = req.decoderResult().cause();
            if (cause instanceof TooLongFrameException) {
                respond(Pages.page(HttpResponseStatus.REQUEST_HEADER_FIELDS_TOO_LARGE, "Request head too large",
                        "The request line or headers are larger than this relay accepts (8 KiB line, 16 KiB headers).", null), false);
            } else {
                respond(Pages.page(HttpResponseStatus.BAD_REQUEST, "Bad request",
                        "The relay could not read this HTTP request.", null), false);
            }
            return;
        }
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        String domain = ictx.sessions().config().domain();
        switch (Router.route(req.headers().get(HttpHeaderNames.HOST), req.uri(), domain)) {
            case Router.Route.ToTunnel t -> proxy(req, t.name(), t.target(), keepAlive);
            case Router.Route.Connect ignored -> connect(req);
            case Router.Route.Health ignored -> respond(Pages.json(health()), keepAlive);
            case Router.Route.Landing ignored -> respond(Pages.page(HttpResponseStatus.OK, "Portway relay",
                    "This relay is running. Tunnels are reached at http://<name>." + domain + "/ or /t/<name>/.",
                    "Clients connect to " + Protocol.CONNECT_PATH + "."), keepAlive);
            case Router.Route.NotFound ignored -> respond(Pages.page(HttpResponseStatus.NOT_FOUND, "Not found",
                    "There is nothing at " + req.uri() + " on this relay.",
                    "Tunnels are reached at http://<name>." + domain + "/ or /t/<name>/."), keepAlive);
        }
    }

    private byte[] health() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("status", "ok");
        body.put("sessions", ictx.sessions().sessions().size());
        body.put("tunnels", ictx.sessions().registry().tunnelCount());
        body.put("version", ictx.sessions().version());
        return Json.write(body);
    }

    private void proxy(HttpRequest req, String name, String target, boolean keepAlive) {
        Tunnel<Session> tunnel = ictx.sessions().registry().lookup(name);
        if (tunnel == null || !Protocol.KIND_HTTP.equals(tunnel.kind())) {
            if (ictx.sessions().registry().isHeld(name)) {
                respond(reconnecting(), keepAlive);
            } else {
                respond(Pages.page(HttpResponseStatus.NOT_FOUND, "Tunnel not found", "No tunnel named " + name + " is connected.",
                        "Start Portway with a tunnel named " + name + ", or check the address."), keepAlive);
            }
            return;
        }
        boolean upgrade = HopByHop.isUpgrade(req.headers());
        String remote = remoteIp();
        String requestId = RequestIds.next();
        List<Header> headers = new ArrayList<>(HopByHop.endToEnd(req.headers(), upgrade));
        String xff = String.join(", ", req.headers().getAll("X-Forwarded-For"));
        headers.removeIf(h -> h.name().equalsIgnoreCase("X-Forwarded-For") || h.name().equalsIgnoreCase("X-Forwarded-Proto")
                || h.name().equalsIgnoreCase("X-Forwarded-Host") || h.name().equalsIgnoreCase(Protocol.REQUEST_ID_HEADER));
        headers.add(new Header("X-Forwarded-For", xff.isEmpty() ? remote : xff + ", " + remote));
        headers.add(new Header("X-Forwarded-Proto", ictx.sessions().config().publicScheme()));
        String host = req.headers().get(HttpHeaderNames.HOST);
        if (host != null) {
            headers.add(new Header("X-Forwarded-Host", host));
        }
        headers.add(new Header(Protocol.REQUEST_ID_HEADER, requestId));
        OpenMessage open = OpenMessage.http(name, remoteAddress(), requestId, req.method().name(), target, headers);
        HttpExchange ex = new HttpExchange(this, ctx, req, keepAlive, upgrade);
        Session.Opened opened = tunnel.owner().open(open, ctx.channel().eventLoop(), ex);
        if (opened.stream() == null) {
            respond(opened.refusal() == ErrorCode.REFUSED_STREAM
                    ? withRetry(Pages.page(HttpResponseStatus.SERVICE_UNAVAILABLE, "Tunnel busy",
                    "The tunnel " + name + " has too many requests in flight.", "Try again in a moment."), 1)
                    : reconnecting(), keepAlive);
            return;
        }
        exchange = ex;
        ex.start(opened.stream());
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
        if (!"websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE))) {
            respond(Pages.page(HttpResponseStatus.BAD_REQUEST, "Portway client endpoint",
                    "This address is for Portway clients, which connect with a WebSocket.", null), false);
            return;
        }
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + Protocol.CONNECT_PATH;
        var decoder = WebSocketDecoderConfig.newBuilder().maxFramePayloadLength(FrameCodec.MAX_FRAME).allowExtensions(false).build();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, null, decoder).newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return;
        }
        webSocket = true;
        var cfg = ictx.sessions().config();
        ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(512 * 1024, 1024 * 1024));
        ctx.pipeline().addAfter(ctx.name(), "idle", new IdleStateHandler(cfg.deadAfter().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        ctx.pipeline().addAfter("idle", "aggregator", new WebSocketFrameAggregator(FrameCodec.MAX_FRAME));
        ctx.pipeline().addAfter("aggregator", "session", new SessionHandler(ictx.sessions()));
        var full = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(), Unpooled.EMPTY_BUFFER,
                req.headers(), EmptyHttpHeaders.INSTANCE);
        handshaker.handshake(ctx.channel(), full).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
    }

    /** Writes a relay page; the rest of the request's body is discarded. */
    void respond(FullHttpResponse response, boolean keepAlive) {
        HttpUtil.setKeepAlive(response, keepAlive);
        discarding = true;
        closeAfterDiscard = !keepAlive;
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
        while (exchange == null && !held.isEmpty() && ctx.channel().isActive()) {
            handle(held.poll());
        }
        if (exchange == null || !exchange.requestDone()) {
            ctx.channel().config().setAutoRead(true);
        }
    }

    private String remoteIp() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a ? a.getAddress().getHostAddress() : "unknown";
    }

    private String remoteAddress() {
        return ctx.channel().remoteAddress() instanceof InetSocketAddress a
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : "unknown";
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
        if (evt instanceof ChannelInputShutdownEvent) {
            if (exchange != null) {
                exchange.visitorInputClosed();
            } else {
                c.close(); // an idle visitor or a client that closed its side: nothing more will come
            }
        }
        c.fireUserEventTriggered(evt);
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        if (exchange != null) {
            exchange.visitorGone();
        }
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

    RelayStream currentStream() {
        return exchange == null ? null : exchange.stream();
    }
}
