package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import dev.portway.relay.store.ReservationRow;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/** Binds and unbinds a session's tunnels (PROTOCOL.md §4). Runs on the session's event loop only. */
final class ControlHandler {
    private static final Logger log = LoggerFactory.getLogger(ControlHandler.class);
    private static final Set<String> BREAKER_STATES = Set.of("closed", "open", "half_open");
    /** 128 random bits are at least 22 characters in base64url (PROTOCOL.md §9.2). */
    private static final int MIN_CLIENT_KEY_CHARS = 22;

    private final Session session;
    private final SessionContext ctx;
    private final List<Tunnel<Session>> tunnels = new ArrayList<>();

    ControlHandler(Session session) {
        this.session = session;
        this.ctx = session.ctx;
    }

    void bind(ControlMessage.Bind bind) {
        String kind = bind.kind();
        if (!Protocol.KIND_HTTP.equals(kind) && !Protocol.KIND_TCP.equals(kind)) {
            refuse(bind, ErrorCode.KIND_UNSUPPORTED, "This relay serves http and tcp tunnels, not \"" + kind + "\".");
            return;
        }
        BindOptions options;
        try {
            options = BindOptions.parse(bind.options(), kind, ctx.config().queueMaxBytes());
        } catch (BindOptions.Invalid e) {
            refuse(bind, ErrorCode.KIND_UNSUPPORTED, e.getMessage());
            return;
        }
        if (options.queue() != null && session.clientKeyHash == null) {
            refuse(bind, ErrorCode.KIND_UNSUPPORTED, "A queued tunnel (queue=on) belongs to a client installation, "
                    + "but this client sent no client_key in its hello — update Portway, or bind without queue=on.");
            return;
        }
        if (options.queue() != null && session.clientKeyChars < MIN_CLIENT_KEY_CHARS) {
            refuse(bind, ErrorCode.KIND_UNSUPPORTED, "A queued tunnel needs a client_key of at least 128 random bits ("
                    + MIN_CLIENT_KEY_CHARS + " characters or more); this one has " + session.clientKeyChars + ".");
            return;
        }
        if (options.privateTo() != null && ctx.publisher().privateUrl("x") == null) {
            refuse(bind, ErrorCode.KIND_UNSUPPORTED, "This relay runs no SSH gateway (--ssh-port), so a private tunnel "
                    + "could not be reached — bind without private=true, or ask the operator to turn the gateway on.");
            return;
        }
        if (tunnels.size() >= ctx.config().maxTunnelsPerSession()) {
            refuse(bind, ErrorCode.LIMIT_REACHED, "This client already has " + tunnels.size()
                    + " tunnels, the most this relay allows — stop one first.");
            return;
        }
        int port = bind.port() == null ? 0 : bind.port();
        if (Protocol.KIND_TCP.equals(kind) && port != 0 && !ctx.config().anyTcpPort()
                && (port < ctx.config().tcpPortFrom() || port > ctx.config().tcpPortTo())) {
            refuse(bind, ErrorCode.PORT_UNAVAILABLE, "Port " + port + " is outside this relay's TCP range "
                    + ctx.config().tcpPortFrom() + "-" + ctx.config().tcpPortTo() + " — pick one inside it or leave it empty.");
            return;
        }
        QueueOptions queue = options.queue();
        dev.portway.relay.auth.Principal p = session.principal;
        String requested = bind.name() == null || bind.name().isEmpty() ? null : Names.normalize(bind.name());
        // A name an admin reserved for a user (relay-lite names reserve) is only theirs.
        String owner = requested == null ? null : ctx.accounts().names().owner(requested);
        if (owner != null && (p == null || !owner.equals(p.user()))) {
            ctx.accounts().audit().record(dev.portway.relay.audit.AuditLog.BIND_REFUSED, p == null ? null : p.user(),
                    "tunnel", requested, "reason", "reserved_for_another_user");
            if (options.strictName()) {
                refuse(bind, ErrorCode.NAME_TAKEN, "The tunnel name " + requested + " is reserved for another user "
                        + "of this relay — choose another name.");
            } else {
                claim(bind, kind, port, options, queue, Names.variant(requested));
            }
            return;
        }
        claim(bind, kind, port, options, queue, bind.name());
    }

