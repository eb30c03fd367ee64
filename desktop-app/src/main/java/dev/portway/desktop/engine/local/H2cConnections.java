package dev.portway.desktop.engine.local;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;
import io.netty.util.concurrent.Future;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.SocketTimeoutException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * HTTP/2 with prior knowledge (h2c) to local apps that speak only HTTP/2, such as gRPC servers: one connection per
 * {@code host:port}, every request a stream of its own on it (multiplexed), and a new connection when the app closed
 * the old one or sent GOAWAY. Each stream's frames become the HTTP/1.1 objects the rest of the local leg reads
 * (Netty's {@link Http2StreamFrameToHttpObjectCodec}; a trailing HEADERS frame is a {@code LastHttpContent} with
 * trailing headers, both ways). Flow control is HTTP/2's own: a stream's channel reads only when its reader asks,
 * and the window is given back as bytes are taken. Thread-safe.
 */
final class H2cConnections {
    private final Bootstrap bootstrap;
    private final Map<String, Channel> connections = new ConcurrentHashMap<>();

    /** @param plain the local leg's bootstrap (its event loop group, timeouts and options) */
    H2cConnections(Bootstrap plain) {
        this.bootstrap = plain.clone().option(ChannelOption.AUTO_READ, true) // frames of every stream, read as they come
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("h2", Http2FrameCodecBuilder.forClient()
                                .initialSettings(Http2Settings.defaultSettings().pushEnabled(false)).build());
                        ch.pipeline().addLast("h2-mux", new Http2MultiplexHandler(new ChannelInboundHandlerAdapter()));
                        ch.pipeline().addLast("h2-end", new ChannelInboundHandlerAdapter() {
                            @Override
                            public void exceptionCaught(io.netty.channel.ChannelHandlerContext ctx, Throwable cause) {
                                ctx.close(); // the app reset or broke the connection: its streams fail, the next call dials anew
                            }
                        });
                    }
                });
    }

    /**
     * A new stream to {@code host:port}, on the open connection or a new one.
     *
     * @throws IOException when the app cannot be reached or refuses the stream
     */
    LocalConnection open(String host, int port) throws IOException {
        String key = host + ":" + port;
        Channel parent = connection(host, port, key);
        try {
            return stream(parent, key);
        } catch (IOException e) {
            // the connection went away meanwhile (GOAWAY, close): one fresh one
            connections.remove(key, parent);
            parent.close();
            return stream(connection(host, port, key), key);
        }
    }

    private LocalConnection stream(Channel parent, String key) throws IOException {
        Future<Http2StreamChannel> f = new Http2StreamChannelBootstrap(parent).option(ChannelOption.AUTO_READ, false)
                .handler(new ChannelInitializer<Http2StreamChannel>() {
                    @Override
                    protected void initChannel(Http2StreamChannel ch) {
                        ch.pipeline().addLast("h2-to-http", new Http2StreamFrameToHttpObjectCodec(false, false));
                    }
                }).open();
        try {
            f.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted while opening an HTTP/2 stream to " + key);
        }
        if (!f.isSuccess()) {
            throw LocalConnection.io(f.cause());
        }
        return new LocalConnection(f.getNow(), key);
    }

    private Channel connection(String host, int port, String key) throws IOException {
        Channel c = connections.get(key);
        if (usable(c)) {
            return c;
        }
        synchronized (this) {
            c = connections.get(key);
            if (usable(c)) {
                return c;
            }
            if (c != null) {
                connections.remove(key, c);
                c.close(); // the app said GOAWAY: its open streams finish, new ones go on a new connection
            }
            ChannelFuture f = bootstrap.connect(host, port);
            try {
                f.await();
            } catch (InterruptedException e) {
                f.channel().close();
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted while connecting to " + key);
            }
            if (!f.isSuccess()) {
                f.channel().close();
                if (f.cause() instanceof ConnectTimeoutException t) {
                    throw new SocketTimeoutException(t.getMessage());
                }
                throw LocalConnection.io(f.cause());
            }
            Channel ch = f.channel();
            connections.put(key, ch);
            ch.closeFuture().addListener(done -> connections.remove(key, ch));
            return ch;
        }
    }

    /** Open, and the app has not sent GOAWAY (after which it takes no new stream). */
    private static boolean usable(Channel c) {
        if (c == null || !c.isActive()) {
            return false;
        }
        Http2FrameCodec codec = c.pipeline().get(Http2FrameCodec.class);
        return codec != null && !codec.connection().goAwayReceived();
    }

    /** Open connections, for tests and diagnostics. */
    int open() {
        return (int) connections.values().stream().filter(Channel::isActive).count();
    }

    void closeAll() {
        connections.values().forEach(Channel::close);
        connections.clear();
    }
}
