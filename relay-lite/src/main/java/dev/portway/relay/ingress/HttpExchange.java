package dev.portway.relay.ingress;

import dev.portway.relay.logs.LogContext;
import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.relay.metrics.RelayMetrics.Kind;
import dev.portway.relay.metrics.RelayMetrics.Outcome;
import dev.portway.relay.metrics.TunnelTraffic;
import dev.portway.relay.rewrite.PublicBase;
import dev.portway.relay.rewrite.ResponseRewrite;
import dev.portway.relay.rewrite.RewriteOptions;
import dev.portway.relay.tunnel.TunnelStream;
import dev.portway.relay.tunnel.StreamListener;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One visitor request carried over one stream (PROTOCOL.md §6.1, §6.2): request body out as DATA,
 * response head/body back, or a raw byte pipe after a 101. Runs on the visitor's event loop.
 * Reading pauses while the stream lacks credit, and after the request until the response is done.
 */
final class HttpExchange implements StreamListener {
    /** One line per request when its outcome is known; a logger of its own so it can be turned down alone. */
    private static final Logger access = LoggerFactory.getLogger("dev.portway.relay.access");
    private final OpenMessage open;
    private final String correlation;
    /** The client session carrying the stream; set by {@link #start}. */
    private String sessionId;
    private final HttpIngressHandler owner;
    private final ChannelHandlerContext ctx;
    private final boolean head;
    private final boolean upgradeRequested;
    private final boolean http11;
    private final RelayMetrics metrics;
    /** The visitor's Host and origin-form target, for response rewriting (where the visitor reached the app). */
    private final String visitorHost;
    private final String visitorUri;
    /** When the request head arrived. */
    private final long startNanos = System.nanoTime();
    /** The outcome was counted (once per exchange). */
    private boolean counted;
    private boolean keepAlive;
    private TunnelStream stream;
    /** The tunnel's traffic counters, looked up once in {@link #start}; body bytes only. */
    private TunnelTraffic.Counters traffic = TunnelTraffic.Counters.NONE;
    private boolean requestDone;
    private boolean creditBlocked;
    private boolean responseStarted;
    private boolean bodyless;
    /** The response goes to the visitor chunked (or as h2 DATA): a trailer section can follow its body. */
    private boolean chunked;
    /** The REPLY ended the stream and the visitor is on h2: head and end go as one HEADERS frame (gRPC trailers-only). */
    private boolean headEnds;
    /** Body bytes the REPLY's Content-Length still allows, or -1 when it announced none (chunked or close-delimited). */
    private long remaining = -1;
    /** The last write of the response so far (writes complete in order), or null. */
    private io.netty.channel.ChannelFuture lastWrite;
    private boolean upgraded;
    private boolean inputClosed;
    private boolean outputClosed;
    private boolean over;

    HttpExchange(HttpIngressHandler owner, ChannelHandlerContext ctx, HttpRequest req, boolean keepAlive, boolean upgrade,
                 OpenMessage open, String correlation) {
        this.open = open;
        this.correlation = correlation;
        this.owner = owner;
        this.ctx = ctx;
        this.head = HttpMethod.HEAD.equals(req.method());
        this.http11 = req.protocolVersion().equals(HttpVersion.HTTP_1_1);
        this.keepAlive = keepAlive;
        this.upgradeRequested = upgrade;
        this.metrics = owner.metrics();
        this.visitorHost = req.headers().get(io.netty.handler.codec.http.HttpHeaderNames.HOST);
        this.visitorUri = req.uri();
    }

