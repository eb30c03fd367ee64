package dev.portway.relay.ingress.h2;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ApplicationProtocolNegotiationHandler;

import java.util.function.Consumer;

/**
 * After the TLS handshake: {@code h2} chosen by ALPN gets the HTTP/2 pipeline, anything else (http/1.1, or a client
 * without ALPN) the HTTP/1.1 one. Removes itself.
 */
public final class AlpnSwitch extends ApplicationProtocolNegotiationHandler {
    private final Consumer<ChannelPipeline> http1;
    private final Consumer<ChannelPipeline> http2;

    public AlpnSwitch(Consumer<ChannelPipeline> http1, Consumer<ChannelPipeline> http2) {
        super(ApplicationProtocolNames.HTTP_1_1);
        this.http1 = http1;
        this.http2 = http2;
    }

    @Override
    protected void configurePipeline(ChannelHandlerContext ctx, String protocol) {
        if (ApplicationProtocolNames.HTTP_2.equals(protocol)) {
            http2.accept(ctx.pipeline());
        } else {
            http1.accept(ctx.pipeline());
        }
    }

    @Override
    protected void handshakeFailure(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close(); // a failed handshake (scanner, wrong certificate): nothing to answer, nothing to log per connection
    }
}
