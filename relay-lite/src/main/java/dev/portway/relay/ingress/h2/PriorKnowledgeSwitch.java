package dev.portway.relay.ingress.h2;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.http2.Http2CodecUtil;

import java.util.List;
import java.util.function.Consumer;

/**
 * On the plain port: a connection that opens with the HTTP/2 client preface ({@code PRI * HTTP/2.0…}, h2c with prior
 * knowledge) gets the HTTP/2 pipeline; any other first bytes the HTTP/1.1 one.
 * Looks at most at the 24 preface bytes, then removes itself and hands them on.
 */
public final class PriorKnowledgeSwitch extends ByteToMessageDecoder {
    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();
    private final Consumer<ChannelPipeline> http1;
    private final Consumer<ChannelPipeline> http2;
    private final long firstBytesMillis;
    private io.netty.util.concurrent.ScheduledFuture<?> timer;

    /** @param firstBytesTimeout a connection that sends nothing for this long is closed (the header timeout) */
    public PriorKnowledgeSwitch(Consumer<ChannelPipeline> http1, Consumer<ChannelPipeline> http2,
                                java.time.Duration firstBytesTimeout) {
        this.http1 = http1;
        this.http2 = http2;
        this.firstBytesMillis = firstBytesTimeout.toMillis();
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        timer = ctx.executor().schedule(() -> {
            ctx.close(); // never sent a request: nothing to answer
        }, firstBytesMillis, java.util.concurrent.TimeUnit.MILLISECONDS);
        super.channelActive(ctx);
    }

    @Override
    protected void handlerRemoved0(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
        int n = Math.min(in.readableBytes(), PREFACE.readableBytes());
        boolean matches = ByteBufUtil.equals(PREFACE, PREFACE.readerIndex(), in, in.readerIndex(), n);
        if (matches && n < PREFACE.readableBytes()) {
            return; // so far it looks like the preface: wait for the rest of it
        }
        if (matches) {
            http2.accept(ctx.pipeline());
        } else {
            http1.accept(ctx.pipeline());
        }
        ctx.pipeline().remove(this); // what was read goes on to the new handlers
    }
}
