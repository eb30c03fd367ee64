package dev.portway.relay.ingress;

import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.relay.metrics.RelayMetrics.Refusal;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Time limits of one visitor connection on the HTTP port, against slow clients (slowloris) and idle sockets:
 * <ul>
 *   <li>a request head must be complete within {@code headerTimeout} of the connection opening, or of the first
 *       byte of the next request on a kept-alive connection — else 408 and close;</li>
 *   <li>while the relay reads a request body (the socket is being read: not while the tunnel applies
 *       backpressure), at least {@code minBodyRate} bytes per second must arrive, measured over windows of
 *       {@code headerTimeout} — else 408 (or a cut connection once the response has begun);</li>
 *   <li>a kept-alive connection with no new request for {@code idleTimeout} is closed.</li>
 * </ul>
 * Nothing is timed while the app answers (the tunnel's own timeouts apply). After a 101 (a visitor's WebSocket,
 * or a client's session) the guard removes itself. Sits right after the HTTP codec; {@link #bytesCounter()} sits
 * before it and counts the raw bytes. Every method runs on the connection's event loop.
 */
public final class VisitorGuard extends ChannelDuplexHandler {
    public static final String NAME = "guard";
    public static final String BYTES_NAME = "guard-bytes";

    private final VisitorLimits limits;
    private final RelayMetrics metrics;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private ScheduledFuture<?> ticker;
    private long bytesIn;
    private long armedAtBytes;
    /** The timer is the keep-alive idle timer (not yet a request head deadline). */
    private boolean idle;
    private int heads;
    private int responses;
    private boolean lastContentSeen = true;
    private boolean responseStarted;
    private boolean off;
    private long windowBytes;
    private long wantedMillis;

    public VisitorGuard(VisitorLimits limits, RelayMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
    }

    /** The inbound handler to put before the HTTP codec: counts the bytes the visitor sends. */
    public ChannelInboundHandlerAdapter bytesCounter() {
        return new ChannelInboundHandlerAdapter() {
            @Override
            public void channelRead(ChannelHandlerContext c, Object msg) {
                if (msg instanceof ByteBuf b) {
                    bytes(b.readableBytes());
                }
                c.fireChannelRead(msg);
            }
        };
    }

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        this.ctx = c;
    }

    @Override
    public void channelActive(ChannelHandlerContext c) {
        armHead();
        c.fireChannelActive();
    }

    private void bytes(int n) {
        bytesIn += n;
        if (idle && !off && n > 0) {
            armHead(); // the first byte of the next request: its head is now on the clock
        }
    }

    private void armHead() {
        cancelTimer();
        idle = false;
        armedAtBytes = bytesIn;
        timer = ctx.executor().schedule(this::headTimedOut, limits.headerTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void armIdle() {
        cancelTimer();
        idle = true;
        armedAtBytes = bytesIn;
        timer = ctx.executor().schedule(this::idleTimedOut, limits.idleTimeout().toMillis(), TimeUnit.MILLISECONDS);
    }

    private void headTimedOut() {
        if (off || heads > responses || !ctx.channel().isActive()) {
            return;
        }
        if (bytesIn > armedAtBytes) {
            refuse(Refusal.SLOW_HEADER, "Request too slow", "The request head did not arrive within "
                    + limits.headerTimeout().toSeconds() + " s.");
        } else {
            ctx.close(); // a connection that never sent a request: nothing to answer
        }
    }

    private void idleTimedOut() {
        if (!off && heads == responses) {
            ctx.close();
        }
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        if (!off) {
            if (msg instanceof HttpRequest) {
                heads++;
                cancelTimer();
                lastContentSeen = false;
                if (limits.minBodyRate() > 0 && !(msg instanceof LastHttpContent)) {
                    startTicker();
                }
            }
            if (msg instanceof LastHttpContent) {
                lastContentSeen = true;
                stopTicker();
                if (heads == responses) {
                    armIdle(); // answered early (413, 401…); the rest of the body was read and dropped
                }
            }
        }
        c.fireChannelRead(msg);
    }

    private void startTicker() {
        stopTicker();
        windowBytes = bytesIn;
        wantedMillis = 0;
        ticker = ctx.executor().scheduleAtFixedRate(this::tick, 1, 1, TimeUnit.SECONDS);
    }

    private void stopTicker() {
        if (ticker != null) {
            ticker.cancel(false);
            ticker = null;
        }
    }

    /** Once a second while a body is read: does it keep up with the floor rate? */
    private void tick() {
        if (off || lastContentSeen || !ctx.channel().isActive()) {
            stopTicker();
            return;
        }
        if (!ctx.channel().config().isAutoRead()) {
            return; // the relay is not reading (backpressure, a held request): the visitor is not to blame
        }
        wantedMillis += 1000;
        long window = Math.max(1000, limits.headerTimeout().toMillis());
        if (wantedMillis >= window) {
            long got = bytesIn - windowBytes;
            long floor = limits.minBodyRate() * wantedMillis / 1000;
            if (got < floor) {
                stopTicker();
                if (responseStarted) {
                    metrics.refused(Refusal.SLOW_BODY);
                    ctx.close();
                } else {
                    refuse(Refusal.SLOW_BODY, "Request too slow", "The request body arrived at " + got * 1000 / wantedMillis
                            + " bytes/s, below the " + limits.minBodyRate() + " bytes/s this relay needs.");
                }
                return;
            }
            windowBytes = bytesIn;
            wantedMillis = 0;
        }
    }

    private void refuse(Refusal reason, String title, String message) {
        metrics.refused(reason);
        FullHttpResponse page = Pages.page(HttpResponseStatus.REQUEST_TIMEOUT, title, message, "Send the whole request promptly.");
        page.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        off = true;
        cancelTimer();
        ctx.writeAndFlush(page).addListener(ChannelFutureListener.CLOSE);
    }

    @Override
    public void write(ChannelHandlerContext c, Object msg, ChannelPromise promise) {
        if (off) {
            c.write(msg, promise);
            return;
        }
        boolean informational = false;
        if (msg instanceof HttpResponse r) {
            if (r.status().code() == HttpResponseStatus.SWITCHING_PROTOCOLS.code()) {
                c.write(msg, promise);
                stepAside();
                return;
            }
            informational = r.status().codeClass() == HttpStatusClass.INFORMATIONAL;
            if (!informational) {
                responseStarted = true;
            }
        }
        if (msg instanceof LastHttpContent && !informational) {
            ChannelPromise p = promise.unvoid();
            p.addListener(f -> {
                if (f.isSuccess()) {
                    responseDone();
                }
            });
            c.write(msg, p);
            return;
        }
        c.write(msg, promise);
    }

    private void responseDone() {
        responses++;
        responseStarted = false;
        if (!off && heads == responses && lastContentSeen && ctx.channel().isActive()) {
            armIdle();
        }
    }

    /** A 101: the connection is a tunnel of raw bytes or a client session now, with timeouts of its own. */
    private void stepAside() {
        off = true;
        cancelTimer();
        stopTicker();
        ctx.executor().execute(() -> {
            if (ctx.pipeline().get(BYTES_NAME) != null) {
                ctx.pipeline().remove(BYTES_NAME);
            }
            if (ctx.pipeline().get(NAME) != null) {
                ctx.pipeline().remove(NAME);
            }
        });
    }

    private void cancelTimer() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        off = true;
        cancelTimer();
        stopTicker();
        c.fireChannelInactive();
    }
}
