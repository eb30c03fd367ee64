package dev.portway.desktop.ui.connect;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.EngineListener;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.engine.QueuedRequest;
import dev.portway.desktop.engine.RelayQueueStatus;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.live.MetricsSampler;
import dev.portway.desktop.ui.queue.QueueOperations;
import dev.portway.shared.protocol.ErrorCategory;
import dev.portway.shared.protocol.ErrorCode;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executor;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * Connects profiles: one {@link TunnelEngine} per connected profile, several at once, EMBEDDED ones through
 * the app's {@link EmbeddedRelayHost}. UI-free.
 *
 * <p>Threads: {@link #connect}/{@link #disconnect} return at once; starting relays and engines and closing
 * engines (which blocks up to two seconds) happens on {@code work}. Engines report on their own network
 * threads straight into this class, which only hands status changes to {@code fx} (a few per connection)
 * and puts requests into each profile's {@link MetricsSampler}. Every {@code tick}, {@code ticker} samples
 * all active profiles and delivers every sample in one {@code fx} task — never one per request.
 */
public final class TunnelService implements AutoCloseable {
    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(TunnelService.class);

    /** What the service reports, always on the fx executor. */
    public interface Listener {
        default void onStatus(String profileId, EngineStatus status) {
        }

        default void onBound(String profileId, BoundTunnel tunnel) {
        }

        default void onRefused(String profileId, String message) {
        }

        /** One per tick for every profile that is connecting, connected or reconnecting. */
        default void onSample(String profileId, MetricsSampler.Sample sample) {
        }

        /** The profile's client queue changed size (the engine coalesces these to a few a second). */
        default void onQueueChanged(String profileId, int size) {
        }

        /** The relay's queue for one of the profile's tunnels: when bound, and when its level changes. */
        default void onRelayQueue(String profileId, RelayQueueStatus status) {
        }

        /** A tunnel's circuit breaker changed: {@code closed}, {@code open} or {@code half_open}. */
        default void onBreaker(String profileId, String tunnel, String state) {
        }

        /**
         * How many requests the embedded relay keeps for the profile's queued tunnel (PROTOCOL.md §9.3), also while
         * it is disconnected; reported when it changes, for the profiles given to {@link #watchRelayQueue}.
         */
        default void onRelayWaiting(String profileId, int count) {
        }

        /** The profile's local target started or stopped answering, or its breaker changed (see {@link TargetHealth}). */
        default void onTargetHealth(String profileId, TargetHealth health) {
        }
    }

    /** How often a connecting or connected HTTP profile's local target is probed (at once on Connect; TCP: 10× less often). */
    static final Duration PROBE_EVERY = Duration.ofSeconds(3);
    private static final Duration PROBE_TIMEOUT = Duration.ofMillis(500);
    /**
     * How long a connect waits for the profile's previous engine to close (it holds the engine folder's store), and
     * how long an engine may take to start; after either the profile ends FAILED, in words, never "Starting…" forever.
     */
    static final Duration CLOSE_DEADLINE = Duration.ofSeconds(30);
    static final Duration START_DEADLINE = Duration.ofSeconds(60);

    private final EmbeddedRelayHost embedded;
    private final Executor work;
    private final Executor fx;
    private final Clock clock;
    private final Function<EngineConfig, EngineConfig> tune;
    private final Path enginesDir;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, MetricsSampler> samplers = new ConcurrentHashMap<>();
    /** Per profile: the close of its previous engine, which a new connect waits for (both use the same store files). */
    private final Map<String, CompletableFuture<Void>> closing = new ConcurrentHashMap<>();
    private final ScheduledExecutorService ticker;
    /** EMBEDDED profiles with a queued tunnel, whose relay queue is polled (see {@link #watchRelayQueue}). */
    private final Map<String, Profile> watched = new ConcurrentHashMap<>();
    /** The name each profile's tunnel was last bound under (a taken name gets another). */
    private final Map<String, String> boundNames = new ConcurrentHashMap<>();
    private final Map<String, Integer> waitingSeen = new ConcurrentHashMap<>();
    private final java.util.concurrent.atomic.AtomicBoolean polling = new java.util.concurrent.atomic.AtomicBoolean();
    private long ticks;

    /**
     * @param tune adjusts each engine's config before it starts (tests shorten the reconnect policy); identity otherwise
     */
    public TunnelService(EmbeddedRelayHost embedded, Executor work, ScheduledExecutorService ticker, Duration tick,
                         Executor fx, Clock clock, Function<EngineConfig, EngineConfig> tune) {
        this(embedded, work, ticker, tick, fx, clock, tune, null);
    }

    /**
     * @param enginesDir where each profile's engine keeps its durable client queue and client key, in a folder of
     *                   its own ({@code <enginesDir>/<profile id>}); null keeps them in memory (tests)
     */
    public TunnelService(EmbeddedRelayHost embedded, Executor work, ScheduledExecutorService ticker, Duration tick,
                         Executor fx, Clock clock, Function<EngineConfig, EngineConfig> tune, Path enginesDir) {
        this.enginesDir = enginesDir;
        this.embedded = embedded;
        this.work = work;
        this.fx = fx;
        this.clock = clock;
        this.tune = tune;
        this.ticker = ticker;
        ticker.scheduleAtFixedRate(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    /**
     * Follows the embedded relay's durable queue for {@code p} (every 2 s, on {@code work}) when it is an EMBEDDED
     * profile with a queued tunnel; forgets it otherwise. Call it again when the profile changes.
     */
    public void watchRelayQueue(Profile p) {
        boolean queued = p.relayMode() == Profile.RelayMode.EMBEDDED
                && "on".equals(p.options().get(dev.portway.shared.protocol.Protocol.OPTION_QUEUE));
        if (queued) {
            watched.put(p.id(), p);
        } else {
            forget(p.id());
        }
    }

    /** Stops following a profile's relay queue (deleted). */
    public void forget(String profileId) {
        watched.remove(profileId);
        waitingSeen.remove(profileId);
    }

    private void pollRelayQueues() {
        try {
            for (Profile p : watched.values()) {
                String name = boundNames.getOrDefault(p.id(), p.requestedName());
                int n = embedded.queuedCount(name);
                Integer before = waitingSeen.put(p.id(), n);
                if (before == null || before != n) {
                    fx.execute(() -> {
                        if (watched.containsKey(p.id())) {
                            listeners.forEach(l -> l.onRelayWaiting(p.id(), n));
                        }
                    });
                }
            }
        } finally {
            polling.set(false);
        }
    }

    public boolean isActive(String profileId) {
        return connections.containsKey(profileId);
    }

    /**
     * Starts connecting {@code p} unless it already is; returns at once. When the profile's previous engine is still
     * closing (a disconnect just before, as saving an edit does), the new one starts once that close is done: both
     * use the profile's engine folder. The local target is probed now and every {@link #PROBE_EVERY} after.
     */
    public void connect(Profile p) {
        Connection c = new Connection(p.id(), p.name(), p.kind() == Profile.Kind.FOLDER ? TargetHealth.folder(p.localTarget())
                : TargetHealth.unknown(p.localTarget()));
        if (connections.putIfAbsent(p.id(), c) != null) {
            return;
        }
        LOG.info("“{}”: connecting ({} {} through the {} relay)", p.name(), p.kind().wire(), p.localTarget(),
                p.relayMode() == Profile.RelayMode.EMBEDDED ? "embedded" : p.relayUrl());
        report(p.id(), new EngineStatus(EngineState.CONNECTING, "Starting…", null, 0, 0, null));
        c.watchdog = ticker.schedule(() -> {
            if (c.starting()) {
                fail(c, p.id(), "“" + p.name() + "” did not start within " + START_DEADLINE.toSeconds() + " s. Try Connect again;"
                        + " the log says what it was waiting for.");
                work.execute(c::cancel);
            }
        }, START_DEADLINE.toMillis(), TimeUnit.MILLISECONDS);
        // TCP targets (ssh, databases) log every connection: probed less often than HTTP apps.
        Duration every = p.kind() == Profile.Kind.TCP ? PROBE_EVERY.multipliedBy(10) : PROBE_EVERY;
        c.probe = ticker.scheduleWithFixedDelay(() -> work.execute(() -> probe(c, p)), 0, every.toMillis(), TimeUnit.MILLISECONDS);
        CompletableFuture<Void> before = closing.getOrDefault(p.id(), CompletableFuture.completedFuture(null));
        before.copy().orTimeout(CLOSE_DEADLINE.toMillis(), TimeUnit.MILLISECONDS).whenCompleteAsync((ok, slow) -> {
            if (slow != null) {
                c.startDone.complete(null);
                fail(c, p.id(), "The previous connection of “" + p.name() + "” did not close within " + CLOSE_DEADLINE.toSeconds()
                        + " s, so a new one was not started (they would share its files). Try Connect again.");
            } else {
                try {
                    start(c, p);
                } finally {
                    c.startDone.complete(null);
                }
            }
        }, work);
    }

    /** Ends a connection that could not start: FAILED with {@code message}, unless someone disconnected it meanwhile. */
    private void fail(Connection c, String id, String message) {
        if (connections.remove(id, c)) {
            LOG.error("“{}”: could not connect: {}", c.name, message);
            c.stopTimers();
            report(id, new EngineStatus(EngineState.FAILED, message, ErrorCategory.CONFIG, 0, 0, null));
        }
    }

    /** One probe of the profile's local target (on {@code work}); reports only a change. */
    private void probe(Connection c, Profile p) {
        if (connections.get(p.id()) != c) {
            c.stopTimers();
            return;
        }
        boolean answers = p.kind() == Profile.Kind.FOLDER ? TargetProbe.folderReadable(p.options())
                : TargetProbe.answers(p.localHost(), p.localPort(), PROBE_TIMEOUT);
        TargetHealth changed = c.update(h -> h.withAnswering(answers));
        if (changed != null) {
            deliverHealth(c, p.id(), changed);
        }
    }

    private void deliverHealth(Connection c, String id, TargetHealth h) {
        fx.execute(() -> {
            if (connections.get(id) == c) {
                listeners.forEach(l -> l.onTargetHealth(id, h));
            }
        });
    }

    /**
     * Closes the profile's engine (in the background); its tunnel goes away. Reports DISCONNECTED at once;
     * the closing engine's own reports are dropped, so a quick reconnect never shows stale states.
     */
    public void disconnect(String profileId) {
        Connection c = connections.remove(profileId);
        if (c == null) {
            return;
        }
        report(profileId, new EngineStatus(EngineState.DISCONNECTED, "Disconnected.", null, 0, 0, null));
        LOG.info("“{}”: disconnected", c.name);
        c.stopTimers();
        c.markCancelled(); // a start still under way will not attach its engine (it closes it itself)
        // Closed once its start is over: an engine opened by a start still running would otherwise close the store
        // files under the next connection's engine ("Database is already closed").
        CompletableFuture<Void> gone = c.startDone.thenRunAsync(c::cancel, work);
        closing.put(profileId, gone);
        gone.whenComplete((ok, error) -> closing.remove(profileId, gone));
    }

    /**
     * The fingerprint of the relay certificate the profile's last connect attempt refused (untrusted, or not the
     * pinned one), or null. A volatile read: fine on the FX thread.
     */
    public String untrustedFingerprint(String profileId) {
        Connection c = connections.get(profileId);
        TunnelEngine e = c == null ? null : c.engine();
        return e == null ? null : e.untrustedFingerprint();
    }

    /**
     * The client queue of the profile's running engine. Each call runs on {@code work} and completes on {@code fx};
     * while the profile is not connected the queue reads as empty and the commands do nothing.
     */
    public QueueOperations queue(String profileId) {
        return new ProfileQueue(profileId);
    }

    /** Closes every engine, then the embedded relay. Blocks: call it off the FX thread. */
    @Override
    public void close() {
        List<Connection> all = new ArrayList<>(connections.values());
        connections.clear();
        all.forEach(Connection::stopTimers);
        all.parallelStream().forEach(Connection::cancel);
        embedded.close();
    }

    private void start(Connection c, Profile p) {
        try {
            URI relay;
            String token;
            if (p.relayMode() == Profile.RelayMode.EMBEDDED) {
                if (!embedded.started()) { // the first embedded Connect starts it (and its database): seconds on a cold JVM
                    EngineStatus waiting = new EngineStatus(EngineState.CONNECTING, "Starting the embedded relay…", null, 0, 0, null);
                    fx.execute(() -> {
                        if (connections.get(p.id()) == c) {
                            listeners.forEach(l -> l.onStatus(p.id(), waiting));
                        }
                    });
                }
                EmbeddedRelayHost.Endpoint e = embedded.endpoint();
                relay = e.connectUrl();
                token = e.token();
            } else {
                relay = URI.create(p.relayUrl());
                token = p.token();
                if (token == null || token.isBlank()) {
                    // e.g. imported from a file exported without secrets
                    throw new IllegalArgumentException("“" + p.name() + "” has no relay token — edit the profile and enter"
                            + " the token of " + relay.getHost() + ".");
                }
            }
            if (p.kind() == Profile.Kind.FOLDER) {
                dev.portway.desktop.engine.share.FolderShare.of(p.options()); // a missing folder fails here, in words
            }
            TunnelSpec spec = new TunnelSpec(p.kind().wire(), p.requestedName(), p.localHost(), p.localPort(), p.options());
            EngineConfig config = EngineConfig.of(relay, token, List.of(spec));
            if (enginesDir != null) {
                // One folder per profile: engines sharing a store would share a client key and a delivery worker.
                config = config.withDataDir(enginesDir.resolve(p.id()));
            }
            // A remote profile may pin its relay's certificate (a self-signed relay); else the system's CAs decide.
            var trust = p.relayMode() == Profile.RelayMode.REMOTE && p.relayFingerprint() != null
                    ? dev.portway.desktop.engine.RelayTrust.pinned(p.relayFingerprint())
                    : dev.portway.desktop.engine.RelayTrust.system();
            TunnelEngine engine = new TunnelEngine(tune.apply(config), Runnable::run, trust);
            MetricsSampler sampler = samplers.computeIfAbsent(p.id(), id -> new MetricsSampler());
            engine.addListener(new Relay(c, p.id(), sampler));
            engine.addListener(sampler.stats());
            if (!c.attach(engine)) {
                engine.close();
                return;
            }
            engine.start();
        } catch (IOException | RuntimeException e) {
            // RuntimeException: e.g. a StoreException when the engine folder's store cannot be opened; its message says why.
            if (e instanceof IllegalArgumentException) {
                LOG.warn("cannot connect {}: {}", p, e.getMessage()); // the profile's own problem (a missing folder): no trace
            } else {
                LOG.warn("cannot connect {}", p, e);
            }
            fail(c, p.id(), e.getMessage() != null ? e.getMessage() : "Cannot start: " + e);
        }
    }

    private void tick() {
        if (ticks++ % 4 == 0 && !watched.isEmpty() && polling.compareAndSet(false, true)) {
            work.execute(this::pollRelayQueues); // blocking store reads; at most one poll at a time
        }
        if (connections.isEmpty()) {
            return;
        }
        var now = clock.instant();
        List<Map.Entry<String, MetricsSampler.Sample>> samples = new ArrayList<>();
        for (String id : connections.keySet()) {
            MetricsSampler s = samplers.get(id);
            if (s != null) {
                samples.add(Map.entry(id, s.sample(now)));
            }
        }
        if (!samples.isEmpty()) {
            fx.execute(() -> {
                for (var e : samples) {
                    listeners.forEach(l -> l.onSample(e.getKey(), e.getValue()));
                }
            });
        }
    }

    private void report(String id, EngineStatus s) {
        fx.execute(() -> listeners.forEach(l -> l.onStatus(id, s)));
    }

    /**
     * Engine events for one profile, on network threads. Delivered only while {@code connection} is still
     * the profile's current one (checked on the fx thread, where connect and disconnect are called).
     */
    private final class Relay implements EngineListener {
        private final Connection connection;
        private final String id;
        private final MetricsSampler sampler;

        Relay(Connection connection, String id, MetricsSampler sampler) {
            this.connection = connection;
            this.id = id;
            this.sampler = sampler;
        }

        private void deliver(java.util.function.Consumer<Listener> call) {
            fx.execute(() -> {
                if (connections.get(id) == connection) {
                    listeners.forEach(call);
                }
            });
        }

        @Override
        public void onStatus(EngineStatus status) {
            logChange(status);
            deliver(l -> l.onStatus(id, status));
        }

        private volatile EngineState logged;

        /** Connects, losses and failures in the log with their reason (the log window shows them). */
        private void logChange(EngineStatus s) {
            if (s.state() == logged || connections.get(id) != connection) {
                return;
            }
            logged = s.state();
            String why = s.category() == null ? s.message() : s.message() + " (" + s.category().name().toLowerCase(java.util.Locale.ROOT) + ")";
            switch (s.state()) {
                case CONNECTED -> LOG.info("“{}”: {}", connection.name, s.message());
                case RECONNECTING -> LOG.warn("“{}”: connection lost, reconnecting: {}", connection.name, why);
                case FAILED -> LOG.error("“{}”: failed: {}", connection.name, why);
                default -> { }
            }
        }

        @Override
        public void onTunnelBound(BoundTunnel tunnel) {
            boundNames.put(id, tunnel.name());
            LOG.info("“{}”: online at {} → {}", connection.name, tunnel.url(), tunnel.localTarget());
            deliver(l -> l.onBound(id, tunnel));
        }

        @Override
        public void onTunnelRefused(TunnelSpec spec, ErrorCode code, String message) {
            LOG.error("“{}”: the relay refused the tunnel: {} ({})", connection.name, message, code);
            deliver(l -> l.onRefused(id, message));
        }

        @Override
        public void onRequest(RequestEvent event) {
            sampler.record(event);
        }

        @Override
        public void onDelivery(dev.portway.desktop.engine.DeliveryEvent event) {
            // Queued webhooks reach the app here, not through the relay's live path: listed in Requests too.
            sampler.record(dev.portway.desktop.ui.queue.QueuedDelivery.asRequest(event, clock.instant()));
        }

        @Override
        public void onQueueChanged(int size) {
            deliver(l -> l.onQueueChanged(id, size));
        }

        @Override
        public void onRelayQueue(RelayQueueStatus status) {
            deliver(l -> l.onRelayQueue(id, status));
        }

        @Override
        public void onBreaker(String tunnel, String state) {
            deliver(l -> l.onBreaker(id, tunnel, state));
            TunnelEngine e = connection.engine();
            Duration left = e == null ? Duration.ZERO : e.breakerPause(tunnel);
            int failures = e == null ? 0 : e.breakerFailures();
            TargetHealth changed = connection.update(h -> h.withBreaker(state, failures, clock.instant().plus(left)));
            if (changed != null) {
                deliverHealth(connection, id, changed);
            }
        }
    }

    /** Queue commands for whichever engine the profile has when each one runs. */
    private final class ProfileQueue implements QueueOperations {
        private final String id;

        ProfileQueue(String id) {
            this.id = id;
        }

        private <T> CompletionStage<T> call(Function<TunnelEngine, T> op, T whenDisconnected) {
            CompletableFuture<T> result = new CompletableFuture<>();
            work.execute(() -> {
                try {
                    Connection c = connections.get(id);
                    TunnelEngine e = c == null ? null : c.engine();
                    T value = e == null ? whenDisconnected : op.apply(e);
                    fx.execute(() -> result.complete(value));
                } catch (RuntimeException ex) {
                    fx.execute(() -> result.completeExceptionally(ex));
                }
            });
            return result;
        }

        private CompletionStage<Void> command(java.util.function.Consumer<TunnelEngine> op) {
            return call(e -> {
                op.accept(e);
                return null;
            }, null);
        }

        @Override
        public CompletionStage<List<QueuedRequest>> list() {
            return call(TunnelEngine::queuedRequests, List.of());
        }

        @Override
        public CompletionStage<Void> retryNow(String deliveryId) {
            return command(e -> e.retryNow(deliveryId));
        }

        @Override
        public CompletionStage<Void> retryAll() {
            return command(TunnelEngine::retryAll);
        }

        @Override
        public CompletionStage<Void> discard(String deliveryId) {
            return command(e -> e.discard(deliveryId));
        }

        @Override
        public CompletionStage<Void> discardAll() {
            return command(TunnelEngine::discardAll);
        }
    }

    /** One profile's engine, which may still be starting when someone disconnects. */
    private static final class Connection {
        private final String id;
        final String name;
        private TunnelEngine engine;
        private boolean cancelled;
        private TargetHealth health;
        /** Set on the connecting thread right after scheduling; read by {@link #stopTimers()} (volatile). */
        volatile java.util.concurrent.ScheduledFuture<?> probe;
        volatile java.util.concurrent.ScheduledFuture<?> watchdog;

        Connection(String id, String name, TargetHealth health) {
            this.id = id;
            this.name = name;
            this.health = health;
        }

        /** True until the engine is attached or the connection cancelled. */
        synchronized boolean starting() {
            return engine == null && !cancelled;
        }

        /** Applies {@code change}; returns the new health when it differs, else null. */
        synchronized TargetHealth update(java.util.function.UnaryOperator<TargetHealth> change) {
            TargetHealth next = change.apply(health);
            if (next.equals(health)) {
                return null;
            }
            health = next;
            return next;
        }

        void stopTimers() {
            for (var f : new java.util.concurrent.ScheduledFuture<?>[] {probe, watchdog}) {
                if (f != null) {
                    f.cancel(false);
                }
            }
        }

        /** The engine once started; null while starting or after cancel. */
        synchronized TunnelEngine engine() {
            return cancelled ? null : engine;
        }

        /** Completes when {@link #start} has returned (engine attached, closed, or failed). */
        final CompletableFuture<Void> startDone = new CompletableFuture<>();

        synchronized void markCancelled() {
            cancelled = true;
        }

        synchronized boolean attach(TunnelEngine e) {
            if (cancelled) {
                return false;
            }
            engine = e;
            if (watchdog != null) {
                watchdog.cancel(false);
            }
            return true;
        }

        void cancel() {
            TunnelEngine e;
            synchronized (this) {
                cancelled = true;
                e = engine;
            }
            if (e != null) {
                e.close();
            }
        }

        @Override
        public String toString() {
            return "Connection[" + id + "]";
        }
    }
}
