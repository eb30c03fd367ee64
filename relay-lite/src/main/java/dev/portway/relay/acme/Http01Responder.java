package dev.portway.relay.acme;

import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;

/**
 * Answers ACME HTTP-01 challenges ({@code GET /.well-known/acme-challenge/TOKEN}) on the plain-HTTP redirect port;
 * every other request goes on to the redirect handler. One per connection; runs on its event loop and never blocks
 * (the tokens are an in-memory map).
 */
public final class Http01Responder extends ChannelDuplexHandler {
    public static final String NAME = "acme-http-01";
    static final String PREFIX = "/.well-known/acme-challenge/";
    private final ChallengeTokens tokens;
    /** True while the body of a request this handler answered is still arriving (it is dropped). */
    private boolean dropping;

    public Http01Responder(ChallengeTokens tokens) {
        this.tokens = tokens;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest req && req.decoderResult().isSuccess() && req.uri().startsWith(PREFIX)
                && (req.method().equals(HttpMethod.GET) || req.method().equals(HttpMethod.HEAD))) {
            String token = req.uri().substring(PREFIX.length());
            String answer = tokens.answer(token);
            byte[] body = (answer != null ? answer : "No ACME challenge with this token is open on this relay.\n")
                    .getBytes(StandardCharsets.US_ASCII);
            FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    answer != null ? HttpResponseStatus.OK : HttpResponseStatus.NOT_FOUND,
                    req.method().equals(HttpMethod.HEAD) ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(body));
            r.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=us-ascii")
                    .set(HttpHeaderNames.CONTENT_LENGTH, body.length)
                    .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
            boolean keepAlive = HttpUtil.isKeepAlive(req);
            HttpUtil.setKeepAlive(r, keepAlive);
            dropping = !(msg instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            var f = ctx.writeAndFlush(r);
            if (!keepAlive) {
                f.addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        if (dropping && msg instanceof HttpContent c) {
            dropping = !(c instanceof LastHttpContent);
            ReferenceCountUtil.release(msg);
            return;
        }
        ctx.fireChannelRead(msg);
    }
}
