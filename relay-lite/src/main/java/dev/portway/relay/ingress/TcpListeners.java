package dev.portway.relay.ingress;

import dev.portway.relay.RelayConfig;
import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.relay.tunnel.SessionContext;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.relay.tunnel.TunnelRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * Opens the public ports of TCP tunnels: the requested port, or the first free one in the configured
 * range. Ports are reserved in the registry first so two binds never race for one. Asynchronous; never
 * blocks an event loop.
 *
 * <p>On a node of a relay cluster a port is the cluster's: once a tunnel's listener is open the port is claimed in
 * the cluster's database ({@link dev.portway.relay.tunnel.SharedNames#claimPort}), and a port another node holds
 * for another name is given up and the next one tried. This node also listens on the ports of the other nodes' TCP
 * tunnels ({@link #follow}) and carries their visitors over the node links; a second bind of such a tunnel by its
 * client (feature {@code ha}) gets the same port and takes over that listener.
 */
public final class TcpListeners implements SessionContext.TcpBinder {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(TcpListeners.class);
    /** Ports tried for one bind when the cluster says another node holds them. */
    private static final int CLUSTER_ATTEMPTS = 5;

    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final RelayConfig config;
    private final TunnelRegistry<?> registry;
    private final RelayMetrics metrics;
    private final VisitorGate gate;
    /** Listeners on other nodes' TCP tunnel ports, by port; guarded by this. */
    private final Map<Integer, Follower> followed = new HashMap<>();
    /** Ports of other nodes this node could not listen on, already warned about (one warning each). */
    private final Set<Integer> unfollowable = new HashSet<>();
    private boolean stopped;

    /** A listener on another node's TCP tunnel port: its channel once bound, null while binding. */
    private static final class Follower {
        final String name;
        Channel channel;
        boolean cancelled;

        Follower(String name) {
            this.name = name;
        }
    }

    public TcpListeners(EventLoopGroup boss, EventLoopGroup workers, RelayConfig config, TunnelRegistry<?> registry,
                        RelayMetrics metrics, VisitorGate gate) {
        this.gate = gate;
        this.boss = boss;
        this.workers = workers;
        this.config = config;
        this.registry = registry;
        this.metrics = metrics;
    }

    @Override
    public CompletableFuture<Integer> bind(Tunnel<?> tunnel, int requested) {
        CompletableFuture<Integer> result = new CompletableFuture<>();
        int shared = registry.shared().clusterPort(tunnel.name());
        if (shared > 0) { // the client's other session binds it on another node: the same port here
            if (requested != 0 && requested != shared) {
                result.completeExceptionally(new IllegalStateException("tunnel " + tunnel.name() + " has port " + shared
                        + " on another node of the cluster"));
                return result;
            }
            requested = shared;
            Channel adopted = adopt(tunnel.name(), shared);
            if (adopted != null) {
                tunnel.listening(shared, adopted::close);
                claimed(tunnel, shared, requested, Set.of(), 0, result);
                return result;
            }
        }
        bind(tunnel, requested, Set.of(), 0, result);
        return result;
    }

    private void bind(Tunnel<?> tunnel, int requested, Set<Integer> avoid, int attempt, CompletableFuture<Integer> result) {
        if (requested == 0 && config.anyTcpPort()) {
            bindAnyPort(tunnel, avoid, attempt, result);
        } else if (requested != 0) {
            tryFrom(tunnel, requested, requested, requested, avoid, attempt, result);
        } else {
            tryFrom(tunnel, config.tcpPortFrom(), config.tcpPortTo(), 0, avoid, attempt, result);
        }
    }

    /** Range 0-0: let the OS pick the port, then record it in the registry like any other. */
    private void bindAnyPort(Tunnel<?> tunnel, Set<Integer> avoid, int attempt, CompletableFuture<Integer> result) {
        bootstrap(tunnel.name()).bind(config.bindHost(), 0).addListener(f -> {
            if (!f.isSuccess()) {
                result.completeExceptionally(f.cause());
                return;
            }
            Channel listener = ((io.netty.channel.ChannelFuture) f).channel();
            int p = ((java.net.InetSocketAddress) listener.localAddress()).getPort();
            if (avoid.contains(p) || !registry.reservePort(p)) { // a held port the OS handed out again
                listener.close();
                result.completeExceptionally(new IllegalStateException("port " + p + " is still reserved"));
                return;
            }
            tunnel.listening(p, listener::close);
            claimed(tunnel, p, 0, avoid, attempt, result);
        });
    }

    /**
     * The tunnel listens on {@code port}: on a cluster, the port is claimed for it in the database; a port another
     * node holds is closed again here and the next one tried (at most {@link #CLUSTER_ATTEMPTS} in all).
     */
    private void claimed(Tunnel<?> tunnel, int port, int requested, Set<Integer> avoid, int attempt,
                         CompletableFuture<Integer> result) {
        registry.shared().claimPort(tunnel.name(), port).whenComplete((verdict, failure) -> {
            if (verdict == dev.portway.relay.tunnel.SharedNames.Verdict.GRANTED) {
                result.complete(port);
                return;
            }
            boolean stillMine = (Object) registry.lookupLocal(tunnel.name()) == tunnel && tunnel.port() == port;
            if (stillMine) {
                closeListener(registry, tunnel);
            }
            if (verdict != dev.portway.relay.tunnel.SharedNames.Verdict.TAKEN || requested != 0 || !stillMine
                    || attempt + 1 >= CLUSTER_ATTEMPTS) {
                result.completeExceptionally(new IllegalStateException("port " + port + " is not this tunnel's in the "
                        + "cluster (" + verdict + ")"));
                return;
            }
            Set<Integer> more = new HashSet<>(avoid);
            more.add(port);
            bind(tunnel, 0, more, attempt + 1, result);
        });
    }

    @SuppressWarnings("unchecked") // the tunnel is the registry's own (checked by the caller)
    private static <S> void closeListener(TunnelRegistry<S> registry, Tunnel<?> tunnel) {
        registry.closeListener((Tunnel<S>) tunnel);
    }

    private ServerBootstrap bootstrap(String name) {
        return new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, dev.portway.relay.Relay.ALLOCATOR)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.AUTO_READ, false)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (config.visitorLimits().proxyProtocol()) { // the balancer's PROXY header first
                            ProxyProtocol.expect(ch.pipeline(), config.visitorLimits().headerTimeout(),
                                    c -> visitorPipeline(c, name));
                        } else {
                            visitorPipeline(ch, name);
                        }
                    }
                });
    }

    /** A TCP visitor's pipeline. @return false when the relay's connection limits (total or per address) refused it */
    private boolean visitorPipeline(io.netty.channel.Channel ch, String name) {
        if (!gate.admit(ch)) {
            ch.close();
            return false;
        }
        // one flush per event-loop turn, not one per DATA frame from the client
        ch.pipeline().addLast("flush", new io.netty.handler.flush.FlushConsolidationHandler(
                io.netty.handler.flush.FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        ch.pipeline().addLast(new TcpVisitorHandler(name, registry, metrics));
        return true;
    }

    /**
     * @param pinned the port asked for, or 0 (then the next port after one that failed is tried)
     */
    private void tryFrom(Tunnel<?> tunnel, int from, int last, int pinned, Set<Integer> avoid, int attempt,
                         CompletableFuture<Integer> result) {
        int port = from;
        while (port <= last && (avoid.contains(port) || !registry.reservePort(port))) {
            port++;
        }
        if (port > last) {
            result.completeExceptionally(new IllegalStateException("no free port"));
            return;
        }
        int p = port;
        bootstrap(tunnel.name()).bind(config.bindHost(), p).addListener(f -> {
            if (f.isSuccess()) {
                Channel listener = ((io.netty.channel.ChannelFuture) f).channel();
                tunnel.listening(p, listener::close);
                claimed(tunnel, p, pinned, avoid, attempt, result);
            } else {
                registry.releasePort(p);
                if (p < last) {
                    tryFrom(tunnel, p + 1, last, pinned, avoid, attempt, result);
                } else {
                    result.completeExceptionally(f.cause());
                }
            }
        });
    }

    /**
     * The public ports of the TCP tunnels other nodes of the cluster bind now, with their names: this node listens on
     * each (within its own TCP range) and stops listening on ports no longer in the map. A port this node's own tunnel
     * has is left to it. Called by the cluster after every change of its directory; never blocks.
     */
    public synchronized void follow(Map<Integer, String> ports) {
        if (stopped) {
            return;
        }
        for (var it = followed.entrySet().iterator(); it.hasNext(); ) {
            var e = it.next();
            if (!e.getValue().name.equals(ports.get(e.getKey()))) {
                it.remove();
                unfollow(e.getKey(), e.getValue());
            }
        }
        unfollowable.retainAll(ports.keySet());
        ports.forEach((port, name) -> {
            if (followed.containsKey(port) || !inRange(port)) {
                return;
            }
            if (!registry.reservePort(port)) {
                return; // one of this node's own tunnels listens there (the client's session here), or is binding it
            }
            Follower f = new Follower(name);
            followed.put(port, f);
            bootstrap(name).bind(config.bindHost(), port).addListener(done -> followed(port, f, done));
        });
    }

    private synchronized void followed(int port, Follower f, io.netty.util.concurrent.Future<?> done) {
        if (done.isSuccess()) {
            Channel ch = ((io.netty.channel.ChannelFuture) done).channel();
            if (f.cancelled) {
                ch.close();
            } else {
                f.channel = ch;
                unfollowable.remove(port);
                log.info("Listening on port {} for tunnel {}, bound on another node of the cluster", port, f.name);
            }
            return;
        }
        if (!f.cancelled && followed.get(port) == f) {
            followed.remove(port);
            registry.releasePort(port);
        }
        if (unfollowable.add(port)) {
            log.warn("Cannot listen on port {} for tunnel {} of another cluster node ({}): its visitors must reach "
                    + "that node — free the port on this machine", port, f.name, done.cause().getMessage());
        }
    }

    private void unfollow(int port, Follower f) {
        f.cancelled = true;
        if (f.channel != null) {
            f.channel.close();
        }
        registry.releasePort(port);
    }

    /** A listener this node opened for another node's tunnel {@code name} on {@code port}, handed over (or null). */
    private synchronized Channel adopt(String name, int port) {
        Follower f = followed.get(port);
        if (f == null || f.channel == null || !f.name.equals(name) || !f.channel.isActive()) {
            return null;
        }
        followed.remove(port); // the port's registry reservation passes to the tunnel
        return f.channel;
    }

    private boolean inRange(int port) {
        return config.anyTcpPort() || (port >= config.tcpPortFrom() && port <= config.tcpPortTo());
    }

    /** Stops listening on other nodes' ports (the relay stops). */
    public synchronized void stopFollowing() {
        stopped = true;
        followed.forEach(this::unfollow);
        followed.clear();
    }
}
