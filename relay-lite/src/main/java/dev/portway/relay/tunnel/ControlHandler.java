package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.Protocol;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Binds and unbinds a session's tunnels (PROTOCOL.md §4). Runs on the session's event loop only. */
final class ControlHandler {
    private static final Logger log = LoggerFactory.getLogger(ControlHandler.class);
    private static final Set<String> OPTIONS = Set.of("strict_name");

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
        Map<String, String> options = bind.options() == null ? Map.of() : bind.options();
        for (String key : options.keySet()) {
            if (!OPTIONS.contains(key)) {
                refuse(bind, ErrorCode.KIND_UNSUPPORTED, "This relay does not know the tunnel option \"" + key
                        + "\" — it knows " + String.join(", ", OPTIONS) + ".");
                return;
            }
        }
        if (tunnels.size() >= ctx.config().maxTunnelsPerSession()) {
            refuse(bind, ErrorCode.LIMIT_REACHED, "This client already has " + tunnels.size()
                    + " tunnels, the most this relay allows — stop one first.");
            return;
        }
        int port = bind.port() == null ? 0 : bind.port();
        if (Protocol.KIND_TCP.equals(kind) && port != 0
                && (port < ctx.config().tcpPortFrom() || port > ctx.config().tcpPortTo())) {
            refuse(bind, ErrorCode.PORT_UNAVAILABLE, "Port " + port + " is outside this relay's TCP range "
                    + ctx.config().tcpPortFrom() + "-" + ctx.config().tcpPortTo() + " — pick one inside it or leave it empty.");
            return;
        }
        boolean strict = "true".equalsIgnoreCase(options.get("strict_name"));
        var claim = ctx.registry().claim(session, session.resumeFrom, bind.name(), strict, kind);
        switch (claim) {
            case TunnelRegistry.Claim.Refused<Session> r -> refuse(bind, r.code(), r.message());
            case TunnelRegistry.Claim.Granted<Session> g -> {
                Tunnel<Session> t = g.tunnel();
                tunnels.add(t);
                if (Protocol.KIND_HTTP.equals(kind)) {
                    bound(bind, t, null, g.notice());
                } else if (t.port() > 0 && (port == 0 || port == t.port())) {
                    bound(bind, t, t.port(), g.notice()); // resumed with its held listener
                } else {
                    bindPort(bind, t, port, g.notice());
                }
            }
        }
    }

    private void bindPort(ControlMessage.Bind bind, Tunnel<Session> t, int port, String notice) {
        ctx.tcpBinder().bind(t, port).whenComplete((bound, failure) -> session.channel.eventLoop().execute(() -> {
            if (failure != null) {
                tunnels.remove(t);
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
        String url = port == null ? ctx.publisher().httpUrl(t.name()) : ctx.publisher().tcpUrl(port);
        session.send(Frame.control(new ControlMessage.Bound(bind.id(), t.name(), t.kind(), url, port, notice)));
        log.info("Session {} bound {} tunnel {} at {}", session.id, t.kind(), t.name(), url);
    }

    private void refuse(ControlMessage.Bind bind, ErrorCode code, String message) {
        session.send(Frame.control(ControlMessage.BindRefused.of(bind.id(), code, message)));
    }

    void unbind(ControlMessage.Unbind unbind) {
        String name = Names.normalize(unbind.name());
        for (Tunnel<Session> t : List.copyOf(tunnels)) {
            if (t.name().equals(name)) {
                tunnels.remove(t);
                ctx.registry().remove(t);
                log.info("Session {} unbound tunnel {}", session.id, name);
            }
        }
    }

    /** The session ended: its tunnels are held by the registry (see {@link Session#closed()}). */
    void sessionClosed() {
        tunnels.clear();
    }
}
