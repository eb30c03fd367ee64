package dev.portway.desktop.engine.relay;

import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.TextWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketFrameAggregator;

import java.io.EOFException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The engine's WebSocket to the relay, on Netty (PROTOCOL.md §1–§3): one message per frame, masked a word at a
 * time by Netty's encoder (OkHttp masked byte by byte, which was 44% of the engine's CPU).
 *
 * <p>Threads: {@link Listener} methods run on the socket's event loop and must not block. {@link #send},
 * {@link #close} and {@link #cancel} are thread-safe and never block: writes are queued and flushed once per
 * event-loop turn, however many senders wrote in it. {@link #queueSize()} is what was sent and not yet written to
 * the socket; callers bound it (the session window does for DATA).
 */
public final class RelaySocket {
    /** How long we wait for the relay's close frame after sending ours before dropping the connection. */
    private static final long CLOSE_TIMEOUT_MS = 1_000;

    /** What the socket tells its session. Called on the event loop: must not block. */
    public interface Listener {
        /** The handshake succeeded; frames may be sent. */
        void onConnected();

        /** One binary message: a heap buffer the listener owns. */
        void onMessage(ByteBuffer message);

        /** A text message (frames are binary: a violation). */
        void onText();

        /** The relay sent a close frame (it is answered once {@link #close} is called). */
        void onClosing(int code, String reason);

        /** The connection ended after a close handshake. */
        void onClosed(int code, String reason);

        /**
         * The connection failed, or ended without a close handshake.
         *
         * @param httpStatus the relay's HTTP status when it answered the handshake with something else, else -1
         */
        void onFailure(Throwable cause, int httpStatus);
    }

    private volatile Channel channel;
    private final WebSocketClientHandshaker handshaker;
    private final Listener listener;
    private final AtomicLong queued = new AtomicLong();
    /** Frames sent and not yet handed to the channel, in order; bounded by what {@link #queueSize()} callers allow. */
    private final java.util.Queue<ByteBuf> outbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final AtomicBoolean drainScheduled = new AtomicBoolean();
    private final AtomicBoolean closeSent = new AtomicBoolean();
    /** Event loop only. */
    private boolean open;
    private boolean closeReceived;
    private boolean reported;
    private int closeCode = 1005;
    private String closeReason = "";

    RelaySocket(WebSocketClientHandshaker handshaker, Listener listener) {
        this.handshaker = handshaker;
        this.listener = listener;
    }

    /** The channel is made: returns the handler to put last in its pipeline. On its event loop, before any I/O. */
    Handler attach(Channel ch) {
        channel = ch;
        if (closeSent.get()) {
            ch.close(); // cancelled while connecting
        }
        return new Handler();
    }

    /** The TCP connection could not be made. On the event loop. */
    void connectFailed(Throwable cause) {
        if (!reported) {
            reported = true;
            listener.onFailure(cause, -1);
        }
    }

    /**
     * Queues {@code frame} as one binary message. Copies its payload (the caller may reuse its array at once).
     *
     * @return false when the socket is closing or closed: nothing was sent
     */
    public boolean send(Frame frame) {
        Channel channel = this.channel;
        if (closeSent.get() || channel == null || !channel.isActive()) {
            return false;
        }
        ByteBuf buf = WireFrames.encode(channel.alloc(), frame);
        queued.addAndGet(buf.readableBytes());
        outbox.add(buf);
        if (drainScheduled.compareAndSet(false, true)) {
            channel.eventLoop().execute(this::drain);
        }
        return true;
    }

    /**
     * Writes every frame in the outbox, then flushes once. The flag is cleared before the outbox is read, so a frame
     * added meanwhile is either taken by this drain or schedules the next one (never left unflushed).
     */
    private void drain() {
        drainScheduled.set(false);
        Channel ch = channel;
        ByteBuf buf;
        boolean wrote = false;
        while ((buf = outbox.poll()) != null) {
            int size = buf.readableBytes();
            if (!ch.isActive()) {
                queued.addAndGet(-size);
                buf.release();
                continue;
            }
            ch.write(new BinaryWebSocketFrame(buf)).addListener(f -> queued.addAndGet(-size));
            wrote = true;
        }
        if (wrote) {
            ch.flush();
        }
    }

    /** Bytes sent and not yet written to the socket (frame headers included). */
    public long queueSize() {
        return queued.get();
    }

    /**
     * Starts the close handshake: sends a close frame after whatever is queued, then waits up to a second for the
     * relay's. Later sends are refused. Idempotent.
     */
    public void close(int code, String reason) {
        Channel channel = this.channel;
        if (!closeSent.compareAndSet(false, true) || channel == null) {
            return;
        }
        channel.eventLoop().execute(() -> {
            if (!open) {
                channel.close(); // still connecting or shaking hands: nothing to close politely
                return;
            }
            drain(); // what was sent before the close goes first
            channel.writeAndFlush(new CloseWebSocketFrame(code, reason)).addListener(f -> {
                if (closeReceived) {
                    channel.close();
                } else {
                    channel.eventLoop().schedule(() -> channel.close(), CLOSE_TIMEOUT_MS, TimeUnit.MILLISECONDS);
                }
            });
        });
    }

    /** Drops the connection now, without a close handshake. */
    public void cancel() {
        closeSent.set(true);
        Channel channel = this.channel;
        if (channel != null) {
            channel.close();
        }
    }

    private void fail(Throwable cause, int status) {
        if (!reported) {
            reported = true;
            listener.onFailure(cause, status);
        }
        channel.close();
    }

    /** The last handler of the pipeline: the handshake answer, then WebSocket frames. Event loop only. */
    final class Handler extends SimpleChannelInboundHandler<Object> {
        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            handshaker.handshake(ctx.channel()).addListener((ChannelFutureListener) f -> {
                if (!f.isSuccess()) {
                    fail(f.cause(), -1);
                }
            });
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
            if (!open) {
                if (msg instanceof FullHttpResponse response) {
                    handshakeAnswer(ctx, response);
                }
                return;
            }
            switch (msg) {
                case BinaryWebSocketFrame b when b.content().readableBytes() > FrameCodec.MAX_FRAME -> refuseTooBig(ctx); // inflated
                case BinaryWebSocketFrame b -> listener.onMessage(ByteBuffer.wrap(ByteBufUtil.getBytes(b.content())));
                case TextWebSocketFrame t -> listener.onText();
                case PingWebSocketFrame p -> {
                    ctx.writeAndFlush(new PongWebSocketFrame(p.content().retain())); // rare: the relay pings with CONTROL frames
                }
                case CloseWebSocketFrame c -> {
                    closeReceived = true;
                    closeCode = c.statusCode() < 0 ? 1005 : c.statusCode();
                    closeReason = c.reasonText() == null ? "" : c.reasonText();
                    if (closeSent.get()) {
                        channel.close(); // we asked first: this is the answer
                    }
                    listener.onClosing(closeCode, closeReason);
                }
                case WebSocketFrame other -> { } // pong, or a continuation the aggregator already joined
                default -> { }
            }
        }

        private void handshakeAnswer(ChannelHandlerContext ctx, FullHttpResponse response) {
            if (!HttpResponseStatus.SWITCHING_PROTOCOLS.equals(response.status())) {
                fail(new IllegalStateException("HTTP " + response.status().code()), response.status().code());
                return;
            }
            try {
                handshaker.finishHandshake(ctx.channel(), response);
            } catch (RuntimeException e) {
                fail(e, -1);
                return;
            }
            // Before the inflater (if any): it joins compressed fragments, which may be a little over MAX_FRAME.
            ctx.pipeline().addAfter("ws-decoder", "ws-aggregator",
                    new WebSocketFrameAggregator(dev.portway.shared.protocol.WsCompression.MAX_COMPRESSED_FRAME));
            open = true;
            listener.onConnected();
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (open && RelayDeflate.tooBig(cause)) {
                refuseTooBig(ctx);
                return;
            }
            fail(cause instanceof io.netty.handler.codec.DecoderException d && d.getCause() != null ? d.getCause() : cause, -1);
        }

        /** PROTOCOL.md §1: over MAX_FRAME, also once inflated. Says so to the relay (1009), then drops the connection. */
        private void refuseTooBig(ChannelHandlerContext ctx) {
            if (!closeSent.compareAndSet(false, true)) {
                return;
            }
            ctx.channel().config().setAutoRead(false);
            String why = "the relay sent a message larger than " + FrameCodec.MAX_FRAME + " bytes (after inflating)";
            ctx.writeAndFlush(new CloseWebSocketFrame(1009, "A message is larger than " + FrameCodec.MAX_FRAME
                    + " bytes (after inflating).")).addListener(f -> fail(new java.io.IOException(why), -1));
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            boolean weClosed = closeSent.getAndSet(true);
            drain(); // releases what was queued and never written
            if (reported) {
                return;
            }
            reported = true;
            if (closeReceived) {
                listener.onClosed(closeCode, closeReason);
            } else if (weClosed && open) {
                listener.onClosed(1006, "");
            } else {
                listener.onFailure(new EOFException(open ? "the relay closed the connection" : "the relay closed the connection during the handshake"), -1);
            }
        }
    }
}