    private void claim(ControlMessage.Bind bind, String kind, int port, BindOptions options, QueueOptions queue, String name) {
        claim(bind, kind, port, options, queue, name, null, 0);
    }

    /**
     * @param wanted  on a retry after the cluster refused a name: the name first granted here, for the notice; else null
     * @param attempt how many names the cluster refused for this bind so far
     */
    private void claim(ControlMessage.Bind bind, String kind, int port, BindOptions options, QueueOptions queue, String name,
                       String wanted, int attempt) {
        dev.portway.relay.auth.Principal p = session.principal;
        var limits = ctx.accounts().limits();
        if (p != null && !limits.tryTunnel(p.user())) {
            refuseTunnelLimit(bind, p);
            return;
        }
        var claim = ctx.registry().claim(session, session.resumeFrom, session.clientKeyHash, name,
                options.strictName(), kind, queue);
        switch (claim) {
            case TunnelRegistry.Claim.Refused<Session> r -> {
                if (p != null) {
                    limits.tunnelGone(p.user());
                }
                refuse(bind, r.code(), r.message());
            }
            case TunnelRegistry.Claim.Granted<Session> g -> {
                var verdict = ctx.registry().shared().claim(g.tunnel().name(), kind, session.id, p == null ? null : p.user(),
                        session.clientKeyHash, options.protection(), p == null ? 0 : limits.config().maxTunnelsPerUser(),
                        p == null ? 0 : limits.config().perMinute(p.tier()));
                if (verdict.isDone()) { // a single relay: at once, as before
                    shared(bind, kind, port, options, queue, g, verdict.join(), wanted, attempt);
                } else {
                    verdict.thenAccept(v -> session.channel.eventLoop().execute(
                            () -> shared(bind, kind, port, options, queue, g, v, wanted, attempt)));
                }
            }
        }
    }

    /**
     * The cluster's answer for a name this relay's registry granted ({@link SharedNames}); a name another node holds
     * gets a variant (up to {@link #SHARED_ATTEMPTS} tries) unless strict. On the session's event loop.
     */
    private void shared(ControlMessage.Bind bind, String kind, int port, BindOptions options, QueueOptions queue,
                        TunnelRegistry.Claim.Granted<Session> g, SharedNames.Verdict verdict, String wanted, int attempt) {
        dev.portway.relay.auth.Principal p = session.principal;
        Tunnel<Session> claimed = g.tunnel();
        if (verdict != SharedNames.Verdict.GRANTED || session.closed) {
            if (p != null) {
                ctx.accounts().limits().tunnelGone(p.user());
            }
            if (ctx.registry().lookupLocal(claimed.name()) == claimed) {
                ctx.registry().remove(claimed);
            } else if (verdict != SharedNames.Verdict.GRANTED) {
                ctx.registry().forgetHold(claimed.name()); // dropped meanwhile: the name is another node's, not held here
            }
            if (session.closed) {
                return;
            }
            if (verdict == SharedNames.Verdict.LIMIT) {
                refuseTunnelLimit(bind, p); // counted over the whole cluster
            } else if (verdict == SharedNames.Verdict.UNAVAILABLE) {
                refuse(bind, ErrorCode.SHUTTING_DOWN, "This relay node has lost its connection to the cluster's database, "
                        + "so it cannot bind new tunnels now — connect to another node of the cluster, or retry in a moment.");
            } else if (options.strictName() || attempt + 1 >= SHARED_ATTEMPTS) {
                refuse(bind, ErrorCode.NAME_TAKEN, "The tunnel name " + claimed.name() + " is in use by another client "
                        + "on this relay cluster — choose another name or turn off strict naming.");
            } else {
                String first = wanted != null ? wanted : claimed.name();
                claim(bind, kind, port, options, queue, Names.variant(first), first, attempt + 1);
            }
            return;
        }
        String notice = wanted == null ? g.notice()
                : "The name " + wanted + " is in use by another client, so this tunnel is called " + claimed.name() + ".";
        Tunnel<Session> t = claimed;
        t.protection(options.protection()); // before bound: no visitor reaches it unchecked
        t.rewrite(options.rewrite());
        if (p != null) {
            t.backend(session, p.user()); // whose tunnel it is, for private tunnels' access checks
        }
        tunnels.add(t);
        if (options.privateTo() != null) {
            t.makePrivate(options.privateTo());
        }
        if (queue != null) {
            ReservationRow row = new ReservationRow(t.name(), session.clientKeyHash, queue.methodList(),
                    queue.maxBody(), queue.priority());
            // Write-through; a failure is logged by the store and the reservation lives on in memory.
            ctx.store().saveReservation(row);
        }
        if (Protocol.KIND_HTTP.equals(kind) || t.isPrivate()) {
            if (t.port() > 0) { // a held public listener of this name: a private tunnel has none
                ctx.registry().closeListener(t);
            }
            bound(bind, t, null, notice);
        } else if (t.port() > 0 && (port == 0 || port == t.port())) {
            resumedListener(bind, t, port, notice);
        } else {
            bindPort(bind, t, port, notice);
        }
    }

