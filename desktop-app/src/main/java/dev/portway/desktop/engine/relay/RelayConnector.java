package dev.portway.desktop.engine.relay;

import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.WsCompression;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;

import javax.net.ssl.SSLException;
import javax.net.ssl.X509TrustManager;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.time.Duration;

/**
 * Dials the relay's WebSocket ({@code ws://} or {@code wss://}) on the engine's event loop group. TLS is the JDK's,
 * with the engine's trust manager (system CAs or a pinned certificate, see {@code RelayTrust}); the host name is
 * checked only when {@code checkHostName} (a pin is the relay's identity, whatever name it was reached by).
 * Thread-safe; owns nothing (the group belongs to the engine).
 */
public final class RelayConnector {
    /** The relay's HTTP answer to the upgrade: small (headers only). */
    private static final int MAX_HANDSHAKE_RESPONSE = 64 * 1024;

    /**
     * The engine's channels (to the relay and to the local app) allocate from Netty's classic pooled allocator, as
     * the relay's do ({@code Relay.ALLOCATOR}): Netty 4.2's adaptive default allocates and zeroes FFM memory
     * segments on JDK 25, which a JFR profile of the engine under {@code bench/compare.sh} showed among its hot
     * methods ({@code SegmentFactories.initNativeMemory}).
     */
    public static final ByteBufAllocator ENGINE_ALLOCATOR = PooledByteBufAllocator.DEFAULT;

    private final EventLoopGroup group;
    private final SslContext tls;
    private final Duration connectTimeout;
    private final String userAgent;
    private final boolean compression;

    /**
     * @param trust         how the relay's certificate is checked (used for {@code wss://} only)
     * @param checkHostName whether the certificate must name the host dialled (HTTPS rules)
     * @param compression   offer permessage-deflate ({@link RelayDeflate})
     */
    public RelayConnector(EventLoopGroup group, X509TrustManager trust, boolean checkHostName, Duration connectTimeout,
                          String userAgent, boolean compression) {
        this.group = group;
        this.compression = compression;
        this.connectTimeout = connectTimeout;
        this.userAgent = userAgent;
        try {
            this.tls = SslContextBuilder.forClient().sslProvider(SslProvider.JDK).trustManager(trust)
                    .endpointIdentificationAlgorithm(checkHostName ? "HTTPS" : null).build();
        } catch (SSLException e) {
            throw new IllegalStateException("TLS is part of every JDK: " + e.getMessage(), e);
        }
    }

    /**
     * Starts connecting to {@code uri}; the outcome arrives at {@code listener} ({@code onOpen} or {@code onFailure}).
     * Returns at once.
     */
    public RelaySocket connect(URI uri, RelaySocket.Listener listener) {
        boolean secure = "wss".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        String host = uri.getHost();
        int port = uri.getPort() > 0 ? uri.getPort() : secure ? 443 : 80;
        URI wsUri = URI.create((secure ? "wss" : "ws") + uri.toString().substring(uri.getScheme().length()));
        DefaultHttpHeaders headers = new DefaultHttpHeaders();
        headers.set(HttpHeaderNames.USER_AGENT, userAgent);
        WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(wsUri, WebSocketVersion.V13,
                null, compression, headers, compression ? WsCompression.MAX_COMPRESSED_FRAME : FrameCodec.MAX_FRAME);
        RelaySocket socket = new RelaySocket(handshaker, listener);
        InetAddress address;
        try {
            address = InetAddress.getByName(host); // on the caller's thread: a DNS lookup must not block the event loop
        } catch (UnknownHostException e) {
            listener.onFailure(e, -1);
            return socket;
        }
        new Bootstrap().group(group).channel(NioSocketChannel.class)
                .option(ChannelOption.ALLOCATOR, ENGINE_ALLOCATOR)
                .option(ChannelOption.TCP_NODELAY, true) // small frames must not wait for Nagle (PROTOCOL.md §1)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (secure) {
                            p.addLast("tls", tls.newHandler(ch.alloc(), host, port));
                        }
                        p.addLast("http", new HttpClientCodec());
                        p.addLast("http-aggregator", new HttpObjectAggregator(MAX_HANDSHAKE_RESPONSE));
                        if (compression) { // adds the offer, and on the relay's yes the (bounded) inflater and deflater
                            p.addLast("ws-extensions", RelayDeflate.handler());
                        }
                        p.addLast("relay", socket.attach(ch));
                    }
                })
                .connect(new InetSocketAddress(address, port))
                .addListener(c -> {
                    if (!c.isSuccess()) {
                        socket.connectFailed(c.cause());
                    }
                });
        return socket;
    }
}
