package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FlowWindow;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ProtocolException;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One client's WebSocket session: streams, flow control towards and from the client, and its tunnels.
 *
 * <p>Threads: frames from the client are handled on the WebSocket channel's event loop (see
 * {@link SessionHandler}); visitors call {@link #sendOpen}, {@link #send} and {@link #sendData} from their
 * own loops. Stream ids are assigned and OPEN written under this object's lock so ids reach the client
 * strictly increasing. {@code streams} and {@code blocked} are concurrent; flow windows are thread-safe.
 */
public final class Session implements TunnelBackend {
    private static final Logger log = LoggerFactory.getLogger(Session.class);
    /** Frames on their way to the client, in send order (see {@link #write}). Any thread adds; the loop drains. */
    private final java.util.Queue<ByteBuf> outbox = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final java.util.concurrent.atomic.AtomicBoolean drainScheduled = new java.util.concurrent.atomic.AtomicBoolean();

    final SessionContext ctx;
    final Channel channel;
    final String id;
    final String resumeKey;
    final Map<Integer, RelayStream> streams = new ConcurrentHashMap<>();
    private final Set<RelayStream> blocked = ConcurrentHashMap.newKeySet();
    /** Send side: the client's session window; receive side: the relay's. Set by the hello. */
    volatile FlowWindow flow;
    volatile int clientStreamWindow;
    volatile String resumeFrom;
    /** Hex SHA-256 of {@code hello.client_key}, or null; {@code clientKeyChars} its length, for the §9.2 check. */
    volatile String clientKeyHash;
    volatile int clientKeyChars;
    volatile boolean welcomed;
    /** The client agreed to the END flag (PROTOCOL.md §3.1): set before welcome, read by senders on any thread. */
    volatile boolean endFlag;
    /** The client agreed to trailer blocks on FIN (PROTOCOL.md §3.2). */
    volatile boolean trailers;
    /** The client agreed to send interim REPLYs (PROTOCOL.md §3.2). */
    volatile boolean interim;
    /** Who this session acts for; set once authenticated (before {@code welcomed}). */
    volatile dev.portway.relay.auth.Principal principal;
    volatile boolean goingAway;
    volatile boolean closed;
    private int nextStreamId = 1; // guarded by this
    private final long connectedAtMs = System.currentTimeMillis();

    Session(SessionContext ctx, Channel channel) {
        this.ctx = ctx;
        this.channel = channel;
        this.id = Secrets.random(9);
        this.resumeKey = Secrets.random(24);
    }

    public String id() {
        return id;
    }

    @Override
    public String sessionId() {
        return id;
    }

    @Override
    public boolean goingAway() {
        return goingAway || closed;
    }

    /** When the WebSocket of this session was accepted (epoch ms; the web console's "since"). */
    public long connectedAtMs() {
        return connectedAtMs;
    }

    /** The client's address as the relay sees it. */
    public java.net.SocketAddress remoteAddress() {
        return dev.portway.relay.ingress.ProxyProtocol.remote(channel); // with --proxy-protocol, the balancer's header's
    }

    /** Who this session acts for, or null before it is authenticated. */
    public dev.portway.relay.auth.Principal principal() {
        return principal;
    }

    /**
     * Takes a permit for one visitor request to this session's tunnels from its user's rate limit.
     *
     * @return 0 when allowed, else seconds to wait (for {@code Retry-After}); counted in metrics and audited
     */
    @Override
    public long requestPermit() {
        dev.portway.relay.auth.Principal p = principal;
        if (p == null) {
            return 0;
        }
        long wait = ctx.accounts().limits().requestPermit(p);
        if (wait > 0) {
            ctx.metrics().rateLimitHit(dev.portway.relay.metrics.RelayMetrics.Limit.USER_REQUESTS);
            if (rateAuditedUntil < System.nanoTime()) { // one audit line per window, not one per refused request
                rateAuditedUntil = System.nanoTime() + java.util.concurrent.TimeUnit.SECONDS.toNanos(wait);
                ctx.accounts().audit().record(dev.portway.relay.audit.AuditLog.LIMIT, p.user(), "limit", "user_requests",
                        "per_minute", ctx.accounts().limits().perMinuteHere(p.tier()), "retry_after_s", wait);
            }
        }
        return wait;
    }

    private volatile long rateAuditedUntil;

    /**
     * The resume key as the registry knows it: scoped by the user, so a resume key presented by another
     * user never matches (a user cannot resume or take over another user's names).
     */
    String scopedResumeKey() {
        return scoped(resumeKey);
    }

    String scoped(String key) {
        dev.portway.relay.auth.Principal p = principal;
        return key == null || p == null ? key : p.user() + "\n" + key;
    }

    /** The outcome of {@link #sendOpen}: a stream, or why none was opened (for the visitor's error page). */
    public record Opened(RelayStream stream, ErrorCode refusal) {
    }

    /**
     * Opens a stream for a visitor and sends OPEN. Any thread.
     *
     * @return the stream, or a refusal: {@code refused_stream} at the stream limit, {@code shutting_down}
     *     when the session is going away or gone
     */
    public Opened sendOpen(OpenMessage open, EventLoop visitorLoop, StreamListener listener) {
        return sendOpen(open, visitorLoop, listener, false);
    }

    /**
     * As {@link #sendOpen(OpenMessage, EventLoop, StreamListener)}; with {@code finished} the stream is half-closed
     * towards the client at once: OPEN carries the END flag, or (to a client that did not agree to it) FIN follows.
     */
    public Opened sendOpen(OpenMessage open, EventLoop visitorLoop, StreamListener listener, boolean finished) {
        synchronized (this) {
            if (closed || goingAway || !welcomed) {
                return new Opened(null, ErrorCode.SHUTTING_DOWN);
            }
            if (streams.size() >= ctx.config().maxStreamsPerSession() || nextStreamId < 0) {
                return new Opened(null, ErrorCode.REFUSED_STREAM);
            }
            int streamId = nextStreamId;
            nextStreamId += 2;
            RelayStream stream = new RelayStream(this, streamId, visitorLoop, listener, clientStreamWindow,
                    ctx.config().streamWindow());
            streams.put(streamId, stream);
            if (!finished) {
                send(Frame.open(streamId, open));
            } else if (endFlag) {
                stream.finishedAtOpen();
                send(Frame.open(streamId, open).withEnd());
            } else {
                stream.finishedAtOpen();
                send(Frame.open(streamId, open));
                send(Frame.fin(streamId));
            }
            return new Opened(stream, null);
        }
    }

    @Override
    public TunnelBackend.Opened openStream(OpenMessage open, EventLoop visitorLoop, StreamListener listener) {
        Opened opened = sendOpen(open, visitorLoop, listener);
        return new TunnelBackend.Opened(opened.stream(), opened.refusal());
    }

    @Override
    public TunnelBackend.Opened openFinishedStream(OpenMessage open, EventLoop visitorLoop, StreamListener listener) {
        Opened opened = sendOpen(open, visitorLoop, listener, true);
        return new TunnelBackend.Opened(opened.stream(), opened.refusal());
    }

    /** Sends a control message to the client. Any thread. */
    public void sendControl(ControlMessage message) {
        if (!closed) {
            send(Frame.control(message));
        }
    }

    /** The session's event loop: frames from the client are handled there. */
    public EventLoop eventLoop() {
        return channel.eventLoop();
    }

    /** Any thread. */
    public int openStreams() {
        return streams.size();
    }

    void streamEnded(RelayStream stream) {
        streams.remove(stream.id(), stream);
        blocked.remove(stream);
    }

    // ---- writing to the client (any thread)

    void send(Frame frame) {
        write(Unpooled.wrappedBuffer(FrameCodec.encode(frame)));
    }

    void sendData(int streamId, ByteBuf data) {
        sendData(streamId, data, false);
    }

    /** DATA; with {@code end} the END flag (the caller checked {@link #endFlag}). */
    void sendData(int streamId, ByteBuf data, boolean end) {
        ByteBuf header = channel.alloc().buffer(FrameCodec.HEADER_SIZE);
        header.writeByte(FrameCodec.typeByte(FrameType.DATA, end)).writeInt(streamId);
        write(Unpooled.wrappedBuffer(header, data));
    }

    /**
     * Every frame goes through the session loop, even when called on that loop: a direct write from the loop
     * would overtake frames other threads queued before it. One queue keeps frames in the order they were sent
     * — OPENs in stream-id order (they are sent under this session's lock, PROTOCOL.md §3) and each stream's
     * OPEN before its DATA. One drain task writes all queued frames and flushes once, so a burst costs one
     * task (one wake-up of the loop) and one flush, not one of each per frame. The queue is bounded by flow
     * control, as the loop's task queue was before: DATA needs session credit, control frames are few.
     */
    private void write(ByteBuf frame) {
        outbox.add(frame);
        if (drainScheduled.compareAndSet(false, true)) {
            try {
                channel.eventLoop().execute(this::drainOutbox);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                ByteBuf f; // the loop is shutting down with the relay: the session is gone anyway
                while ((f = outbox.poll()) != null) {
                    f.release();
                }
            }
        }
    }

    /** Session loop. */
    private void drainOutbox() {
        drainScheduled.set(false); // before polling: a frame added from now on schedules the next drain
        boolean wrote = false;
        ByteBuf f;
        while ((f = outbox.poll()) != null) {
            channel.write(new BinaryWebSocketFrame(f), channel.voidPromise());
            wrote = true;
        }
        if (wrote) {
            channel.flush();
        }
    }

    /** Bytes written to the channel and not yet taken by the socket (tests, diagnostics). Any thread. */
    public long pendingOutboundBytes() {
        var out = channel.unsafe().outboundBuffer();
        return out == null ? 0 : out.totalPendingWriteBytes();
    }

    boolean isWritable() {
        return channel.isWritable();
    }

    /** Client DATA of {@code n} bytes was consumed (or dropped): grant session credit back. */
    void consumed(int n) {
        FlowWindow f = flow;
        int inc = f == null ? 0 : f.consumed(n);
        if (inc > 0 && !closed) {
            send(Frame.windowUpdate(0, inc));
        }
    }

    void markBlocked(RelayStream stream) {
        blocked.add(stream);
    }

    /** Credit or WebSocket room came back: let every stalled visitor try again. */
    void wakeBlocked() {
        for (RelayStream s : blocked) {
            if (blocked.remove(s)) {
                s.wake();
            }
        }
    }

    // ---- session lifecycle

    /** Sends go_away: no new streams from now on. Any thread. */
    public void goAway(long deadlineMs) {
        goingAway = true;
        if (welcomed && !closed) {
            send(Frame.control(new ControlMessage.GoAway("The relay is shutting down.", deadlineMs)));
        }
    }

    /** Closes the WebSocket with a status code and reason. Any thread. */
    public void close(int status, String reason) {
        if (!channel.isActive()) {
            return;
        }
        // Queued behind every frame (see write): a drain task for them is already in the loop's queue, so a
        // refusal or go_away sent just before goes out first.
        try {
            channel.eventLoop().execute(() -> channel.writeAndFlush(new CloseWebSocketFrame(status, dev.portway.shared.text.Utf8Limit.closeReason(reason)))
                    .addListener(ChannelFutureListener.CLOSE));
        } catch (java.util.concurrent.RejectedExecutionException e) {
            channel.close();
        }
    }

    /** Session loop: the WebSocket closed. Ends every stream and holds the tunnels' names. */
    void closed() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        if (welcomed) {
            ctx.registry().drop(this, scopedResumeKey()); // first: once the session is not counted, its names are held
            ctx.sessions().remove(this);
            log.info("Session {} ended", id);
        }
        for (RelayStream s : streams.values()) {
            s.onSessionGone();
        }
        streams.clear();
        blocked.clear();
        FlowWindow f = flow;
        if (f != null) {
            f.close();
        }
    }

    public boolean isClosed() {
        return closed;
    }

    /** Applies a WINDOW_UPDATE on stream 0; overflow ends the session. */
    void onWindowUpdate(int increment) throws ProtocolException {
        flow.grant(increment);
        wakeBlocked();
    }
}