    /** The user has as many tunnels as allowed: on this relay, or (a cluster node) on all live nodes together. */
    private void refuseTunnelLimit(ControlMessage.Bind bind, dev.portway.relay.auth.Principal p) {
        int max = ctx.accounts().limits().config().maxTunnelsPerUser();
        ctx.metrics().rateLimitHit(dev.portway.relay.metrics.RelayMetrics.Limit.USER_TUNNELS);
        ctx.accounts().audit().record(dev.portway.relay.audit.AuditLog.LIMIT, p.user(), "limit", "user_tunnels",
                "max", max, "tunnel", bind.name());
        refuse(bind, ErrorCode.LIMIT_REACHED, "User " + p.user() + " already has " + max
                + " tunnels on this relay, the most allowed per user — stop one first.");
    }

    /** Names tried on a relay cluster before a non-strict bind is refused as taken. */
    private static final int SHARED_ATTEMPTS = 5;

    /**
     * Resumed with its held listener: on a cluster its port is claimed again (the new binding's row has none yet); a
     * port the cluster gave another tunnel meanwhile is closed and another one bound.
     */
    private void resumedListener(ControlMessage.Bind bind, Tunnel<Session> t, int port, String notice) {
        int held = t.port();
        var verdict = ctx.registry().shared().claimPort(t.name(), held);
        java.util.function.Consumer<SharedNames.Verdict> then = v -> {
            if (session.closed || !tunnels.contains(t)) {
                ctx.registry().remove(t);
            } else if (v == SharedNames.Verdict.GRANTED && t.port() == held) {
                bound(bind, t, held, notice);
            } else {
                ctx.registry().closeListener(t);
                bindPort(bind, t, port, notice);
            }
        };
        if (verdict.isDone()) { // a single relay: at once, as before
            then.accept(verdict.join());
        } else {
            verdict.thenAccept(v -> session.channel.eventLoop().execute(() -> then.accept(v)));
        }
    }

    private void bindPort(ControlMessage.Bind bind, Tunnel<Session> t, int port, String notice) {
        ctx.tcpBinder().bind(t, port).whenComplete((bound, failure) -> session.channel.eventLoop().execute(() -> {
            if (failure != null) {
                if (tunnels.remove(t)) {
                    released();
                }
                ctx.registry().remove(t);
                refuse(bind, ErrorCode.PORT_UNAVAILABLE, port == 0
                        ? "No free port is left in this relay's TCP range — stop a TCP tunnel or ask the operator."
                        : "Port " + port + " is in use — pick another or leave it empty.");
            } else if (session.closed || !tunnels.contains(t)) {
                ctx.registry().remove(t);
            } else {
                bound(bind, t, bound, notice);
            }
        }));
    }

