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
    }

    private final EmbeddedRelayHost embedded;
    private final Executor work;
    private final Executor fx;
    private final Clock clock;
    private final Function<EngineConfig, EngineConfig> tune;
    private final Path enginesDir;
    private final List<Listener> listeners = new CopyOnWriteArrayList<>();
    private final Map<String, Connection> connections = new ConcurrentHashMap<>();
    private final Map<String, MetricsSampler> samplers = new ConcurrentHashMap<>();

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
        ticker.scheduleAtFixedRate(this::tick, tick.toMillis(), tick.toMillis(), TimeUnit.MILLISECONDS);
    }

    public void addListener(Listener l) {
        listeners.add(l);
    }

    public boolean isActive(String profileId) {
        return connections.containsKey(profileId);
    }

    /** Starts connecting {@code p} unless it already is; returns at once. */
    public void connect(Profile p) {
        Connection c = new Connection(p.id());
        if (connections.putIfAbsent(p.id(), c) != null) {
            return;
        }
        report(p.id(), new EngineStatus(EngineState.CONNECTING, "Starting…", null, 0, 0, null));
        work.execute(() -> start(c, p));
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
        work.execute(c::cancel);
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
        all.parallelStream().forEach(Connection::cancel);
        embedded.close();
    }

    private void start(Connection c, Profile p) {
        try {
            URI relay;
            String token;
            if (p.relayMode() == Profile.RelayMode.EMBEDDED) {
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
        } catch (IOException | IllegalArgumentException e) {
            connections.remove(p.id(), c);
            report(p.id(), new EngineStatus(EngineState.FAILED, e.getMessage(), ErrorCategory.CONFIG, 0, 0, null));
        }
    }

    private void tick() {
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
            deliver(l -> l.onStatus(id, status));
        }

        @Override
        public void onTunnelBound(BoundTunnel tunnel) {
            deliver(l -> l.onBound(id, tunnel));
        }

        @Override
        public void onTunnelRefused(TunnelSpec spec, ErrorCode code, String message) {
            deliver(l -> l.onRefused(id, message));
        }

        @Override
        public void onRequest(RequestEvent event) {
            sampler.record(event);
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
        private TunnelEngine engine;
        private boolean cancelled;

        Connection(String id) {
            this.id = id;
        }

        /** The engine once started; null while starting or after cancel. */
        synchronized TunnelEngine engine() {
            return cancelled ? null : engine;
        }

        synchronized boolean attach(TunnelEngine e) {
            if (cancelled) {
                return false;
            }
            engine = e;
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
