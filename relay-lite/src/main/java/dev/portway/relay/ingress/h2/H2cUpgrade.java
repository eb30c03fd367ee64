package dev.portway.relay.ingress.h2;

import dev.portway.relay.ingress.RequestHead;
import dev.portway.relay.ingress.VisitorCodec;
import dev.portway.relay.ingress.VisitorGuard;
import dev.portway.relay.ingress.VisitorLimits;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.util.AsciiString;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * h2c by Upgrade (RFC 7540 §3.2) on the plain port: the first request of a connection that carries
 * {@code Upgrade: h2c}, {@code Connection: Upgrade, HTTP2-Settings} and one {@code HTTP2-Settings} is read whole,
 * answered {@code 101 Switching Protocols}, and the connection goes on as HTTP/2 (the same {@link H2Pipeline} as prior
 * knowledge) with that request, body included, as stream 1 — through the same ingress, checks and limits as every
 * h2 stream. Netty's {@link HttpServerUpgradeHandler} and {@link Http2ServerUpgradeCodec} do the switch; this class
 * decides which requests may switch and takes the HTTP/1.1 handlers out afterwards.
 *
 * <p>Not upgraded, and served as HTTP/1.1 as RFC 7540 allows: a head the strict parsing refuses (it gets its 400
 * from the HTTP/1.1 ingress), a body that is chunked or longer than {@link #MAX_UPGRADE_BODY} (or the relay's body
 * limit) — it would have to be buffered whole — a later request of a kept-alive connection, and a request whose
 * HTTP2-Settings Netty cannot decode. On a TLS port this handler is not there: h2 is chosen by ALPN only, and
 * {@code Upgrade: h2c} is ignored (RFC 9113 §3.1). Runs on the connection's event loop.
 */
public final class H2cUpgrade extends HttpServerUpgradeHandler {
    /** Body bytes an upgrade request may have: it is buffered whole before the switch. */
    public static final int MAX_UPGRADE_BODY = 64 * 1024;
    private static final AsciiString H2C = AsciiString.of(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME);

    private final int maxBody;

    private H2cUpgrade(SourceCodec source, UpgradeCodecFactory factory, int maxBody) {
        super(source, factory, maxBody, DefaultHttpHeadersFactory.headersFactory(),
                DefaultHttpHeadersFactory.trailersFactory(), true);
        this.maxBody = maxBody;
    }

    /**
     * The handler to put right after the HTTP/1.1 codec and the {@link VisitorGuard}: everything after it is the
     * HTTP/1.1 ingress, which goes when the connection switches.
     *
     * @param ingress a new ingress handler for each h2 stream
     */
    public static H2cUpgrade handler(VisitorLimits limits, Supplier<ChannelHandler> ingress) {
        int maxBody = (int) Math.min(limits.maxBodyBytes(), MAX_UPGRADE_BODY);
        UpgradeCodecFactory factory = protocol -> H2C.contentEqualsIgnoreCase(protocol)
                ? new Http2ServerUpgradeCodec(H2Pipeline.frameCodec(limits), H2Pipeline.upgradedHandlers(limits, ingress))
                : null;
        return new H2cUpgrade(H2cUpgrade::http1Out, factory, maxBody);
    }

    /**
     * The 101 is written: the HTTP/1.1 handlers leave (the ingress and whatever follows this handler, the codec, the
     * guard), so that the HTTP/2 handlers Netty puts after this one get the connection.
     */
    private static void http1Out(ChannelHandlerContext ctx) {
        ChannelPipeline p = ctx.pipeline();
        List<String> after = new ArrayList<>();
        boolean past = false;
        for (String name : p.names()) {
            if (past && p.get(name) != null) {
                after.add(name);
            }
            past |= name.equals(ctx.name());
        }
        for (String name : after) {
            p.remove(name);
        }
        VisitorCodec.remove(p);
        for (String name : List.of(VisitorGuard.NAME, VisitorGuard.BYTES_NAME)) {
            if (p.get(name) != null) {
                p.remove(name);
            }
        }
    }

    @Override
    protected boolean shouldHandleUpgradeRequest(HttpRequest req) {
        if (req.decoderResult().isFailure() || !HttpVersion.HTTP_1_1.equals(req.protocolVersion())
                || req.headers().contains(HttpHeaderNames.TRANSFER_ENCODING)
                || HttpUtil.getContentLength(req, 0L) > maxBody) {
            return false;
        }
        if (!tokens(req, HttpHeaderNames.UPGRADE).contains(H2C.toString())
                || req.headers().getAll(Http2CodecUtil.HTTP_UPGRADE_SETTINGS_HEADER).size() != 1) {
            return false;
        }
        List<String> connection = tokens(req, HttpHeaderNames.CONNECTION);
        return connection.contains("upgrade")
                && connection.contains(Http2CodecUtil.HTTP_UPGRADE_SETTINGS_HEADER.toString().toLowerCase(Locale.ROOT))
                && RequestHead.passes(req);
    }

    private static List<String> tokens(HttpRequest req, CharSequence name) {
        List<String> out = new ArrayList<>();
        for (String value : req.headers().getAll(name)) {
            for (String token : value.split(",")) {
                out.add(token.trim().toLowerCase(Locale.ROOT));
            }
        }
        return out;
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        super.decode(ctx, msg, out);
        // Not upgraded after all (HTTP2-Settings Netty could not decode): the HTTP/1.1 ingress reads a request as
        // the codec makes them, a head and then its body.
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof FullHttpRequest full) {
                DefaultHttpRequest head = new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(),
                        full.headers());
                head.setDecoderResult(full.decoderResult());
                out.set(i, head);
                out.add(i + 1, new DefaultLastHttpContent(full.content(), full.trailingHeaders()));
                i++;
            }
        }
    }

    /** A request without a body stays one without Content-Length (the aggregator would add {@code 0}). */
    @Override
    protected void finishAggregation(FullHttpMessage aggregated) throws Exception {
        if (aggregated.content().isReadable() || aggregated.headers().contains(HttpHeaderNames.CONTENT_LENGTH)) {
            super.finishAggregation(aggregated);
        }
    }
}
