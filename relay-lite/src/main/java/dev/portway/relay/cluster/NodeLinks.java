package dev.portway.relay.cluster;

import dev.portway.relay.tunnel.TunnelBackend;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.ReadTimeoutHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Node-to-node links (docs/cluster.md "Any node serves any tunnel"): this node listens on the port of its
 * {@code --cluster-address} for the other nodes, and dials each node that binds a tunnel (one link per node,
 * redialled when it breaks). Links are plain TCP, or TLS 1.3 with {@code --cluster-tls} ({@link LinkTls}),
 * authenticated both ways with the cluster secret ({@link LinkAuth}); plain links belong on a private network. Thread-safe; nothing blocks but {@link #start} and
 * {@link #close}.
 */
final class NodeLinks implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(NodeLinks.class);
    private static final int HANDSHAKE_SECONDS = 10;

    private final String nodeId;
    private final LinkAuth auth;
    /** TLS for the links, or null for plain TCP. */
    private final LinkTls tls;
    private final EventLoopGroup workers;
    private final int window;
    private final Function<String, TunnelBackend> local;
    private final Map<String, RemoteBackend> up = new ConcurrentHashMap<>();
    private final Map<String, Boolean> dialling = new ConcurrentHashMap<>();
    /** The links the other nodes dialled, once authenticated: the ones that carry their visitors' streams here. */
    private final java.util.Set<LinkInbound> inbound = ConcurrentHashMap.newKeySet();
    private volatile boolean draining;
    private volatile Channel server;
    private volatile boolean closed;

    /**
     * @param local  the backend of a tunnel bound on this node, or null (what the other nodes' streams open)
     * @param window the credit each side of a link stream starts with (the relay's stream window)
     */
    NodeLinks(ClusterConfig config, EventLoopGroup boss, EventLoopGroup workers, String bindHost, int window,
              Function<String, TunnelBackend> local) throws IOException {
        this.nodeId = config.nodeId();
        this.auth = new LinkAuth(config.secret());
        this.tls = config.tls() ? LinkTls.create(nodeId) : null;
        this.workers = workers;
        this.window = window;
        this.local = local;
        int port = Integer.parseInt(config.address().substring(config.address().lastIndexOf(':') + 1));
        ServerBootstrap b = new ServerBootstrap().group(boss, workers).channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("handshake-timeout", new ReadTimeoutHandler(HANDSHAKE_SECONDS, TimeUnit.SECONDS));
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.serverHandler(ch.alloc()));
                        }
                        LinkWire.addCodec(ch.pipeline());
                        ch.pipeline().addLast("link", new LinkInbound(auth, nodeId, tls != null, window, local, in -> {
                            ch.pipeline().remove("handshake-timeout");
                            inbound.add(in);
                            ch.closeFuture().addListener(c -> inbound.remove(in));
                            if (draining) {
                                in.drain(); // a link made while this node drains: told at once, not waited for
                            }
                        }));
                    }
                });
        ChannelFuture f = b.bind(bindHost, port).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("Cannot listen for the other cluster nodes on port " + port + " (" + f.cause().getMessage()
                    + ") — choose another port in --cluster-address.", f.cause());
        }
        server = f.channel();
        log.info("Listening for the other cluster nodes on {}:{} ({})", bindHost, port, tls != null ? "TLS" : "plain TCP");
    }

    /**
     * The backend that carries streams to {@code node}; dials it when there is no link yet (then null until
     * the link is up, a moment later).
     */
    TunnelBackend to(String node, String address) {
        if (node.equals(nodeId)) {
            return null;
        }
        RemoteBackend b = up.get(node);
        if (b != null && b.linked()) {
            return b.isUp() ? b : null; // null: that node is shutting down
        }
        dial(node, address);
        return null;
    }

    /** Dials {@code node} unless a link to it is up or being made. Any thread. */
    void dial(String node, String address) {
        if (closed || node.equals(nodeId) || (up.containsKey(node) && up.get(node).linked())
                || dialling.putIfAbsent(node, Boolean.TRUE) != null) {
            return;
        }
        int colon = address.lastIndexOf(':');
        String host = address.substring(0, colon).replace("[", "").replace("]", "");
        int port = Integer.parseInt(address.substring(colon + 1));
        new Bootstrap().group(workers).channel(NioSocketChannel.class)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 3_000)
                .handler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        ch.pipeline().addLast("handshake-timeout", new ReadTimeoutHandler(HANDSHAKE_SECONDS, TimeUnit.SECONDS));
                        if (tls != null) {
                            ch.pipeline().addLast("tls", tls.clientHandler(ch.alloc(), host, port));
                        }
                        LinkWire.addCodec(ch.pipeline());
                        ch.pipeline().addLast("link", new Dial(node, address));
                    }
                })
                .connect(host, port).addListener((ChannelFuture f) -> {
                    if (!f.isSuccess()) {
                        dialling.remove(node);
                        log.warn("Cannot reach cluster node {} at {}: {}", node, address, f.cause().getMessage());
                    }
                });
    }

    /** The dialling side's handshake; replaced by the node's {@link RemoteBackend} once both proofs checked out. */
    private final class Dial extends SimpleChannelInboundHandler<ByteBuf> {
        private final String node;
        private final String address;
        private final String nonce = LinkAuth.nonce();
        private boolean answered;

        Dial(String node, String address) {
            this.node = node;
            this.address = address;
        }

        /** The first handshake message: who dials, its nonce, and the link features it offers ({@link LinkFeatures}). */
        private Map<String, String> hello() {
            return Map.of("node", nodeId, "nonce", nonce, "features", LinkFeatures.ALL.text());
        }

        @Override
        public void channelActive(ChannelHandlerContext ctx) {
            if (tls == null) {
                LinkWire.writeJson(ctx.channel(), hello());
            } // with TLS: once its handshake is done
        }

        @Override
        public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
            if (evt instanceof SslHandshakeCompletionEvent done) {
                if (done.isSuccess()) {
                    LinkWire.writeJson(ctx.channel(), hello());
                } else {
                    log.warn("Cannot link to cluster node {} at {} over TLS ({}) — every node needs --cluster-tls, or none",
                            node, address, java.util.Objects.requireNonNullElse(done.cause().getMessage(),
                                    "the connection closed during the TLS handshake"));
                    ctx.close();
                }
                return;
            }
            super.userEventTriggered(ctx, evt);
        }

        @Override
        protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
            Map<String, String> m = LinkWire.readJson(msg);
            String theirs = m.get("nonce");
            answered = true;
            byte[] binding = LinkTls.binding(ctx.channel());
            if (theirs == null || !node.equals(m.get("node"))
                    || !LinkAuth.same(auth.acceptProof(nonce, theirs, binding), m.get("proof"))) {
                if (!node.equals(m.get("node"))) {
                    log.warn("Cluster node {} at {} answered as node {} — not linking", node, ctx.channel().remoteAddress(),
                            m.get("node"));
                } else {
                    log.warn("Cluster node {} at {} did not prove the cluster secret{} — not linking", node,
                            ctx.channel().remoteAddress(), binding == null ? "" : " for this TLS connection (another "
                                    + "secret, or something in the middle that terminates TLS)");
                }
                ctx.close();
                return;
            }
            LinkWire.writeJson(ctx.channel(), Map.of("proof", auth.dialProof(nonce, theirs, binding)));
            // an accepting node from before link features answers none: the link then carries streams as before
            LinkFeatures features = LinkFeatures.agreed(m.get("features"));
            RemoteBackend backend = new RemoteBackend(node, ctx.channel(), window, features);
            ctx.pipeline().remove("handshake-timeout");
            LinkWire.authenticated(ctx.pipeline());
            ctx.pipeline().replace(this, "link", backend);
            up.put(node, backend);
            dialling.remove(node);
            ctx.channel().closeFuture().addListener(c -> up.remove(node, backend));
            log.info("Node link to {} ({}) is up{}", node, ctx.channel().remoteAddress(), features.equals(LinkFeatures.NONE)
                    ? " (it carries no trailers or interim answers: that node runs an older relay-lite)" : "");
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            dialling.remove(node);
            if (!answered && tls == null) {
                log.warn("Cluster node {} at {} closed the link before its handshake — if it runs with --cluster-tls, "
                        + "every node needs it", node, address);
            }
        }

        @Override
        public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            log.debug("Node link to {}: {}", node, cause.toString());
            ctx.close();
        }
    }

    /**
     * This node shuts down: every node that dialled it is told ({@code go_away}, feature {@code drain}) and sends it no
     * new streams; blocks until each has confirmed that every stream it had decided to send is on the wire (its
     * {@code pong}), or until {@code max}. After this, the sessions here can refuse new streams without a visitor on
     * another node getting that refusal. A node from before the feature is not told: the names this node withdrew
     * reach it by the database's notification instead. Not on an event loop.
     */
    void drain(java.time.Duration max) {
        draining = true;
        var waits = inbound.stream().map(LinkInbound::drain).toList();
        long end = System.nanoTime() + max.toNanos();
        int late = 0;
        for (var w : waits) {
            try {
                w.get(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
            } catch (java.util.concurrent.TimeoutException | java.util.concurrent.ExecutionException e) {
                late++;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
        }
        if (late > 0) {
            log.warn("{} of {} nodes linked to this one did not confirm within {} ms that they stopped sending it visitors",
                    late, waits.size(), max.toMillis());
        }
    }

    @Override
    public void close() {
        closed = true;
        if (server != null) {
            server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
        }
        for (RemoteBackend b : up.values()) {
            b.close();
        }
        up.clear();
    }
}
