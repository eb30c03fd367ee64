package dev.portway.desktop.engine.local;

import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpMessage;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseDecoder;
import io.netty.util.ReferenceCountUtil;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * One TCP connection to the local app, used by one blocking (virtual) thread at a time; the Netty event loop only
 * decodes and hands over.
 *
 * <p>Backpressure: the channel does not auto-read while in use. {@link #next} asks for one read (one receive buffer,
 * at most {@value LocalLeg#MAX_READ} bytes) only when everything read before was taken, so {@link #inbox} holds at most
 * what one read decoded. Writes wait for the previous write to reach the socket ({@link #write}), so at most one chunk
 * is queued towards the app. While pooled the channel auto-reads, to notice at once that the app closed it.
 */
final class LocalConnection {
    /** {@link #next} returns this when the app closed the connection or shut down its output. */
    static final Object EOF = new Object();

    final Channel channel;
    final String key;
    private final LinkedBlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    /** Interim answers {@link #answered} looked past while a body was going out, for {@link #next}; a few at most. */
    private final java.util.concurrent.ConcurrentLinkedQueue<Object> held = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final Decoder decoder;
    private volatile boolean demanded;
    private volatile boolean sawBytes;
    private volatile boolean pooled;
    private volatile boolean eof;
    private volatile boolean closed;
    private volatile Throwable failure;
    private ChannelFuture lastWrite;
    /** Requests this connection carried: more than 0 means it came from the pool. */
    int uses;
    /** Whether the pool listens for this connection's close already (set once, by the pool). */
    boolean watched;
    /** The pool's idle timer while the connection waits in the pool (cancelled when it is taken): one per connection, not per request. */
    volatile java.util.concurrent.Future<?> idleTimer;

    LocalConnection(Channel channel, String key, int maxHeaderBytes) {
        this.channel = channel;
        this.key = key;
        this.decoder = new Decoder(maxHeaderBytes);
        channel.pipeline().addLast("bytes", new ByteWatch());
        channel.pipeline().addLast("http", decoder);
        channel.pipeline().addLast("inbox", new Inbox());
    }

    /**
     * One h2c stream ({@link H2cConnections}): its channel's pipeline already turns frames into HTTP objects, both
     * ways, so only the hand-over to the blocking side is added. Never pooled: each request is a stream of its own.
     */
    LocalConnection(Channel stream, String key) {
        this.channel = stream;
        this.key = key;
        this.decoder = null;
        channel.pipeline().addLast("inbox", new Inbox());
    }

    /** Whether this is one h2c stream (requests go as HTTP objects, not bytes). */
    boolean h2() {
        return decoder == null;
    }

    /** The next request's method: a response to HEAD has no body, whatever its headers say. */
    void expect(String method) {
        if (decoder != null) {
            decoder.head = "HEAD".equals(method);
        }
    }

    /** @return whether any byte of a response arrived since {@link #reset} */
    boolean sawBytes() {
        return sawBytes;
    }

    /** Ready for a new request: clears the per-request state. Not while pooled. */
    void reset() {
        sawBytes = false;
        lastWrite = null;
    }

    /** Writes {@code buf} (bytes, or an HTTP object on an h2c stream; taking ownership) after the previous write has reached the socket. */
    void write(Object buf) throws IOException {
        awaitLastWrite();
        lastWrite = channel.writeAndFlush(buf);
    }

    /** Waits until the last write reached the socket. */
    void awaitLastWrite() throws IOException {
        ChannelFuture f = lastWrite;
        if (f == null) {
            return;
        }
        try {
            f.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing to the local app");
        }
        if (!f.isSuccess()) {
            throw io(f.cause());
        }
    }

    /**
     * Waits up to {@code millis} for the last write; returns false when it is still pending.
     *
     * @throws IOException when it failed
     */
    boolean awaitLastWrite(long millis) throws IOException {
        ChannelFuture f = lastWrite;
        if (f == null) {
            return true;
        }
        try {
            if (!f.await(millis)) {
                return false;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while writing to the local app");
        }
        if (!f.isSuccess()) {
            throw io(f.cause());
        }
        return true;
    }

    /** Asks for the next read now, so an early answer is decoded while a body is still being sent. */
    void demand() {
        demanded = true;
        channel.read();
    }

    /**
     * @return whether the app has answered (a final response head, a close or a failure is waiting), skipping
     * interim 1xx answers: for a body still being sent when the app answers early
     */
    boolean answered() {
        while (true) {
            Object m = inbox.peek();
            if (m == null) {
                return eof || failure != null;
            }
            if (m instanceof HttpResponse r && LocalCall.isInterim(r.status().code())) {
                if (held.size() > dev.portway.shared.protocol.Protocol.MAX_INTERIM) {
                    return true; // too many: the reader fails the call on them
                }
                held.add(inbox.poll()); // kept for the reader, who may pass it on (PROTOCOL.md §3.2)
                ReferenceCountUtil.release(inbox.poll()); // its empty LastHttpContent, decoded with it
                if (inbox.isEmpty()) {
                    demand();
                }
                continue;
            }
            return true;
        }
    }

    /** The next decoded object if one is waiting, else null; never blocks or reads. */
    Object poll() throws IOException {
        Object m = inbox.poll();
        if (m == EOF) {
            eof = true;
        } else if (m instanceof Throwable t) {
            throw io(t);
        }
        return m;
    }

    /**
     * The next decoded object (an {@link io.netty.handler.codec.http.HttpObject}, or a raw {@link ByteBuf} after an
     * upgrade), or {@link #EOF}. The caller releases what it gets.
     *
     * @throws IOException when the connection failed
     */
    Object next() throws IOException {
        Object held = this.held.poll();
        if (held != null) {
            return held; // an interim answer answered() took off the inbox; its end was dropped there
        }
        Object m = inbox.poll();
        if (m == null) {
            if (eof) {
                return EOF;
            }
            throwIfFailed();
            demand();
            try {
                while ((m = inbox.poll(1, TimeUnit.SECONDS)) == null) {
                    if (eof) {
                        return EOF;
                    }
                    throwIfFailed();
                    if (!channel.isActive() && inbox.isEmpty()) {
                        return EOF;
                    }
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while reading from the local app");
            }
        }
        if (m == EOF) {
            eof = true;
        } else if (m instanceof Throwable t) {
            throw io(t);
        }
        return m;
    }

    private void throwIfFailed() throws IOException {
        Throwable t = failure;
        if (t != null) {
            throw io(t);
        }
    }

    /**
     * Turns the connection into a raw byte pipe after a 101: the HTTP decoder leaves the pipeline (bytes it held
     * come out as raw buffers, in order).
     */
    void upgrade() {
        channel.eventLoop().execute(() -> {
            if (channel.pipeline().get("http") != null) {
                channel.pipeline().remove("http");
            }
        });
    }

    /** Half-closes towards the app (the visitor's FIN on an upgraded connection). */
    void shutdownOutput() throws IOException {
        awaitLastWrite();
        if (channel instanceof SocketChannel s) {
            ChannelFuture f = s.shutdownOutput().awaitUninterruptibly();
            if (!f.isSuccess() && channel.isActive()) {
                throw io(f.cause());
            }
        }
    }

    /** Parks the connection in the pool: auto-read on, so a close or stray bytes from the app are seen at once. */
    void park() {
        pooled = true;
        channel.config().setAutoRead(true);
    }

    /** Takes the connection out of the pool for a request. */
    void unpark() {
        channel.config().setAutoRead(false);
        pooled = false;
        reset();
    }

    boolean isOpen() {
        return channel.isActive() && !eof && failure == null && inbox.isEmpty();
    }

    void close() {
        closed = true;
        channel.close();
        drain();
    }

    private void drain() {
        Object m;
        while ((m = held.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
        while ((m = inbox.poll()) != null) {
            ReferenceCountUtil.release(m);
        }
    }

    static IOException io(Throwable t) {
        if (t instanceof IOException e) {
            return e;
        }
        return new IOException(t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage(), t);
    }

    /** Notes that response bytes arrived (before decoding), for the retry rule in {@link LocalCall}. */
    private final class ByteWatch extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            if (pooled) {
                ReferenceCountUtil.release(msg); // nothing was asked: an app talking out of turn cannot be reused
                ctx.close();
                return;
            }
            if (msg instanceof ByteBuf b && b.isReadable()) {
                sawBytes = true;
            }
            ctx.fireChannelRead(msg);
        }
    }

    /** Hands decoded objects to the blocking side; asks for another read when one decoded nothing. Event loop only. */
    private final class Inbox extends ChannelInboundHandlerAdapter {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            demanded = false;
            if (decoder == null) {
                sawBytes = true; // an h2c stream: decoded objects only
            }
            if (closed) {
                ReferenceCountUtil.release(msg); // nobody will take it
                return;
            }
            inbox.add(msg);
        }

        @Override
        public void channelReadComplete(ChannelHandlerContext ctx) {
            if (demanded && !channel.config().isAutoRead()) {
                ctx.read(); // a partial head or chunk: nothing to hand over yet
            }
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
            if (evt instanceof ChannelInputShutdownEvent) {
                if (pooled) {
                    ctx.close();
                } else {
                    inbox.add(EOF);
                }
            }
            ctx.fireUserEventTriggered(evt);
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            inbox.add(EOF);
            if (closed) {
                drain(); // after every read of this channel: nothing is left behind unreleased
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            if (failure == null) {
                failure = cause;
            }
            inbox.add(cause);
            ctx.close();
        }
    }

    /** Netty's response decoder; told whether the request was HEAD, as {@code HttpClientCodec} would be. */
    private static final class Decoder extends HttpResponseDecoder {
        volatile boolean head;

        Decoder(int maxHeaderBytes) {
            super(new HttpDecoderConfig().setMaxInitialLineLength(8 * 1024).setMaxHeaderSize(maxHeaderBytes)
                    .setMaxChunkSize(LocalLeg.MAX_READ).setValidateHeaders(false));
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpMessage msg) {
            return head || super.isContentAlwaysEmpty(msg);
        }
    }
}
