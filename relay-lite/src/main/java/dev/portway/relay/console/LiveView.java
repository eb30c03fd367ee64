package dev.portway.relay.console;

import dev.portway.relay.admin.Actor;
import dev.portway.relay.admin.LiveSessions;
import dev.portway.relay.admin.RelaySessions;
import dev.portway.relay.auth.Principal;
import dev.portway.relay.metrics.TunnelTraffic;
import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.relay.tunnel.TunnelRegistry;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;

import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;

/**
 * The relay's live state as the console shows it: client sessions and their tunnels with their visitor traffic (an
 * admin sees all, a user their own), and ending sessions. Reads concurrent collections only: safe on any thread, never blocks.
 */
final class LiveView implements LiveSessions {
    /** A bound tunnel with its session. */
    record TunnelInfo(String name, String kind, String user, String session, String client, long since, int port,
                      boolean isPrivate, int openStreams, long bytesIn, long bytesOut, long requests) {
    }

    /** A connected client session. */
    record SessionInfo(String id, String user, String token, String client, long since, int openStreams, List<String> tunnels) {
    }

    private final Collection<Session> sessions;
    private final TunnelRegistry<Session> registry;
    private final TunnelTraffic traffic;
    private final RelaySessions ender;

    LiveView(Collection<Session> sessions, TunnelRegistry<Session> registry, TunnelTraffic traffic) {
        this.sessions = sessions;
        this.registry = registry;
        this.traffic = traffic;
        this.ender = new RelaySessions(sessions);
    }

    List<TunnelInfo> tunnels(Actor by) {
        List<TunnelInfo> out = new ArrayList<>();
        for (Tunnel<Session> t : registry.tunnels()) {
            Session s = t.owner();
            String user = t.user();
            if (!by.admin() && !by.name().equals(user)) {
                continue;
            }
            TunnelTraffic.Counters c = traffic.peek(t.name(), t);
            out.add(new TunnelInfo(t.name(), t.kind(), user, s == null ? null : s.id(), s == null ? null : address(s),
                    s == null ? 0 : s.connectedAtMs(), t.port(), t.isPrivate(), s == null ? 0 : s.openStreams(),
                    c.bytesIn(), c.bytesOut(), c.requests()));
        }
        out.sort(Comparator.comparing(TunnelInfo::name));
        return out;
    }

    /** Tunnel name to user of every tunnel bound now. */
    java.util.Map<String, String> owners() {
        java.util.Map<String, String> out = new java.util.HashMap<>();
        for (Tunnel<Session> t : registry.tunnels()) {
            if (t.user() != null) {
                out.put(t.name(), t.user());
            }
        }
        return out;
    }

    List<SessionInfo> sessions(Actor by) {
        List<Tunnel<Session>> all = registry.tunnels();
        List<SessionInfo> out = new ArrayList<>();
        for (Session s : sessions) {
            Principal p = s.principal();
            if (p == null || (!by.admin() && !by.name().equals(p.user()))) {
                continue;
            }
            List<String> names = all.stream().filter(t -> t.owner() == s).map(Tunnel::name).sorted().toList();
            out.add(new SessionInfo(s.id(), p.user(), p.tokenId(), address(s), s.connectedAtMs(), s.openStreams(), names));
        }
        out.sort(Comparator.comparingLong(SessionInfo::since));
        return out;
    }

    /**
     * Disconnects one session.
     *
     * @throws Actor.NotYours when there is no such session, or it is another user's and {@code by} is no admin
     */
    SessionInfo disconnect(Actor by, String id) {
        for (Session s : sessions) {
            Principal p = s.principal();
            if (s.id().equals(id) && p != null) {
                by.requireOwnerOrAdmin(p.user(), "session");
                SessionInfo info = sessions(new Actor(p.user(), by.role())).stream().filter(i -> i.id().equals(id)).findFirst()
                        .orElse(new SessionInfo(id, p.user(), p.tokenId(), address(s), s.connectedAtMs(), 0, List.of()));
                s.close(WebSocketCloseStatus.POLICY_VIOLATION.code(), "Disconnected from the relay's console by " + by.name() + ".");
                return info;
            }
        }
        throw new Actor.NotYours("No session of yours with the id " + id + " — it may have ended already.");
    }

    @Override
    public int endSessionsOfUser(String user, String reason) {
        return ender.endSessionsOfUser(user, reason);
    }

    @Override
    public int endSessionsOfToken(String tokenId, String reason) {
        return ender.endSessionsOfToken(tokenId, reason);
    }

    private static String address(Session s) {
        return s.remoteAddress() instanceof java.net.InetSocketAddress a && a.getAddress() != null
                ? a.getAddress().getHostAddress() + ":" + a.getPort() : String.valueOf(s.remoteAddress());
    }
}
