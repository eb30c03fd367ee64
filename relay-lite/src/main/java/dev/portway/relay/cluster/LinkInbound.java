package dev.portway.relay.cluster;

import dev.portway.relay.tunnel.StreamListener;
import dev.portway.relay.tunnel.TunnelBackend;
import dev.portway.relay.tunnel.TunnelStream;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ProtocolException;
import dev.portway.shared.protocol.ReplyMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Function;

/**
 * The accepting end of a node-to-node link: after the handshake, every OPEN from the other node is opened on the
 * local tunnel's own backend (the client's session) and its frames are passed through both ways. Credit passes
 * end to end: bytes from the client are granted again only when the other node's visitor took them (its
 * WINDOW_UPDATE), and the other node gets credit for visitor bytes only as this node's stream accepts them — so
 * nothing is buffered whole. Every method runs on the link's event loop, which is also the streams' loop.
 */
final class LinkInbound extends SimpleChannelInboundHandler<ByteBuf> {
    private static final Logger log = LoggerFactory.getLogger(LinkInbound.class);

    private final LinkAuth auth;
    /** The link is TLS: a peer speaking plain TCP to it is told so in the log. */
    private final boolean tls;
    private final String nodeId;
    /** The backend of a tunnel bound on this node (never a remote one), or null. */
    private final Function<String, TunnelBackend> local;
    private String dialNonce;
    private String acceptNonce;
    private String peer;
    private boolean up;
    /** What the dialling node offered and this node has (its first handshake message). */
    private LinkFeatures features = LinkFeatures.NONE;
    private final Map<Integer, Bridge> streams = new HashMap<>();
    private ChannelHandlerContext ctx;

    private final java.util.function.Consumer<LinkInbound> authenticated;
    /** Completed by the other node's {@code pong} to this node's drain {@code ping}; null until {@link #drain}. */
    private volatile java.util.concurrent.CompletableFuture<Void> drained;
    private static final long DRAIN_PING = 1;

    /** The credit each side of a link stream starts with (the relay's stream window). */
    private final int window;

    /** @param authenticated run once the other node proved the secret (on the link's loop) */
    LinkInbound(LinkAuth auth, String nodeId, boolean tls, int window, Function<String, TunnelBackend> local,
                java.util.function.Consumer<LinkInbound> authenticated) {
        this.auth = auth;
        this.window = window;
        this.tls = tls;
        this.nodeId = nodeId;
        this.local = local;
        this.authenticated = authenticated;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) throws Exception {
        this.ctx = ctx;
        super.channelActive(ctx);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
        if (!up) {
            handshake(msg);
            return;
        }
        Frame f;
        try {
            f = FrameCodec.decode(msg.nioBuffer());
        } catch (ProtocolException e) {
            log.warn("Node link from {}: {} — closing it", peer, e.getMessage());
            ctx.close();
            return;
        }
        Bridge b = streams.get(f.streamId());
        switch (f.type()) {
            case OPEN -> open(f);
            case DATA -> {
                if (b != null && b.stream != null) {
                    int n = f.payloadLength();
                    if (b.finIn) {
                        b.violate(ErrorCode.PROTOCOL_ERROR, "DATA after FIN on link stream " + b.id);
                        return;
                    }
                    if (n > b.inCredit) { // the client's session would queue what the stream cannot take: never more than the window
                        log.warn("Node link from {}: stream {} reset, {} bytes sent with {} bytes of credit", peer, b.id,
                                n, b.inCredit);
                        b.violate(ErrorCode.FLOW_CONTROL, n + " bytes sent on link stream " + b.id + " with only "
                                + b.inCredit + " bytes of credit");
                        return;
                    }
                    b.inCredit -= n;
                    boolean more = b.stream.sendData(msg.retainedSlice(msg.readerIndex() + FrameCodec.HEADER_SIZE, n));
                    if (more) {
                        b.grant(n);
                    } else {
                        b.owed += n; // granted again when the stream is writable
                    }
                }
            }
            case FIN -> {
                if (b != null && b.stream != null && !b.finIn) {
                    java.util.List<Header> trailers;
                    try {
                        trailers = features.trailers() ? f.finTrailers() : java.util.List.of();
                    } catch (ProtocolException e) {
                        streams.remove(f.streamId());
                        b.stream.sendRst(ErrorCode.PROTOCOL_ERROR, e.getMessage());
                        LinkWire.write(ctx.channel(), Frame.rst(f.streamId(), ErrorCode.PROTOCOL_ERROR, e.getMessage()));
                        return;
                    }
                    b.finIn = true;
                    b.stream.sendFin(trailers); // the visitor's request trailers (PROTOCOL.md §3.2)
                    b.doneIfBothFinished();
                }
            }
            case RST -> {
                if (b != null) {
                    streams.remove(f.streamId());
                    if (b.stream != null) {
                        b.stream.sendRst(f.rstCode(), f.rstMessage());
                    }
                }
            }
            case WINDOW_UPDATE -> {
                if (b != null && b.stream != null) {
                    if (f.windowIncrement() > b.unacked) { // credit for bytes never sent would let the client overrun the link
                        b.violate(ErrorCode.FLOW_CONTROL, "a window update on link stream " + b.id
                                + " gives back more than was sent");
                        return;
                    }
                    b.unacked -= f.windowIncrement();
                    b.stream.consumed(f.windowIncrement());
                    b.doneIfBothFinished();
                }
            }
            case CONTROL -> control(f);
            default -> log.debug("Node link from {}: ignored {} frame", peer, f.type());
        }
    }

