package dev.portway.relay.ssh;

import dev.portway.relay.tunnel.Names;
import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.SharedNames;
import dev.portway.relay.tunnel.StreamListener;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.relay.tunnel.TunnelBackend;
import dev.portway.relay.tunnel.TunnelRegistry;
import dev.portway.relay.tunnel.VisitorProtection;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import io.netty.channel.EventLoop;
import org.apache.sshd.common.AttributeRepository;
import org.apache.sshd.common.forward.DefaultForwarder;
import org.apache.sshd.common.session.ConnectionService;
import org.apache.sshd.common.util.net.SshdSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * {@code ssh -R} on the gateway: instead of listening on a socket per request, as MINA's {@link DefaultForwarder}
 * does, a {@code tcpip-forward} puts a tunnel into the relay's registry whose streams are {@code forwarded-tcpip}
 * channels to this SSH connection. The relay's own ingress then routes visitors to it.
 *
 * <p>Convention (docs/ssh-gateway.md): bind port 80 or 443 makes an HTTP tunnel named by the bind address
 * ({@code -R myapp:80:localhost:3000}); any other port a TCP tunnel, on an assigned public port for port 0
 * ({@code -R 0:localhost:22}, or {@code -R mydb:0:localhost:5432} to name it). A bind address of
 * {@code localhost}, {@code *} or empty gets a generated name.
 *
 * <p>One per SSH connection; its tunnels end with it (no grace hold: OpenSSH cannot resume a connection).
 * Called on SSHD's threads; the tunnel list is thread-safe.
 */
final class GatewayForwarder extends DefaultForwarder {
    static final AttributeRepository.AttributeKey<GatewayForwarder> KEY = new AttributeRepository.AttributeKey<>();
    private static final Logger log = LoggerFactory.getLogger(GatewayForwarder.class);
    private static final Set<String> UNNAMED = Set.of("", "localhost", "*", "0.0.0.0", "::", "127.0.0.1", "::1");

    private final GatewayContext ctx;
    private final ConnectionService service;
    private final List<Remote> remotes = new CopyOnWriteArrayList<>();
    /** What the user should see in the session: one line per tunnel or refusal. */
    private final List<String> lines = new CopyOnWriteArrayList<>();

    /** One {@code -R}: the tunnel and the address the client asked for (echoed in each channel open). */
    private final class Remote implements TunnelBackend {
        final String boundHost;
        volatile int boundPort;
        volatile Tunnel<Session> tunnel;

        /** The user's plan, read when the tunnel was made: its rate limit applies as to WebSocket clients. */
        volatile dev.portway.relay.auth.Principal principal;

        Remote(String boundHost, int boundPort) {
            this.boundHost = boundHost;
            this.boundPort = boundPort;
        }

        @Override
        public String sessionId() {
            var p = principal;
            return "ssh-" + (p == null ? null : p.user());
        }

        @Override
        public long requestPermit() {
            var p = principal;
            if (p == null) {
                return 0;
            }
            long wait = ctx.accounts().limits().requestPermit(p);
            if (wait > 0) {
                ctx.metrics().rateLimitHit(dev.portway.relay.metrics.RelayMetrics.Limit.USER_REQUESTS);
            }
            return wait;
        }

        @Override
        public Opened openStream(OpenMessage open, EventLoop visitorLoop, StreamListener listener) {
            if (!service.isOpen() || ctx.shuttingDown().getAsBoolean()) {
                return new Opened(null, ErrorCode.SHUTTING_DOWN);
            }
            RemoteStream stream = new RemoteStream(visitorLoop, listener, open);
            String[] origin = splitRemote(open.remote());
            ForwardedChannel channel = new ForwardedChannel(boundHost, boundPort, origin[0], Integer.parseInt(origin[1]), stream);
            stream.attach(channel);
            if (open.isHttp()) {
                stream.startHttp(); // on the visitor loop: openStream is called there
            }
            try {
                service.registerChannel(channel);
                channel.open();
            } catch (IOException | RuntimeException e) {
                channel.close(true);
                return new Opened(null, ErrorCode.SHUTTING_DOWN);
            }
            return new Opened(stream, null);
        }
    }

    GatewayForwarder(ConnectionService service, GatewayContext ctx) {
        super(service);
        this.service = service;
        this.ctx = ctx;
        service.getSession().setAttribute(KEY, this);
    }

    private String user() {
        return service.getSession().getAttribute(GatewaySessions.USER);
    }

