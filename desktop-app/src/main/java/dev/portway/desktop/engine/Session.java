package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCategory;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FlowWindow;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ProtocolException;
import dev.portway.shared.stream.UnknownStream;
import dev.portway.shared.text.Utf8Limit;
import dev.portway.desktop.engine.relay.RelayConnector;
import dev.portway.desktop.engine.relay.RelaySocket;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.ConnectException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One WebSocket to the relay: the handshake, frame dispatch, flow-control windows, heartbeat and
 * the streams it carries (PROTOCOL.md §2–§6). A session is used once; the engine makes a new one to
 * reconnect.
 *
 * <p>Threads: the socket's event loop calls the listener methods; they never block (stream work runs
 * on one virtual thread per stream, see {@link StreamHandlers}). Heartbeat tasks run on the engine's
 * timer. Sending is thread-safe and lock-free. What DATA can be queued is bounded by the relay's session
 * window (senders wait for its WINDOW_UPDATE in {@link FlowWindow}); {@link #QUEUE_LIMIT} bounds the socket's
 * queue against frame headers and control frames on top of that.
 */
final class Session implements RelaySocket.Listener {
    static final Logger LOG = LoggerFactory.getLogger(Session.class);
    /**
     * DATA senders wait rather than take the socket's queue past this many bytes (the last MiB of 16 is left to
     * REPLY, WINDOW_UPDATE and control frames). With the default 16 MiB session window only a relay that stops
     * reading, or very many tiny frames, get near it.
     */
    static final long QUEUE_LIMIT = 15L * 1024 * 1024;
    /** Re-check of the socket's queue while over {@link #QUEUE_LIMIT}, in case no WINDOW_UPDATE comes to wake us. */
    private static final long QUEUE_RECHECK_MS = 5;
    /** Above this many queued bytes, pings from the relay go unanswered (see {@link #answerPing}). */
    static final long PONG_QUEUE_BOUND = 256 * 1024;

    /**
     * Why a session ended.
     *
     * @param refusal the relay's {@code refused} that ended it, or null (network loss, go_away, a violation)
     */
    record End(String message, ErrorCategory category, boolean goAway, ConnectFailure refusal) {
        End(String message, ErrorCategory category, boolean goAway) {
            this(message, category, goAway, null);
        }
    }

    /** What the session tells its engine. Called on the reader thread: must not block. */
    interface Events {
        TunnelSpec specFor(String tunnelName);

        void onWelcome(Session session, ControlMessage.Welcome welcome);

        void onBound(ControlMessage.Bound bound);

        void onBindRefused(ControlMessage.BindRefused refused);

        void onRtt(Duration rtt);

        void onNotice(String code, String message);

        void onGoAway(ControlMessage.GoAway goAway);

        void onQueueStatus(ControlMessage.QueueStatus status);

        /**
         * Asks to carry a live (not queued) stream of a tunnel. When admitted the caller must report the
         * stream's outcome to the tunnel's breaker.
         *
         * @return null to admit; otherwise the message of an RST {@code target_failing}
         */
        String admit(OpenMessage open, TunnelSpec spec);
    }

    private final EngineConfig config;
    private final String resume;
    private final String clientKey;
    private final String clientName;
    private final ScheduledExecutorService timer;
    private final StreamHandlers handlers;
    private final Events events;
    private final CompletableFuture<ControlMessage.Welcome> welcome = new CompletableFuture<>();
    private final CompletableFuture<End> ended = new CompletableFuture<>();
    private final CompletableFuture<Void> socketClosed = new CompletableFuture<>();
    private final Map<Integer, Stream> streams = new ConcurrentHashMap<>();
    private final AtomicLong pingSeq = new AtomicLong();
    /** Bytes DATA senders are about to enqueue (between their check of the socket's queue and the send). */
    private final AtomicLong reservedQueue = new AtomicLong();
    /** DATA senders over {@link #QUEUE_LIMIT} wait on this; notified on each session WINDOW_UPDATE and at the end. */
    private final Object queueRoom = new Object();
    private volatile RelaySocket webSocket;
    private volatile FlowWindow sessionFlow;
    private volatile long lastFrameNanos = System.nanoTime();
    private volatile boolean goingAway;
    /** The relay agreed to the END flag (PROTOCOL.md §3.1): set at welcome, before any stream opens. */
    private volatile boolean endFlag;
    /** The relay agreed to trailer blocks on FIN and interim REPLYs (PROTOCOL.md §3.2). */
    private volatile boolean trailers;
    private volatile boolean interim;
    private volatile ScheduledFuture<?> pingTask;
    private volatile ScheduledFuture<?> deadTask;
    private volatile ScheduledFuture<?> refreshTask;
    /** The session JWT the relay gave (welcome, then each refreshed); null from an older relay. */
    private volatile String jwt;
    /** Reader thread only. */
    private int peerStreamWindow;
    private int lastOpenId;

    Session(EngineConfig config, String resume, String clientKey, String clientName, ScheduledExecutorService timer,
            StreamHandlers handlers, Events events) {
        this.config = config;
        this.resume = resume;
        this.clientKey = clientKey;
        this.clientName = clientName;
        this.timer = timer;
        this.handlers = handlers;
        this.events = events;
    }

    /** Where {@link #connect} dialled: a cluster node's own address is named in a failure, not the configured one. */
    private volatile java.net.URI dialled;

    void connect(RelayConnector connector) {
        connect(connector, config.connectUri());
    }

    /** @param uri the relay's WebSocket address: the configured one, or a cluster node's own (PROTOCOL.md §3.3) */
    void connect(RelayConnector connector, java.net.URI uri) {
        dialled = uri;
        webSocket = connector.connect(uri, this);
    }

    /** Completes with the relay's welcome, or fails with a {@link ConnectFailure}. */
    CompletableFuture<ControlMessage.Welcome> welcome() {
        return welcome;
    }

    CompletableFuture<End> ended() {
        return ended;
    }

    /** Takes the session's tunnels down (freeing their names) and closes the WebSocket. */
    void close(Iterable<String> boundNames) {
        RelaySocket ws = webSocket;
        if (ws == null) {
            return;
        }
        if (welcome.isDone() && !welcome.isCompletedExceptionally()) {
            for (String name : boundNames) {
                trySend(Frame.control(new ControlMessage.Unbind(name)));
            }
        }
        ws.close(1000, "client closed");
        end(new End("Disconnected.", null, false));
    }

    /** Waits up to {@code timeout} for the WebSocket close handshake to finish. */
    void awaitSocketClosed(Duration timeout) {
        try {
            socketClosed.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            LOG.debug("close handshake did not finish: {}", e.toString());
        }
    }

    void cancel() {
        RelaySocket ws = webSocket;
        if (ws != null) {
            ws.cancel();
        }
    }

    void bind(ControlMessage.Bind bind) {
        trySend(Frame.control(bind));
    }

    // ---- sending

    /** Sends a frame at once. A false from the socket means it is closing: the session is lost. */
    void send(Frame frame) throws IOException {
        RelaySocket ws = webSocket;
        if (ws == null || !ws.send(frame)) {
            lost("The connection to the relay closed.");
            throw new IOException("the connection to the relay is closed");
        }
    }

    void trySend(Frame frame) {
        try {
            send(frame);
        } catch (IOException e) {
            LOG.debug("dropped {}: {}", frame, e.getMessage());
        }
    }

    /**
     * Sends a DATA frame whose session and stream credit the caller holds. No lock: each sender reserves its
     * frame's size before it checks the socket's queue, so concurrent senders together stay under
     * {@link #QUEUE_LIMIT}. Call on a virtual thread (it may wait).
     */
    void sendData(Frame frame) throws IOException {
        RelaySocket ws = webSocket;
        long size = FrameCodec.HEADER_SIZE + frame.payloadLength();
        while (true) {
            long reserved = reservedQueue.addAndGet(size);
            try {
                if (ws.queueSize() + reserved <= QUEUE_LIMIT) {
                    send(frame);
                    return;
                }
            } finally {
                reservedQueue.addAndGet(-size);
            }
            awaitQueueRoom();
        }
    }

    private void awaitQueueRoom() throws IOException {
        synchronized (queueRoom) {
            if (ended.isDone()) {
                throw new IOException("the connection to the relay is closed");
            }
            try {
                queueRoom.wait(QUEUE_RECHECK_MS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new java.io.InterruptedIOException("interrupted while waiting to send to the relay");
            }
        }
    }

    private void wakeQueueWaiters() {
        synchronized (queueRoom) {
            queueRoom.notifyAll();
        }
    }

    FlowWindow sendFlow() {
        return sessionFlow;
    }

    /** Grants session credit back for {@code n} bytes written onward or dropped. */
    void consumed(int n) {
        FlowWindow flow = sessionFlow;
        if (n > 0 && flow != null) {
            int inc = flow.consumed(n);
            if (inc > 0) {
                trySend(Frame.windowUpdate(0, inc));
            }
        }
    }

    void streamEnded(Stream stream) {
        streams.remove(stream.id, stream);
    }

    int openStreams() {
        return streams.size();
    }

    // ---- socket listener (its event loop)

    @Override
    public void onConnected() {
        lastFrameNanos = System.nanoTime();
        trySend(Frame.control(new ControlMessage.Hello(Protocol.SUPPORTED_VERSIONS, config.token(), clientName, resume,
                config.streamWindow(), config.sessionWindow(), clientKey, config.haConnections() > 1
                ? java.util.stream.Stream.concat(Protocol.FEATURES.stream(), java.util.stream.Stream.of(Protocol.FEATURE_HA)).toList()
                : Protocol.FEATURES)));
    }

    @Override
    public void onText() {
        violation(new ProtocolException(ErrorCode.PROTOCOL_ERROR, "text message; frames are binary"), 1003);
    }

    @Override
    public void onMessage(ByteBuffer message) {
        lastFrameNanos = System.nanoTime();
        try {
            Frame frame = FrameCodec.decode(message);
            if (!welcome.isDone() && frame.type() != dev.portway.shared.protocol.FrameType.CONTROL) {
                throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, frame.type() + " before welcome");
            }
            switch (frame.type()) {
                case CONTROL -> onControl(Json.read(frame.payload(), ControlMessage.class));
                case OPEN -> onOpen(frame);
                case DATA -> onData(frame);
                case WINDOW_UPDATE -> onWindowUpdate(frame);
                case FIN -> withStream(frame, s -> s.onFin(frame));
                case RST -> withStream(frame, s -> s.onRst(frame.rstCode(), frame.rstMessage()));
                case REPLY -> withStream(frame, s -> s.sendRst(ErrorCode.PROTOCOL_ERROR, "the client opens no streams in v1"));
            }
        } catch (ProtocolException e) {
            violation(e, e.code() == ErrorCode.FRAME_TOO_LARGE ? 1009 : 1002);
        }
    }

    @Override
    public void onClosing(int code, String reason) {
        webSocket.close(1000, "");
        end(new End(reason.isEmpty() ? "The relay closed the connection (" + code + ")." : "The relay closed the connection: " + reason,
                ErrorCategory.NETWORK, goingAway));
    }

    @Override
    public void onClosed(int code, String reason) {
        socketClosed.complete(null);
        end(new End("The relay closed the connection (" + code + ").", ErrorCategory.NETWORK, goingAway));
    }

    @Override
    public void onFailure(Throwable t, int httpStatus) {
        socketClosed.complete(null);
        java.net.URI to = dialled;
        String where = to == null || to.equals(config.connectUri()) ? config.relayUrl().toString() : to.toString();
        String message;
        if (httpStatus > 0) {
            message = "The relay at " + where + " answered HTTP " + httpStatus + " instead of a WebSocket — check the relay address.";
        } else if (t instanceof ConnectException) {
            message = "Cannot reach the relay at " + where + " — is it running?";
        } else if (t instanceof UnknownHostException) {
            message = "The relay address " + where + " does not resolve — check it.";
        } else {
            message = "Connection to the relay failed: " + t.getMessage();
        }
        end(new End(message, ErrorCategory.NETWORK, goingAway));
    }

    private void onControl(ControlMessage message) throws ProtocolException {
        switch (message) {
            case ControlMessage.Welcome w -> onWelcome(w);
            case ControlMessage.Refused r -> {
                ConnectFailure failure = ConnectFailure.refused(r.errorCode(), r.message(), r.retryAfterMs());
                welcome.completeExceptionally(failure);
                end(new End(r.message(), failure.category, false, failure));
            }
            case ControlMessage.Bound b -> events.onBound(b);
            case ControlMessage.BindRefused r -> events.onBindRefused(r);
            case ControlMessage.Ping p -> answerPing(p);
            case ControlMessage.Pong p -> events.onRtt(Duration.ofMillis(Math.max(0, System.currentTimeMillis() - p.time())));
            case ControlMessage.GoAway g -> {
                goingAway = true;
                events.onGoAway(g);
            }
            case ControlMessage.Notice n -> events.onNotice(n.code(), n.message());
            case ControlMessage.QueueStatus q -> events.onQueueStatus(q);
            case ControlMessage.Refreshed r -> {
                jwt = r.jwt();
                scheduleRefresh(r.jwtTtlMs());
            }
            default -> LOG.debug("ignored control message {}", message);
        }
    }

    /**
     * Pongs only while the socket's outgoing queue is short: a relay that sends pings but does not read would
     * otherwise make the queue (memory) grow with answers it never takes. The relay sees the session alive
     * from any frame, so a skipped pong costs nothing.
     */
    private void answerPing(ControlMessage.Ping p) {
        RelaySocket ws = webSocket;
        if (ws != null && ws.queueSize() > PONG_QUEUE_BOUND) {
            LOG.debug("not answering ping {}: {} bytes queued towards the relay", p.seq(), ws.queueSize());
            return;
        }
        trySend(Frame.control(new ControlMessage.Pong(p.seq(), p.time())));
    }

    private void onWelcome(ControlMessage.Welcome w) throws ProtocolException {
        if (welcome.isDone()) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "second welcome");
        }
        if (!Protocol.SUPPORTED_VERSIONS.contains(w.version())) {
            ConnectFailure failure = ConnectFailure.refused(ErrorCode.UNSUPPORTED_VERSION,
                    "The relay chose protocol " + w.version() + ", this app speaks " + Protocol.SUPPORTED_VERSIONS + " — update Portway.");
            welcome.completeExceptionally(failure);
            webSocket.close(1002, "unsupported version");
            end(new End(failure.getMessage(), failure.category, false));
            return;
        }
        peerStreamWindow = w.streamWindow();
        endFlag = w.agrees(Protocol.FEATURE_END_FLAG);
        trailers = w.agrees(Protocol.FEATURE_TRAILERS);
        interim = w.agrees(Protocol.FEATURE_INTERIM);
        sessionFlow = new FlowWindow(w.sessionWindow(), config.sessionWindow());
        startHeartbeat(w);
        if (w.jwt() != null && w.jwtTtlMs() != null) {
            jwt = w.jwt();
            scheduleRefresh(w.jwtTtlMs());
        }
        welcome.complete(w);
        events.onWelcome(this, w);
    }

    private void onOpen(Frame frame) {
        int id = frame.streamId();
        if ((id & 1) == 0 || id <= lastOpenId) {
            trySend(Frame.rst(id, ErrorCode.PROTOCOL_ERROR, "stream ids from the relay are odd and increasing"));
            return;
        }
        lastOpenId = id;
        OpenMessage open;
        try {
            open = Json.read(frame.payload(), OpenMessage.class);
            open.validate();
        } catch (ProtocolException e) {
            trySend(Frame.rst(id, e.code(), e.getMessage()));
            return;
        }
        TunnelSpec spec = events.specFor(open.tunnel());
        if (spec == null || !spec.kind().equals(open.kind())) {
            trySend(Frame.rst(id, ErrorCode.REFUSED_STREAM, "this client has no " + open.kind() + " tunnel named " + open.tunnel()));
            return;
        }
        Stream stream = new Stream(id, open, spec, this, peerStreamWindow, config.streamWindow());
        streams.put(id, stream);
        if (goingAway || ended.isDone()) {
            stream.sendRst(ErrorCode.CANCEL, "the session is closing");
            return;
        }
        if (!open.isDelivery()) {
            String refusal = events.admit(open, spec);
            if (refusal != null) {
                stream.sendRst(ErrorCode.TARGET_FAILING, refusal);
                return;
            }
        }
        if (frame.end()) {
            stream.onFin(); // OPEN with END: a request without a body
        }
        handlers.start(stream);
    }

    /** Whether the relay agreed to trailer blocks on FIN (PROTOCOL.md §3.2). */
    boolean trailers() {
        return trailers;
    }

    /** Whether the relay agreed to interim REPLYs before the final one (PROTOCOL.md §3.2). */
    boolean interim() {
        return interim;
    }

    /** Whether this side may end a stream with the END flag instead of a separate FIN. */
    boolean endFlag() {
        return endFlag;
    }

    private void onData(Frame frame) throws ProtocolException {
        int n = frame.payloadLength();
        sessionFlow.received(n); // session excess: violation, ends the session
        Stream s = streams.get(frame.streamId());
        if (s == null) {
            unknownStream(frame);
            return;
        }
        try {
            s.onData(frame);
        } catch (ProtocolException | IllegalStateException e) {
            consumed(n);
            s.sendRst(ErrorCode.FLOW_CONTROL, e.getMessage());
            return;
        }
        if (frame.end()) {
            s.onFin();
        }
    }

    private void onWindowUpdate(Frame frame) throws ProtocolException {
        if (frame.streamId() == 0) {
            sessionFlow.grant(frame.windowIncrement());
            wakeQueueWaiters(); // the relay read: the socket's queue has drained some
            return;
        }
        withStream(frame, s -> {
            try {
                s.onWindowUpdate(frame.windowIncrement());
            } catch (ProtocolException e) {
                s.sendRst(ErrorCode.FLOW_CONTROL, e.getMessage());
            }
        });
    }

    private void withStream(Frame frame, java.util.function.Consumer<Stream> action) {
        Stream s = streams.get(frame.streamId());
        if (s == null) {
            unknownStream(frame);
        } else {
            action.accept(s);
        }
    }

    /** A frame for a stream that is not open (PROTOCOL.md §3): its DATA credit goes back; RST when the policy says. */
    private void unknownStream(Frame frame) {
        consumed(UnknownStream.sessionCreditBack(frame));
        if (UnknownStream.actionFor(frame.type()) == UnknownStream.ANSWER_RST) {
            trySend(UnknownStream.rst(frame.streamId()));
        }
    }

    private void violation(ProtocolException e, int closeCode) {
        LOG.warn("relay broke the protocol: {}", e.getMessage());
        RelaySocket ws = webSocket;
        if (ws != null) {
            ws.close(closeCode, closeReason(e.getMessage()));
        }
        end(new End("The relay broke the protocol: " + e.getMessage(), ErrorCategory.PROTOCOL, false));
    }

    // ---- heartbeat (timer thread)

    private void startHeartbeat(ControlMessage.Welcome w) {
        long ping = config.pingInterval().toMillis();
        if (w.pingIntervalMs() > 0) {
            ping = Math.min(ping, w.pingIntervalMs());
        }
        long deadAfter = config.deadAfter().toMillis();
        pingTask = timer.scheduleAtFixedRate(this::ping, ping, ping, TimeUnit.MILLISECONDS);
        long check = Math.max(50, Math.min(1000, deadAfter / 5));
        deadTask = timer.scheduleAtFixedRate(() -> checkAlive(deadAfter), check, check, TimeUnit.MILLISECONDS);
    }

    /**
     * Asks for a new session JWT before this one expires (PROTOCOL.md §10): at three quarters of its lifetime,
     * so a slow answer still arrives in time. A relay that revoked the token answers with {@code refused}.
     */
    private void scheduleRefresh(long ttlMs) {
        ScheduledFuture<?> old = refreshTask;
        if (old != null) {
            old.cancel(false);
        }
        if (ended.isDone()) {
            return;
        }
        long in = Math.max(100, ttlMs * 3 / 4);
        try {
            refreshTask = timer.schedule(() -> trySend(Frame.control(new ControlMessage.Refresh())), in, TimeUnit.MILLISECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            // the engine is closing
        }
    }

    /** The current session JWT, or null when the relay gave none. */
    String jwt() {
        return jwt;
    }

    private void ping() {
        trySend(Frame.control(new ControlMessage.Ping(pingSeq.incrementAndGet(), System.currentTimeMillis())));
    }

    private void checkAlive(long deadAfterMs) {
        long silent = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - lastFrameNanos);
        if (silent >= deadAfterMs && !ended.isDone()) {
            LOG.warn("no frame from the relay for {} ms, dropping the connection", silent);
            // End first: cancelling makes the socket fail at once, and its "closed" must not be the reason shown.
            end(new End("No answer from the relay for " + Duration.ofMillis(silent).toSeconds() + " s.", ErrorCategory.NETWORK, false));
            cancel();
        }
    }

    // ---- ending

    private void lost(String message) {
        end(new End(message, ErrorCategory.NETWORK, goingAway));
    }

    private void end(End end) {
        if (!ended.complete(end)) {
            return;
        }
        welcome.completeExceptionally(end.category() == null ? ConnectFailure.network(end.message())
                : new ConnectFailure(end.message(), end.category(), null, false));
        if (pingTask != null) {
            pingTask.cancel(false);
        }
        if (deadTask != null) {
            deadTask.cancel(false);
        }
        ScheduledFuture<?> refresh = refreshTask;
        if (refresh != null) {
            refresh.cancel(false);
        }
        FlowWindow flow = sessionFlow;
        if (flow != null) {
            flow.close();
        }
        wakeQueueWaiters();
        for (Stream s : streams.values()) {
            s.onSessionGone();
        }
    }

    /** A WebSocket close reason: at most 123 UTF-8 bytes (RFC 6455 §5.5), else the close frame is invalid. */
    static String closeReason(String s) {
        return Utf8Limit.closeReason(s);
    }
}
