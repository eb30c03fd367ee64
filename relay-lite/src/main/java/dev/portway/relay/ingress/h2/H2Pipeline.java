package dev.portway.relay.ingress.h2;

import dev.portway.relay.ingress.VisitorLimits;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * HTTP/2 for visitors (h2 over TLS by ALPN, h2c by prior knowledge or by {@link H2cUpgrade}): Netty's frame codec
 * and multiplexer, and per h2 stream a child channel whose frames are converted to the HTTP/1.1 objects the relay's ingress reads
 * ({@code :method}, {@code :path}, {@code :authority} → request line and Host), so every stream is one Portway stream
 * through the same checks, limits and protection as an HTTP/1.1 request. Netty's codec enforces RFC 9113's header
 * rules (lowercase names, no connection-specific fields, valid pseudo-headers) and answers violations with a stream
 * or connection error. Runs on the connection's event loop.
 */
public final class H2Pipeline {
    /** Streams a visitor may have open at once on one connection. */
    public static final int MAX_CONCURRENT_STREAMS = 100;

    private H2Pipeline() {
    }

    /** Settings the relay announces: stream cap and the visitor header limit as SETTINGS_MAX_HEADER_LIST_SIZE. */
    static Http2Settings settings(VisitorLimits limits) {
        return Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
                .maxHeaderListSize(limits.maxHeaderBytes());
    }

    /** The multiplexer whose child channels each carry one visitor request to {@code ingress}. */
    static Http2MultiplexHandler multiplexer(Supplier<ChannelHandler> ingress) {
        return new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
            @Override
            protected void initChannel(Channel ch) {
                ChannelPipeline p = ch.pipeline();
                p.addLast("h2-to-http", new Http2StreamFrameToHttpObjectCodec(true, true));
                p.addLast("h2-strip", StripExtensionHeaders.INSTANCE);
                p.addLast("continue", new HttpServerExpectContinueHandler());
                p.addLast("ingress", ingress.get());
            }
        });
    }

    /** Turns a connection (after TLS and ALPN {@code h2}, or after the h2c preface) into an HTTP/2 one. */
    public static void configure(ChannelPipeline p, VisitorLimits limits, Supplier<ChannelHandler> ingress) {
        p.addLast("h2", frameCodec(limits));
        p.addLast("h2-mux", multiplexer(ingress));
        p.addLast("h2-idle", idle(limits));
        p.addLast("h2-idle-close", idleClose());
    }

    /** The HTTP/2 connection: Netty's frame codec with the relay's settings, validating headers. */
    static Http2FrameCodec frameCodec(VisitorLimits limits) {
        return Http2FrameCodecBuilder.forServer().initialSettings(settings(limits)).validateHeaders(true).build();
    }

    /** What follows the frame codec (as {@link #configure} adds it), for the h2c upgrade to put after its codec. */
    static ChannelHandler[] upgradedHandlers(VisitorLimits limits, Supplier<ChannelHandler> ingress) {
        return new ChannelHandler[]{multiplexer(ingress), idle(limits), idleClose()};
    }

    /** A connection with no frame either way for the idle timeout is closed (streams being answered keep it busy). */
    static IdleStateHandler idle(VisitorLimits limits) {
        return new IdleStateHandler(0, 0, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private static ChannelHandler idleClose() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
                if (evt instanceof IdleStateEvent) {
                    ctx.close();
                    return;
                }
                super.userEventTriggered(ctx, evt);
            }
        };
    }

    /**
     * Netty's conversion adds {@code x-http2-scheme}, {@code x-http2-stream-id} and the like to the request: they are
     * the relay's business, not the app's, so they are removed before the ingress sees the request.
     */
    @ChannelHandler.Sharable
    static final class StripExtensionHeaders extends ChannelInboundHandlerAdapter {
        static final StripExtensionHeaders INSTANCE = new StripExtensionHeaders();

        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (msg instanceof HttpRequest req) {
                for (HttpConversionUtil.ExtensionHeaderNames n : HttpConversionUtil.ExtensionHeaderNames.values()) {
                    req.headers().remove(n.text());
                }
            }
            ctx.fireChannelRead(msg);
        }
    }
}