    @Override
    public synchronized SshdSocketAddress localPortForwardingRequested(SshdSocketAddress local) throws IOException {
        String host = local.getHostName() == null ? "" : local.getHostName();
        int port = local.getPort();
        boolean http = port == 80 || port == 443;
        String kind = http ? Protocol.KIND_HTTP : Protocol.KIND_TCP;
        String name = UNNAMED.contains(host) ? null : host;
        String user = user();
        if (user == null) {
            return null;
        }
        if (remotes.size() >= ctx.maxTunnels()) {
            return refuse(host, port, "this connection already has " + remotes.size() + " tunnels, the most this relay allows");
        }
        var relay = ctx.relay();
        if (!http && port != 0 && !relay.anyTcpPort() && (port < relay.tcpPortFrom() || port > relay.tcpPortTo())) {
            return refuse(host, port, "port " + port + " is outside this relay's TCP range " + relay.tcpPortFrom() + "-"
                    + relay.tcpPortTo() + " — use -R 0:... for an assigned port");
        }
        if (name != null) {
            String reservedTo = ctx.identity().reservedFor(name.toLowerCase(java.util.Locale.ROOT));
            if (reservedTo != null && !reservedTo.equals(user)) {
                return refuse(host, port, "the name " + name + " is reserved for another user on this relay");
            }
        }
        var account = ctx.identity().user(user);
        if (account.isPresent() && account.get().disabled()) {
            return refuse(host, port, "the user " + user + " is disabled on this relay");
        }
        if (!ctx.accounts().limits().tryTunnel(user)) {
            ctx.metrics().rateLimitHit(dev.portway.relay.metrics.RelayMetrics.Limit.USER_TUNNELS);
            return refuse(host, port, user + " already has " + ctx.accounts().limits().tunnels(user)
                    + " tunnels, the most this relay allows per user");
        }
        Remote remote = new Remote(host, port);
        remote.principal = new dev.portway.relay.auth.Principal(user,
                account.map(dev.portway.relay.store.IdentityRecords.User::tier).orElse(dev.portway.relay.store.Tier.FREE), "ssh");
        var claim = ctx.registry().claimFor(remote, user, name, false, kind);
        if (claim instanceof TunnelRegistry.Claim.Refused<Session> r) {
            ctx.accounts().limits().tunnelGone(user);
            return refuse(host, port, r.message());
        }
        var granted = (TunnelRegistry.Claim.Granted<Session>) claim;
        Tunnel<Session> t = granted.tunnel();
        String notice = granted.notice();
        // On a relay cluster the name must be free on every node: the database decides, as for a WebSocket client's
        // bind (an SSH client has no client key, so it binds a name alone). This is a MINA thread, not an event loop.
        String wanted = null;
        for (int attempt = 1; ; attempt++) {
            SharedNames.Verdict verdict = sharedClaim(t, kind, user, remote.principal);
            if (verdict == SharedNames.Verdict.GRANTED) {
                break;
            }
            ctx.registry().remove(t);
            if (verdict == SharedNames.Verdict.TAKEN && attempt < SHARED_ATTEMPTS) {
                wanted = wanted == null ? t.name() : wanted;
                var again = ctx.registry().claimFor(remote, user, Names.variant(wanted), false, kind);
                if (again instanceof TunnelRegistry.Claim.Refused<Session> r) {
                    ctx.accounts().limits().tunnelGone(user);
                    return refuse(host, port, r.message());
                }
                t = ((TunnelRegistry.Claim.Granted<Session>) again).tunnel();
                notice = "the name " + wanted + " is in use by another client, so this tunnel is called " + t.name();
                continue;
            }
            ctx.accounts().limits().tunnelGone(user);
            if (verdict == SharedNames.Verdict.LIMIT) {
                ctx.metrics().rateLimitHit(dev.portway.relay.metrics.RelayMetrics.Limit.USER_TUNNELS);
            }
            return refuse(host, port, switch (verdict) {
                case LIMIT -> user + " already has " + ctx.accounts().limits().config().maxTunnelsPerUser()
                        + " tunnels on this relay cluster, the most allowed per user";
                case UNAVAILABLE -> "this relay node has lost its connection to the cluster's database, so it cannot bind "
                        + "new tunnels now — connect to another node of the cluster, or retry in a moment";
                default -> "the name " + t.name() + " is in use by another client on this relay cluster — choose another";
            });
        }
        ctx.registry().admit(t);
        remote.tunnel = t;
        String url;
        if (http) {
            url = ctx.publisher().httpUrl(t.name());
        } else {
            int bound;
            try {
                bound = ctx.tcpBinder().bind(t, port).get(10, TimeUnit.SECONDS);
            } catch (Exception e) {
                ctx.registry().remove(t);
                ctx.accounts().limits().tunnelGone(user);
                return refuse(host, port, port == 0 ? "no free port is left in this relay's TCP range"
                        : "port " + port + " is in use — use -R 0:... for an assigned port");
            }
            if (port == 0) {
                remote.boundPort = bound;
            }
            url = ctx.publisher().tcpUrl(bound);
        }
        remotes.add(remote);
        String shown = notice == null ? "" : " (" + notice + ")";
        lines.add("Portway: " + kind + " tunnel " + t.name() + " is live at " + url + shown);
        log.info("SSH {} ({}) bound {} tunnel {} at {}", service.getSession().getIoSession().getRemoteAddress(), user, kind,
                t.name(), url);
        return new SshdSocketAddress(host, remote.boundPort);
    }