    /**
     * This node shuts down (feature {@code drain}): {@code go_away} and a {@code ping} to the node that dialled; the
     * future completes with its {@code pong}, after which it sends no new streams on this link. Completed at once
     * when that node does not have the feature. Any thread; idempotent.
     */
    java.util.concurrent.CompletableFuture<Void> drain() {
        synchronized (this) {
            if (drained != null) {
                return drained;
            }
            drained = new java.util.concurrent.CompletableFuture<>();
        }
        if (!features.drain() || !ctx.channel().isActive()) {
            drained.complete(null);
            return drained;
        }
        ctx.channel().closeFuture().addListener(c -> drained.complete(null)); // nothing more comes from a closed link
        ctx.executor().execute(() -> {
            LinkWire.write(ctx.channel(), Frame.control(new dev.portway.shared.protocol.ControlMessage.GoAway(
                    "node " + nodeId + " is shutting down", 0)));
            LinkWire.write(ctx.channel(), Frame.control(new dev.portway.shared.protocol.ControlMessage.Ping(
                    DRAIN_PING, System.currentTimeMillis())));
        });
        return drained;
    }

    private void control(Frame f) {
        dev.portway.shared.protocol.ControlMessage m;
        try {
            m = Json.read(f.payload(), dev.portway.shared.protocol.ControlMessage.class);
        } catch (ProtocolException e) {
            log.warn("Node link from {}: {} — closing it", peer, e.getMessage());
            ctx.close();
            return;
        }
        var d = drained;
        if (m instanceof dev.portway.shared.protocol.ControlMessage.Pong p && p.seq() == DRAIN_PING && d != null) {
            d.complete(null);
        } else {
            log.debug("Node link from {}: ignored {} on stream 0", peer, m.getClass().getSimpleName());
        }
    }

    private void handshake(ByteBuf msg) {
        Map<String, String> m = LinkWire.readJson(msg);
        if (dialNonce == null) {
            dialNonce = m.get("nonce");
            peer = m.get("node");
            if (dialNonce == null || peer == null) {
                ctx.close();
                return;
            }
            acceptNonce = LinkAuth.nonce();
            features = LinkFeatures.agreed(m.get("features")); // none from a dialling node that predates them
            LinkWire.writeJson(ctx.channel(), Map.of("node", nodeId, "nonce", acceptNonce,
                    "proof", auth.acceptProof(dialNonce, acceptNonce, LinkTls.binding(ctx.channel())),
                    "features", features.text()));
        } else if (LinkAuth.same(auth.dialProof(dialNonce, acceptNonce, LinkTls.binding(ctx.channel())), m.get("proof"))) {
            up = true;
            LinkWire.authenticated(ctx.pipeline());
            authenticated.accept(this);
            log.info("Node link from {} ({}) is up", peer, ctx.channel().remoteAddress());
        } else {
            log.warn("Node link from {} ({}): wrong cluster secret — closing it", peer, ctx.channel().remoteAddress());
            ctx.close();
        }
    }

