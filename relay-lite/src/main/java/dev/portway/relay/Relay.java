package dev.portway.relay;

import dev.portway.relay.audit.AuditLog;
import dev.portway.relay.auth.Accounts;
import dev.portway.relay.auth.Authenticator;
import dev.portway.relay.auth.JwtService;
import dev.portway.relay.auth.ReservedNames;
import dev.portway.relay.auth.TokenCheck;
import dev.portway.relay.auth.UserLimits;
import dev.portway.relay.ingress.HttpIngressHandler;
import dev.portway.relay.ingress.IngressContext;
import dev.portway.relay.ingress.TcpListeners;
import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.relay.ssh.GatewayContext;
import dev.portway.relay.ssh.AccountsDirectory;
import dev.portway.relay.ssh.KeyFileDirectory;
import dev.portway.relay.ssh.SshConfig;
import dev.portway.relay.ssh.SshDirectory;
import dev.portway.relay.ssh.SshGateway;
import dev.portway.relay.admin.ChangeWatch;
import dev.portway.relay.queue.DurableQueue;
import dev.portway.relay.queue.HeldRequests;
import dev.portway.relay.store.RelayStore;
import dev.portway.relay.store.ReservationRow;
import dev.portway.relay.store.StoreProbe;
import dev.portway.relay.tunnel.QueueOptions;
import dev.portway.relay.tunnel.Reservation;
import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.SessionContext;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.relay.tunnel.TunnelRegistry;
import dev.portway.shared.protocol.Protocol;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.netty.util.concurrent.DefaultThreadFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.BindException;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;

/**
 * A running relay: visitors over HTTP/WS/TCP, clients over one WebSocket each. Start one with
 * {@link #start}; stop it with {@link #shutdown} or {@link #close}. Thread-safe. {@link #shutdown}
 * blocks the caller, so never call it on a Netty event loop.
 */
public final class Relay implements AutoCloseable {
    /**
     * The classic pooled allocator rather than Netty 4.2's adaptive default: on JDK 25 the adaptive one
     * allocates FFM memory segments whose release costs a safepoint handshake. Measured with bench/tunnel.sh:
     * about 5 % more requests per second and 10-25 % more download throughput.
     */
    public static final io.netty.buffer.ByteBufAllocator ALLOCATOR = io.netty.buffer.PooledByteBufAllocator.DEFAULT;

    /** The relay's software version, as shown in health and {@code welcome.relay}. */
    public static final String VERSION = "0.1.0";
    private static final Logger log = LoggerFactory.getLogger(Relay.class);

    private final RelayConfig config;
    private final EventLoopGroup boss;
    private final EventLoopGroup workers;
    private final TunnelRegistry<Session> registry;
    private final RelayStore store;
    private final HeldRequests holds;
    private final DurableQueue queue;
    /** This process's id in the audit of its own console's queue purges (see {@link ChangeWatch}). */
    private final String instance = java.util.UUID.randomUUID().toString();
    private final ChangeWatch changes;
    private final RelayMetrics metrics;
    private final Accounts accounts;
    private final Map<String, String> breakers = new ConcurrentHashMap<>();
    private final Set<Session> sessions = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean shuttingDown = new AtomicBoolean();
    private final CountDownLatch stopped = new CountDownLatch(1);
    private volatile Channel server;
    private volatile int port;
    private final dev.portway.relay.ingress.VisitorGate gate;
    /** Null unless the relay serves TLS. */
    private final dev.portway.relay.tls.RelayTls tls;
    /** Delegated TLS handshake work (signatures, key exchange): off the event loops. Null without TLS. */
    private final java.util.concurrent.ThreadPoolExecutor handshakes;
    private volatile Channel redirectServer;
    /** Certificates per tunnel host from an ACME server (--acme-email); null without. */
    private final dev.portway.relay.acme.AcmeCertificates acme;
    private volatile int redirectPort = -1;
    /** The SSH gateway's settings, or null when it is off; the gateway itself once started. */
    private SshConfig sshConfig;
    /** Traces visitor requests (issue 16); the no-op tracer unless the OTEL_* variables ask for tracing. */
    private dev.portway.shared.tracing.Telemetry telemetry = dev.portway.shared.tracing.Telemetry.OFF;
    private volatile SshGateway gateway;
    /** The TCP tunnels' public ports (set by bind). */
    private volatile TcpListeners tcpListeners;
    /** This relay as a node of a cluster (docs/cluster.md), or null for a single relay. */
    private volatile dev.portway.relay.cluster.ClusterNames cluster;
    /** The web console, or null when it is off (see docs/console.md). */
    private volatile dev.portway.relay.console.ConsoleServer console;

