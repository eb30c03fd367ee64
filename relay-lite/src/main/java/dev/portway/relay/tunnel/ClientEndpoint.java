package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.Protocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.WebSocketDecoderConfig;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketServerHandshakerFactory;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;

/**
 * The clients' WebSocket endpoint ({@link Protocol#CONNECT_PATH}) on the relay's HTTP port: turns a connection
 * whose request passed the visitor limits into a client session (PROTOCOL.md §2). Runs on the connection's event
 * loop. Stateless. With {@code --ws-compression on} it agrees to permessage-deflate when the client offers it
 * ({@link DeflateNegotiation}).
 */
public final class ClientEndpoint {
    private ClientEndpoint() {
    }

    /** Whether a request to the endpoint asks for a WebSocket; the ingress answers anything else with a page. */
    public static boolean asksForWebSocket(HttpRequest req) {
        return "websocket".equalsIgnoreCase(req.headers().get(HttpHeaderNames.UPGRADE));
    }

    /**
     * Answers the WebSocket handshake and puts the session's handlers after {@code ctx} (the HTTP ingress handler,
     * which from now on passes WebSocket frames on).
     *
     * @param client the client's address for throttling, audit and logs: the socket's peer, or with
     *               {@code --trust-proxy} the address the operator's proxy forwarded
     * @return false when the client asked for a WebSocket version the relay does not speak (answered here)
     */
    public static boolean upgrade(ChannelHandlerContext ctx, HttpRequest req, SessionContext sessions,
                                  java.net.InetAddress client) {
        String url = "ws://" + req.headers().get(HttpHeaderNames.HOST, "localhost") + Protocol.CONNECT_PATH;
        var cfg = sessions.config();
        DeflateNegotiation.Agreed deflate = cfg.wsCompression() ? DeflateNegotiation.negotiate(req) : null;
        var decoder = WebSocketDecoderConfig.newBuilder()
                .maxFramePayloadLength(deflate != null ? dev.portway.shared.protocol.WsCompression.MAX_COMPRESSED_FRAME : FrameCodec.MAX_FRAME)
                .allowExtensions(deflate != null).build();
        WebSocketServerHandshaker handshaker = new WebSocketServerHandshakerFactory(url, null, decoder).newHandshaker(req);
        if (handshaker == null) {
            WebSocketServerHandshakerFactory.sendUnsupportedVersionResponse(ctx.channel());
            return false;
        }
        ctx.channel().config().setWriteBufferWaterMark(new WriteBufferWaterMark(512 * 1024, 1024 * 1024));
        ctx.pipeline().addAfter(ctx.name(), "idle", new IdleStateHandler(cfg.deadAfter().toMillis(), 0, 0, TimeUnit.MILLISECONDS));
        ctx.pipeline().addAfter("idle", "aggregator", new WebSocketFrameAggregator(FrameCodec.MAX_FRAME));
        ctx.pipeline().addAfter("aggregator", "session", new SessionHandler(sessions, client));
        HttpHeaders answer = EmptyHttpHeaders.INSTANCE;
        if (deflate != null) { // frames pass the ingress, then are inflated (bounded) before anything else sees them
            ctx.pipeline().addAfter(ctx.name(), "deflate", deflate.extension().newExtensionEncoder());
            ctx.pipeline().addAfter(ctx.name(), "inflate", deflate.extension().newExtensionDecoder());
            answer = new DefaultHttpHeaders().set(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS, deflate.headerValue());
        }
        var full = new DefaultFullHttpRequest(req.protocolVersion(), req.method(), req.uri(), Unpooled.EMPTY_BUFFER,
                req.headers(), EmptyHttpHeaders.INSTANCE);
        handshaker.handshake(ctx.channel(), full, answer, ctx.channel().newPromise()).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        return true;
    }
}