    private void bound(ControlMessage.Bind bind, Tunnel<Session> t, Integer port, String notice) {
        String url = t.isPrivate() ? ctx.publisher().privateUrl(t.name())
                : port == null ? ctx.publisher().httpUrl(t.name()) : ctx.publisher().tcpUrl(port);
        session.send(Frame.control(new ControlMessage.Bound(bind.id(), t.name(), t.kind(), url, port, notice)));
        Reservation r = ctx.registry().reservation(t.name());
        boolean mine = r != null && session.clientKeyHash != null && r.keyHash().equals(session.clientKeyHash);
        log.info("Session {} bound {} tunnel {} at {}{}{}", session.id, t.kind(), t.name(), url, mine ? " (queued)" : "",
                t.isPrivate() ? " (private)" : "");
        dev.portway.relay.auth.Principal p = session.principal;
        ctx.accounts().audit().record(dev.portway.relay.audit.AuditLog.BIND, p == null ? null : p.user(), "tunnel", t.name(),
                "kind", t.kind(), "session", session.id);
        ctx.events().bound(t, session, mine ? r : null);
    }

    private void refuse(ControlMessage.Bind bind, ErrorCode code, String message) {
        ctx.metrics().error(code);
        session.send(Frame.control(ControlMessage.BindRefused.of(bind.id(), code, message)));
    }

    void unbind(ControlMessage.Unbind unbind) {
        String name = Names.normalize(unbind.name());
        for (Tunnel<Session> t : List.copyOf(tunnels)) {
            if (t.name().equals(name)) {
                tunnels.remove(t);
                released();
                dev.portway.relay.auth.Principal p = session.principal;
                ctx.accounts().audit().record(dev.portway.relay.audit.AuditLog.UNBIND, p == null ? null : p.user(),
                        "tunnel", name, "session", session.id);
                ctx.registry().remove(t);
                ctx.breakers().remove(name);
                boolean reservationEnded = ctx.registry().unreserve(name, session.clientKeyHash);
                if (reservationEnded) {
                    String sessionId = session.id;
                    ctx.store().deleteReservation(name).thenAccept(n -> log.info(
                            "Session {} unbound queued tunnel {}: its reservation and {} queued requests were deleted",
                            sessionId, name, n));
                } else {
                    log.info("Session {} unbound tunnel {}", session.id, name);
                }
                ctx.events().unbound(name, reservationEnded);
            }
        }
    }

    /** The client's circuit breaker for one of its tunnels changed state (§9.4); kept for metrics. */
    void breaker(ControlMessage.Breaker breaker) {
        String name = Names.normalize(breaker.tunnel());
        boolean mine = tunnels.stream().anyMatch(t -> t.name().equals(name));
        if (!mine || breaker.state() == null || !BREAKER_STATES.contains(breaker.state())) {
            log.debug("Session {} reported breaker {} for {}: ignored", session.id, breaker.state(), breaker.tunnel());
            return;
        }
        String before = ctx.breakers().put(name, breaker.state());
        if (!breaker.state().equals(before)) {
            log.info("Session {}: the local service of tunnel {} — circuit breaker {}", session.id, name, breaker.state());
        }
    }

    /** The session ended: its tunnels are held by the registry (see {@link Session#closed()}). */
    void sessionClosed() {
        for (int i = 0; i < tunnels.size(); i++) {
            released();
        }
        tunnels.clear();
    }

    /** One of this session's tunnels is gone: it no longer counts against its user's tunnel limit. */
    private void released() {
        dev.portway.relay.auth.Principal p = session.principal;
        if (p != null) {
            ctx.accounts().limits().tunnelGone(p.user());
        }
    }
}
