package dev.portway.relay.cluster;

import dev.portway.relay.auth.UserLimits;
import dev.portway.relay.tunnel.SharedNames;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * This relay as a node of a cluster (docs/cluster.md): its lease in PostgreSQL, renewed every third of its
 * length; the cluster-wide claim of every name its registry grants; and a directory of which live node binds
 * which name, kept current by {@code LISTEN/NOTIFY} and re-read every {@link #REREAD_MS} ms.
 *
 * <p>A node whose lease it could not renew in time (its database is unreachable) stops taking new bindings and
 * says so on its health endpoint; its tunnels keep working for visitors that reach it. Once it reaches the
 * database again it takes a new lease and claims its names again; names another node took meanwhile are lost:
 * {@code lost} is told each one (the relay ends those tunnels).
 *
 * <p>Threads: claims and releases run in order on {@code relay-cluster-store} (so a release and a re-claim of
 * one name never swap), renewals and re-reads on {@code relay-cluster-lease}, notifications on
 * {@code relay-cluster-listen}. No method blocks its caller except {@link #start} and {@link #close}.
 */
public final class ClusterNames implements SharedNames, AutoCloseable {
    static final long REREAD_MS = 5_000;
    private static final Logger log = LoggerFactory.getLogger(ClusterNames.class);

    private final ClusterConfig config;
    private final ClusterDb db;
    private final ClusterListener listener;
    private final ThreadPoolExecutor writes;
    private final ScheduledExecutorService lease;
    private final IntSupplier clients;
    private final IntSupplier tunnels;
    private final Supplier<List<String>> localNames;
    private final Consumer<String> lost;
    /**
     * Live bindings of the whole cluster by name, then by node (this node's too): one client may bind a name on
     * several nodes. The inner maps are never changed, only replaced.
     */
    private final Map<String, Map<String, Located>> directory = new ConcurrentHashMap<>();
    /** The other live nodes as welcome {@code nodes} lists them, re-read with the bindings. */
    private volatile List<dev.portway.shared.protocol.ControlMessage.ClusterNode> peers = List.of();
    /** System.nanoTime() until which this node may act on its lease; 0 once it knows the lease ran out. */
    private volatile long validUntilNanos;
    private volatile boolean storeOk = true;
    private volatile boolean closed;
    private volatile NodeLinks links;
    /** The shared queue's side of this node, once the relay set it ({@link #queue}); null before. */
    private volatile ClusterQueue queue;
    private volatile UserLimits rates;
    /** Told the other nodes' TCP tunnel ports after every change of the directory ({@link #tcpPorts}); null before. */
    private volatile Consumer<Map<Integer, String>> tcpPorts;
    /** Told each visitor request this node refused for another node's tunnel's user rate (metrics, audit). */
    private volatile RateRefused rateRefused = (user, perMinute, retryAfter, audit) -> { };
    /** Per user, System.nanoTime() until which a refusal is not audited again (one audit line per window). */
    private final Map<String, Long> rateAuditedUntil = new ConcurrentHashMap<>();

    /** A visitor request refused here by the share of a tunnel user's rate: the relay counts and audits it. */
    @FunctionalInterface
    public interface RateRefused {
        /**
         * @param perMinute  this node's share of the user's rate
         * @param retryAfter seconds until the user's window ends
         * @param audit      whether this is the first refusal of the user's window (audit it; count every one)
         */
        void refused(String user, int perMinute, long retryAfter, boolean audit);
    }

    private ClusterNames(ClusterConfig config, ClusterDb db, String url, String user, String password, IntSupplier clients,
                         IntSupplier tunnels, Supplier<List<String>> localNames, Consumer<String> lost) {
        this.config = config;
        this.db = db;
        this.clients = clients;
        this.tunnels = tunnels;
        this.localNames = localNames;
        this.lost = lost;
        this.writes = new ThreadPoolExecutor(1, 1, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(10_000),
                new DefaultThreadFactory("relay-cluster-store", true));
        this.lease = Executors.newSingleThreadScheduledExecutor(new DefaultThreadFactory("relay-cluster-lease", true));
        this.listener = new ClusterListener(url, user, password, this::changed, this::queueChanged,
                () -> lease.execute(this::reread));
    }

    /**
     * Joins the cluster: registers this node with a lease, starts renewing it, listening and re-reading. Blocks.
     *
     * @param clients    the node's connected clients now (shown by {@code relay-lite nodes list})
     * @param tunnels    its bound tunnels now
     * @param localNames names bound or held on this node now (claimed again after a lost lease)
     * @param lost       told (on a cluster thread) each name this node lost to another node
     * @throws IOException when the database cannot be reached or the node id is in use, saying what to do
     */
    public static ClusterNames start(ClusterConfig config, String url, String user, String password, IntSupplier clients,
                                     IntSupplier tunnels, Supplier<List<String>> localNames, Consumer<String> lost)
            throws IOException {
        ClusterDb db = new ClusterDb(url, user, password, config.nodeId(), UUID.randomUUID().toString(), config.lease(),
                new ProtectionSeal(config.secret()));
        ClusterNames names = new ClusterNames(config, db, url, user, password, clients, tunnels, localNames, lost);
        long t0 = System.nanoTime();
        try {
            db.join(config.address(), config.clientUrl());
        } catch (ClusterDb.NodeIdInUse e) {
            names.shutdownThreads();
            db.close();
            throw new IOException(e.getMessage(), e);
        } catch (SQLException e) {
            names.shutdownThreads();
            db.close();
            throw new IOException("Cannot join the cluster in " + url + ": " + e.getMessage()
                    + " — check that the database is reachable from this node.", e);
        }
        names.validUntilNanos = names.deadline(t0);
        try {
            names.listener.start(5_000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        names.reread(); // after LISTEN: nothing bound in between is missed
        long every = Math.max(200, config.lease().toMillis() / 3);
        names.lease.scheduleWithFixedDelay(names::renew, every, every, TimeUnit.MILLISECONDS);
        names.lease.scheduleWithFixedDelay(names::reread, REREAD_MS, REREAD_MS, TimeUnit.MILLISECONDS);
        log.info("Joined the relay cluster as node {} ({}), lease {} s", config.nodeId(), config.address(),
                config.lease().toSeconds());
        return names;
    }

    /** Until when a lease taken at {@code t0} holds, by this machine's clock: a tenth short of the database's. */
    private long deadline(long t0) {
        return t0 + config.lease().toNanos() * 9 / 10;
    }

    @Override
    public boolean accepting() {
        return !closed && System.nanoTime() - validUntilNanos < 0;
    }

    @Override
    public CompletableFuture<Verdict> claim(String name, String kind, String sessionId, String user, String ownerKey,
                                            dev.portway.relay.tunnel.VisitorProtection protection, int maxTunnels,
                                            int perMinute) {
        return decide("claim the name " + name, () -> {
            Verdict v = db.claim(name, kind, sessionId, user, ownerKey, protection, maxTunnels, perMinute);
            if (v == Verdict.GRANTED) {
                put(new Located(name, config.nodeId(), config.address(), kind, protection, user, perMinute, 0));
            }
            return v;
        });
    }

    @Override
    public CompletableFuture<Verdict> claimPort(String name, int port) {
        return decide("claim the port " + port + " for " + name, () -> {
            Verdict v = db.claimPort(name, port);
            if (v == Verdict.GRANTED) {
                Located mine = holders(name).get(config.nodeId());
                if (mine != null) {
                    put(new Located(name, mine.nodeId(), mine.address(), mine.kind(), mine.protection(), mine.user(),
                            mine.perMinute(), port));
                }
            }
            return v;
        });
    }

    @Override
    public int clusterPort(String name) {
        for (Located l : holders(name).values()) {
            if (!l.nodeId().equals(config.nodeId()) && l.port() > 0) {
                return l.port();
            }
        }
        return 0;
    }

    /**
     * Tells {@code listener} (now, then after every change, on a cluster thread) the public ports of the TCP tunnels
     * other live nodes bind, each with its tunnel's name: this node listens on them too and carries their visitors
     * over the node links. Set once by the relay.
     */
    public void tcpPorts(Consumer<Map<Integer, String>> listener) {
        this.tcpPorts = listener;
        portsChanged();
    }

    private void portsChanged() {
        Consumer<Map<Integer, String>> l = tcpPorts;
        if (l == null || closed) {
            return;
        }
        Map<Integer, String> ports = new java.util.HashMap<>();
        directory.forEach((name, holders) -> holders.values().forEach(h -> {
            if (!h.nodeId().equals(config.nodeId()) && h.port() > 0
                    && dev.portway.shared.protocol.Protocol.KIND_TCP.equals(h.kind())) {
                ports.putIfAbsent(h.port(), name);
            }
        }));
        synchronized (this) { // one caller at a time, so an older map never overtakes a newer one
            l.accept(Map.copyOf(ports));
        }
    }

    /** Decided on {@code relay-cluster-store}, in order with the session's {@link #disconnected}. */
    @Override
    public CompletableFuture<Verdict> connect(String sessionId, String user, String ownerKey, int maxConnections) {
        return decide("count a connection of " + user, () -> db.connect(sessionId, user, ownerKey, maxConnections));
    }

    private interface Decision {
        Verdict run() throws SQLException;
    }

    /**
     * Runs one of the database's decisions on {@code relay-cluster-store} (never on an event loop): UNAVAILABLE when
     * this node does not accept now, is closing, or the database fails (which marks the store as failing).
     */
    private CompletableFuture<Verdict> decide(String what, Decision decision) {
        if (!accepting()) {
            return CompletableFuture.completedFuture(Verdict.UNAVAILABLE);
        }
        CompletableFuture<Verdict> verdict = new CompletableFuture<>();
        try {
            writes.execute(() -> {
                try {
                    verdict.complete(decision.run());
                } catch (SQLException | RuntimeException e) {
                    storeOk = false;
                    log.warn("Could not {} in the cluster's database: {}", what, e.getMessage());
                    verdict.complete(Verdict.UNAVAILABLE);
                }
            });
        } catch (RejectedExecutionException e) {
            verdict.complete(Verdict.UNAVAILABLE);
        }
        return verdict;
    }

    @Override
    public void disconnected(String sessionId) {
        if (closed) {
            return; // leaving: every session row of this node goes at once
        }
        try {
            writes.execute(() -> {
                try {
                    db.disconnect(sessionId);
                } catch (SQLException | RuntimeException e) {
                    // The row stays until this node's lease runs out or it leaves: then it no longer counts.
                    log.warn("Could not remove the session {} from the cluster's database: {}", sessionId, e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            log.warn("Too many cluster changes waiting: session {} counts until this node's lease ends", sessionId);
        }
    }

    /** This node and the other live nodes of the last re-read (at most {@link #REREAD_MS} ms old). */
    @Override
    public int liveNodes() {
        return 1 + peers.size();
    }

    @Override
    public void release(String name) {
        if (closed) {
            return; // leaving: every binding of this node goes at once
        }
        try {
            writes.execute(() -> {
                try {
                    db.release(name);
                } catch (SQLException | RuntimeException e) {
                    // The row stays until this node's lease runs out or it leaves: then it is free for others.
                    log.warn("Could not release the name {} in the cluster's database: {}", name, e.getMessage());
                }
            });
        } catch (RejectedExecutionException e) {
            log.warn("Too many cluster changes waiting: the release of {} waits for this node's lease to end", name);
        }
    }

    /**
     * The node drains (graceful shutdown, before its clients get go_away): its names leave the cluster's table now, so
     * the other nodes carry new visitors to another node holding the same client (feature {@code ha}) instead of to this
     * one, whose sessions would refuse them; streams already on the links finish. The nodes linked to this one are
     * also told over their links, and confirm (up to {@code max}) that no new stream of theirs is on its way here, so
     * no visitor of theirs meets a refusal in the moment before the database's notification reaches them. Blocks
     * (JDBC, the links' confirmations): not on an event loop.
     */
    public void withdraw(java.time.Duration max) {
        try {
            db.withdraw();
        } catch (SQLException | RuntimeException e) {
            log.warn("Node {} could not withdraw its names before draining ({}); other nodes may send it visitors "
                    + "until it has left", config.nodeId(), e.getMessage());
        }
        NodeLinks ls = links;
        if (ls != null) {
            ls.drain(max);
        }
    }

    @Override
    public Map<String, Object> status() {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("node", config.nodeId());
        s.put("address", config.address());
        s.put("store", storeOk ? "ok" : "unavailable");
        s.put("lease", accepting() ? "ok" : "lost");
        s.put("accepting_binds", accepting());
        return s;
    }

    /** Carries visitor streams to the other nodes; set once by the relay right after {@link #start}. */
    void links(NodeLinks links) {
        this.links = links;
        directory.values().forEach(m -> m.values().forEach(this::dialIfRemote));
    }

    /** Starts this node's end of the node-to-node links (the relay's event loops; blocks while binding the port). */
    public void listen(io.netty.channel.EventLoopGroup boss, io.netty.channel.EventLoopGroup workers, String bindHost,
                       int window, java.util.function.Function<String, dev.portway.relay.tunnel.TunnelBackend> local)
            throws IOException {
        links(new NodeLinks(config, boss, workers, bindHost, window, local));
    }

    /**
     * Another live node's binding of {@code name} (HTTP or TCP): one whose link is up when there is one (a client on two
     * nodes: when one of them dies, its link closes and the other carries the visitors at once), else one being
     * dialled (its visitors get the relay's 503 until the link is up).
     */
    @Override
    public Remote remote(String name) {
        Map<String, Located> holders = directory.get(name);
        NodeLinks ls = links;
        if (holders == null || ls == null) {
            return null;
        }
        Remote pending = null;
        for (Located l : holders.values()) {
            if (l.nodeId().equals(config.nodeId())) {
                continue;
            }
            dev.portway.relay.tunnel.TunnelBackend b = ls.to(l.nodeId(), l.address());
            if (b != null) {
                UserLimits r = rates;
                return new Remote(l.kind(), l.protection(), r == null || l.user() == null || l.perMinute() <= 0 ? b
                        : new RatedBackend(b, r, l.user(), l.perMinute()));
            }
            if (pending == null) {
                pending = new Remote(l.kind(), l.protection(), UNLINKED);
            }
        }
        return pending;
    }

    /**
     * Whether a visitor for {@code name} on this node would be carried now: the tunnel is bound here, or on a node
     * whose link is up. Right after another node binds it, the link to that node takes a moment; until then its
     * visitors get the relay's 503.
     */
    public boolean servable(String name) {
        Map<String, Located> holders = directory.get(name);
        if (holders == null) {
            return false;
        }
        if (holders.containsKey(config.nodeId())) {
            return true;
        }
        Remote r = remote(name);
        return r != null && r.backend() != UNLINKED;
    }

    /**
     * Applies this node's share of the tunnel user's request rate to visitors it carries to another node (set once by
     * the relay right after {@link #start}; null: none).
     */
    public void rates(UserLimits limits) {
        this.rates = limits;
    }

    /** Counted and audited like the refusals of this node's own tunnels' users (set once, with {@link #rates}). */
    public void rateRefused(RateRefused listener) {
        this.rateRefused = listener;
    }

    private long permit(UserLimits limits, String user, int perMinute) {
        long wait = limits.requestPermit(user, perMinute);
        if (wait > 0) {
            long now = System.nanoTime();
            Long until = rateAuditedUntil.get(user);
            boolean audit = until == null || until - now < 0;
            if (audit) {
                rateAuditedUntil.put(user, now + TimeUnit.SECONDS.toNanos(wait));
            }
            rateRefused.refused(user, UserLimits.share(perMinute, liveNodes()), wait, audit);
        }
        return wait;
    }

    /** Another node's tunnel whose visitors here count against this node's share of its user's request rate. */
    private final class RatedBackend implements dev.portway.relay.tunnel.TunnelBackend {
        private final dev.portway.relay.tunnel.TunnelBackend link;
        private final UserLimits limits;
        private final String user;
        private final int perMinute;

        RatedBackend(dev.portway.relay.tunnel.TunnelBackend link, UserLimits limits, String user, int perMinute) {
            this.link = link;
            this.limits = limits;
            this.user = user;
            this.perMinute = perMinute;
        }

        @Override
        public Opened openStream(dev.portway.shared.protocol.OpenMessage open, io.netty.channel.EventLoop loop,
                                 dev.portway.relay.tunnel.StreamListener listener) {
            return link.openStream(open, loop, listener);
        }

        @Override
        public long requestPermit() {
            return permit(limits, user, perMinute);
        }

        @Override
        public String sessionId() {
            return link.sessionId();
        }
    }

    /** A node whose link is not up (yet): streams are refused, the visitor gets the relay's 503. */
    private static final dev.portway.relay.tunnel.TunnelBackend UNLINKED = new dev.portway.relay.tunnel.TunnelBackend() {
        @Override
        public Opened openStream(dev.portway.shared.protocol.OpenMessage open, io.netty.channel.EventLoop loop,
                                 dev.portway.relay.tunnel.StreamListener listener) {
            return new Opened(null, dev.portway.shared.protocol.ErrorCode.SHUTTING_DOWN);
        }

        @Override
        public String sessionId() {
            return "unlinked";
        }
    };

    private void dialIfRemote(Located l) {
        NodeLinks ls = links;
        if (ls != null && !l.nodeId().equals(config.nodeId())) {
            ls.dial(l.nodeId(), l.address());
        }
    }

    /**
     * A live node that binds {@code name} now, as far as this node knows (this node when it is one of them); null when
     * none does.
     */
    public Located locate(String name) {
        Map<String, Located> holders = directory.get(name);
        if (holders == null || holders.isEmpty()) {
            return null;
        }
        Located mine = holders.get(config.nodeId());
        return mine != null ? mine : holders.values().iterator().next();
    }

    /** Every live node that binds {@code name} now, by node id, as far as this node knows (empty when none). */
    public Map<String, Located> holders(String name) {
        return directory.getOrDefault(name, Map.of());
    }

    /** This node's id. */
    @Override
    public String nodeId() {
        return config.nodeId();
    }

    @Override
    public List<dev.portway.shared.protocol.ControlMessage.ClusterNode> peers() {
        return peers;
    }

    private void put(Located l) {
        directory.compute(l.name(), (n, old) -> {
            Map<String, Located> m = old == null ? new java.util.HashMap<>() : new java.util.HashMap<>(old);
            m.put(l.nodeId(), l);
            return Map.copyOf(m);
        });
    }

    private static Map<String, Map<String, Located>> byName(List<Located> all) {
        Map<String, Map<String, Located>> out = new java.util.HashMap<>();
        for (Located l : all) {
            out.computeIfAbsent(l.name(), n -> new java.util.HashMap<>()).put(l.nodeId(), l);
        }
        out.replaceAll((n, m) -> Map.copyOf(m));
        return out;
    }

    /**
     * Every known node of the cluster, live or not, by id, as the web console's Nodes page shows them (read only:
     * {@code id}, {@code address}, {@code startedAt} and {@code leaseUntil} in epoch ms, {@code clients},
     * {@code tunnels}, {@code alive}). Blocking: one query to PostgreSQL; never on an event loop.
     */
    public List<Map<String, Object>> nodes() throws SQLException {
        return db.nodes().stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("id", n.id());
            m.put("address", n.address());
            m.put("startedAt", n.started().toEpochMilli());
            m.put("clients", n.clients());
            m.put("tunnels", n.tunnels());
            m.put("leaseUntil", n.leaseUntil().toEpochMilli());
            m.put("alive", n.alive());
            return m;
        }).toList();
    }

    private void renew() {
        long t0 = System.nanoTime();
        try {
            if (db.renew(clients.getAsInt(), tunnels.getAsInt())) {
                validUntilNanos = deadline(t0);
                storeOk = true;
                return;
            }
            storeOk = true;
            validUntilNanos = 0;
            log.warn("Node {}: its lease had run out (the database was out of reach); taking a new one and claiming its "
                    + "names again", config.nodeId());
            rejoin(t0);
        } catch (SQLException | RuntimeException e) {
            if (storeOk) {
                log.warn("Node {}: cannot renew its lease ({}); new bindings stop when it runs out", config.nodeId(),
                        e.getMessage());
            }
            storeOk = false;
        }
    }

    private void rejoin(long t0) throws SQLException {
        try {
            db.rejoin(config.address(), config.clientUrl());
        } catch (ClusterDb.NodeIdInUse e) {
            log.error("{} This node ends its tunnels.", e.getMessage());
            localNames.get().forEach(lost);
            return;
        }
        // Claims are taken while validUntil is 0: only these re-claims run, in order, on the store thread.
        CompletableFuture<Void> done = new CompletableFuture<>();
        writes.execute(() -> {
            for (String name : localNames.get()) {
                try {
                    if (db.claim(name, null, null, null, null, null, 0, 0) != Verdict.GRANTED) {
                        log.warn("Node {}: the name {} was bound by another node meanwhile; its tunnel here ends",
                                config.nodeId(), name);
                        lost.accept(name);
                    }
                } catch (SQLException | RuntimeException e) {
                    log.warn("Node {}: could not claim {} again: {}", config.nodeId(), name, e.getMessage());
                }
            }
            done.complete(null);
        });
        done.join();
        validUntilNanos = deadline(t0);
    }

    private void changed(String name) {
        try {
            Map<String, Located> now = byName(db.locate(name)).get(name);
            if (now == null) {
                directory.remove(name);
            } else {
                directory.put(name, now);
                now.values().forEach(this::dialIfRemote);
            }
            portsChanged();
        } catch (SQLException | RuntimeException e) {
            log.debug("Could not read the binding of {}: {}", name, e.getMessage());
        }
    }

    /**
     * Hands the shared queue's notifications and re-reads to {@code q} (set once by the relay, right after
     * {@link #start}); it re-reads at once, as after a reconnect.
     */
    public void queue(ClusterQueue q) {
        this.queue = q;
        q.reread();
    }

    private void queueChanged(String payload) {
        ClusterQueue q = queue;
        if (q != null) {
            q.changed(payload);
        }
    }

    private void reread() {
        ClusterQueue q = queue;
        if (q != null) {
            q.reread();
        }
        try {
            Map<String, Map<String, Located>> fresh = byName(db.directory());
            directory.keySet().retainAll(fresh.keySet());
            directory.putAll(fresh);
            fresh.values().forEach(m -> m.values().forEach(this::dialIfRemote));
            portsChanged();
            peers = db.nodes().stream().filter(n -> n.alive() && !n.id().equals(config.nodeId()))
                    .map(n -> new dev.portway.shared.protocol.ControlMessage.ClusterNode(n.id(), n.clientUrl())).toList();
        } catch (SQLException | RuntimeException e) {
            log.debug("Could not re-read the cluster's bindings: {}", e.getMessage());
        }
    }

    private void shutdownThreads() {
        lease.shutdownNow();
        writes.shutdown();
    }

    /** Leaves the cluster: this node's bindings are deleted and its lease ends (a graceful stop). Blocks a few seconds at most. */
    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        lease.shutdownNow();
        writes.shutdown();
        try {
            writes.awaitTermination(3, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        listener.close();
        if (links != null) {
            links.close();
        }
        try {
            db.leave();
            log.info("Node {} left the relay cluster", config.nodeId());
        } catch (SQLException | RuntimeException e) {
            log.warn("Node {} could not leave the cluster cleanly ({}); its lease runs out by itself", config.nodeId(),
                    e.getMessage());
        }
        db.close();
    }
}
