package dev.portway.relay.console;

import dev.portway.relay.admin.Actor;
import dev.portway.relay.admin.AdminServices;
import dev.portway.relay.admin.InviteService;
import dev.portway.relay.audit.AuditLog;
import dev.portway.relay.auth.LoginThrottle;
import dev.portway.relay.store.IdentityRecords;
import dev.portway.relay.store.Role;
import dev.portway.relay.store.Tier;
import dev.portway.relay.console.Router.Access;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The console's JSON API over users, passwords, invites, tokens, names, keys and the audit log: thin handlers
 * over {@link AdminServices} (the command line's services), which also check who may see what. Handlers block
 * (JDBC, bcrypt): {@link ConsoleHandler} runs them on the console's blocking pool.
 */
final class ConsoleApi {
    private final AdminServices services;
    private final ConsoleSessions sessions;
    private final LoginThrottle throttle;

    ConsoleApi(AdminServices services, ConsoleSessions sessions, LoginThrottle throttle) {
        this.services = services;
        this.sessions = sessions;
        this.throttle = throttle;
    }

    void addTo(Router r) {
        r.add("POST", "/api/session", Access.PUBLIC, this::signIn)
                .add("GET", "/api/session", Access.USER, this::whoAmI)
                .add("DELETE", "/api/session", Access.USER, this::signOut)
                .add("GET", "/api/invites/{secret}", Access.PUBLIC, this::peekInvite)
                .add("POST", "/api/invites/{secret}", Access.PUBLIC, this::useInvite)
                .add("GET", "/api/users", Access.USER, c -> ApiResult.ok(services.users().list(c.actor()).stream().map(ConsoleApi::user).toList()))
                .add("POST", "/api/users", Access.ADMIN, this::addUser)
                .add("GET", "/api/users/{name}", Access.USER, c -> ApiResult.ok(user(services.users().get(c.actor(), c.path("name")))))
                .add("PATCH", "/api/users/{name}", Access.ADMIN, this::changeUser)
                .add("DELETE", "/api/users/{name}", Access.ADMIN, this::deleteUser)
                .add("PUT", "/api/users/{name}/password", Access.USER, this::setPassword)
                .add("POST", "/api/users/{name}/invite", Access.ADMIN, this::invite)
                .add("GET", "/api/users/{name}/tokens", Access.USER,
                        c -> ApiResult.ok(services.tokens().list(c.actor(), c.path("name")).stream().map(ConsoleApi::token).toList()))
                .add("POST", "/api/users/{name}/tokens", Access.USER, this::createToken)
                .add("DELETE", "/api/tokens/{id}", Access.USER, this::revokeToken)
                .add("GET", "/api/names", Access.USER, this::names)
                .add("POST", "/api/names", Access.ADMIN, this::reserveName)
                .add("DELETE", "/api/names/{name}", Access.ADMIN,
                        c -> ApiResult.ok(Map.of("name", c.path("name"), "user", services.names().release(c.actor(), c.path("name")))))
                .add("GET", "/api/users/{name}/keys", Access.USER,
                        c -> ApiResult.ok(services.keys().list(c.actor(), c.path("name")).stream().map(ConsoleApi::key).toList()))
                .add("POST", "/api/users/{name}/keys", Access.USER,
                        c -> ApiResult.created(key(services.keys().add(c.actor(), c.path("name"), c.text("line")))))
                .add("DELETE", "/api/users/{name}/keys/{fingerprint}", Access.USER,
                        c -> ApiResult.ok(key(services.keys().remove(c.actor(), c.path("name"), c.path("fingerprint")))))
                .add("GET", "/api/audit", Access.USER, this::audit);
    }

    // ---- sign-in

    private ApiResult signIn(ApiCall c) {
        String name = c.text("user").strip().toLowerCase(java.util.Locale.ROOT);
        String password = c.text("password");
        String userKey = name.length() > 63 ? null : name;
        long wait = throttle.retryAfterMs(c.remote(), userKey);
        if (wait > 0) {
            services.audit().log().record(AuditLog.AUTH_FAILURE, userKey, "via", "console", "address", c.remote(), "reason", "throttled");
            return new ApiResult(429, Map.of("error", "Too many failed sign-ins for this user or from this address — wait "
                    + Math.max(1, (wait + 999) / 1000) + " s and try again.", "retryAfterSeconds", Math.max(1, (wait + 999) / 1000)), null);
        }
        if (!throttle.tryBeginCheck()) {
            return ApiResult.error(503, LoginThrottle.BUSY_MESSAGE);
        }
        Optional<IdentityRecords.User> u;
        try {
            u = services.users().verify(name, password);
        } finally {
            throttle.endCheck();
        }
        if (u.isEmpty()) {
            long lock = throttle.failed(c.remote(), userKey);
            services.audit().log().record(AuditLog.AUTH_FAILURE, userKey, "via", "console", "address", c.remote(),
                    "reason", "wrong user name or password", "lockout_ms", lock == 0 ? null : lock);
            return ApiResult.error(401, "Wrong user name or password (or the user is disabled, or has no console password yet).");
        }
        throttle.succeeded(u.get().name());
        ConsoleSessions.Session s = sessions.create(u.get().name());
        if (s == null) {
            return ApiResult.error(503, "Too many console sessions are open — try again later.");
        }
        services.audit().log().record(AuditLog.AUTH_SUCCESS, u.get().name(), "via", "console", "address", c.remote());
        return ApiResult.ok(sessionBody(u.get(), s)).withCookie(sessions.setCookie(s));
    }

    private ApiResult whoAmI(ApiCall c) {
        IdentityRecords.User u = services.users().get(c.actor(), c.actor().name());
        return ApiResult.ok(sessionBody(u, c.session()));
    }

    private ApiResult signOut(ApiCall c) {
        sessions.end(c.session());
        return ApiResult.ok(Map.of("signedOut", true)).withCookie(sessions.clearCookie());
    }

    private static Map<String, Object> sessionBody(IdentityRecords.User u, ConsoleSessions.Session s) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("user", u.name());
        m.put("role", u.role().wireName());
        m.put("tier", u.tier().wireName());
        m.put("csrfToken", s.csrf());
        return m;
    }

    // ---- invites

    private ApiResult peekInvite(ApiCall c) {
        return services.invites().peek(c.path("secret"))
                .map(i -> ApiResult.ok(Map.of("user", i.user(), "expiresAt", i.expiresAt())))
                .orElse(ApiResult.error(410, "This invite link was already used or has expired — ask an admin for a new one."));
    }

    private ApiResult useInvite(ApiCall c) {
        if (services.invites().peek(c.path("secret")).isEmpty()) {
            return ApiResult.error(410, "This invite link was already used or has expired — ask an admin for a new one.");
        }
        IdentityRecords.Invite i = services.invites().use(c.path("secret"), c.text("password"));
        sessions.endAllOf(i.user());
        return ApiResult.ok(Map.of("user", i.user(), "passwordSet", true));
    }

    private ApiResult invite(ApiCall c) {
        String hours = c.optText("validHours");
        Duration validity = hours == null ? InviteService.DEFAULT_VALIDITY : Duration.ofHours(parseInt(hours, "validHours"));
        if (Boolean.parseBoolean(c.optText("resetPassword"))) {
            services.users().clearPassword(c.actor(), c.path("name"));
            sessions.endAllOf(c.path("name"));
        }
        InviteService.NewInvite i = services.invites().create(c.actor(), c.path("name"), validity);
        return ApiResult.created(Map.of("user", i.invite().user(), "path", i.path(), "expiresAt", i.invite().expiresAt()));
    }

    // ---- users

    private ApiResult addUser(ApiCall c) {
        String tier = c.optText("tier");
        String role = c.optText("role");
        IdentityRecords.User u = services.users().add(c.actor(), c.text("name"), tier == null ? Tier.FREE : Tier.parse(tier),
                role == null ? Role.USER : Role.parse(role));
        return ApiResult.created(user(u));
    }

    private ApiResult changeUser(ApiCall c) {
        String name = c.path("name");
        if (c.body().has("tier")) {
            services.users().setTier(c.actor(), name, Tier.parse(c.text("tier")));
        }
        if (c.body().has("role")) {
            services.users().setRole(c.actor(), name, Role.parse(c.text("role")));
        }
        if (c.body().has("disabled")) {
            boolean disabled = c.body().get("disabled").asBoolean();
            services.users().setDisabled(c.actor(), name, disabled);
            if (disabled) {
                sessions.endAllOf(dev.portway.relay.store.IdentityStore.checkUserName(name));
            }
        }
        return ApiResult.ok(user(services.users().get(c.actor(), name)));
    }

    private ApiResult deleteUser(ApiCall c) {
        String name = c.path("name");
        String confirm = c.optText("confirm");
        if (!name.equals(confirm)) {
            return ApiResult.error(400, "To delete " + name + ", send {\"confirm\": \"" + name + "\"}: their tokens, names and keys go too.");
        }
        IdentityRecords.User u = services.users().delete(c.actor(), name);
        sessions.endAllOf(u.name());
        return ApiResult.ok(Map.of("deleted", u.name()));
    }

    private ApiResult setPassword(ApiCall c) {
        String name = c.path("name");
        if (!c.actor().admin()) {
            // A user changing their own password proves they know the current one.
            String current = c.optText("currentPassword");
            if (services.users().verify(c.actor().name(), current == null ? "" : current).isEmpty()) {
                return ApiResult.error(403, "The current password is wrong — nothing changed.");
            }
        }
        services.users().setPassword(c.actor(), name, c.text("password"));
        return ApiResult.ok(Map.of("user", name, "passwordSet", true));
    }

    // ---- tokens, names, keys, audit

    private ApiResult createToken(ApiCall c) {
        IdentityRecords.NewToken t = services.tokens().create(c.actor(), c.path("name"), c.optText("label"));
        Map<String, Object> m = token(t.token());
        m.put("secret", t.secret());
        return ApiResult.created(m);
    }

    private ApiResult revokeToken(ApiCall c) {
        var r = services.tokens().revoke(c.actor(), c.path("id"));
        Map<String, Object> m = token(r.token());
        m.put("sessionsEnded", r.sessionsEnded());
        return ApiResult.ok(m);
    }

    private ApiResult names(ApiCall c) {
        return ApiResult.ok(services.names().list(c.actor()).entrySet().stream()
                .map(e -> Map.of("name", e.getKey(), "user", e.getValue())).toList());
    }

    private ApiResult reserveName(ApiCall c) {
        String n = services.names().reserve(c.actor(), c.text("user"), c.text("name"));
        return ApiResult.created(Map.of("name", n, "user", dev.portway.relay.store.IdentityStore.checkUserName(c.text("user"))));
    }

    private ApiResult audit(ApiCall c) {
        int limit = c.queryInt("limit", 50);
        long before = c.queryInt("before", 0);
        List<IdentityRecords.AuditRow> rows = services.auditLog().page(c.actor(), before, c.query().get("user"), emptyToNull(c.query().get("event")), limit);
        List<Map<String, Object>> out = rows.stream().map(r -> {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("seq", r.seq());
            m.put("at", r.at());
            m.put("event", r.event());
            m.put("user", r.user());
            m.put("fields", parse(r.fieldsJson()));
            return m;
        }).toList();
        Map<String, Object> page = new LinkedHashMap<>();
        page.put("entries", out);
        page.put("next", rows.size() == limit ? rows.get(rows.size() - 1).seq() : null);
        return ApiResult.ok(page);
    }

    // ---- JSON shapes

    static Map<String, Object> user(IdentityRecords.User u) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("name", u.name());
        m.put("tier", u.tier().wireName());
        m.put("role", u.role().wireName());
        m.put("disabled", u.disabled());
        m.put("hasPassword", u.hasPassword());
        m.put("createdAt", u.createdAt());
        return m;
    }

    static Map<String, Object> token(IdentityRecords.ApiToken t) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("id", t.id());
        m.put("user", t.user());
        m.put("label", t.label());
        m.put("createdAt", t.createdAt());
        m.put("revokedAt", t.revoked() ? t.revokedAt() : null);
        return m;
    }

    static Map<String, Object> key(IdentityRecords.SshKey k) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("fingerprint", k.fingerprint());
        m.put("user", k.user());
        m.put("type", k.type());
        m.put("comment", k.comment());
        m.put("createdAt", k.createdAt());
        return m;
    }

    private static Object parse(String json) {
        try {
            return dev.portway.shared.protocol.Json.MAPPER.readTree(json);
        } catch (Exception e) {
            return json;
        }
    }

    private static String emptyToNull(String s) {
        return s == null || s.isBlank() ? null : s;
    }

    private static int parseInt(String s, String field) {
        try {
            return Integer.parseInt(s.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(field + " must be a whole number, not \"" + s + "\".");
        }
    }
}
