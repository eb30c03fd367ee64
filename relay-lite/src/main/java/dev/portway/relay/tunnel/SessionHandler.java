package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FlowWindow;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ProtocolException;
import dev.portway.shared.stream.UnknownStream;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.handler.codec.http.websocketx.WebSocketFrame;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.TimeUnit;

import dev.portway.relay.audit.AuditLog;
import dev.portway.relay.auth.Authenticator;
import dev.portway.relay.auth.LoginThrottle;
import dev.portway.relay.auth.Principal;
import dev.portway.relay.metrics.RelayMetrics;

/**
 * Reads the client's WebSocket messages (one frame each) on the session's event loop: the handshake,
 * control messages, and stream frames, which it hands to their {@link RelayStream}. Expects whole
 * messages (a {@code WebSocketFrameAggregator} in front) and an {@code IdleStateHandler} whose
 * reader-idle event means the client has been silent for {@code dead_after}.
 */
public final class SessionHandler extends ChannelInboundHandlerAdapter {
    private static final Logger log = LoggerFactory.getLogger(SessionHandler.class);

    private final SessionContext ctx;
    private Session session;
    private ControlHandler control;
    private ScheduledFuture<?> helloTimer;
    private ScheduledFuture<?> pinger;
    private long pingSeq;
    private boolean authenticating;
    /** {@link SharedNames#connect} was asked for this session: its end must be told ({@link SharedNames#disconnected}). */
    private boolean sharedCounted;
    private boolean refreshing;
    private ScheduledFuture<?> jwtExpiry;
    /** Pongs were written in this read batch and wait for the flush at its end. Event loop only. */
    private boolean flushPending;

    /** Where the client is: the socket's peer, or behind a trusted proxy the address it forwarded. */
    private final java.net.InetAddress client;

    public SessionHandler(SessionContext ctx, java.net.InetAddress client) {
        this.ctx = ctx;
        this.client = client;
    }

    /**
     * The features of this relay the client offered (welcome {@code features}), or null when none; {@code ha} only on
     * a node of a cluster ({@code node} not null, PROTOCOL.md §3.3).
     */
    private static List<String> agreed(ControlMessage.Hello hello, String node) {
        List<String> agreed = new java.util.ArrayList<>(Protocol.FEATURES.stream().filter(hello::offers).toList());
        if (node != null && hello.offers(Protocol.FEATURE_HA)) {
            agreed.add(Protocol.FEATURE_HA);
        }
        return agreed.isEmpty() ? null : List.copyOf(agreed);
    }

    /** The client as audit records and logs show it: the socket, and the forwarded address when it differs. */
    private String remote() {
        String socket = String.valueOf(session.remoteAddress());
        if (session.remoteAddress() instanceof java.net.InetSocketAddress a && client != null
                && !client.equals(a.getAddress())) {
            return client.getHostAddress() + " via " + socket;
        }
        return socket;
    }