    /** Names tried on a relay cluster before an {@code -R} whose name another client holds is refused. */
    private static final int SHARED_ATTEMPTS = 5;

    /**
     * The cluster's verdict on {@code t}'s name ({@link SharedNames#claim}; at once on a single relay). Waits at most
     * 10 s: a database that does not answer by then counts as unavailable.
     */
    private SharedNames.Verdict sharedClaim(Tunnel<Session> t, String kind, String user, dev.portway.relay.auth.Principal p) {
        var limits = ctx.accounts().limits().config();
        try {
            return ctx.registry().shared().claim(t.name(), kind, "ssh-" + service.getSession().getIoSession().getId(),
                    user, null, VisitorProtection.NONE, limits.maxTunnelsPerUser(), limits.perMinute(p.tier()))
                    .get(10, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return SharedNames.Verdict.UNAVAILABLE;
        } catch (java.util.concurrent.ExecutionException | java.util.concurrent.TimeoutException e) {
            return SharedNames.Verdict.UNAVAILABLE;
        }
    }

    private SshdSocketAddress refuse(String host, int port, String why) {
        String line = "Portway: -R " + (host.isEmpty() ? "" : host + ":") + port + " refused: " + why + ".";
        lines.add(line);
        log.info("SSH {} ({}): {}", service.getSession().getIoSession().getRemoteAddress(), user(), line);
        return null;
    }

    @Override
    public synchronized void localPortForwardingCancelled(SshdSocketAddress local) {
        for (Remote r : List.copyOf(remotes)) {
            if (r.boundHost.equals(local.getHostName()) && (r.boundPort == local.getPort())) {
                remotes.remove(r);
                ctx.registry().remove(r.tunnel);
                ctx.accounts().limits().tunnelGone(r.tunnel.user());
                log.info("SSH ({}) cancelled tunnel {}", user(), r.tunnel.name());
            }
        }
    }

    @Override
    public synchronized SshdSocketAddress getForwardedPort(int remotePort) {
        return null; // no local listener of MINA's: forwarded channels are opened by the tunnels above
    }

    @Override
    protected void preClose() {
        freeAll();
        super.preClose();
    }

    /** The SSH connection ended: its tunnels go down and their names are free at once. */
    void freeAll() {
        for (Remote r : List.copyOf(remotes)) {
            remotes.remove(r);
            ctx.registry().remove(r.tunnel);
            ctx.accounts().limits().tunnelGone(r.tunnel.user());
            log.info("SSH ({}) ended: tunnel {} freed", user(), r.tunnel.name());
        }
    }

    /** Lines for the user: the tunnels of this connection and any refused {@code -R}. */
    List<String> lines() {
        return new ArrayList<>(lines);
    }

    boolean hasTunnels() {
        return !remotes.isEmpty();
    }

    /** {@code ip:port} of OPEN.remote → {ip, port}; unknown parts become {@code 0.0.0.0} and 0. */
    static String[] splitRemote(String remote) {
        if (remote != null) {
            int colon = remote.lastIndexOf(':');
            if (colon > 0) {
                String port = remote.substring(colon + 1);
                if (port.matches("\\d{1,5}")) {
                    return new String[]{remote.substring(0, colon).replace("[", "").replace("]", ""), port};
                }
            }
        }
        return new String[]{"0.0.0.0", "0"};
    }
}
