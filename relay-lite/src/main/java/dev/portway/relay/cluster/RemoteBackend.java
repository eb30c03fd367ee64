package dev.portway.relay.cluster;

import dev.portway.relay.tunnel.StreamListener;
import dev.portway.relay.tunnel.TunnelBackend;
import dev.portway.relay.tunnel.TunnelStream;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ProtocolException;
import dev.portway.shared.protocol.ReplyMessage;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.channel.SimpleChannelInboundHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The tunnels of another node, as this node's ingress sees them: a {@link TunnelBackend} whose streams are carried
 * over the link to that node ({@link LinkInbound} is the other end), with the same per-stream flow control as a
 * client's session — the visitor's bytes are sent only against the other node's credit, and the answer's bytes
 * are granted again only as the visitor takes them. The relay's limits and metrics apply here, on the node the
 * visitor reached; the other node only passes frames to its client.
 *
 * <p>Threads: {@link #openStream} on any thread; a stream's methods on its visitor's loop; frames from the link
 * on the link's loop, handed to the visitor's loop. The handler is the link's last handler once it is up.
 */
final class RemoteBackend extends SimpleChannelInboundHandler<ByteBuf> implements TunnelBackend {
    private static final Logger log = LoggerFactory.getLogger(RemoteBackend.class);

    private final String peer;
    private final int window;
    private final Channel channel;
    private final Map<Integer, Hop> streams = new ConcurrentHashMap<>();
    private final AtomicInteger nextId = new AtomicInteger(1);
    private volatile boolean gone;
    /**
     * The other node is shutting down (its {@code go_away} on the link, feature {@code drain}): no new streams go to
     * it. Set under {@link #opening}, which every OPEN is written under, so that the {@code pong} answering its
     * {@code ping} is queued on the link after every OPEN this node decided to send before.
     */
    private volatile boolean draining;
    private final Object opening = new Object();
    /** What the other node agreed to carry in the link's handshake. */
    private final LinkFeatures features;

    RemoteBackend(String peer, Channel channel, int window, LinkFeatures features) {
        this.peer = peer;
        this.channel = channel;
        this.window = window;
        this.features = features;
    }

    void close() {
        channel.close();
    }

    /** Whether new streams may go to the other node: the link is up and that node is not draining. */
    boolean isUp() {
        return !gone && !draining && channel.isActive();
    }

    /** Whether the link is up, draining or not (a draining node is not dialled again). */
    boolean linked() {
        return !gone && channel.isActive();
    }

    @Override
    public String sessionId() {
        return "node-" + peer;
    }

    @Override
    public Opened openStream(OpenMessage open, EventLoop visitorLoop, StreamListener listener) {
        synchronized (opening) {
            if (!isUp()) {
                return new Opened(null, ErrorCode.SHUTTING_DOWN);
            }
            int id = nextId.getAndAdd(2);
            if (id < 0) { // 2^31 streams on one link: start a new link
                channel.close();
                return new Opened(null, ErrorCode.SHUTTING_DOWN);
            }
            Hop hop = new Hop(id, visitorLoop, listener);
            streams.put(id, hop);
            LinkWire.write(channel, Frame.open(id, open));
            return new Opened(hop, null);
        }
    }

    /**
     * A message on stream 0 (feature {@code drain}): {@code go_away} — the other node shuts down, send it no new
     * streams; {@code ping} — answered with {@code pong}, queued behind every OPEN already on its way. On the link's loop.
     */
    private void control(ChannelHandlerContext ctx, Frame f) {
        if (!features.drain()) {
            return;
        }
        ControlMessage m;
        try {
            m = Json.read(f.payload(), ControlMessage.class);
        } catch (ProtocolException e) {
            log.warn("Node link to {}: {} — closing it", peer, e.getMessage());
            ctx.close();
            return;
        }
        switch (m) {
            case ControlMessage.GoAway g -> {
                synchronized (opening) {
                    draining = true;
                }
                log.info("Node {} is shutting down: its visitors here go to the other nodes holding the same client", peer);
            }
            case ControlMessage.Ping p -> ctx.channel().eventLoop().execute(() -> {
                // A node that sends pings and reads no pongs gets none while its socket is full: never a queue of them.
                if (ctx.channel().isWritable()) {
                    LinkWire.write(ctx.channel(), Frame.control(new ControlMessage.Pong(p.seq(), p.time())));
                } else {
                    log.debug("Node link to {}: ping not answered, the link is not writable", peer);
                }
            });
            default -> log.debug("Node link to {}: ignored {} on stream 0", peer, m.getClass().getSimpleName());
        }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, ByteBuf msg) {
        Frame f;
        try {
            f = FrameCodec.decode(msg.nioBuffer());
        } catch (ProtocolException e) {
            log.warn("Node link to {}: {} — closing it", peer, e.getMessage());
            ctx.close();
            return;
        }
        if (f.type() == dev.portway.shared.protocol.FrameType.CONTROL) {
            control(ctx, f);
            return;
        }
        Hop hop = streams.get(f.streamId());
        if (hop == null) {
            return; // a stream the visitor already ended
        }
        switch (f.type()) {
            case REPLY -> {
                ReplyMessage reply;
                try {
                    reply = Json.read(f.payload(), ReplyMessage.class);
                } catch (ProtocolException e) {
                    hop.fail(ErrorCode.PROTOCOL_ERROR, e.getMessage());
                    return;
                }
                hop.loop.execute(() -> hop.reply(reply));
            }
            case DATA -> {
                ByteBuf data = msg.retainedSlice(msg.readerIndex() + FrameCodec.HEADER_SIZE, f.payloadLength());
                hop.loop.execute(() -> hop.data(data));
            }
            case FIN -> {
                java.util.List<Header> trailers;
                try {
                    trailers = features.trailers() ? f.finTrailers() : java.util.List.of();
                } catch (ProtocolException e) {
                    hop.loop.execute(() -> hop.violate(e.getMessage()));
                    return;
                }
                hop.loop.execute(() -> {
                    if (!hop.ended && !hop.finIn) {
                        hop.finIn = true;
                        hop.listener.onFin(trailers); // the answer's trailers (PROTOCOL.md §3.2), cut by the listener
                        hop.doneIfBothFinished();
                    }
                });
            }
            case RST -> hop.fail(f.rstCode(), f.rstMessage());
            case WINDOW_UPDATE -> {
                int n = f.windowIncrement();
                hop.loop.execute(() -> hop.credit(n));
            }
            default -> log.debug("Node link to {}: ignored {} frame", peer, f.type());
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        gone = true;
        log.info("Node link to {} closed", peer);
        for (Hop hop : streams.values()) {
            hop.loop.execute(() -> {
                if (!hop.ended) {
                    hop.ended = true;
                    hop.listener.onSessionGone();
                }
            });
        }
        streams.clear();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("Node link to {}: {}", peer, cause.toString());
        ctx.close();
    }

    /** One visitor stream carried to the other node. Its fields belong to the visitor's loop. */
    private final class Hop implements TunnelStream {
        final int id;
        final EventLoop loop;
        final StreamListener listener;
        /** Bytes the other node still takes on this stream (may go below 0 by one chunk: send takes what it is given). */
        long credit = window;
        /**
         * Answer bytes the other node may still send before this node's visitor took some (its WINDOW_UPDATEs give
         * them back): a node that sends more is cut off, so the visitor's channel never holds more than the window.
         */
        long inCredit = window;
        boolean blocked;
        boolean ended;
        boolean finIn;
        boolean finOut;
        /** The final REPLY arrived; before it, up to {@link Protocol#MAX_INTERIM} interim ones may. */
        boolean replied;
        int interims;

        Hop(int id, EventLoop loop, StreamListener listener) {
            this.id = id;
            this.loop = loop;
            this.listener = listener;
        }

        @Override
        public boolean sendData(ByteBuf bytes) {
            if (ended) {
                bytes.release();
                return true;
            }
            credit -= bytes.readableBytes();
            LinkWire.writeAllData(channel, id, bytes);
            if (credit <= 0) {
                blocked = true;
                return false;
            }
            return true;
        }

        @Override
        public void sendFin() {
            sendFin(java.util.List.of());
        }

        /** FIN with the visitor's request trailers, when the other node agreed to {@code trailers}. */
        @Override
        public void sendFin(java.util.List<Header> trailers) {
            if (!ended && !finOut) {
                finOut = true;
                LinkWire.write(channel, Frame.fin(id, features.trailers() && trailers != null ? trailers : java.util.List.of()));
                doneIfBothFinished();
            }
        }

        /**
         * A REPLY from the other node, on the visitor's loop: an interim one (with {@code interim} agreed) goes to the
         * listener as such, at most {@link Protocol#MAX_INTERIM} of them, as on a client's session (RelayStream); the
         * first other one is the final answer.
         */
        void reply(ReplyMessage reply) {
            if (ended) {
                return;
            }
            if (replied) {
                violate("second REPLY on link stream " + id);
                return;
            }
            if (features.isInterim(reply.status())) {
                if (++interims > Protocol.MAX_INTERIM) {
                    log.warn("Node link to {}: stream {} reset, more than {} interim responses (1xx) before the final one",
                            peer, id, Protocol.MAX_INTERIM);
                    violate("more than " + Protocol.MAX_INTERIM + " interim REPLYs on link stream " + id);
                    return;
                }
                listener.onInterim(reply);
                return;
            }
            replied = true;
            listener.onReply(reply);
        }

        /**
         * Answer bytes from the other node, on the visitor's loop: only after the final REPLY, before FIN and within
         * the credit this node gave; anything else resets the stream both ways (as a client's session would be).
         */
        void data(ByteBuf data) {
            int n = data.readableBytes();
            if (ended) {
                data.release();
            } else if (!replied || finIn) {
                data.release();
                violate("DATA " + (finIn ? "after FIN" : "before the REPLY") + " on link stream " + id);
            } else if (n > inCredit) {
                data.release();
                log.warn("Node link to {}: stream {} reset, {} bytes sent with {} bytes of credit", peer, id, n, inCredit);
                violate(ErrorCode.FLOW_CONTROL, n + " bytes sent on link stream " + id + " with only " + inCredit
                        + " bytes of credit");
            } else {
                inCredit -= n;
                listener.onData(data);
            }
        }

        /** The other node broke the protocol on this stream: reset it both ways. On the visitor's loop. */
        void violate(String message) {
            violate(ErrorCode.PROTOCOL_ERROR, message);
        }

        void violate(ErrorCode code, String message) {
            if (!ended) {
                ended = true;
                streams.remove(id);
                LinkWire.write(channel, Frame.rst(id, code, message));
                listener.onRst(code, message);
            }
        }

        @Override
        public void sendRst(ErrorCode code, String message) {
            if (!ended) {
                ended = true;
                streams.remove(id);
                LinkWire.write(channel, Frame.rst(id, code, message));
            }
        }

        @Override
        public void consumed(int n) {
            if (!ended && n > 0) {
                inCredit += n;
                LinkWire.write(channel, Frame.windowUpdate(id, n));
            }
        }

        /** A WINDOW_UPDATE from the other node: it can give back at most what this node sent it. */
        void credit(int n) {
            if (credit + n > window) {
                violate(ErrorCode.FLOW_CONTROL, "a window update on link stream " + id + " gives back more than was sent");
                return;
            }
            credit += n;
            if (blocked && credit > 0 && !ended) {
                blocked = false;
                listener.onWritable();
            }
        }

        /** From the link's loop: the other node reset the stream. */
        void fail(ErrorCode code, String message) {
            streams.remove(id);
            loop.execute(() -> {
                if (!ended) {
                    ended = true;
                    listener.onRst(code, message);
                }
            });
        }

        void doneIfBothFinished() {
            if (finIn && finOut) {
                streams.remove(id); // ended stays false: the listener may still consume
            }
        }
    }
}
