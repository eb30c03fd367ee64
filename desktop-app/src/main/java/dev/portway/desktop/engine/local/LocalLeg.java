package dev.portway.desktop.engine.local;

import dev.portway.desktop.engine.relay.RelayConnector;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.AdaptiveRecvByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The engine's connections to local apps (PROTOCOL.md §6.1): HTTP/1.1 on Netty, sent as received (see
 * {@link LocalCall}), with keep-alive connections pooled per host and port ({@link LocalPool}).
 *
 * <p>Threads: one small named event loop group ({@code portway-local-*}, or the engine's) that only moves bytes; every blocking step
 * runs on the caller's (virtual) thread. {@link #close()} shuts the group down. Thread-safe.
 */
public final class LocalLeg implements AutoCloseable {
    /** The largest read from a local socket, and so the most one connection buffers before its reader takes it. */
    static final int MAX_READ = 64 * 1024;
    static final int MAX_HEADER_BYTES = 64 * 1024;

    private final EventLoopGroup group;
    private final boolean ownsGroup;
    private final Bootstrap bootstrap;
    private final LocalPool pool;
    private final H2cConnections h2c;
    private final Duration connectTimeout;

    /**
     * @param name           thread name prefix, {@code portway-local}
     * @param threads        event loop threads (1 or 2 is plenty: they only copy bytes)
     * @param connectTimeout how long a local app may take to accept a connection
     */
    public LocalLeg(String name, int threads, Duration connectTimeout) {
        this(name, threads, connectTimeout, 16, Duration.ofSeconds(30));
    }

    /**
     * @param idleMax     idle connections kept per host and port
     * @param idleTimeout how long an idle connection is kept
     */
    public LocalLeg(String name, int threads, Duration connectTimeout, int idleMax, Duration idleTimeout) {
        this(new MultiThreadIoEventLoopGroup(threads, new DefaultThreadFactory(name, true), NioIoHandler.newFactory()), true,
                connectTimeout, idleMax, idleTimeout);
    }

    /**
     * On an event loop group the caller owns (the engine shares one between its relay socket and the local leg, so
     * fewer threads hand bytes to each other); {@link #close()} leaves the group running.
     */
    public LocalLeg(EventLoopGroup group, Duration connectTimeout) {
        this(group, false, connectTimeout, 16, Duration.ofSeconds(30));
    }

    private LocalLeg(EventLoopGroup group, boolean ownsGroup, Duration connectTimeout, int idleMax, Duration idleTimeout) {
        this.connectTimeout = connectTimeout;
        this.group = group;
        this.ownsGroup = ownsGroup;
        this.bootstrap = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, RelayConnector.ENGINE_ALLOCATOR)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .option(ChannelOption.RCVBUF_ALLOCATOR, new AdaptiveRecvByteBufAllocator(512, 8 * 1024, MAX_READ).maxMessagesPerRead(1))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        // LocalConnection adds its handlers once connected
                    }
                });
        this.pool = new LocalPool(idleMax, idleTimeout);
        this.h2c = new H2cConnections(bootstrap);
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** A new exchange with the app at {@code host:port}; see {@link LocalCall}. */
    public LocalCall call(String host, int port) {
        return new LocalCall(this, host, port);
    }

    /**
     * As {@link #call(String, int)}; with {@code h2c} over HTTP/2 with prior knowledge, for apps that speak only HTTP/2
     * (gRPC): one connection per {@code host:port}, a stream per request.
     */
    public LocalCall call(String host, int port, boolean h2c) {
        return new LocalCall(this, host, port, h2c);
    }

    /** A new h2c stream to {@code host:port} ({@link H2cConnections}). */
    LocalConnection h2cStream(String host, int port) throws IOException {
        return h2c.open(host, port);
    }

    /** Open h2c connections now, for tests and diagnostics. */
    int h2cConnections() {
        return h2c.open();
    }

    /** A pooled connection to {@code host:port}, or null when none is idle. */
    LocalConnection pooled(String host, int port) {
        return pool.take(host + ":" + port);
    }

    /** Dials a new connection to {@code host:port}, waiting at most the connect timeout. */
    LocalConnection connect(String host, int port) throws IOException {
        ChannelFuture f = bootstrap.connect(host, port);
        try {
            f.await();
        } catch (InterruptedException e) {
            f.cancel(false);
            f.channel().close();
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while connecting to " + host + ":" + port);
        }
        if (!f.isSuccess()) {
            f.channel().close();
            if (f.cause() instanceof ConnectTimeoutException t) {
                // Netty's is a ConnectException, which would read as "refused": say timeout, as java.net does
                throw new SocketTimeoutException(t.getMessage());
            }
            throw LocalConnection.io(f.cause());
        }
        Channel ch = f.channel();
        return new LocalConnection(ch, host + ":" + port, MAX_HEADER_BYTES);
    }

    /** Gives a connection whose exchange completed cleanly back for reuse (or closes it when the pool is full). */
    void release(LocalConnection c) {
        pool.put(c);
    }

    /** Idle connections to {@code host:port} now, for tests and diagnostics. */
    int idle(String host, int port) {
        return pool.idle(host + ":" + port);
    }

    @Override
    public void close() {
        pool.closeAll();
        h2c.closeAll();
        if (ownsGroup) {
            group.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        }
    }
}
