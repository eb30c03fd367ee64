package dev.portway.relay.ingress;

import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;

import java.util.function.IntSupplier;

/**
 * The plain-HTTP listener of {@code --http-redirect-port}: every request gets 308 to the same host and path on the
 * relay's https port (308 keeps the method and body, so a POST stays a POST). Stateless per request.
 */
public final class HttpsRedirectHandler extends SimpleChannelInboundHandler<HttpObject> {
    private final IntSupplier httpsPort;
    private final String domain;

    public HttpsRedirectHandler(IntSupplier httpsPort, String domain) {
        this.httpsPort = httpsPort;
        this.domain = domain;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
        if (!(msg instanceof HttpRequest req)) {
            return; // bodies are dropped: the visitor sends them again to the https URL
        }
        if (req.decoderResult().isFailure()) {
            ctx.writeAndFlush(Pages.page(HttpResponseStatus.BAD_REQUEST, "Bad request", "The relay could not read this "
                    + "HTTP request.", null)).addListener(ChannelFutureListener.CLOSE);
            return;
        }
        String host = req.headers().get(HttpHeaderNames.HOST, domain);
        String location = "https://" + hostWithoutPort(host, domain) + (httpsPort.getAsInt() == 443 ? "" : ":" + httpsPort.getAsInt())
                + (req.uri().startsWith("/") ? req.uri() : "/");
        FullHttpResponse r = Pages.page(HttpResponseStatus.PERMANENT_REDIRECT, "Moved to HTTPS",
                "This relay serves HTTPS only.", location);
        r.headers().set(HttpHeaderNames.LOCATION, location);
        boolean keepAlive = HttpUtil.isKeepAlive(req);
        HttpUtil.setKeepAlive(r, keepAlive);
        var f = ctx.writeAndFlush(r);
        if (!keepAlive) {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    static String hostWithoutPort(String host, String fallback) {
        String h = host.trim();
        if (h.startsWith("[")) {
            int end = h.indexOf(']');
            return end > 0 ? h.substring(0, end + 1) : h;
        }
        int colon = h.indexOf(':');
        String name = colon >= 0 ? h.substring(0, colon) : h;
        // Only a host name or address may go into Location (no header or URL injection): else the relay's domain.
        return name.matches("[A-Za-z0-9.-]{1,253}") ? name : fallback;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