    private Relay(RelayConfig config, RelayStore store, dev.portway.relay.tls.RelayTls tls) {
        this.config = config;
        this.store = store;
        this.tls = tls;
        this.handshakes = tls == null ? null : handshakeExecutor();
        this.boss = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("relay-accept"), NioIoHandler.newFactory());
        // One loop per core (Netty's default is two): a request crosses from its visitor's loop to its
        // session's loop and back, and fewer loops make that hop land on the same thread more often.
        this.workers = new MultiThreadIoEventLoopGroup(Runtime.getRuntime().availableProcessors(),
                new DefaultThreadFactory("relay-io"), NioIoHandler.newFactory());
        this.registry = new TunnelRegistry<>(config.grace(), workers, this::holdReleased);
        this.holds = new HeldRequests(registry, config);
        this.queue = new DurableQueue(store, config);
        this.changes = new ChangeWatch(store, new dev.portway.relay.admin.RelaySessions(sessions), queue, instance);
        // Blocking store reads at start: the signing key (created on first start) and the local user.
        JwtService jwts = new JwtService(store.identity(), config.identity().jwtLifetime());
        this.accounts = new Accounts(new Authenticator(store.identity(), new TokenCheck(config.token()), jwts),
                new AuditLog(store, config.dataDir(), config.identity().auditMaxBytes()), new UserLimits(config.identity()),
                new ReservedNames(store), new dev.portway.relay.auth.LoginThrottle(config.identity().throttle()));
        this.metrics = new RelayMetrics(new RelayMetrics.Source() {
            @Override
            public int sessions() {
                return sessions.size();
            }

            @Override
            public int heldRequests() {
                return holds.waitingTotal();
            }

            @Override
            public long[] queued() {
                return queue.totals();
            }

            @Override
            public Map<String, String> breakerStates() {
                return breakers;
            }
        });
        this.gate = new dev.portway.relay.ingress.VisitorGate(config.visitorLimits(), metrics);
        this.acme = tls == null || config.tls().acme() == null ? null : new dev.portway.relay.acme.AcmeCertificates(
                config.tls().acme(), store.certificates(), config.domain(), name -> {
                    Tunnel<Session> t = registry.lookup(name);
                    return t != null && Protocol.KIND_HTTP.equals(t.kind());
                }, tls.context());
        workers.scheduleAtFixedRate(gate::sweep, 30, 30, TimeUnit.SECONDS);
        workers.scheduleAtFixedRate(accounts.throttle()::sweep, 30, 30, TimeUnit.SECONDS);
        workers.scheduleAtFixedRate(() -> metrics.traffic().retain(registry::lookupLocal), 30, 30, TimeUnit.SECONDS);
    }

    /** Two named threads; a full queue runs the task in the caller (the event loop) rather than dropping a handshake. */
    private static java.util.concurrent.ThreadPoolExecutor handshakeExecutor() {
        var threads = new DefaultThreadFactory("relay-tls-handshake", true);
        var e = new java.util.concurrent.ThreadPoolExecutor(2, 2, 30, TimeUnit.SECONDS,
                new java.util.concurrent.ArrayBlockingQueue<>(4096), threads,
                new java.util.concurrent.ThreadPoolExecutor.CallerRunsPolicy());
        e.allowCoreThreadTimeOut(true);
        return e;
    }

    private void holdReleased(String name) {
        holds.released(name);
    }

    /**
     * Binds the HTTP port now (port 0 picks a free one) and starts serving.
     *
     * @throws IOException when the port cannot be bound, with a message saying what to do
     */
    public static Relay start(RelayConfig config) throws IOException {
        return start(config, null);
    }

    /**
     * Like {@link #start(RelayConfig)}, with the SSH gateway on when {@code ssh} is not null (its host key and
     * {@code ssh-keys} file are in {@code ssh.dataDir()}).
     *
     * @throws IOException when a port cannot be bound or the key file is not valid, with a message saying what to do
     */
    public static Relay start(RelayConfig config, SshConfig ssh) throws IOException {
        return start(config, ssh, null);
    }

    /**
     * Like {@link #start(RelayConfig, SshConfig)}, as a node of a relay cluster when {@code cluster} is not null (its
     * store must be PostgreSQL: {@code config.identity().dbUrl()}).
     *
     * @throws IOException also when the node cannot join the cluster, with a message saying what to do
     */
    public static Relay start(RelayConfig config, SshConfig ssh, dev.portway.relay.cluster.ClusterConfig cluster)
            throws IOException {
        return start(config, ssh, cluster, dev.portway.shared.tracing.Telemetry.fromEnvironment(
                dev.portway.relay.ingress.RelayTracing.SERVICE));
    }

    /**
     * Like {@link #start(RelayConfig, SshConfig, dev.portway.relay.cluster.ClusterConfig)}, tracing visitor requests
     * with {@code telemetry} (the others take it from the {@code OTEL_*} variables; off unless they ask for it).
     *
     * @throws IOException when a port cannot be bound, the key file is not valid or the node cannot join the cluster
     */
    public static Relay start(RelayConfig config, SshConfig ssh, dev.portway.relay.cluster.ClusterConfig cluster,
                              dev.portway.shared.tracing.Telemetry telemetry) throws IOException {
        dev.portway.relay.tls.RelayTls tls = config.tls().enabled()
                ? dev.portway.relay.tls.RelayTls.load(config.tls(), config.domain(), config.dataDir()) : null;
        IdentityConfig idc = config.identity();
        RelayStore store = RelayStore.open(idc.dbUrl(), idc.dbUser(), idc.dbPassword(), config.dataDir());
        Relay relay;
        try {
            relay = new Relay(config, store, tls);
            relay.sshConfig = ssh;
            relay.telemetry = telemetry;
        } catch (RuntimeException e) {
            store.close();
            throw e;
        }
        try {
            relay.load();
            if (cluster != null) {
                relay.joinCluster(cluster);
            }
            if (relay.acme != null) {
                relay.acme.start();
            }
            relay.bind();
        } catch (IOException | RuntimeException e) {
            if (relay.cluster != null) {
                relay.cluster.close();
            }
            if (relay.gateway != null) {
                relay.gateway.close();
            }
            if (relay.console != null) {
                relay.console.close();
            }
            if (relay.server != null) {
                relay.server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            if (relay.redirectServer != null) {
                relay.redirectServer.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            relay.boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            relay.workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            if (relay.acme != null) {
                relay.acme.close();
            }
            if (relay.handshakes != null) {
                relay.handshakes.shutdownNow();
            }
            store.close();
            throw e;
        }
        return relay;
    }

    /** Reservations and queue levels from the store, before the first client or visitor. */
    private void load() {
        List<Reservation> reservations = new ArrayList<>();
        for (ReservationRow r : store.loadReservations()) {
            Set<String> methods = Set.of(r.methods().split(","));
            reservations.add(new Reservation(r.name(), r.keyHash(), new QueueOptions(methods, r.maxBody(), r.priority())));
        }
        registry.loadReservations(reservations);
        accounts.names().refresh().join();
        workers.scheduleWithFixedDelay(() -> accounts.names().refresh(), ReservedNames.REFRESH_MS, ReservedNames.REFRESH_MS,
                TimeUnit.MILLISECONDS);
        // Admin changes made elsewhere (command line, other nodes) from now on: before the levels are read.
        changes.begin();
        workers.scheduleWithFixedDelay(changes::tick, ChangeWatch.PERIOD_MS, ChangeWatch.PERIOD_MS, TimeUnit.MILLISECONDS);
        Map<String, long[]> totals = store.loadTotals();
        queue.load(totals);
        if (!reservations.isEmpty() || !totals.isEmpty()) {
            log.info("{} queued tunnels reserved, {} requests queued", reservations.size(),
                    totals.values().stream().mapToLong(t -> t[0]).sum());
        }
    }

    private void joinCluster(dev.portway.relay.cluster.ClusterConfig cc) throws IOException {
        IdentityConfig idc = config.identity();
        cluster = dev.portway.relay.cluster.ClusterNames.start(cc, idc.dbUrl(), idc.dbUser(), idc.dbPassword(),
                sessions::size, registry::tunnelCount, registry::localNames, this::lostName);
        registry.shared(cluster);
        // Tunnel and connection counts are the database's (SharedNames); request rates are shared by the live nodes.
        var shared = cluster;
        accounts.limits().shareRatesAmong(shared::liveNodes);
        cluster.rates(accounts.limits()); // also for visitors carried to another node's tunnel
        cluster.rateRefused((user, perMinute, retryAfter, audit) -> { // counted as for this node's own tunnels
            metrics.rateLimitHit(RelayMetrics.Limit.USER_REQUESTS);
            if (audit) {
                accounts.audit().record(dev.portway.relay.audit.AuditLog.LIMIT, user, "limit", "user_requests",
                        "per_minute", perMinute, "retry_after_s", retryAfter);
            }
        });
        // The queue is shared too: this node claims what it delivers, and follows what the others store and reserve.
        store.deliverAs(cc.nodeId());
        cluster.queue(new dev.portway.relay.cluster.ClusterQueue(store, queue, registry));
        cluster.listen(boss, workers, config.bindHost(), config.streamWindow(), name -> {
            // Only what another node may serve: not a tunnel whose bind is still being applied (its protection is
            // pending), or a private one. A tunnel's visitor checks are made by the node the visitor reached (they
            // reach it sealed in the binding's row): what comes over a link has passed them there.
            Tunnel<Session> t = registry.lookupLocal(name);
            return t == null || t.protection().isPending() || t.isPrivate() ? null : t.backend();
        });
    }

    /** Another node bound a name of this one while its lease had run out: that tunnel's session ends here. */
    private void lostName(String name) {
        Tunnel<Session> t = registry.lookupLocal(name); // this node's own, also while its bind is pending
        if (t != null && t.owner() != null) {
            t.owner().close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "This relay node lost the tunnel name " + name
                    + " to another node while it was cut off from the cluster's database — reconnect to bind it again.");
        } else if (!registry.forgetHold(name) && t != null) {
            registry.remove(t); // an SSH gateway tunnel
        }
    }

    /** This relay as a cluster node, or null for a single relay. */
    public dev.portway.relay.cluster.ClusterNames cluster() {
        return cluster;
    }

    private void bind() throws IOException {
        SessionContext.Publisher publisher = new SessionContext.Publisher() {
            @Override
            public String httpUrl(String name) {
                return publicUrl(name);
            }

            @Override
            public String tcpUrl(int tcpPort) {
                return "tcp://" + config.domain() + ":" + tcpPort;
            }

            @Override
            public String privateUrl(String name) {
                SshGateway g = gateway;
                return g == null ? null : "ssh://" + sshConfig.publicHost() + ":" + g.port() + "/" + name;
            }
        };
        SessionContext.TunnelEvents events = new SessionContext.TunnelEvents() {
            @Override
            public void bound(Tunnel<Session> tunnel, Session session, Reservation reservation) {
                holds.bound(tunnel.name(), session, Protocol.KIND_HTTP.equals(tunnel.kind()));
                if (reservation != null) {
                    queue.bound(tunnel.name(), session, reservation);
                }
            }

            @Override
            public void unbound(String name, boolean reservationEnded) {
                queue.unbound(name, reservationEnded);
            }
        };
        TcpListeners tcpListeners = new TcpListeners(boss, workers, config, registry, metrics, gate);
        this.tcpListeners = tcpListeners;
        if (cluster != null) { // the other nodes' TCP tunnels are served here too, on the same ports
            cluster.tcpPorts(tcpListeners::follow);
        }
        SessionContext sctx = new SessionContext(config, registry, new TokenCheck(config.token()), sessions,
                shuttingDown::get, tcpListeners, VERSION, publisher, store, events,
                breakers, metrics, accounts);
        IngressContext ictx = new IngressContext(sctx, () -> port, holds, queue, new StoreProbe(store), telemetry);
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
                .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(64 * 1024, 256 * 1024))
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (config.visitorLimits().proxyProtocol()) {
                            // The balancer's PROXY header first: limits and the rest of the pipeline see the visitor.
                            dev.portway.relay.ingress.ProxyProtocol.expect(ch.pipeline(),
                                    config.visitorLimits().headerTimeout(), c -> publicPipeline((SocketChannel) c, ictx));
                        } else {
                            publicPipeline(ch, ictx);
                        }
                    }
                });
        ChannelFuture f = b.bind(config.bindHost(), config.port()).awaitUninterruptibly();
        if (!f.isSuccess()) {
            Throwable cause = f.cause();
            if (cause instanceof BindException) {
                throw new IOException("Port " + config.port() + " is already in use — choose another with --port", cause);
            }
            throw new IOException("Cannot listen on " + config.bindHost() + ":" + config.port() + ": " + cause.getMessage(), cause);
        }
        server = f.channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
        log.info("relay-lite {} listening on {}:{}{}", VERSION, config.bindHost(), port, tls == null ? "" : " (TLS)");
        if (config.tls().httpRedirectPort() >= 0) {
            bindRedirect();
        }
        if (sshConfig != null) {
            SshDirectory directory;
            try {
                directory = new AccountsDirectory(store.identity(), accounts.authenticator(),
                        KeyFileDirectory.load(sshConfig.dataDir().resolve(KeyFileDirectory.FILE_NAME), config.token()));
            } catch (IllegalArgumentException e) {
                throw new IOException(e.getMessage(), e);
            }
            gateway = SshGateway.start(new GatewayContext(sshConfig, directory, registry, tcpListeners, publisher, metrics,
                    workers, config.maxTunnelsPerSession(), shuttingDown::get, config, accounts, store.identity()));
        }
        if (config.console().enabled()) {
            console = dev.portway.relay.console.ConsoleServer.start(new dev.portway.relay.console.ConsoleContext(config, store,
                    accounts, sessions, registry, queue, this::metricsText, metrics.traffic(), boss, workers, tls, handshakes, VERSION, instance, this::cluster));
        }
    }

    /**
     * The public port's pipeline for a new connection (after its PROXY header with {@code --proxy-protocol}): the
     * connection limits, TLS, then HTTP/1.1 or HTTP/2. @return false when a connection limit refused it
     */
    private boolean publicPipeline(SocketChannel ch, IngressContext ictx) {
        if (!gate.admit(ch)) {
            refuseConnection(ch);
            return false;
        }
        if (acme != null) {
            // The certificate by SNI name: an ACME one for a tunnel host that has it, else the fallback.
            ch.pipeline().addLast("tls", new dev.portway.relay.tls.SniTls(acme::select, handshakes));
        } else if (tls != null) {
            ch.pipeline().addLast("tls", tls.newHandler(ch.alloc(), handshakes));
        }
        // One flush per event-loop turn instead of one per frame or chunk: on this channel go both a
        // visitor's answer (chunk by chunk) and, after the upgrade, a client session's frames.
        ch.pipeline().addLast("flush", new FlushConsolidationHandler(
                FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
        // HTTP/2 for visitors: by ALPN after TLS, by the h2c preface on the plain port (ingress/h2).
        java.util.function.Consumer<io.netty.channel.ChannelPipeline> h2 = p -> dev.portway.relay.ingress.h2
                .H2Pipeline.configure(p, config.visitorLimits(), () -> new HttpIngressHandler(ictx, gate));
        ch.pipeline().addLast("h2-switch", tls != null
                ? new dev.portway.relay.ingress.h2.AlpnSwitch(p -> http1(p, ictx), h2)
                : new dev.portway.relay.ingress.h2.PriorKnowledgeSwitch(p -> http1(p, ictx), h2,
                        config.visitorLimits().headerTimeout()));
        return true;
    }

    /** The bound port of the web console, or -1 when it is off. */
    public int consolePort() {
        dev.portway.relay.console.ConsoleServer c = console;
        return c == null ? -1 : c.port();
    }

    /** The HTTP/1.1 visitor (and client session) pipeline, after TLS and the HTTP/2 switch. */
    private void http1(io.netty.channel.ChannelPipeline p, IngressContext ictx) {
        var limits = config.visitorLimits();
        var guard = new dev.portway.relay.ingress.VisitorGuard(limits, metrics);
        p.addLast(dev.portway.relay.ingress.VisitorGuard.BYTES_NAME, guard.bytesCounter());
        dev.portway.relay.ingress.VisitorCodec.addTo(p, limits);
        p.addLast(dev.portway.relay.ingress.VisitorGuard.NAME, guard);
        if (tls == null) {
            // h2c by Upgrade on the plain port (on TLS, h2 is chosen by ALPN only): everything after it is HTTP/1.1's.
            p.addLast("h2c-upgrade", dev.portway.relay.ingress.h2.H2cUpgrade.handler(limits,
                    () -> new HttpIngressHandler(ictx, gate)));
        }
        // Interim responses are not relayed (PROTOCOL.md §6.2): answer Expect: 100-continue here.
        p.addLast("continue", new HttpServerExpectContinueHandler());
        p.addLast("ingress", new HttpIngressHandler(ictx, gate));
        if (p.channel().isActive()) {
            // Added after the connection opened (once TLS/ALPN or the first bytes chose HTTP/1.1): the guard starts its
            // request-head clock now, as it would at channelActive.
            p.context(dev.portway.relay.ingress.VisitorGuard.BYTES_NAME).fireChannelActive();
        }
    }

    /** The bound SSH port of the gateway, or -1 when it is off. */
    public int sshPort() {
        SshGateway g = gateway;
        return g == null ? -1 : g.port();
    }

    /** Over a connection limit: a plain-HTTP visitor gets a short 503; a TLS one (no handshake yet) is just closed. */
    private void refuseConnection(SocketChannel ch) {
        if (tls != null) {
            ch.close();
            return;
        }
        byte[] body = "Too many connections: this relay is at its connection limit. Try again in a moment.\n"
                .getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        String head = "HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
                + body.length + "\r\nRetry-After: 5\r\nConnection: close\r\nX-Content-Type-Options: nosniff\r\n"
                + "Cache-Control: no-store\r\n\r\n";
        ch.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(head.getBytes(java.nio.charset.StandardCharsets.US_ASCII), body))
                .addListener(io.netty.channel.ChannelFutureListener.CLOSE);
    }

    /** The plain listener of {@code --http-redirect-port}: 308 to https. */
    private void bindRedirect() throws IOException {
        ServerBootstrap b = new ServerBootstrap()
                .group(boss, workers)
                .channel(NioServerSocketChannel.class)
                .childOption(ChannelOption.ALLOCATOR, ALLOCATOR)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel ch) {
                        if (!gate.admit(ch)) {
                            ch.close();
                            return;
                        }
                        ch.pipeline().addLast("http", new HttpServerCodec(8 * 1024, config.visitorLimits().maxHeaderBytes(), 8 * 1024));
                        ch.pipeline().addLast("idle", new io.netty.handler.timeout.ReadTimeoutHandler(
                                config.visitorLimits().idleTimeout().toMillis(), TimeUnit.MILLISECONDS));
                        if (acme != null) {
                            ch.pipeline().addLast(dev.portway.relay.acme.Http01Responder.NAME,
                                    new dev.portway.relay.acme.Http01Responder(acme.tokens()));
                        }
                        ch.pipeline().addLast("redirect", new dev.portway.relay.ingress.HttpsRedirectHandler(() -> port,
                                config.domain()));
                    }
                });
        ChannelFuture f = b.bind(config.bindHost(), config.tls().httpRedirectPort()).awaitUninterruptibly();
        if (!f.isSuccess()) {
            throw new IOException("Cannot listen on the redirect port " + config.tls().httpRedirectPort() + " ("
                    + f.cause().getMessage() + ") — choose another with --http-redirect-port", f.cause());
        }
        redirectServer = f.channel();
        redirectPort = ((InetSocketAddress) redirectServer.localAddress()).getPort();
        log.info("Redirecting plain HTTP on port {} to https", redirectPort);
    }

    /** The bound port of the HTTP→HTTPS redirect listener, or -1 when there is none. */
    public int redirectPort() {
        return redirectPort;
    }

    /** The relay's TLS certificate fingerprint ({@code sha256:<hex>}), or null without TLS. */
    public String tlsFingerprint() {
        return tls == null ? null : tls.fingerprint();
    }

    /** Whether the TLS certificate was generated by the relay (not given with --tls-cert). */
    public boolean tlsSelfSigned() {
        return tls != null && tls.selfSigned();
    }

    /** ACME certificates per tunnel host, or null when the relay has no --acme-email. */
    public dev.portway.relay.acme.AcmeCertificates acme() {
        return acme;
    }

    /** The Prometheus exposition, as {@code /api/tunnel/metrics} serves it (for tests and diagnostics). */
    public String metricsText() {
        return new String(metrics.scrape(), java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Open visitor connections on the public ports (HTTP and TCP tunnels). */
    public int visitorConnections() {
        return gate.openConnections();
    }

    /** The bound HTTP port. */
    public int port() {
        return port;
    }

    /** Where clients connect, e.g. {@code ws://127.0.0.1:8080/api/tunnel/connect}. */
    public String connectUrl() {
        String host = config.bindHost();
        if (host.equals("0.0.0.0") || host.equals("::") || host.isEmpty()) {
            host = "127.0.0.1";
        } else if (host.contains(":")) {
            host = "[" + host + "]";
        }
        return (tls == null ? "ws://" : "wss://") + host + ":" + port + dev.portway.shared.protocol.Protocol.CONNECT_PATH;
    }

    /** The public URL of an HTTP tunnel, e.g. {@code http://myapp.localhost:8080/}. */
    public String publicUrl(String name) {
        boolean defaultPort = (port == 80 && config.publicScheme().equals("http"))
                || (port == 443 && config.publicScheme().equals("https"));
        return config.publicScheme() + "://" + name + "." + config.domain() + (defaultPort ? "" : ":" + port) + "/";
    }

    /**
     * Requests stored in the durable queue of a tunnel (PROTOCOL.md §9.3). Blocks on the store: never call it
     * on an event loop.
     */
    public int queuedCount(String tunnel) {
        return store.count(tunnel).join();
    }

    /** The relay's in-memory capacity count of a tunnel's durable queue (what visitors are admitted against). */
    public dev.portway.shared.protocol.ControlMessage.QueueStatus queueStatus(String tunnel) {
        return queue.status(tunnel);
    }

    /** Requests held now for a tunnel whose client is reconnecting (PROTOCOL.md §9.1). */
    public int heldCount(String tunnel) {
        return holds.waiting(tunnel);
    }

    /** The latest circuit-breaker state each client reported, by tunnel ({@code closed}, {@code open}, {@code half_open}). */
    public Map<String, String> breakerStates() {
        return Map.copyOf(breakers);
    }

    /** Users, the audit log and per-user limits of this relay. */
    public Accounts accounts() {
        return accounts;
    }

    /** The relay's store (users, tokens, names, keys, audit rows). Its identity methods block: not on an event loop. */
    public RelayStore store() {
        return store;
    }

    /** The most bytes any client session has queued towards its client now (tests, diagnostics). */
    public long maxPendingOutboundBytes() {
        return sessions.stream().mapToLong(Session::pendingOutboundBytes).max().orElse(0);
    }

    /** Connected (welcomed) client sessions. */
    public int sessionCount() {
        return sessions.size();
    }

    /**
     * Stops the relay: go_away to every client, no new sessions or streams, in-flight streams get up to
     * {@code deadline} to finish, then everything closes. Blocks until done; idempotent (later calls wait
     * for the first to finish).
     */
    public void shutdown(Duration deadline) {
        if (!shuttingDown.compareAndSet(false, true)) {
            awaitStopped();
            return;
        }
        try {
            List<Session> live = List.copyOf(sessions);
            log.info("Shutting down: {} sessions, waiting up to {} ms for open streams", live.size(), deadline.toMillis());
            if (cluster != null) {
                // first: the other nodes stop sending this node visitors its sessions would refuse
                cluster.withdraw(deadline.compareTo(Duration.ofSeconds(2)) < 0 ? deadline : Duration.ofSeconds(2));
            }
            for (Session s : live) {
                s.goAway(deadline.toMillis());
            }
            holds.releaseAll();
            long end = System.nanoTime() + deadline.toNanos();
            while (System.nanoTime() < end && live.stream().anyMatch(s -> !s.isClosed() && s.openStreams() > 0)) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(20));
            }
            for (Session s : live) {
                s.close(WebSocketCloseStatus.ENDPOINT_UNAVAILABLE.code(), "The relay is shutting down.");
            }
            if (server != null) {
                server.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            if (redirectServer != null) {
                redirectServer.close().awaitUninterruptibly(2, TimeUnit.SECONDS);
            }
            if (gateway != null) {
                gateway.close();
            }
            if (tcpListeners != null) {
                tcpListeners.stopFollowing();
            }
            if (cluster != null) {
                cluster.close(); // after the sessions: their names leave the cluster's table with the node
            }
            if (console != null) {
                console.close();
            }
            registry.clear();
            // Let the close frames go out before the loops stop.
            long closeBy = System.nanoTime() + TimeUnit.SECONDS.toNanos(1);
            while (System.nanoTime() < closeBy && live.stream().anyMatch(s -> !s.isClosed())) {
                LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(10));
            }
            boss.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            workers.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
            if (acme != null) {
                acme.close();
            }
            if (handshakes != null) {
                handshakes.shutdownNow();
            }
            store.close();
            telemetry.flush(Duration.ofSeconds(5)); // the last requests' spans (the SDK itself stops at JVM exit)
            log.info("relay-lite stopped");
        } finally {
            stopped.countDown();
        }
    }

    private void awaitStopped() {
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        shutdown(config.shutdownDeadline());
    }
}