    private void open(Frame f) {
        int id = f.streamId();
        if (streams.containsKey(id)) { // its frames could no longer be told apart from the open stream's
            log.warn("Node link from {}: a second OPEN for stream {}, which is open — closing the link", peer, id);
            ctx.close();
            return;
        }
        OpenMessage open;
        try {
            open = Json.read(f.payload(), OpenMessage.class);
        } catch (ProtocolException e) {
            LinkWire.write(ctx.channel(), Frame.rst(id, ErrorCode.PROTOCOL_ERROR, e.getMessage()));
            return;
        }
        TunnelBackend backend = open.tunnel() == null ? null : local.apply(open.tunnel());
        if (backend == null) {
            LinkWire.write(ctx.channel(), Frame.rst(id, ErrorCode.REFUSED_STREAM, "The tunnel " + open.tunnel()
                    + " is no longer connected to node " + nodeId + "."));
            return;
        }
        Bridge b = new Bridge(id);
        streams.put(id, b);
        TunnelBackend.Opened opened = backend.openStream(open, ctx.channel().eventLoop(), b);
        if (opened.stream() == null) {
            streams.remove(id);
            LinkWire.write(ctx.channel(), Frame.rst(id, opened.refusal() == null ? ErrorCode.REFUSED_STREAM : opened.refusal(),
                    "Node " + nodeId + " could not open the stream."));
            return;
        }
        b.stream = opened.stream(); // the other node starts with `window` bytes of credit, as a client's stream does
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (up) {
            log.info("Node link from {} closed", peer);
        }
        for (Bridge b : new ArrayList<>(streams.values())) {
            if (b.stream != null) {
                b.stream.sendRst(ErrorCode.CANCEL, "The visitor's node went away.");
            }
        }
        streams.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        if (!up && tls && cause.getCause() instanceof io.netty.handler.ssl.NotSslRecordException) {
            log.warn("Node link from {} is not TLS — this node runs with --cluster-tls: start every node with it",
                    ctx.channel().remoteAddress());
        } else if (!up && !tls && cause instanceof io.netty.handler.codec.TooLongFrameException) {
            log.warn("Node link from {} sent no link handshake (a TLS one? — if that node runs with --cluster-tls, "
                    + "every node needs it)", ctx.channel().remoteAddress());
        } else {
            log.debug("Node link from {}: {}", peer, cause.toString());
        }
        ctx.close();
    }

    /** One stream of the link: the local stream's events go to the other node. On the link's loop. */
    private final class Bridge implements StreamListener {
        final int id;
        TunnelStream stream;
        /** Visitor bytes the stream took while it was full: credit owed to the other node once it is writable. */
        int owed;
        boolean finIn;
        boolean finOut;
        /** Bytes sent to the other node that its visitor has not yet taken (its WINDOW_UPDATEs return them). */
        long unacked;
        /** Visitor bytes the other node may still send on this stream (this node's WINDOW_UPDATEs give them back). */
        long inCredit = window;

        Bridge(int id) {
            this.id = id;
        }

        @Override
        public void onReply(ReplyMessage reply) {
            LinkWire.write(ctx.channel(), Frame.reply(id, reply));
        }

        @Override
        public void onData(ByteBuf data) {
            // consumed() is called when the other node's visitor took them (its WINDOW_UPDATE).
            unacked += data.readableBytes();
            LinkWire.writeAllData(ctx.channel(), id, data);
        }

        /** An interim answer (103 Early Hints…), passed on only when the other node agreed to {@code interim}. */
        @Override
        public void onInterim(ReplyMessage interim) {
            if (features.interim()) {
                LinkWire.write(ctx.channel(), Frame.reply(id, interim));
            }
        }

        @Override
        public void onFin() {
            onFin(java.util.List.of());
        }

        /** The end of the answer, with its trailers when the other node agreed to {@code trailers}. */
        @Override
        public void onFin(java.util.List<Header> trailers) {
            LinkWire.write(ctx.channel(), Frame.fin(id, features.trailers() ? trailers : java.util.List.of()));
            finOut = true;
            doneIfBothFinished();
        }

        /**
         * Both halves closed and every byte taken by the other node's visitor (so the session's credit is all back):
         * the stream is over; later frames for it are ignored.
         */
        void doneIfBothFinished() {
            if (finIn && finOut && unacked <= 0) {
                streams.remove(id);
            }
        }

        @Override
        public void onRst(ErrorCode code, String message) {
            streams.remove(id);
            LinkWire.write(ctx.channel(), Frame.rst(id, code, message));
        }

        @Override
        public void onSessionGone() {
            streams.remove(id);
            LinkWire.write(ctx.channel(), Frame.rst(id, ErrorCode.SHUTTING_DOWN, "The tunnel's client went away."));
        }

        @Override
        public void onWritable() {
            if (owed > 0) {
                grant(owed);
                owed = 0;
            }
        }

        void grant(int n) {
            inCredit += n;
            LinkWire.write(ctx.channel(), Frame.windowUpdate(id, n));
        }

        /** The other node broke the protocol on this stream: reset both ways. */
        void violate(ErrorCode code, String message) {
            streams.remove(id);
            stream.sendRst(code, message);
            LinkWire.write(ctx.channel(), Frame.rst(id, code, message));
        }
    }
}