    /**
     * Counts the outcome once, and logs it; the latency too when the visitor gets a response head now.
     *
     * @param status the status the visitor gets, or 0 when none (the visitor left)
     */
    private void count(Outcome outcome, int status) {
        if (counted) {
            return;
        }
        counted = true;
        owner.spanStatus(status);
        if (outcome == Outcome.CANCELLED) {
            metrics.request(Kind.HTTP, outcome);
        } else {
            metrics.request(Kind.HTTP, outcome, startNanos);
        }
        if (access.isInfoEnabled()) {
            long ms = (System.nanoTime() - startNanos) / 1_000_000;
            String target = open.target();
            int q = target.indexOf('?');
            String path = q < 0 ? target : target.substring(0, q); // query strings may carry secrets
            String shown = status == 0 ? "no answer (" + outcome.name().toLowerCase(java.util.Locale.ROOT) + ")" : Integer.toString(status);
            LogContext.log(() -> access.info("{} {} {} {} ms (tunnel {}, request {})", open.method(), path, shown, ms,
                            open.tunnel(), correlation),
                    LogContext.TUNNEL, open.tunnel(), LogContext.SESSION, sessionId,
                    LogContext.CONNECTION, ctx.channel().id().asShortText(),
                    LogContext.REQUEST_ID, open.requestId(), LogContext.CORRELATION_ID, correlation,
                    "method", open.method(), "path", path, "status", Integer.toString(status),
                    "outcome", outcome.name().toLowerCase(java.util.Locale.ROOT), "duration_ms", Long.toString(ms),
                    "remote", open.remote());
        }
    }

    void start(TunnelStream stream, String sessionId) {
        this.stream = stream;
        this.sessionId = sessionId;
        // This node's binding only (a map read): another node's tunnel is counted there, where the console lists it.
        traffic = metrics.traffic().of(open.tunnel(), owner.context().sessions().registry().lookupLocal(open.tunnel()));
        traffic.request();
    }

    TunnelStream stream() {
        return stream;
    }

    boolean requestDone() {
        return requestDone;
    }

    boolean upgraded() {
        return upgraded;
    }

    // ---- visitor → client

    void requestBody(HttpContent content) {
        ByteBuf bytes = content.content().retain();
        content.release();
        traffic.in(bytes.readableBytes());
        boolean last = content instanceof LastHttpContent;
        java.util.List<Header> trailers = last ? TrailerFields.of((LastHttpContent) content) : java.util.List.of();
        // An upgrade request's FIN would half-close the pipe it may become; otherwise the last bytes end the stream.
        if (!(stream.sendData(bytes, last && !upgradeRequested && trailers.isEmpty()))) {
            creditBlocked = true;
        }
        if (!trailers.isEmpty() && !upgradeRequested) {
            stream.sendFin(trailers); // the visitor's trailer section rides on the FIN (PROTOCOL.md §3.2)
        }
        if (last) {
            requestDone = true;
        }
        updateRead();
    }

