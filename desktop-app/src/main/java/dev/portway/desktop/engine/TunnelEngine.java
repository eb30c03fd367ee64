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
 * {@link TunnelSpec} on it and forwards visitors to the local services. On a relay cluster that agrees to feature
 * {@code ha} (PROTOCOL.md §3.3) it keeps {@link EngineConfig#haConnections()} sessions to different nodes, each binding
 * the same names; a session that ends or gets {@code go_away} is replaced by one to another node while the others
 * carry the visitors, so the public URL never changes.
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
    /** The sessions: slot 0 always, more to other cluster nodes once a relay agreed to {@code ha}. */
    private final List<Slot> slots = new CopyOnWriteArrayList<>();
    /** The other live nodes the latest {@code ha} welcome named, with their direct addresses (or none). */
    private volatile List<ControlMessage.ClusterNode> peers = List.of();
    /** Tunnel indexes the relay answered (bound or refused) at least once: a later session binds the same names. */
    private final java.util.Set<Integer> answered = ConcurrentHashMap.newKeySet();
    private final java.util.concurrent.CompletableFuture<Void> namesKnown = new java.util.concurrent.CompletableFuture<>();
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
        Slot first = new Slot(0);
        slots.add(first);
        first.start();
    }

    /**
     * After {@link EngineState#FAILED} (refused, or out of attempts): starts connecting again with a fresh
     * attempt count. Does nothing in any other state.
     */
    public synchronized void retry() {
        if (closed.get() || !started.get() || status.state() != EngineState.FAILED
                || slots.stream().anyMatch(sl -> sl.loop != null && sl.loop.isAlive())) {
            return;
        }
        slots.getFirst().start();
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
        for (Events ev : live()) {
            ev.session.trySend(Frame.control(new ControlMessage.Breaker(tunnel, state)));
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
        // Queued tunnels are not unbound: unbinding would give up the name, and with it the relay's queue
        // that keeps webhooks while this client is away (§9.2). Their names stay reserved for the client key.
        List<String> unbind = bound.keySet().stream().filter(name -> !isQueued(specsByName.get(name))).toList();
        List<Session> open = slots.stream().map(sl -> sl.session).filter(java.util.Objects::nonNull).toList();
        for (Session s : open) {
            s.close(unbind);
        }
        for (Session s : open) {
            s.awaitSocketClosed(Duration.ofSeconds(1));
            s.cancel();
        }
        for (Slot sl : slots) {
            Thread t = sl.loop;
            if (t != null) {
                t.interrupt();
                try {
                    t.join(Duration.ofSeconds(1));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
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

    // ---- connect loops (one virtual thread per slot)

    /** Tries in a row that may reach a node this client is on already (through the shared address) before backing off. */
    private static final int SAME_NODE_TRIES = 5;
    /** How long a later session waits for the first session's names before binding what is known. */
    private static final Duration NAMES_WAIT = Duration.ofSeconds(15);

    /**
     * One of the engine's sessions and its connect loop. Slot 0 is the engine's session as to a single relay; the
     * others exist only once a cluster node agreed to {@code ha}, and keep a session to a node no other slot is on.
     */
    private final class Slot {
        final int index;
        /** The session being made or live (closed by {@link #close()}). */
        volatile Session session;
        /** The events of the slot's last welcomed session. */
        volatile Events current;
        /** The resume key of this slot's last session, and the node it was on (ha), avoided by the next direct pick. */
        volatile String resume;
        volatile String lastNode;
        /** Nodes whose direct address failed since this slot last connected. */
        final java.util.Set<String> unreachable = ConcurrentHashMap.newKeySet();
        volatile Thread loop;

        Slot(int index) {
            this.index = index;
        }

        void start() {
            loop = Thread.ofVirtual().name("portway-connect-loop" + (index == 0 ? "" : "-" + index)).start(() -> runLoop(this));
        }
    }

    /** Where a slot dials next: a node's own address (ha, from welcome {@code nodes}), else the configured one. */
    private record Target(java.net.URI uri, String resume, String node) {
    }

    /** The welcomed sessions that carry tunnels now (not ended, no go_away), in slot order. */
    private List<Events> live() {
        return slots.stream().map(sl -> sl.current).filter(ev -> ev != null && ev.live).toList();
    }

    /** Node ids of the live sessions of slots other than {@code me}. */
    private List<String> nodesOfOthers(Slot me) {
        return live().stream().filter(ev -> ev.slot != me && ev.node != null).map(ev -> ev.node).toList();
    }

    private boolean otherLive(Slot me) {
        return live().stream().anyMatch(ev -> ev.slot != me);
    }

    private EngineStatus connectedStatus() {
        List<String> nodes = live().stream().map(ev -> ev.node).filter(java.util.Objects::nonNull).toList();
        String message = nodes.isEmpty() ? "Connected to " + config.relayUrl() + "."
                : "Connected to " + String.join(", ", nodes) + ".";
        return new EngineStatus(EngineState.CONNECTED, message, null, 0, config.reconnect().maxAttempts(), null, nodes);
    }

    private void runLoop(Slot slot) {
        int maxAttempts = config.reconnect().maxAttempts();
        if (!otherLive(slot)) {
            setStatus(new EngineStatus(EngineState.CONNECTING, "Connecting to " + config.relayUrl() + "…", null, 1, maxAttempts, null));
        }
        while (!closed.get()) {
            Events ev;
            try {
                ev = Failsafe.with(Reconnect.<Events>policy(config.reconnect(), (a, d) -> retryScheduled(slot, a, d)))
                        .get(() -> connectOnce(slot));
            } catch (ConnectFailure f) {
                if (!closed.get()) {
                    String message = f.fatal || maxAttempts < 0 ? f.getMessage()
                            : f.getMessage() + " Gave up after " + maxAttempts + " attempts.";
                    if (f.fatal || !otherLive(slot)) {
                        setStatus(new EngineStatus(EngineState.FAILED, message, f.category, 0, maxAttempts, null));
                    } else {
                        LOG.warn("no second session to another relay node: {}", message);
                    }
                }
                return;
            } catch (FailsafeException | CancellationException e) {
                return; // interrupted by close()
            }
            Session s = ev.session;
            Session.End end;
            try {
                if (ev.ha) { // on a cluster a go_away is replaced at once; the old session drains by itself
                    java.util.concurrent.CompletableFuture.anyOf(s.ended(), ev.goAway).get();
                } else {
                    s.ended().get();
                }
                end = s.ended().isDone() ? s.ended().get() : null;
            } catch (InterruptedException | ExecutionException e) {
                return;
            }
            slot.lastNode = ev.node;
            if (end != null) {
                sessionGone(ev);
            }
            if (closed.get()) {
                return;
            }
            if (end == null) {
                LOG.info("relay node {} is going away: moving that session to another node", ev.node);
            } else {
                LOG.info("session ended{}: {}", ev.node == null ? "" : " (node " + ev.node + ")", end.message());
            }
            if (end != null && end.refusal() != null && end.refusal().fatal) {
                // E.g. token_revoked at a JWT refresh: a new hello cannot succeed (PROTOCOL.md §2.3), so none is sent.
                setStatus(new EngineStatus(EngineState.FAILED, end.message(), end.refusal().category, 0, maxAttempts, null));
                return;
            }
            if (otherLive(slot)) {
                setStatus(connectedStatus()); // the other sessions carry the tunnels meanwhile: no gap
            } else {
                setStatus(new EngineStatus(EngineState.RECONNECTING, (end == null ? "The relay is going away." : end.message())
                        + " Reconnecting…", end == null || end.category() == null ? ErrorCategory.NETWORK : end.category(), 1,
                        maxAttempts, Duration.ZERO));
            }
        }
    }

    /** A session ended: its names stay bound (and served) while another live session binds them too. Idempotent. */
    private void sessionGone(Events ev) {
        ev.live = false;
        if (!ev.gone.compareAndSet(false, true)) {
            return;
        }
        List<Events> others = live();
        for (String name : ev.names) {
            if (others.stream().noneMatch(o -> o.names.contains(name))) {
                bound.remove(name);
                specsByName.remove(name);
            }
        }
    }

    private Target target(Slot slot) {
        List<String> taken = nodesOfOthers(slot);
        for (ControlMessage.ClusterNode n : peers) {
            if (n.url() != null && n.node() != null && !taken.contains(n.node()) && !n.node().equals(slot.lastNode)
                    && !slot.unreachable.contains(n.node())) {
                try {
                    return new Target(EngineConfig.connectUri(java.net.URI.create(n.url())), null, n.node());
                } catch (IllegalArgumentException e) {
                    skipNode(slot, n.node(), n.url(), "not a usable address: " + e.getMessage());
                }
            }
        }
        return new Target(config.connectUri(), slot.resume, null);
    }

    /**
     * A node's announced direct address ({@code welcome.nodes}, its {@code --client-url}) failed: this slot skips that
     * node until it next connects, and says so once.
     */
    private static void skipNode(Slot slot, String node, String url, String why) {
        if (slot.unreachable.add(node)) {
            LOG.warn("Relay node {} cannot be reached at its announced address {} ({}) — trying another node; "
                    + "that node's --client-url may be wrong", node, url, why);
        }
    }

    private Events connectOnce(Slot slot) {
        for (int tries = 1; ; tries++) {
            if (closed.get()) {
                throw new CancellationException("engine closed");
            }
            Target t = target(slot);
            Events ev = new Events(slot);
            Session s = new Session(config, t.resume(), store.clientKey(), CLIENT, timer, handlers, ev);
            ev.session = s;
            slot.session = s;
            trust.takeRefused();
            s.connect(relayConnector, t.uri());
            ControlMessage.Welcome w;
            try {
                w = s.welcome().get(WELCOME_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                untrusted = null;
            } catch (ExecutionException e) {
                s.cancel();
                if (t.node() != null) {
                    skipNode(slot, t.node(), t.uri().toString(), String.valueOf(e.getCause() == null ? e : e.getCause().getMessage()));
                }
                String refused = trust.takeRefused();
                if (refused != null) {
                    untrusted = refused;
                    throw noteFailure(ConnectFailure.untrusted(untrustedMessage(refused)));
                }
                throw noteFailure(e.getCause() instanceof ConnectFailure f ? f : ConnectFailure.network(String.valueOf(e.getCause())));
            } catch (TimeoutException e) {
                s.cancel();
                if (t.node() != null) {
                    skipNode(slot, t.node(), t.uri().toString(), "no handshake within " + WELCOME_TIMEOUT.toSeconds() + " s");
                }
                throw noteFailure(ConnectFailure.network("The relay at " + t.uri() + " did not answer the handshake within "
                        + WELCOME_TIMEOUT.toSeconds() + " s."));
            } catch (InterruptedException e) {
                s.cancel();
                Thread.currentThread().interrupt();
                throw new CancellationException("engine closed");
            }
            boolean ha = config.haConnections() > 1 && w.agrees(dev.portway.shared.protocol.Protocol.FEATURE_HA)
                    && w.node() != null;
            if (ha) {
                // also from a welcome turned away below: a node that joined after the first session's welcome
                // (nodes learn of each other within seconds) is reached by its own address from then on
                peers = w.nodes() == null ? List.of() : List.copyOf(w.nodes());
            }
            if (ha && nodesOfOthers(slot).contains(w.node())) {
                // Through the shared address this reached a node another session is on: not a second session there.
                s.close(List.of());
                s.cancel();
                if (tries >= SAME_NODE_TRIES) {
                    throw noteFailure(ConnectFailure.network("Reached relay node " + w.node() + " " + tries
                            + " times, which this client is connected to already."));
                }
                continue;
            }
            ev.ha = ha;
            ev.node = ha ? w.node() : null;
            slot.resume = w.resume();
            slot.unreachable.clear();
            boolean first = !otherLive(slot);
            ev.live = true;
            slot.current = ev;
            s.ended().thenRun(() -> sessionGone(ev)); // also a session left draining after go_away
            setStatus(connectedStatus());
            if (ha) {
                addSlots();
            }
            if (!first) {
                try { // the first session's names (a generated one too), so that every session binds the same
                    namesKnown.get(NAMES_WAIT.toMillis(), TimeUnit.MILLISECONDS);
                } catch (ExecutionException | TimeoutException e) {
                    LOG.debug("binding on node {} before every name is known", ev.node);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new CancellationException("engine closed");
                }
            }
            boolean rewrite = w.agrees(dev.portway.shared.protocol.Protocol.FEATURE_REWRITE);
            List<TunnelSpec> specs = config.tunnels();
            for (int i = 0; i < specs.size(); i++) {
                s.bind(bindFor(i, specs.get(i), rewrite, !first && heldByOther(i, ev)));
            }
            return ev;
        }
    }

    /** Whether another live session binds tunnel {@code index} now (then this one must get the same name or none). */
    private boolean heldByOther(int index, Events me) {
        ControlMessage.Bound last = lastBound.get(index);
        if (last == null) {
            return false;
        }
        String name = last.name().toLowerCase(Locale.ROOT);
        return live().stream().anyMatch(ev -> ev != me && ev.names.contains(name));
    }

    /** The relay agreed to ha: up to {@link EngineConfig#haConnections()} slots, each keeping a session to its own node. */
    private synchronized void addSlots() {
        while (!closed.get() && slots.size() < config.haConnections()) {
            Slot sl = new Slot(slots.size());
            slots.add(sl);
            sl.start();
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

    private void retryScheduled(Slot slot, int attempt, Duration delay) {
        ConnectFailure last = lastFailure;
        if (otherLive(slot)) {
            LOG.info("another relay node in {} ms (attempt {}): {}", delay.toMillis(), attempt, last.getMessage());
            return;
        }
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
        final Slot slot;
        volatile Session session;
        /** Set once welcomed: the relay agreed to ha, and the node reached (null without ha). */
        volatile boolean ha;
        volatile String node;
        /** Welcomed, not a duplicate node, not ended and no go_away: carries tunnels. */
        volatile boolean live;
        final AtomicBoolean gone = new AtomicBoolean();
        final java.util.concurrent.CompletableFuture<Void> goAway = new java.util.concurrent.CompletableFuture<>();
        /** Names (lower case) bound on this session. */
        final java.util.Set<String> names = ConcurrentHashMap.newKeySet();

        Events(Slot slot) {
            this.slot = slot;
        }

        @Override
        public TunnelSpec specFor(String tunnelName) {
            return tunnelName == null ? null : specsByName.get(tunnelName.toLowerCase(Locale.ROOT));
        }

        @Override
        public void onWelcome(Session s, ControlMessage.Welcome w) {
            // The connect loop binds (connectOnce): it first checks which node this is.
        }

        @Override
        public void onBound(ControlMessage.Bound b) {
            TunnelSpec spec = specOf(b.id());
            if (spec == null) {
                return;
            }
            int index = Integer.parseInt(b.id());
            lastBound.put(index, b);
            String key = b.name().toLowerCase(Locale.ROOT);
            names.add(key);
            specsByName.put(key, spec);
            BoundTunnel t = new BoundTunnel(b.name(), b.kind(), b.url(), b.port(), spec.localTarget(), b.notice());
            BoundTunnel before = bound.put(key, t);
            if (before == null || !before.url().equals(t.url())) { // a second node's bind of the same URL is no news
                emit(l -> l.onTunnelBound(t));
            }
            answered(index);
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
            if (spec == null) {
                return;
            }
            int index = Integer.parseInt(r.id());
            answered(index);
            if (heldByOther(index, this)) { // carried by the other sessions: this node just does not carry it
                LOG.warn("relay node {} did not bind {} too: {}", node, lastBound.get(index).name(), r.message());
                return;
            }
            emit(l -> l.onTunnelRefused(spec, r.errorCode(), r.message()));
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
            LOG.info("relay{} is going away: {}", node == null ? "" : " node " + node, g.reason());
            if (ha) {
                live = false;
                goAway.complete(null);
                if (otherLive(slot)) {
                    setStatus(connectedStatus());
                    return;
                }
            }
            setStatus(new EngineStatus(EngineState.CONNECTED, "The relay is shutting down (" + g.reason()
                    + "); will reconnect.", ErrorCategory.SERVER, 0, config.reconnect().maxAttempts(), null));
        }
    }

    /** Tunnel {@code index} got its first answer from a relay; once every tunnel has one, later sessions bind. */
    private void answered(int index) {
        if (answered.add(index) && answered.size() >= config.tunnels().size()) {
            namesKnown.complete(null);
        }
    }

    /**
     * @param rewrite the relay agreed to the {@code rewrite} feature: it knows {@code local_origin}
     * @param strict  another session binds this tunnel already: this one must get exactly its name (no variant)
     */
    private ControlMessage.Bind bindFor(int index, TunnelSpec spec, boolean rewrite, boolean strict) {
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
        if (strict) {
            options.put(dev.portway.shared.protocol.Protocol.OPTION_STRICT_NAME, "true");
        }
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
