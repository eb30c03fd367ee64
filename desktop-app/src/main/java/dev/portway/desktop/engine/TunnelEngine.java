package dev.portway.desktop.engine;

import dev.failsafe.Failsafe;
import dev.failsafe.FailsafeException;
import dev.portway.desktop.queue.ClientStore;
import dev.portway.desktop.queue.StoredRequest;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCategory;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.desktop.engine.local.LocalLeg;
import dev.portway.desktop.engine.relay.RelayConnector;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * The tunnel client: keeps one session to the relay up (reconnecting with backoff), binds every
 * {@link TunnelSpec} on it and forwards visitors to the local services.
 *
 * <p>It also keeps the client side of PROTOCOL.md §9: a durable client queue (in {@link EngineConfig#dataDir()})
 * for requests the relay delivers from its durable queue, delivered on to the local app with retries by a
 * {@link DeliveryWorker}, and a circuit breaker per tunnel ({@link Breakers}).
 *
 * <p>Lifecycle: the constructor opens the client store (disk I/O: construct off the FX thread);
 * {@link #start()} once, {@link #close()} once (idempotent); {@link #retry()} after {@link EngineState#FAILED}.
 * Thread-safe. Listeners are called on the executor given to the constructor, never on a network thread.
 * The queue methods ({@link #queuedRequests()}, {@link #retryNow}, {@link #discard}…) do blocking JDBC:
 * call them off the FX thread. Threads owned: one virtual "connect loop" thread, the named heartbeat timer,
 * the two-thread {@code portway-net} event loop group (the relay's WebSocket and the local leg's connections), one
 * or two virtual threads per open stream, the virtual delivery
 * thread and one per delivery attempt — all stopped by {@link #close()}.
 */
public final class TunnelEngine implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TunnelEngine.class);
    private static final Duration WELCOME_TIMEOUT = Duration.ofSeconds(15);
    private static final String CLIENT = "portway/" + version();

    private final EngineConfig config;
    private final Executor listenerExecutor;
    private final List<EngineListener> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService timer;
    /** The relay socket and the local leg move bytes on these; blocking work stays on virtual threads. */
    private final EventLoopGroup net;
    private final RelayConnector relayConnector;
    private final StreamHandlers handlers;
    private final ClientStore store;
    private final Breakers breakers;
    private final DeliveryWorker worker;
    private final AtomicBoolean queueEventPending = new AtomicBoolean();
    /** Currently bound tunnels by public name (lower case). */
    private final Map<String, BoundTunnel> bound = new ConcurrentHashMap<>();
    private final Map<String, TunnelSpec> specsByName = new ConcurrentHashMap<>();
    /** What each spec (by index) got last time, asked for again on reconnect to keep its URL. */
    private final Map<Integer, ControlMessage.Bound> lastBound = new ConcurrentHashMap<>();
    private final AtomicBoolean started = new AtomicBoolean();
    private final AtomicBoolean closed = new AtomicBoolean();
    private volatile EngineStatus status = EngineStatus.of(EngineState.DISCONNECTED, "Not connected.");
    private volatile Session session;
    private volatile String resume;
    private volatile Thread loop;
    private volatile ConnectFailure lastFailure = ConnectFailure.network("Cannot reach the relay.");
    private final RelayTrust trust;
    /** The fingerprint of the relay certificate the last attempt refused, or null (see {@link #untrustedFingerprint()}). */
    private volatile String untrusted;

    /** @throws dev.portway.desktop.queue.StoreException when the client store cannot be opened (the message says why) */
    public TunnelEngine(EngineConfig config, Executor listenerExecutor) {
        this(config, listenerExecutor, RelayTrust.system());
    }

    /**
     * @param trust how a {@code wss://} relay's certificate is checked: the system's CAs, or a pinned fingerprint
     * @throws dev.portway.desktop.queue.StoreException when the client store cannot be opened (the message says why)
     */
    public TunnelEngine(EngineConfig config, Executor listenerExecutor, RelayTrust trust) {
        this(config, listenerExecutor, trust, EngineTracing.fromEnvironment());
    }

    /**
     * @param telemetry traces each forwarded HTTP request ({@link EngineTracing}; the other constructors take it from
     *                  the process's {@code OTEL_*} variables, off unless they ask for it)
     * @throws dev.portway.desktop.queue.StoreException when the client store cannot be opened (the message says why)
     */
    public TunnelEngine(EngineConfig config, Executor listenerExecutor, RelayTrust trust,
                        dev.portway.shared.tracing.Telemetry telemetry) {
        this.trust = java.util.Objects.requireNonNull(trust, "trust");
        this.store = ClientStore.open(config.dataDir(), config.queueLimits());
        this.config = config;
        this.listenerExecutor = listenerExecutor;
        this.timer = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("portway-heartbeat").daemon(true)
                .uncaughtExceptionHandler((t, e) -> LOG.error("uncaught in {}", t.getName(), e)).factory());
        this.net = new MultiThreadIoEventLoopGroup(2, new DefaultThreadFactory("portway-net", true), NioIoHandler.newFactory());
        // The heartbeat notices a dead relay, so no read or write timeouts. The pin is for the relay only, not the local app.
        this.relayConnector = new RelayConnector(net, trust.trustManager(), trust.checksHostName(), Duration.ofSeconds(10), CLIENT,
                config.wsCompression());
        this.breakers = new Breakers(config.breaker(), this::breakerChanged);
        this.handlers = new StreamHandlers(new LocalLeg(net, config.localConnectTimeout()), config.localConnectTimeout(), e -> emit(l -> l.onRequest(e)), breakers,
                new DeliveryAcceptor(store, this::queueGrew), config.captureLimit(), telemetry);
        this.worker = new DeliveryWorker(store, handlers.local(), config.delivery(), breakers, this::specForQueued,
                e -> emit(l -> l.onDelivery(e)), this::queueChanged);
    }

    public void addListener(EngineListener l) {
        listeners.add(l);
    }

    /** Returns at once; connects in the background and binds every tunnel of the config. */
    public void start() {
        if (closed.get() || !started.compareAndSet(false, true)) {
            return;
        }
        worker.start(); // requests queued by an earlier run are delivered even before the relay answers
        queueChanged();
        loop = Thread.ofVirtual().name("portway-connect-loop").start(this::runLoop);
    }

    /**
     * After {@link EngineState#FAILED} (refused, or out of attempts): starts connecting again with a fresh
     * attempt count. Does nothing in any other state.
     */
    public synchronized void retry() {
        Thread t = loop;
        if (closed.get() || !started.get() || status.state() != EngineState.FAILED || t != null && t.isAlive()) {
            return;
        }
        loop = Thread.ofVirtual().name("portway-connect-loop").start(this::runLoop);
    }

    // ---- the client queue (blocking JDBC: not on the FX thread)

    private static boolean isQueued(TunnelSpec spec) {
        return spec != null && "on".equals(spec.options().get(dev.portway.shared.protocol.Protocol.OPTION_QUEUE));
    }

    /** The client queue, in the order it is delivered: priority (high first), then arrival. */
    public List<QueuedRequest> queuedRequests() {
        return store.list().stream().map(TunnelEngine::queued).toList();
    }

    /**
     * Tries a queued request again now (no effect on one that is being attempted or gone). During a breaker pause the
     * breaker goes half-open: the request is the one trial (PROTOCOL.md §9.4), sent now rather than after the pause.
     */
    public void retryNow(String deliveryId) {
        if (store.retryNow(deliveryId)) {
            breakers.trialNow();
            queueChanged();
            worker.wake();
        }
    }

    /** Tries every queued request again now; during a breaker pause one goes first as the trial (see {@link #retryNow}). */
    public void retryAll() {
        breakers.trialNow();
        store.retryAll();
        queueChanged();
        worker.wake();
    }

    /** Removes a queued request undelivered. The only way a request leaves the queue without reaching the app. */
    public void discard(String deliveryId) {
        if (store.discard(deliveryId)) {
            queueChanged();
        }
    }

    public void discardAll() {
        if (store.discardAll() > 0) {
            queueChanged();
        }
    }

    private static QueuedRequest queued(StoredRequest r) {
        return new QueuedRequest(r.deliveryId(), r.tunnel(), r.priority(), r.method(), r.target(), r.bodySize(), r.attempts(),
                r.received(), r.nextAttempt(), r.lastError());
    }

    private void queueGrew() {
        queueChanged();
        worker.wake();
    }

    /** Reports the queue size soon, once for all the changes of the next 200 ms. */
    private void queueChanged() {
        if (queueEventPending.compareAndSet(false, true)) {
            try {
                timer.schedule(() -> {
                    queueEventPending.set(false);
                    int size = store.count();
                    emit(l -> l.onQueueChanged(size));
                }, 200, TimeUnit.MILLISECONDS);
            } catch (RejectedExecutionException e) {
                queueEventPending.set(false); // closing
            }
        }
    }

    /** The local target for requests queued for {@code tunnel}: the bound tunnel of that name, else the configured one. */
    private TunnelSpec specForQueued(String tunnel) {
        String key = tunnel.toLowerCase(Locale.ROOT);
        TunnelSpec spec = specsByName.get(key);
        if (spec != null) {
            return spec;
        }
        for (Map.Entry<Integer, ControlMessage.Bound> e : lastBound.entrySet()) {
            if (e.getValue().name().equalsIgnoreCase(tunnel)) {
                return config.tunnels().get(e.getKey());
            }
        }
        for (TunnelSpec t : config.tunnels()) {
            if (t.name() != null && t.name().equalsIgnoreCase(tunnel)) {
                return t;
            }
        }
        return null;
    }

    // ---- circuit breakers (any thread; must not block)

    private void breakerChanged(String tunnel, String state) {
        LOG.info("circuit breaker of tunnel {} is {}", tunnel, state);
        Session s = session;
        if (s != null) {
            s.trySend(Frame.control(new ControlMessage.Breaker(tunnel, state)));
        }
        emit(l -> l.onBreaker(tunnel, state));
        if (!"open".equals(state)) {
            worker.wake();
        }
    }

    public EngineStatus status() {
        return status;
    }

    /** How long the tunnel's open circuit breaker still holds requests back; zero when it is not open. Any thread. */
    public Duration breakerPause(String tunnel) {
        return breakers.remainingDelay(tunnel);
    }

    /** The failures in a row that open a tunnel's breaker (for words like "failed 5 times in a row"). */
    public int breakerFailures() {
        return config.breaker().failures();
    }

    /** The tunnels currently bound, in no particular order. */
    public List<BoundTunnel> tunnels() {
        return List.copyOf(bound.values());
    }

    /**
     * Unbinds (except queued tunnels, whose names stay reserved so the relay keeps queueing for them), closes the
     * session and the client store, and stops all threads. Blocks for at most about two seconds. Idempotent.
     */
    @Override
    public void close() {
        if (!closed.compareAndSet(false, true)) {
            return;
        }
        Session s = session;
        if (s != null) {
            // Queued tunnels are not unbound: unbinding would give up the name, and with it the relay's queue
            // that keeps webhooks while this client is away (§9.2). Their names stay reserved for the client key.
            s.close(bound.keySet().stream().filter(name -> !isQueued(specsByName.get(name))).toList());
            s.awaitSocketClosed(Duration.ofSeconds(1));
            s.cancel();
        }
        Thread t = loop;
        if (t != null) {
            t.interrupt();
            try {
                t.join(Duration.ofSeconds(1));
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        worker.close();
        timer.shutdownNow();
        handlers.local().close();
        net.shutdownGracefully(0, 2, TimeUnit.SECONDS);
        store.close();
        bound.clear();
        setStatus(EngineStatus.of(EngineState.DISCONNECTED, "Disconnected."));
    }

    // ---- connect loop (virtual thread)

    private void runLoop() {
        int maxAttempts = config.reconnect().maxAttempts();
        setStatus(new EngineStatus(EngineState.CONNECTING, "Connecting to " + config.relayUrl() + "…", null, 1, maxAttempts, null));
        while (!closed.get()) {
            Session s;
            try {
                s = Failsafe.with(Reconnect.<Session>policy(config.reconnect(), this::retryScheduled)).get(this::connectOnce);
            } catch (ConnectFailure f) {
                if (!closed.get()) {
                    String message = f.fatal || maxAttempts < 0 ? f.getMessage()
                            : f.getMessage() + " Gave up after " + maxAttempts + " attempts.";
                    setStatus(new EngineStatus(EngineState.FAILED, message, f.category, 0, maxAttempts, null));
                }
                return;
            } catch (FailsafeException | CancellationException e) {
                return; // interrupted by close()
            }
            Session.End end;
            try {
                end = s.ended().get();
            } catch (InterruptedException | ExecutionException e) {
                return;
            }
            session = null;
            bound.clear();
            specsByName.clear();
            if (closed.get()) {
                return;
            }
            LOG.info("session ended: {}", end.message());
            if (end.refusal() != null && end.refusal().fatal) {
                // E.g. token_revoked at a JWT refresh: a new hello cannot succeed (PROTOCOL.md §2.3), so none is sent.
                setStatus(new EngineStatus(EngineState.FAILED, end.message(), end.refusal().category, 0, maxAttempts, null));
                return;
            }
            setStatus(new EngineStatus(EngineState.RECONNECTING, end.message() + " Reconnecting…",
                    end.category() == null ? ErrorCategory.NETWORK : end.category(), 1, maxAttempts, Duration.ZERO));
        }
    }

    private Session connectOnce() {
        if (closed.get()) {
            throw new CancellationException("engine closed");
        }
        Session s = new Session(config, resume, store.clientKey(), CLIENT, timer, handlers, new Events());
        session = s;
        trust.takeRefused();
        s.connect(relayConnector);
        try {
            s.welcome().get(WELCOME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            untrusted = null;
            return s;
        } catch (ExecutionException e) {
            s.cancel();
            String refused = trust.takeRefused();
            if (refused != null) {
                untrusted = refused;
                throw noteFailure(ConnectFailure.untrusted(untrustedMessage(refused)));
            }
            throw noteFailure(e.getCause() instanceof ConnectFailure f ? f : ConnectFailure.network(String.valueOf(e.getCause())));
        } catch (TimeoutException e) {
            s.cancel();
            throw noteFailure(ConnectFailure.network("The relay at " + config.relayUrl() + " did not answer the handshake within "
                    + WELCOME_TIMEOUT.toSeconds() + " s."));
        } catch (InterruptedException e) {
            s.cancel();
            Thread.currentThread().interrupt();
            throw new CancellationException("engine closed");
        }
    }

    private String untrustedMessage(String seen) {
        if (trust.fingerprint() != null) {
            return "The relay's TLS certificate (" + seen + ") does not match the pinned fingerprint " + trust.fingerprint()
                    + " — its certificate changed, or this is not your relay. Trust the new fingerprint only if the relay's "
                    + "operator confirms it.";
        }
        return "The relay's TLS certificate is not trusted (fingerprint " + seen + "). If this is your relay (e.g. "
                + "self-signed), trust exactly this certificate: connect with --fingerprint " + seen
                + " or choose \"Trust this relay\".";
    }

    /**
     * The fingerprint of the relay certificate the last connect attempt refused (untrusted, or not the pinned one),
     * or null. Shown to the user so they can choose to trust it.
     */
    public String untrustedFingerprint() {
        return untrusted;
    }

    private void retryScheduled(int attempt, Duration delay) {
        ConnectFailure last = lastFailure;
        setStatus(new EngineStatus(EngineState.RECONNECTING, last.getMessage() + " Retrying in " + String.format(java.util.Locale.ROOT, "%.1f", delay.toMillis() / 1000.0) + " s…",
                last.category, attempt, config.reconnect().maxAttempts(), delay));
    }

    /** Records why the last attempt failed, for the RECONNECTING message. */
    private ConnectFailure noteFailure(ConnectFailure f) {
        lastFailure = f;
        return f;
    }

    // ---- session events (reader thread: never block)

    private final class Events implements Session.Events {
        @Override
        public TunnelSpec specFor(String tunnelName) {
            return tunnelName == null ? null : specsByName.get(tunnelName.toLowerCase(Locale.ROOT));
        }

        @Override
        public void onWelcome(Session s, ControlMessage.Welcome w) {
            resume = w.resume();
            setStatus(new EngineStatus(EngineState.CONNECTED, "Connected to " + config.relayUrl() + ".", null, 0,
                    config.reconnect().maxAttempts(), null));
            List<TunnelSpec> specs = config.tunnels();
            for (int i = 0; i < specs.size(); i++) {
                s.bind(bindFor(i, specs.get(i), w.agrees(dev.portway.shared.protocol.Protocol.FEATURE_REWRITE)));
            }
        }

        @Override
        public void onBound(ControlMessage.Bound b) {
            TunnelSpec spec = specOf(b.id());
            if (spec == null) {
                return;
            }
            lastBound.put(Integer.parseInt(b.id()), b);
            specsByName.put(b.name().toLowerCase(Locale.ROOT), spec);
            BoundTunnel t = new BoundTunnel(b.name(), b.kind(), b.url(), b.port(), spec.localTarget(), b.notice());
            bound.put(b.name().toLowerCase(Locale.ROOT), t);
            emit(l -> l.onTunnelBound(t));
            String breaker = breakers.state(b.name());
            Session s = session;
            if (!"closed".equals(breaker) && s != null) {
                s.trySend(Frame.control(new ControlMessage.Breaker(b.name(), breaker))); // the relay counts it again
            }
            worker.wake(); // requests held for this tunnel may have been waiting for it
        }

        @Override
        public void onQueueStatus(ControlMessage.QueueStatus q) {
            RelayQueueStatus status = new RelayQueueStatus(q.tunnel(), q.count(), q.bytes(), q.maxCount(), q.maxBytes(), q.level());
            emit(l -> l.onRelayQueue(status));
        }

        @Override
        public String admit(OpenMessage open, TunnelSpec spec) {
            if (breakers.tryAcquire(open.tunnel())) {
                return null;
            }
            long wait = Math.max(1, breakers.remainingDelay(open.tunnel()).toSeconds());
            String message = spec.localTarget() + " failed " + config.breaker().failures() + " times in a row — Portway is not"
                    + " sending it requests for the next " + wait + " s. Is your app healthy?";
            RequestEvent refused = new RequestEvent(open.requestId() != null ? open.requestId() : "refused", open.tunnel(),
                    open.isHttp() ? open.method() : "TCP", open.isHttp() ? open.target() : open.remote(), 0, Duration.ZERO, 0, 0,
                    ErrorCode.TARGET_FAILING, message, java.time.Instant.now());
            emit(l -> l.onRequest(refused));
            return message;
        }

        @Override
        public void onBindRefused(ControlMessage.BindRefused r) {
            TunnelSpec spec = specOf(r.id());
            if (spec != null) {
                emit(l -> l.onTunnelRefused(spec, r.errorCode(), r.message()));
            }
        }

        @Override
        public void onRtt(Duration rtt) {
            emit(l -> l.onRtt(rtt));
        }

        @Override
        public void onNotice(String code, String message) {
            LOG.info("relay notice ({}): {}", code, message);
        }

        @Override
        public void onGoAway(ControlMessage.GoAway g) {
            LOG.info("relay is going away: {}", g.reason());
            setStatus(new EngineStatus(EngineState.CONNECTED, "The relay is shutting down (" + g.reason()
                    + "); will reconnect.", ErrorCategory.SERVER, 0, config.reconnect().maxAttempts(), null));
        }
    }

    /** @param rewrite the relay agreed to the {@code rewrite} feature: it knows {@code local_origin} */
    private ControlMessage.Bind bindFor(int index, TunnelSpec spec, boolean rewrite) {
        ControlMessage.Bound last = lastBound.get(index);
        Map<String, String> options = new HashMap<>(spec.options());
        String port = options.remove("port");
        options.remove(TunnelSpec.OPTION_HOST_HEADER); // the engine's own; the relay refuses options it does not know
        options.remove(TunnelSpec.OPTION_LOCAL_PROTOCOL); // the engine's own too
        options.keySet().removeIf(dev.portway.desktop.engine.share.FolderShare::isEngineOption); // served here
        if (rewrite && dev.portway.shared.protocol.Protocol.KIND_HTTP.equals(spec.kind()) && spec.folder() == null) {
            String host = spec.localHost().contains(":") && !spec.localHost().startsWith("[") ? "[" + spec.localHost() + "]"
                    : spec.localHost();
            options.putIfAbsent(dev.portway.shared.protocol.Protocol.OPTION_LOCAL_ORIGIN, "http://" + host + ":" + spec.localPort()); // §4.1
        }
        Integer wantedPort = last != null && last.port() != null ? last.port()
                : port != null ? Integer.valueOf(port) : null;
        String name = last != null ? last.name() : spec.name();
        return new ControlMessage.Bind(String.valueOf(index), spec.kind(), name == null || name.isEmpty() ? null : name,
                wantedPort, options.isEmpty() ? null : options);
    }

    private TunnelSpec specOf(String bindId) {
        try {
            int i = Integer.parseInt(bindId);
            return i >= 0 && i < config.tunnels().size() ? config.tunnels().get(i) : null;
        } catch (NumberFormatException | NullPointerException e) {
            return null;
        }
    }

    // ---- status and listeners

    private void setStatus(EngineStatus s) {
        status = s;
        if (s.state() == EngineState.FAILED || s.state() == EngineState.RECONNECTING) {
            LOG.debug("{}: {}", s.state(), s.message());
        }
        emit(l -> l.onStatus(s));
    }

    private void emit(Consumer<EngineListener> call) {
        try {
            listenerExecutor.execute(() -> {
                for (EngineListener l : listeners) {
                    try {
                        call.accept(l);
                    } catch (RuntimeException e) {
                        LOG.warn("listener failed", e);
                    }
                }
            });
        } catch (RejectedExecutionException e) {
            LOG.debug("listener executor rejected an event: {}", e.getMessage());
        }
    }

    private static String version() {
        String v = TunnelEngine.class.getPackage().getImplementationVersion();
        return v != null ? v : "0.1.0";
    }
}