    /** Raw bytes after a 101. */
    void visitorBytes(Object msg) {
        if (msg instanceof ByteBuf buf && !over) {
            traffic.in(buf.readableBytes());
            if (!stream.sendData(buf)) {
                creditBlocked = true;
                updateRead();
            }
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    void visitorInputClosed() {
        inputClosed = true;
        if (upgraded) {
            stream.sendFin();
            closeIfBothShut();
        } else if (!requestDone) {
            count(Outcome.CANCELLED, 0);
            stream.sendRst(ErrorCode.CANCEL, "The visitor closed the connection mid-request.");
            ctx.close();
        } else {
            keepAlive = false;
        }
    }

    void visitorGone() {
        if (!over) {
            over = true;
            count(Outcome.CANCELLED, 0);
            stream.sendRst(ErrorCode.CANCEL, "The visitor went away.");
        }
    }

    @Override
    public void onWritable() {
        creditBlocked = false;
        updateRead();
    }

    void updateRead() {
        ctx.channel().config().setAutoRead(!creditBlocked && (!requestDone || upgraded) && !over);
    }

    // ---- client → visitor

    /**
     * An interim answer (103 Early Hints, 102…; PROTOCOL.md §3.2) goes to an HTTP/1.1 visitor as its own head, to an h2
     * one as an interim HEADERS frame; an HTTP/1.0 visitor gets none (it knows no 1xx). 100 Continue is not passed
     * on: the relay answered the visitor's {@code Expect} itself.
     */
    @Override
    public void onInterim(ReplyMessage reply) {
        if (!http11 || responseStarted || over || upgradeRequested || reply.status() == 100) {
            return;
        }
        HttpResponse head;
        try {
            reply.validateHttp();
            head = response(reply);
        } catch (dev.portway.shared.protocol.ProtocolException | IllegalArgumentException e) {
            return; // an unusable interim answer is dropped; the final one decides
        }
        var interim = new io.netty.handler.codec.http.DefaultFullHttpResponse(HttpVersion.HTTP_1_1, head.status(),
                io.netty.buffer.Unpooled.EMPTY_BUFFER, head.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
        interim.headers().remove("Content-Length");
        lastWrite = ctx.writeAndFlush(interim);
    }

    @Override
    public void onReply(ReplyMessage reply, boolean last) {
        headEnds = last && ctx.channel() instanceof io.netty.handler.codec.http2.Http2StreamChannel;
        onReply(reply);
        if (last && !headEnds) {
            onFin(java.util.List.of());
        }
    }

    @Override
    public void onReply(ReplyMessage reply) {
        HttpResponse response;
        long length;
        try {
            reply.validateHttp();
            response = response(reply);
            length = announcedLength(reply);
            rewrite(response);
        } catch (dev.portway.shared.protocol.ProtocolException | IllegalArgumentException e) {
            stream.sendRst(ErrorCode.PROTOCOL_ERROR, "Unusable REPLY: " + e.getMessage());
            onRst(ErrorCode.TARGET_ERROR, "The tunnel's client sent an unusable response.");
            return;
        }
        int status = reply.status();
        if (length >= 0 && response.headers().getAll("Content-Length").size() > 1) {
            response.headers().set("Content-Length", length); // repeats that agree: the visitor gets one
        }
        if (!response.headers().contains(RequestIds.CORRELATION_HEADER)) {
            response.headers().set(RequestIds.CORRELATION_HEADER, correlation);
        }
        responseStarted = true;
        count(RelayMetrics.outcomeOf(status), status);
        if (status == 101 && upgradeRequested) {
            ctx.writeAndFlush(response);
            upgraded = true;
            VisitorCodec.remove(ctx.pipeline()); // leftover bytes come to us as raw ByteBufs
            updateRead();
            return;
        }
        if (upgradeRequested) {
            keepAlive = false; // an ordinary answer to an upgrade request: close after it (§6.2)
            stream.sendFin();
        }
        if (!requestDone) {
            keepAlive = false; // the app answered before reading the whole body
        }
        bodyless = head || (status >= 100 && status < 200) || status == 204 || status == 304;
        remaining = bodyless ? -1 : length;
        if (headEnds) {
            // h2, no body: one HEADERS frame with END_STREAM (a gRPC trailers-only answer keeps its grpc-status there)
            over = true;
            var full = new io.netty.handler.codec.http.DefaultFullHttpResponse(HttpVersion.HTTP_1_1, response.status(),
                    io.netty.buffer.Unpooled.EMPTY_BUFFER, response.headers(), io.netty.handler.codec.http.EmptyHttpHeaders.INSTANCE);
            var f = ctx.writeAndFlush(full);
            if (keepAlive) {
                f.addListener(done -> owner.exchangeDone(this));
            } else {
                f.addListener(ChannelFutureListener.CLOSE);
            }
            return;
        }
        if (!bodyless && length < 0) {
            if (http11) {
                HttpUtil.setTransferEncodingChunked(response, true);
                chunked = true;
            } else {
                keepAlive = false;
            }
        }
        HttpUtil.setKeepAlive(response, keepAlive);
        lastWrite = ctx.writeAndFlush(response);
    }

    /** The tunnel's response rewriting (PROTOCOL.md §4.1): Location, Set-Cookie… as the visitor must see them. */
    private void rewrite(HttpResponse response) {
        var sessions = owner.context().sessions();
        var tunnel = sessions.registry().lookup(open.tunnel());
        ResponseRewrite.apply(response.headers(), tunnel == null ? RewriteOptions.DEFAULT : tunnel.rewrite(),
                PublicBase.of(sessions.config().publicScheme(), visitorHost, visitorUri, open.target()));
    }

    /**
     * The visitor's response head for a REPLY, without the fields the relay frames itself.
     *
     * @throws IllegalArgumentException when a header name is no token, or a value or the reason has CR, LF, NUL or
     *                                  another control character (they would split the response)
     */
    private static HttpResponse response(ReplyMessage reply) {
        int status = reply.status();
        String reason = reply.reason();
        if (reason != null) {
            for (int i = 0; i < reason.length(); i++) {
                char c = reason.charAt(i);
                if (c < 0x20 && c != '\t' || c == 0x7f || c > 0xff) {
                    throw new IllegalArgumentException("the reason phrase has a control character");
                }
            }
        }
        HttpResponseStatus st = reason == null ? HttpResponseStatus.valueOf(status) : new HttpResponseStatus(status, reason);
        HttpResponse response = new DefaultHttpResponse(HttpVersion.HTTP_1_1, st); // validates every header added
        for (Header h : reply.headers()) {
            String n = h.name();
            if (n == null || h.value() == null) {
                throw new IllegalArgumentException("a header without a name or value");
            }
            if (!n.equalsIgnoreCase("Transfer-Encoding") && !n.equalsIgnoreCase("Keep-Alive")
                    && (status == 101 || !n.equalsIgnoreCase("Connection"))) {
                response.headers().add(n, h.value());
            }
        }
        return response;
    }

    /**
     * The body length the REPLY announces: its Content-Length (repeats must agree, each a plain number), or -1.
     *
     * @throws IllegalArgumentException when it announces no usable length
     */
    private static long announcedLength(ReplyMessage reply) {
        long length = -1;
        for (Header h : reply.headers()) {
            if (h.name().equalsIgnoreCase("Content-Length")) {
                String v = h.value().trim();
                if (v.isEmpty() || v.length() > 18 || !v.chars().allMatch(c -> c >= '0' && c <= '9')) {
                    throw new IllegalArgumentException("Content-Length is not a plain number");
                }
                long n = Long.parseLong(v);
                if (length >= 0 && n != length) {
                    throw new IllegalArgumentException("Content-Length values differ");
                }
                length = n;
            }
        }
        return length;
    }

    @Override
    public void onData(ByteBuf data) {
        int n = data.readableBytes();
        if (upgraded) {
            traffic.out(n);
            ctx.writeAndFlush(data).addListener(f -> stream.consumed(n));
        } else if (bodyless || over) {
            data.release();
            stream.consumed(n);
        } else if (remaining >= 0 && n > remaining) {
            // More than the REPLY's Content-Length: the rest would be read as the visitor's next response.
            int allowed = (int) remaining;
            remaining = 0;
            over = true;
            ByteBuf last = data.readRetainedSlice(allowed);
            data.release();
            stream.consumed(n - allowed);
            stream.sendRst(ErrorCode.PROTOCOL_ERROR, "More DATA than the REPLY's Content-Length.");
            traffic.out(allowed);
            lastWrite = ctx.write(new DefaultHttpContent(last)).addListener(f -> stream.consumed(allowed));
            closeAfterWrites();
        } else {
            if (remaining > 0) {
                remaining -= n;
            }
            traffic.out(n);
            lastWrite = ctx.writeAndFlush(new DefaultHttpContent(data)).addListener(f -> stream.consumed(n));
        }
    }

    @Override
    public void onFin() {
        onFin(java.util.List.of());
    }

    /**
     * The end of the response; its trailer fields go to the visitor as a chunked trailer section (h1) or trailing
     * HEADERS (h2). A response with a Content-Length, or to an HTTP/1.0 visitor, has no place for them: they are
     * dropped, as a proxy must (RFC 9110 §6.5).
     */
    @Override
    public void onFin(java.util.List<Header> trailers) {
        if (upgraded) {
            outputClosed = true;
            // after the queued writes: shutdownOutput fails whatever is still in the outbound buffer
            ctx.writeAndFlush(io.netty.buffer.Unpooled.EMPTY_BUFFER).addListener(f -> {
                ((SocketChannel) ctx.channel()).shutdownOutput();
                closeIfBothShut();
            });
            return;
        }
        if (over) {
            return;
        }
        over = true;
        if (remaining > 0) {
            // Fewer bytes than announced: the visitor must not read the next response as the rest of this body.
            closeAfterWrites();
            return;
        }
        LastHttpContent end = LastHttpContent.EMPTY_LAST_CONTENT;
        java.util.List<Header> passed = chunked ? dev.portway.shared.stream.HopByHop.trailers(trailers, java.util.List.of())
                : java.util.List.of();
        if (!passed.isEmpty()) {
            end = new io.netty.handler.codec.http.DefaultLastHttpContent(io.netty.buffer.Unpooled.EMPTY_BUFFER);
            try {
                for (Header h : passed) {
                    end.trailingHeaders().add(h.name(), TrailerFields.checkedValue(h.value()));
                }
            } catch (IllegalArgumentException e) {
                // a trailer that would split the response: end it as truncated rather than pass it on
                end.release();
                closeAfterWrites();
                return;
            }
        }
        var f = ctx.writeAndFlush(end);
        if (keepAlive) {
            f.addListener(done -> owner.exchangeDone(this));
        } else {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /**
     * Ends a response that cannot be completed: closes the connection once what was written is out, without the
     * terminating chunk, so a truncated body never looks complete and the connection is never reused.
     */
    private void closeAfterWrites() {
        keepAlive = false;
        ctx.flush();
        if (lastWrite == null || lastWrite.isDone()) {
            ctx.close();
        } else {
            lastWrite.addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void closeIfBothShut() {
        if (inputClosed && outputClosed) {
            ctx.close();
        }
    }

    @Override
    public void onRst(ErrorCode code, String message) {
        if (over && responseStarted) {
            return;
        }
        over = true;
        if (responseStarted) {
            closeAfterWrites(); // the bytes the client sent before its RST, then no terminating chunk
            return;
        }
        String text = message == null || message.isBlank() ? "The tunnel's client could not reach the app." : message;
        var page = switch (code) {
            case TARGET_TIMEOUT -> Pages.page(HttpResponseStatus.GATEWAY_TIMEOUT, "Gateway timeout", text,
                    "The app behind this tunnel did not answer in time.");
            case TARGET_FAILING -> HttpIngressHandler.withRetry(Pages.page(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "Service failing", "The local service behind this tunnel is failing — Portway is giving it a rest; "
                            + "try again shortly.", message == null || message.isBlank() ? null : message), 30);
            case REFUSED_STREAM, SHUTTING_DOWN -> HttpIngressHandler.withRetry(Pages.page(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "Tunnel busy", text, "Try again in a moment."), 1);
            default -> Pages.page(HttpResponseStatus.BAD_GATEWAY, "Bad gateway", text,
                    "Check that the app behind this tunnel is running.");
        };
        boolean reuse = keepAlive && requestDone && !upgradeRequested;
        HttpUtil.setKeepAlive(page, reuse);
        page.headers().set(RequestIds.CORRELATION_HEADER, correlation);
        responseStarted = true;
        count(code == ErrorCode.REFUSED_STREAM || code == ErrorCode.SHUTTING_DOWN ? Outcome.REJECTED : Outcome.TARGET_ERROR,
                page.status().code());
        var f = ctx.writeAndFlush(page);
        if (reuse) {
            f.addListener(done -> owner.exchangeDone(this));
        } else {
            f.addListener(ChannelFutureListener.CLOSE);
        }
    }

    /** The visitor's body grew past the relay's limit: cancel the stream, answer 413 unless a response began, close. */
    void bodyTooLarge(FullHttpResponse page) {
        over = true;
        count(Outcome.REJECTED, page.status().code());
        stream.sendRst(ErrorCode.CANCEL, "The request body is larger than the relay accepts.");
        if (responseStarted) {
            ctx.close();
            return;
        }
        responseStarted = true;
        HttpUtil.setKeepAlive(page, false);
        page.headers().set(RequestIds.CORRELATION_HEADER, correlation);
        ctx.writeAndFlush(page).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void onSessionGone() {
        over = true;
        if (responseStarted) {
            closeAfterWrites();
            return;
        }
        var page = Pages.page(HttpResponseStatus.BAD_GATEWAY, "Bad gateway", "The tunnel's client disconnected.",
                "It may reconnect in a moment — try again shortly.");
        HttpUtil.setKeepAlive(page, false);
        page.headers().set(RequestIds.CORRELATION_HEADER, correlation);
        responseStarted = true;
        count(Outcome.TARGET_ERROR, 502);
        ctx.writeAndFlush(page).addListener(ChannelFutureListener.CLOSE);
    }
}
