package dev.portway.relay.console;

import dev.portway.relay.RelayConfig;
import dev.portway.relay.admin.Actor;
import dev.portway.relay.admin.AdminServices;
import dev.portway.relay.admin.QueueService;
import dev.portway.relay.console.Router.Access;
import dev.portway.relay.store.IdentityRecords;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The console's JSON API over the running relay: the overview's metrics, this node, live tunnels and
 * sessions (disconnect), queues (purge), a user's limits and usage, and the effective configuration with its
 * secrets masked. Queue totals read the store (blocking): run on the console's blocking pool.
 */
final class LiveApi {
    static final String MASK = "********";
    private final ConsoleContext ctx;
    private final AdminServices services;
    private final LiveView live;
    private final MetricsSampler sampler;
    private final QueueService queues;
    private final long startedAt = System.currentTimeMillis();

    LiveApi(ConsoleContext ctx, AdminServices services, LiveView live, MetricsSampler sampler, QueueService queues) {
        this.ctx = ctx;
        this.queues = queues;
        this.services = services;
        this.live = live;
        this.sampler = sampler;
    }

    void addTo(Router r) {
        r.add("GET", "/api/overview", Access.ADMIN, c -> ApiResult.ok(Map.of("samples", sampler.samples(),
                        "periodMs", MetricsSampler.PERIOD_MS)))
                .add("GET", "/api/nodes", Access.ADMIN, c -> ApiResult.ok(nodes()))
                .add("GET", "/api/tunnels", Access.USER, c -> ApiResult.ok(live.tunnels(c.actor())))
                .add("GET", "/api/sessions", Access.USER, c -> ApiResult.ok(live.sessions(c.actor())))
                .add("DELETE", "/api/sessions/{id}", Access.USER, this::disconnect)
                .add("GET", "/api/queues", Access.USER, c -> ApiResult.ok(queues.list(c.actor())))
                .add("DELETE", "/api/queues/{tunnel}", Access.USER, this::purge)
                .add("GET", "/api/me", Access.USER, this::me)
                .add("GET", "/api/config", Access.ADMIN, c -> ApiResult.ok(config(ctx.config())));
    }

    private ApiResult disconnect(ApiCall c) {
        LiveView.SessionInfo s = live.disconnect(c.actor(), c.path("id"));
        services.audit().record(c.actor(), s.user(), "action", "session_disconnect", "session", s.id());
        return ApiResult.ok(s);
    }

    /**
     * Every node of the cluster from its table in PostgreSQL (health from the lease; this relay's own version),
     * or this relay alone. Blocking (the cluster's database).
     */
    private List<Map<String, Object>> nodes() throws java.sql.SQLException {
        var cluster = ctx.cluster().get();
        if (cluster == null) {
            return List.of(node());
        }
        long now = System.currentTimeMillis();
        return cluster.nodes().stream().map(n -> {
            Map<String, Object> m = new LinkedHashMap<>();
            boolean self = cluster.nodeId().equals(n.get("id"));
            long until = (Long) n.get("leaseUntil");
            m.put("id", n.get("id"));
            m.put("self", self);
            m.put("address", n.get("address"));
            m.put("version", self ? ctx.version() : null);
            m.put("health", Boolean.TRUE.equals(n.get("alive")) ? "ok" : "lease expired " + Math.max(0, (now - until) / 1000) + " s ago");
            m.put("lease", until);
            m.put("startedAt", n.get("startedAt"));
            m.put("clients", n.get("clients"));
            m.put("tunnels", n.get("tunnels"));
            return m;
        }).toList();
    }

    /** This relay alone (no cluster). */
    private Map<String, Object> node() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", "local");
        m.put("self", true);
        m.put("address", null);
        m.put("version", ctx.version());
        m.put("health", "ok");
        m.put("lease", null);
        m.put("startedAt", startedAt);
        m.put("clients", ctx.sessions().size());
        m.put("tunnels", ctx.registry().tunnelCount());
        return m;
    }

    /** Purges a queue; the body must repeat the tunnel's name ({@code {"confirm": NAME}}), as the page's confirmation does. */
    private ApiResult purge(ApiCall c) {
        String tunnel = c.path("tunnel");
        if (!tunnel.equals(c.optText("confirm"))) {
            return ApiResult.error(400, "To purge the queue of " + tunnel + ", send {\"confirm\": \"" + tunnel
                    + "\"}: its stored requests are deleted, never delivered.");
        }
        return ApiResult.ok(queues.purge(c.actor(), tunnel));
    }

    private ApiResult me(ApiCall c) {
        IdentityRecords.User u = services.users().get(c.actor(), c.actor().name());
        var idc = ctx.config().identity();
        var limits = ctx.accounts().limits();
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", u.name());
        m.put("role", u.role().wireName());
        m.put("tier", u.tier().wireName());
        m.put("requestsPerMinute", idc.perMinute(u.tier()));
        m.put("maxTunnels", idc.maxTunnelsPerUser());
        m.put("maxConnections", idc.maxConnectionsPerUser());
        m.put("tunnels", limits.tunnels(u.name()));
        m.put("connections", limits.connections(u.name()));
        return ApiResult.ok(m);
    }

    /** The effective configuration; the token and database password never leave the relay. */
    static Map<String, Object> config(RelayConfig c) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("bindHost", c.bindHost());
        m.put("port", c.port());
        m.put("domain", c.domain());
        m.put("token", MASK);
        m.put("tcpPorts", c.anyTcpPort() ? "any" : c.tcpPortFrom() + "-" + c.tcpPortTo());
        m.put("grace", c.grace().toString());
        m.put("pingInterval", c.pingInterval().toString());
        m.put("deadAfter", c.deadAfter().toString());
        m.put("helloTimeout", c.helloTimeout().toString());
        m.put("streamWindow", c.streamWindow());
        m.put("sessionWindow", c.sessionWindow());
        m.put("maxStreamsPerSession", c.maxStreamsPerSession());
        m.put("maxTunnelsPerSession", c.maxTunnelsPerSession());
        m.put("publicScheme", c.publicScheme());
        m.put("dataDir", String.valueOf(c.dataDir()));
        m.put("holdTime", c.holdTime().toString());
        m.put("holdCount", c.holdCount());
        m.put("queueMaxCount", c.queueMaxCount());
        m.put("queueMaxBytes", c.queueMaxBytes());
        var v = c.visitorLimits();
        m.put("visitorRatePerMinute", v.ratePerMinute());
        m.put("maxBodyBytes", v.maxBodyBytes());
        m.put("tls", c.tls().enabled());
        var id = c.identity();
        m.put("db", id.dbUrl() == null ? "h2 (data directory)" : maskUrl(id.dbUrl()));
        m.put("dbUser", id.dbUser());
        m.put("dbPassword", id.dbPassword() == null ? null : MASK);
        m.put("jwtLifetime", id.jwtLifetime().toString());
        m.put("ratePerMinute", Map.of("free", id.freePerMinute(), "premium", id.premiumPerMinute(), "enterprise", id.enterprisePerMinute()));
        m.put("maxTunnelsPerUser", id.maxTunnelsPerUser());
        m.put("maxConnectionsPerUser", id.maxConnectionsPerUser());
        m.put("consolePort", c.console().port());
        m.put("consoleBind", c.console().bindHost());
        return m;
    }

    /** A JDBC URL without a password= parameter's value. */
    static String maskUrl(String url) {
        return url.replaceAll("(?i)(password=)[^&;]*", "$1" + MASK);
    }
}