    @Override
    public void handlerAdded(ChannelHandlerContext c) {
        session = new Session(ctx, c.channel());
        control = new ControlHandler(session);
        long hello = ctx.config().helloTimeout().toMillis();
        helloTimer = c.executor().schedule(() -> {
            if (!session.welcomed) {
                session.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), "No hello within " + hello + " ms.");
            }
        }, hello, TimeUnit.MILLISECONDS);
    }

    @Override
    public void channelRead(ChannelHandlerContext c, Object msg) {
        try {
            switch (msg) {
                case BinaryWebSocketFrame bin when bin.content().readableBytes() > FrameCodec.MAX_FRAME -> refuseTooBig(c); // inflated
                case BinaryWebSocketFrame bin -> onMessage(bin.content());
                case PingWebSocketFrame ping -> answer(new PongWebSocketFrame(ping.content().retain()));
                case PongWebSocketFrame ignored -> {
                }
                case CloseWebSocketFrame close -> c.writeAndFlush(new CloseWebSocketFrame(close.statusCode(), ""))
                        .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
                case WebSocketFrame other -> session.close(WebSocketCloseStatus.INVALID_MESSAGE_TYPE.code(),
                        "Only binary messages are allowed.");
                default -> {
                }
            }
        } finally {
            ReferenceCountUtil.release(msg);
        }
    }

    private void onMessage(ByteBuf content) {
        if (session.closed) {
            return;
        }
        Frame frame;
        try {
            frame = FrameCodec.decode(content.nioBuffer());
        } catch (ProtocolException e) {
            session.close(WebSocketCloseStatus.PROTOCOL_ERROR.code(), e.getMessage());
            return;
        }
        if (!session.welcomed) {
            if (authenticating) {
                session.close(WebSocketCloseStatus.PROTOCOL_ERROR.code(), "Wait for the welcome before sending more frames.");
                return;
            }
            onHello(frame);
            return;
        }
        switch (frame.type()) {
            case CONTROL -> {
                try {
                    onControl(Json.read(frame.payload(), ControlMessage.class));
                } catch (ProtocolException e) {
                    ctx.metrics().error(ErrorCode.PROTOCOL_ERROR);
                session.close(WebSocketCloseStatus.PROTOCOL_ERROR.code(), e.getMessage());
                }
            }
            case WINDOW_UPDATE -> onWindowUpdate(frame);
            case OPEN -> {
                ctx.metrics().error(ErrorCode.PROTOCOL_ERROR);
                session.send(Frame.rst(frame.streamId(), ErrorCode.PROTOCOL_ERROR,
                        "Clients may not open streams in protocol 1."));
            }
            case REPLY, DATA, FIN, RST -> onStreamFrame(frame, content);
        }
    }

    /**
     * Answers a ping (CONTROL or WebSocket) — only while the channel is writable. A client that sends pings
     * and does not read would otherwise make the relay queue answers without bound (measured: 14× what it
     * sent). Pongs skip the session's task queue (their order against other frames does not matter), so each
     * one counts towards the channel's pending bytes at once and writability turns as soon as the high-water
     * mark is reached; from then on pings go unanswered and reading pauses ({@link #channelWritabilityChanged}).
     * Flushed once per read batch ({@link #channelReadComplete}).
     */
    private void answer(WebSocketFrame pong) {
        if (session.closed || !session.channel.isWritable()) {
            pong.release();
            ctx.metrics().pongDropped();
            return;
        }
        session.channel.write(pong, session.channel.voidPromise());
        flushPending = true;
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext c) {
        if (flushPending) {
            flushPending = false;
            c.channel().flush();
        }
        c.fireChannelReadComplete();
    }

    private void onStreamFrame(Frame frame, ByteBuf content) {
        RelayStream stream = session.streams.get(frame.streamId());
        int n = UnknownStream.sessionCreditBack(frame); // DATA counts against the session window, known stream or not
        if (n > 0) {
            try {
                session.flow.received(n);
            } catch (ProtocolException e) {
                ctx.metrics().error(ErrorCode.PROTOCOL_ERROR);
                session.close(WebSocketCloseStatus.PROTOCOL_ERROR.code(), e.getMessage());
                return;
            }
        }
        if (stream == null) {
            session.consumed(n);
            if (UnknownStream.actionFor(frame.type()) == UnknownStream.ANSWER_RST) {
                ctx.metrics().error(ErrorCode.UNKNOWN_STREAM);
                session.send(UnknownStream.rst(frame.streamId()));
            }
            return;
        }
        switch (frame.type()) {
            case REPLY -> stream.onReply(frame.payload(), frame.end()); // END: a response without a body (§3.1)
            case DATA -> {
                stream.onData(content.retainedSlice(content.readerIndex() + FrameCodec.HEADER_SIZE, n));
                if (frame.end()) {
                    stream.onFin();
                }
            }
            case FIN -> stream.onFin(frame);
            case RST -> stream.onRst(frame.rstCode(), frame.rstMessage());
            default -> throw new IllegalStateException(frame.type().toString());
        }
    }

    private void onWindowUpdate(Frame frame) {
        if (frame.streamId() == 0) {
            try {
                session.onWindowUpdate(frame.windowIncrement());
            } catch (ProtocolException e) {
                ctx.metrics().error(ErrorCode.PROTOCOL_ERROR);
                session.close(WebSocketCloseStatus.PROTOCOL_ERROR.code(), e.getMessage());
            }
        } else {
            RelayStream stream = session.streams.get(frame.streamId());
            if (stream != null) {
                stream.onWindowUpdate(frame.windowIncrement());
            }
        }
    }

    private void onControl(ControlMessage message) {
        switch (message) {
            case ControlMessage.Bind bind -> control.bind(bind);
            case ControlMessage.Unbind unbind -> control.unbind(unbind);
            case ControlMessage.Breaker breaker -> control.breaker(breaker);
            case ControlMessage.Ping ping -> answer(new BinaryWebSocketFrame(io.netty.buffer.Unpooled.wrappedBuffer(
                    FrameCodec.encode(Frame.control(new ControlMessage.Pong(ping.seq(), ping.time()))))));
            case ControlMessage.Refresh ignored -> onRefresh();
            default -> {
                // pong, a repeated hello, or an informational message of a newer peer: nothing to do
            }
        }
    }

    private void onHello(Frame frame) {
        ControlMessage.Hello hello;
        try {
            if (frame.type() != dev.portway.shared.protocol.FrameType.CONTROL
                    || !(Json.read(frame.payload(), ControlMessage.class) instanceof ControlMessage.Hello h)) {
                refuse(ErrorCode.BAD_HELLO, "The first frame must be a hello.");
                return;
            }
            hello = h;
        } catch (ProtocolException e) {
            refuse(ErrorCode.BAD_HELLO, "The first frame must be a hello: " + e.getMessage());
            return;
        }
        int version = Protocol.pickVersion(hello.versions());
        if (version < 0) {
            refuse(ErrorCode.UNSUPPORTED_VERSION, Protocol.versionMismatchMessage(hello.versions()));
            return;
        }
        if (ctx.shuttingDown().getAsBoolean()) {
            refuse(ErrorCode.SHUTTING_DOWN, "The relay is shutting down — try again shortly.");
            return;
        }
        int streamWindow = hello.streamWindow() == null ? Protocol.DEFAULT_STREAM_WINDOW : hello.streamWindow();
        int sessionWindow = hello.sessionWindow() == null ? Protocol.DEFAULT_SESSION_WINDOW : hello.sessionWindow();
        if (streamWindow < Protocol.MIN_WINDOW || sessionWindow < Protocol.MIN_WINDOW) {
            refuse(ErrorCode.BAD_HELLO, "Windows must be at least " + Protocol.MIN_WINDOW + " bytes.");
            return;
        }
        // Locked out after failed logins: refused before the token is even checked (the right one too).
        LoginThrottle throttle = ctx.accounts().throttle();
        String address = LoginThrottle.addressKey(client);
        long wait = throttle.retryAfterMs(address, null);
        if (wait > 0) {
            ctx.metrics().rateLimitHit(RelayMetrics.Limit.AUTH_ATTEMPTS);
            refuseLimited(LoginThrottle.lockedMessage(wait), wait);
            return;
        }
        // The checks queue on the store's one thread: only so many unauthenticated sockets may wait there.
        if (!throttle.tryBeginCheck()) {
            ctx.metrics().rateLimitHit(RelayMetrics.Limit.AUTH_ATTEMPTS);
            refuseLimited(LoginThrottle.BUSY_MESSAGE, LoginThrottle.BUSY_RETRY_MS);
            return;
        }
        // Who is it? The store answers on its own thread; the handshake goes on back on this loop.
        authenticating = true;
        String token = hello.token();
        java.util.concurrent.CompletableFuture<Authenticator.Result> check;
        try {
            check = ctx.store().async("check a client's token", () -> ctx.accounts().authenticator().authenticate(token));
        } catch (RuntimeException e) {
            check = java.util.concurrent.CompletableFuture.failedFuture(e);
        }
        check.whenComplete((result, failure) -> throttle.endCheck())
                .whenComplete((result, failure) -> session.channel.eventLoop().execute(() -> {
                    if (session.closed) {
                        return;
                    }
                    if (failure != null) {
                        refuse(ErrorCode.INTERNAL, "The relay cannot check tokens right now (its database is unavailable) "
                                + "— try again shortly.");
                    } else {
                        authenticated(hello, version, streamWindow, sessionWindow, result);
                    }
                }));
    }

    private void authenticated(ControlMessage.Hello hello, int version, int streamWindow, int sessionWindow,
                               Authenticator.Result result) {
        var audit = ctx.accounts().audit();
        String remote = remote();
        LoginThrottle throttle = ctx.accounts().throttle();
        String address = LoginThrottle.addressKey(client);
        if (result instanceof Authenticator.Result.Failed f) {
            audit.record(AuditLog.AUTH_FAILURE, f.user(), "reason", f.code().wireName(), "remote", remote, "client", hello.client());
            // An expired JWT is what a client presents first after a long pause (then its API token): not a guess.
            if (f.code() != ErrorCode.TOKEN_EXPIRED) {
                long lockout = throttle.failed(address, f.user());
                if (lockout > 0) {
                    audit.record(AuditLog.LIMIT, f.user(), "limit", "auth_failures", "lockout_ms", lockout, "remote", remote,
                            "via", "websocket");
                }
            }
            refuse(f.code(), f.message());
            return;
        }
        var ok = (Authenticator.Result.Ok) result;
        Principal p = ok.principal();
        long userWait = throttle.retryAfterMs(null, p.user());
        if (userWait > 0) { // the user is locked out (failed logins naming it, e.g. with a revoked token)
            ctx.metrics().rateLimitHit(RelayMetrics.Limit.AUTH_ATTEMPTS);
            refuseLimited(LoginThrottle.lockedMessage(userWait), userWait);
            return;
        }
        throttle.succeeded(p.user());
        if (ctx.shuttingDown().getAsBoolean()) {
            refuse(ErrorCode.SHUTTING_DOWN, "The relay is shutting down — try again shortly.");
            return;
        }
        if (!ctx.accounts().limits().tryConnect(p.user())) {
            refuseConnectionLimit(p, remote);
            return;
        }
        session.principal = p; // from here on, the end of the channel gives the connection back (channelInactive)
        String keyHash = null;
        if (hello.clientKey() != null && !hello.clientKey().isEmpty()) {
            // Scoped by the user (but not for the local user, whose stored reservations predate users): another
            // user presenting the same client key owns nothing of this one's queued tunnels.
            keyHash = sha256(p.local() ? hello.clientKey() : p.user() + "\n" + hello.clientKey());
        }
        // On a cluster the database counts the user's sessions on every live node (one client's sessions once);
        // the hello waits for it off the event loop (a single relay answers at once).
        sharedCounted = true;
        var verdict = ctx.registry().shared().connect(session.id, p.user(), keyHash,
                ctx.accounts().limits().config().maxConnectionsPerUser());
        String hash = keyHash;
        if (verdict.isDone()) {
            counted(hello, version, streamWindow, sessionWindow, ok, hash, verdict.join());
        } else {
            verdict.thenAccept(v -> session.channel.eventLoop().execute(() -> {
                if (!session.closed) {
                    counted(hello, version, streamWindow, sessionWindow, ok, hash, v);
                }
            }));
        }
    }

    /** The user's connection count limit was reached, on this relay or (a cluster node) on all live nodes together. */
    private void refuseConnectionLimit(Principal p, String remote) {
        int max = ctx.accounts().limits().config().maxConnectionsPerUser();
        ctx.metrics().rateLimitHit(RelayMetrics.Limit.USER_CONNECTIONS);
        ctx.accounts().audit().record(AuditLog.LIMIT, p.user(), "limit", "user_connections", "max", max, "remote", remote);
        refuse(ErrorCode.LIMIT_REACHED, "User " + p.user() + " already has " + max
                + " connections to this relay, the most allowed per user — close one (another Portway) first.");
    }

    private void counted(ControlMessage.Hello hello, int version, int streamWindow, int sessionWindow,
                         Authenticator.Result.Ok ok, String keyHash, SharedNames.Verdict verdict) {
        Principal p = ok.principal();
        String remote = remote();
        if (verdict == SharedNames.Verdict.LIMIT) {
            refuseConnectionLimit(p, remote);
            return;
        }
        if (verdict != SharedNames.Verdict.GRANTED) {
            refuse(ErrorCode.SHUTTING_DOWN, "This relay node has lost its connection to the cluster's database, so it "
                    + "cannot take new connections now — connect to another node of the cluster, or retry in a moment.");
            return;
        }
        var audit = ctx.accounts().audit();
        audit.record(AuditLog.AUTH_SUCCESS, p.user(), "token", p.tokenId(), "remote", remote, "client", hello.client());
        var cfg = ctx.config();
        session.clientStreamWindow = streamWindow;
        session.flow = new FlowWindow(sessionWindow, cfg.sessionWindow());
        session.resumeFrom = session.scoped(hello.resume());
        if (keyHash != null) {
            session.clientKeyHash = keyHash;
            session.clientKeyChars = hello.clientKey().length();
        }
        takeOverStaleSession(hello.resume());
        helloTimer.cancel(false);
        authenticating = false;
        session.endFlag = hello.offers(Protocol.FEATURE_END_FLAG);
        session.trailers = hello.offers(Protocol.FEATURE_TRAILERS);
        session.interim = hello.offers(Protocol.FEATURE_INTERIM);
        SharedNames shared = ctx.registry().shared();
        List<String> features = agreed(hello, shared.nodeId());
        boolean ha = features != null && features.contains(Protocol.FEATURE_HA);
        session.send(Frame.control(new ControlMessage.Welcome(version, session.id, session.resumeKey,
                cfg.streamWindow(), cfg.sessionWindow(), cfg.pingInterval().toMillis(), cfg.deadAfter().toMillis(),
                cfg.grace().toMillis(), "relay-lite/" + ctx.version(), p.user(), ok.jwt().jwt(), ok.jwt().ttlMs(),
                features, ha ? shared.nodeId() : null, ha ? shared.peers() : null)));
        session.welcomed = true;
        ctx.sessions().add(session);
        armJwtExpiry(ok.jwt().ttlMs());
        long every = Math.max(1, cfg.pingInterval().toMillis());
        pinger = session.channel.eventLoop().scheduleAtFixedRate(() -> session.send(
                Frame.control(new ControlMessage.Ping(++pingSeq, System.currentTimeMillis()))), every, every, TimeUnit.MILLISECONDS);
        audit.record(AuditLog.CONNECT, p.user(), "session", session.id, "remote", remote, "client", hello.client());
        log.info("Session {} connected ({}, {}, user {})", session.id, hello.client(), remote(), p.user());
    }

    /** Ends the session when its JWT expires without a refresh (PROTOCOL.md §10). */
    private void armJwtExpiry(long ttlMs) {
        if (jwtExpiry != null) {
            jwtExpiry.cancel(false);
        }
        jwtExpiry = session.channel.eventLoop().schedule(() -> {
            Principal p = session.principal;
            ctx.accounts().audit().record(AuditLog.AUTH_FAILURE, p == null ? null : p.user(), "session", session.id,
                    "reason", ErrorCode.TOKEN_EXPIRED.wireName(), "at", "expiry");
            refuse(ErrorCode.TOKEN_EXPIRED, "The session token expired without a refresh — reconnect (Portway does "
                    + "this by itself; update Portway if this repeats).");
        }, ttlMs, TimeUnit.MILLISECONDS);
    }

    /** The client asks for a new JWT: the token and the user are checked again, so revocation ends the session. */
    private void onRefresh() {
        Principal p = session.principal;
        if (p == null || refreshing) {
            return;
        }
        refreshing = true;
        ctx.store().async("refresh a session token", () -> ctx.accounts().authenticator().check(p.user(), p.tokenId()))
                .whenComplete((result, failure) -> session.channel.eventLoop().execute(() -> {
                    refreshing = false;
                    if (session.closed || failure != null) {
                        return; // the database failed: the current JWT stays valid until it expires; the client retries
                    }
                    switch (result) {
                        case Authenticator.Result.Ok ok -> {
                            session.principal = ok.principal(); // the tier may have changed
                            session.send(Frame.control(new ControlMessage.Refreshed(ok.jwt().jwt(), ok.jwt().ttlMs())));
                            armJwtExpiry(ok.jwt().ttlMs());
                        }
                        case Authenticator.Result.Failed f -> {
                            ctx.accounts().audit().record(AuditLog.AUTH_FAILURE, p.user(), "reason", f.code().wireName(),
                                    "token", p.tokenId(), "session", session.id, "at", "refresh");
                            refuse(f.code(), f.message());
                        }
                    }
                }));
    }

    /** Only the hash of a client key is kept (and stored): the key itself stays a secret of the client. */
    static String sha256(String key) {
        try {
            return java.util.HexFormat.of().formatHex(java.security.MessageDigest.getInstance("SHA-256")
                    .digest(key.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    /** A {@code rate_limited} refusal: the client waits at least {@code retryAfterMs} before its next hello. */
    private void refuseLimited(String message, long retryAfterMs) {
        log.info("Refused a client from {}: {}", remote(), message);
        session.ctx.metrics().error(ErrorCode.RATE_LIMITED);
        session.send(Frame.control(ControlMessage.Refused.rateLimited(message, retryAfterMs)));
        session.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), message);
    }

    private void refuse(ErrorCode code, String message) {
        log.info("Refused a client from {}: {}", remote(), message);
        session.ctx.metrics().error(code);
        session.send(Frame.control(ControlMessage.Refused.of(code, message)));
        session.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), message);
    }

    /**
     * A client that reconnects while the relay still counts its previous session as alive (a half-open
     * connection the relay has not noticed yet) names that session's resume key: the old session is
     * ended now, so its names are held for that key and the binds that follow get them back
     * (PROTOCOL.md §2). Without this the client would get variant names until the relay's dead-after.
     */
    private void takeOverStaleSession(String resume) {
        if (resume == null || resume.isEmpty()) {
            return;
        }
        byte[] wanted = resume.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        for (Session old : ctx.sessions()) {
            // Only a session of the same user: another user cannot end (or take over) someone else's session.
            if (old != session && old.principal != null && session.principal != null
                    && old.principal.user().equals(session.principal.user()) && java.security.MessageDigest.isEqual(
                    old.resumeKey.getBytes(java.nio.charset.StandardCharsets.UTF_8), wanted)) {
                log.info("Session {} resumes session {}, which had gone silent — closing the old one", session.id, old.id);
                ctx.registry().drop(old, old.scopedResumeKey()); // synchronously: the new session's binds must find the holds
                old.close(WebSocketCloseStatus.NORMAL_CLOSURE.code(), "Replaced by a newer connection of the same client.");
            }
        }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext c, Object evt) {
        if (evt instanceof IdleStateEvent) {
            log.info("Session {} silent for {} ms — closing it", session.id, ctx.config().deadAfter().toMillis());
            session.close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "No frames received for too long.");
            c.channel().close();
        }
        c.fireUserEventTriggered(evt);
    }

    /**
     * A client that does not read what the relay sends is not read from either (its socket buffers fill, it is
     * slowed down), until it has taken enough for the channel to be writable again. Reader-idle time then runs:
     * a client that reads nothing for {@code dead_after} is closed as dead.
     */
    @Override
    public void channelWritabilityChanged(ChannelHandlerContext c) {
        boolean writable = c.channel().isWritable();
        c.channel().config().setAutoRead(writable);
        if (writable) {
            session.wakeBlocked();
        }
        c.fireChannelWritabilityChanged();
    }

    @Override
    public void channelInactive(ChannelHandlerContext c) {
        if (helloTimer != null) {
            helloTimer.cancel(false);
        }
        if (pinger != null) {
            pinger.cancel(false);
        }
        if (jwtExpiry != null) {
            jwtExpiry.cancel(false);
        }
        if (sharedCounted) {
            ctx.registry().shared().disconnected(session.id);
        }
        Principal p = session.principal;
        if (p != null) {
            ctx.accounts().limits().disconnected(p.user());
            if (session.welcomed) {
                ctx.accounts().audit().record(AuditLog.DISCONNECT, p.user(), "session", session.id);
            }
        }
        control.sessionClosed();
        session.closed();
        c.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext c, Throwable cause) {
        log.debug("Session {} failed: {}", session.id, cause.toString());
        if (DeflateNegotiation.tooBig(cause)) {
            refuseTooBig(c);
            return;
        }
        c.close();
    }

    /** PROTOCOL.md §1: a message over MAX_FRAME, also once inflated, closes the session with 1009. */
    private void refuseTooBig(ChannelHandlerContext c) {
        c.channel().config().setAutoRead(false); // nothing more is read (or inflated) from this client
        session.close(WebSocketCloseStatus.MESSAGE_TOO_BIG.code(), "A message is larger than " + FrameCodec.MAX_FRAME
                + " bytes (after inflating, with permessage-deflate): the most a frame may be (PROTOCOL.md §1).");
    }

    /** The session this handler serves. */
    public Session session() {
        return session;
    }
}
