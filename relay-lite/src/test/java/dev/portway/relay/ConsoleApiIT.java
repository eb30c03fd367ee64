package dev.portway.relay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portway.relay.auth.LoginThrottle;
import dev.portway.relay.auth.Passwords;
import dev.portway.relay.console.ConsoleServer;
import dev.portway.relay.console.ConsoleSettings;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Role;
import dev.portway.relay.store.Tier;
import dev.portway.shared.protocol.ControlMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The web console's JSON API on a real relay (H2 file in a temp dir, console on a loopback port, real OkHttp):
 * every endpoint for both roles, and the refusals — no session, wrong role, another user's objects, missing or
 * wrong CSRF token, a replayed invite, brute force throttled.
 */
class ConsoleApiIT {
    static final String ADMIN_PW = "admin password 1";
    static final String BOB_PW = "bob password 12";
    static final String ALICE_PW = "alice password 1";
    /** Fast hashes for the passwords the test sets up; the console's own hashes use the default cost. */
    static final Passwords FAST = new Passwords(4);

    @TempDir
    Path tmp;
    Relay relay;
    IdentityStore ids;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("local-secret").tcpPortFrom(0).tcpPortTo(0)
                .grace(Duration.ofSeconds(2)).dataDir(tmp)
                .identity(IdentityConfig.DEFAULTS.withThrottle(new LoginThrottle.Policy(3, Duration.ofMinutes(1), Duration.ofSeconds(30),
                        Duration.ofMinutes(1), 16)))
                .console(new ConsoleSettings(0, "127.0.0.1")).build());
        ids = relay.store().identity();
        ids.addUser("root", Tier.ENTERPRISE, Role.ADMIN);
        ids.setPasswordHash("root", FAST.hash(ADMIN_PW));
        ids.addUser("alice", Tier.FREE);
        ids.setPasswordHash("alice", FAST.hash(ALICE_PW));
        ids.addUser("bob", Tier.PREMIUM);
        ids.setPasswordHash("bob", FAST.hash(BOB_PW));
    }

    @AfterEach
    void stop() {
        relay.shutdown(Duration.ofMillis(200));
    }

    ConsoleClient signedIn(String user, String password) {
        ConsoleClient c = new ConsoleClient(relay.consolePort());
        assertThat(c.signIn(user, password).status()).isEqualTo(200);
        return c;
    }

    @Test
    void consoleIsOffUnlessConfiguredAndNeverOnTheVisitorsPort() throws Exception {
        assertThat(relay.consolePort()).isPositive().isNotEqualTo(relay.port());
        ConsoleClient visitorsPort = new ConsoleClient(relay.port());
        assertThat(visitorsPort.signIn("root", ADMIN_PW).status()).isNotEqualTo(200);
        try (Relay plain = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("t").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(tmp.resolve("plain")).build())) {
            assertThat(plain.consolePort()).isEqualTo(-1);
        }
    }

    @Test
    void signInSetsAStrictHttpOnlyCookieAndSignOutEndsTheSession() {
        ConsoleClient c = new ConsoleClient(relay.consolePort());
        ConsoleClient.Answer a = c.signIn("root", ADMIN_PW);
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body().get("role").asText()).isEqualTo("admin");
        assertThat(a.setCookies().get(0)).contains("HttpOnly", "SameSite=Strict", "Path=/").doesNotContain("Secure");
        assertThat(a.headers().get("Content-Security-Policy")).contains("default-src 'none'", "script-src 'self'").doesNotContain("unsafe-inline");
        assertThat(c.get("/api/session").body().get("user").asText()).isEqualTo("root");
        assertThat(c.delete("/api/session").status()).isEqualTo(200);
        assertThat(c.get("/api/session").status()).isEqualTo(401);
    }

    @Test
    void wrongPasswordIsRefusedAndAudited() {
        ConsoleClient c = new ConsoleClient(relay.consolePort());
        assertThat(c.signIn("alice", "not her password").status()).isEqualTo(401);
        assertThat(c.signIn("nobody", "whatever it is").status()).isEqualTo(401);
        await().atMost(Duration.ofSeconds(5)).until(() -> ids.audit(0, "alice", 100).stream()
                .anyMatch(r -> r.event().equals("auth_failure") && r.fieldsJson().contains("console")));
    }

    @Test
    void everyRouteButSignInAndInvitesNeedsASession() {
        ConsoleClient anonymous = new ConsoleClient(relay.consolePort());
        List<String> checked = new ArrayList<>();
        for (String route : ConsoleServer.routeAccess()) {
            String[] p = route.split(" ");
            if (p[2].equals("PUBLIC")) {
                continue;
            }
            String path = p[1].replaceAll("\\{[a-zA-Z]+}", "x");
            ConsoleClient.Answer a = anonymous.send(p[0], path, p[0].equals("GET") ? null : "{}", "forged");
            assertThat(a.status()).as(route).isEqualTo(401);
            checked.add(route);
        }
        assertThat(checked).hasSizeGreaterThan(20);
    }

    @Test
    void aUserGetsForbiddenOnEveryAdminRoute() {
        ConsoleClient bob = signedIn("bob", BOB_PW);
        int n = 0;
        for (String route : ConsoleServer.routeAccess()) {
            String[] p = route.split(" ");
            if (!p[2].equals("ADMIN")) {
                continue;
            }
            String path = p[1].replace("{name}", "alice").replaceAll("\\{[a-zA-Z]+}", "x");
            ConsoleClient.Answer a = bob.send(p[0], path, p[0].equals("GET") ? null : "{\"name\":\"zed\",\"user\":\"bob\",\"tier\":\"enterprise\","
                    + "\"role\":\"admin\",\"confirm\":\"alice\"}", bob.csrf);
            assertThat(a.status()).as(route).isEqualTo(403);
            n++;
        }
        assertThat(n).isGreaterThan(8);
        assertThat(ids.user("alice")).get().extracting(u -> u.tier()).isEqualTo(Tier.FREE);
        assertThat(ids.user("bob")).get().extracting(u -> u.role()).isEqualTo(Role.USER);
        assertThat(ids.user("zed")).isEmpty();
    }

    @Test
    void changesWithoutTheRightCsrfTokenAreRefusedAndChangeNothing() {
        ConsoleClient root = signedIn("root", ADMIN_PW);
        ConsoleClient.Answer missing = root.send("POST", "/api/users", "{\"name\":\"carol\"}", (String) null);
        ConsoleClient.Answer wrong = root.send("POST", "/api/users", "{\"name\":\"carol\"}", "not-the-token");
        ConsoleClient.Answer otherSessions = root.send("POST", "/api/users", "{\"name\":\"carol\"}", signedIn("bob", BOB_PW).csrf);
        assertThat(List.of(missing.status(), wrong.status(), otherSessions.status())).containsOnly(403);
        assertThat(missing.error()).contains("CSRF");
        assertThat(ids.user("carol")).isEmpty();
        ConsoleClient.Answer crossSite = root.send("POST", "/api/users", "{\"name\":\"carol\"}", root.csrf);
        assertThat(crossSite.status()).isEqualTo(201); // the control: with its token the same request works
    }

    @Test
    void aFormPostFromAnotherSiteIsRefused() throws Exception {
        ConsoleClient root = signedIn("root", ADMIN_PW);
        okhttp3.Request r = new okhttp3.Request.Builder().url(root.base + "/api/users")
                .post(okhttp3.RequestBody.create("name=carol", okhttp3.MediaType.get("application/x-www-form-urlencoded")))
                .header("Cookie", root.cookie).header("X-CSRF-Token", root.csrf).build();
        try (okhttp3.Response res = new okhttp3.OkHttpClient().newCall(r).execute()) {
            assertThat(res.code()).isEqualTo(415);
        }
        okhttp3.Request fromElsewhere = new okhttp3.Request.Builder().url(root.base + "/api/users")
                .post(okhttp3.RequestBody.create("{\"name\":\"carol\"}", okhttp3.MediaType.get("application/json")))
                .header("Cookie", root.cookie).header("X-CSRF-Token", root.csrf).header("Origin", "https://evil.example").build();
        try (okhttp3.Response res = new okhttp3.OkHttpClient().newCall(fromElsewhere).execute()) {
            assertThat(res.code()).isEqualTo(403);
        }
        assertThat(ids.user("carol")).isEmpty();
    }

    @Test
    void bruteForceIsThrottledPerUserEvenWithTheRightPasswordAndAudited() {
        ConsoleClient c = new ConsoleClient(relay.consolePort());
        for (int i = 0; i < 3; i++) {
            assertThat(c.signIn("alice", "guess number " + i).status()).isEqualTo(401);
        }
        ConsoleClient.Answer locked = c.signIn("alice", ALICE_PW);
        assertThat(locked.status()).isEqualTo(429);
        assertThat(locked.headers().get("Retry-After")).isNotNull();
        assertThat(locked.error()).contains("Too many failed sign-ins");
        await().atMost(Duration.ofSeconds(5)).until(() -> ids.audit(0, "alice", 100).stream()
                .anyMatch(r -> r.event().equals("auth_failure") && r.fieldsJson().contains("throttled")));
    }

    @Test
    void anInviteSetsThePasswordOnceAndIsRefusedWhenReplayed() {
        ConsoleClient root = signedIn("root", ADMIN_PW);
        assertThat(root.post("/api/users", "{\"name\":\"carol\",\"tier\":\"premium\"}").status()).isEqualTo(201);
        ConsoleClient.Answer inv = root.post("/api/users/carol/invite", "{\"validHours\":2}");
        assertThat(inv.status()).isEqualTo(201);
        String secret = inv.body().get("path").asText().substring("/invite/".length());
        ConsoleClient carol = new ConsoleClient(relay.consolePort());
        assertThat(carol.signIn("carol", "carol's password").status()).isEqualTo(401);
        assertThat(carol.get("/api/invites/" + secret).body().get("user").asText()).isEqualTo("carol");
        assertThat(carol.post("/api/invites/" + secret, "{\"password\":\"short\"}").status()).isEqualTo(400); // stays open
        assertThat(carol.post("/api/invites/" + secret, "{\"password\":\"carol's password\"}").status()).isEqualTo(200);
        ConsoleClient.Answer replay = carol.post("/api/invites/" + secret, "{\"password\":\"an attacker's password\"}");
        assertThat(replay.status()).isEqualTo(410);
        assertThat(carol.get("/api/invites/" + secret).status()).isEqualTo(410);
        assertThat(carol.signIn("carol", "an attacker's password").status()).isEqualTo(401);
        assertThat(carol.signIn("carol", "carol's password").status()).isEqualTo(200);
        assertThat(carol.get("/api/invites/made-up").status()).isEqualTo(410);
    }

    @Test
    void anAdminRunsUsersTokensNamesKeysAndSeesAuditConfigNodesAndOverview() throws Exception {
        ConsoleClient root = signedIn("root", ADMIN_PW);
        assertThat(root.post("/api/users", "{\"name\":\"dave\",\"tier\":\"free\"}").status()).isEqualTo(201);
        assertThat(root.post("/api/users", "{\"name\":\"dave\"}").error()).contains("already exists");
        assertThat(root.patch("/api/users/dave", "{\"tier\":\"premium\",\"role\":\"admin\"}").body().get("tier").asText()).isEqualTo("premium");
        assertThat(ids.user("dave").get().role()).isEqualTo(Role.ADMIN);
        assertThat(root.patch("/api/users/dave", "{\"disabled\":true}").body().get("disabled").asBoolean()).isTrue();
        assertThat(root.patch("/api/users/dave", "{\"disabled\":false}").body().get("disabled").asBoolean()).isFalse();
        assertThat(root.patch("/api/users/root", "{\"disabled\":true}").status()).isEqualTo(400); // not yourself
        assertThat(root.get("/api/users").body()).extracting(n -> n.get("name").asText()).contains("root", "alice", "bob", "dave");
        assertThat(root.get("/api/users/dave").body().get("role").asText()).isEqualTo("admin");

        ConsoleClient.Answer t = root.post("/api/users/alice/tokens", "{\"label\":\"laptop\"}");
        assertThat(t.status()).isEqualTo(201);
        assertThat(t.body().get("secret").asText()).startsWith("pw_");
        String tokenId = t.body().get("id").asText();
        assertThat(ids.tokenBySecret(t.body().get("secret").asText())).isPresent(); // the same store as the command line
        JsonNode list = root.get("/api/users/alice/tokens").body();
        assertThat(list.toString()).contains(tokenId).doesNotContain(t.body().get("secret").asText());
        assertThat(root.delete("/api/tokens/" + tokenId).body().get("revokedAt").isNull()).isFalse();

        assertThat(root.post("/api/names", "{\"user\":\"alice\",\"name\":\"Shop\"}").body().get("name").asText()).isEqualTo("shop");
        assertThat(root.get("/api/names").body().toString()).contains("shop");
        assertThat(root.delete("/api/names/shop").body().get("user").asText()).isEqualTo("alice");

        String key = sshKeyLine();
        ConsoleClient.Answer k = root.post("/api/users/alice/keys", "{\"line\":" + ConsoleClient.q(key) + "}");
        assertThat(k.status()).isEqualTo(201);
        String fp = k.body().get("fingerprint").asText();
        assertThat(root.get("/api/users/alice/keys").body().toString()).contains(fp);
        assertThat(root.delete("/api/users/alice/keys/" + java.net.URLEncoder.encode(fp, java.nio.charset.StandardCharsets.UTF_8)).status()).isEqualTo(200);
        assertThat(root.post("/api/users/alice/keys", "{\"line\":\"not a key\"}").error()).contains("not an SSH public key");

        assertThat(root.delete("/api/users/dave", "{}").status()).isEqualTo(400); // needs the confirmation
        assertThat(root.delete("/api/users/dave", "{\"confirm\":\"dave\"}").status()).isEqualTo(200);
        assertThat(ids.user("dave")).isEmpty();

        await().atMost(Duration.ofSeconds(5)).until(() -> root.get("/api/audit?event=admin&limit=100").body().get("entries").size() >= 10);
        JsonNode audit = root.get("/api/audit?user=alice&event=admin&limit=2").body();
        assertThat(audit.get("entries")).hasSize(2);
        assertThat(audit.get("entries").get(0).get("fields").get("via").asText()).isEqualTo("console");
        long next = audit.get("next").asLong();
        JsonNode older = root.get("/api/audit?user=alice&event=admin&limit=2&before=" + next).body();
        assertThat(older.get("entries").get(0).get("seq").asLong()).isLessThan(next);

        JsonNode config = root.get("/api/config").body();
        assertThat(config.get("token").asText()).isEqualTo("********");
        assertThat(config.toString()).doesNotContain("local-secret");
        assertThat(root.get("/api/nodes").body().get(0).get("health").asText()).isEqualTo("ok");
        await().atMost(Duration.ofSeconds(5)).until(() -> root.get("/api/overview").body().get("samples").size() >= 2);
        assertThat(root.get("/api/overview").body().get("samples").get(0).has("requestsPerSecond")).isTrue();
        assertThat(root.get("/api/queues").status()).isEqualTo(200);
        assertThat(root.get("/api/me").body().get("role").asText()).isEqualTo("admin");
        assertThat(root.get("/api/nothing-here").status()).isEqualTo(404);
        assertThat(root.send("PUT", "/api/users", "{}", root.csrf).status()).isEqualTo(405);
    }

    @Test
    void aUserSeesAndReachesOnlyTheirOwn() throws Exception {
        String aliceToken = ids.createToken("alice", "alice's").token().id();
        String aliceSecret = ids.createToken("alice", "live").secret();
        ids.reserveName("alice", "alice-app");
        String aliceKey = ids.addSshKey("alice", sshKeyLine()).fingerprint();
        ids.reserveName("bob", "bob-app");
        try (ProtocolTestClient aliceClient = ProtocolTestClient.connect(relay, aliceSecret, null)) {
            aliceClient.control(ControlMessage.Welcome.class);
            aliceClient.bind("b1", "http", "alice-app", java.util.Map.of());
            ConsoleClient bob = signedIn("bob", BOB_PW);
            String fpPath = java.net.URLEncoder.encode(aliceKey, java.nio.charset.StandardCharsets.UTF_8);
            record Probe(String method, String path, String body) {
            }
            List<Probe> probes = List.of(
                    new Probe("GET", "/api/users/alice", null),
                    new Probe("GET", "/api/users/alice/tokens", null),
                    new Probe("POST", "/api/users/alice/tokens", "{\"label\":\"mine now\"}"),
                    new Probe("DELETE", "/api/tokens/" + aliceToken, null),
                    new Probe("DELETE", "/api/tokens/unknown-id", null),
                    new Probe("GET", "/api/users/alice/keys", null),
                    new Probe("POST", "/api/users/alice/keys", "{\"line\":" + ConsoleClient.q(sshKeyLine()) + "}"),
                    new Probe("DELETE", "/api/users/alice/keys/" + fpPath, null),
                    new Probe("PUT", "/api/users/alice/password", "{\"password\":\"bob owns alice now\",\"currentPassword\":\"" + BOB_PW + "\"}"),
                    new Probe("GET", "/api/audit?user=alice", null),
                    new Probe("DELETE", "/api/sessions/" + relaySessionOf("alice"), null));
            for (Probe p : probes) {
                assertThat(bob.send(p.method(), p.path(), p.body(), bob.csrf).status()).as(p.method() + " " + p.path()).isEqualTo(404);
            }
            assertThat(ids.token(aliceToken).get().revoked()).isFalse();
            assertThat(ids.tokens("alice")).hasSize(2);
            assertThat(ids.sshKeys("alice")).hasSize(1);
            assertThat(relay.sessionCount()).isEqualTo(1);

            assertThat(bob.get("/api/users").body()).hasSize(1);
            assertThat(bob.get("/api/users").body().get(0).get("name").asText()).isEqualTo("bob");
            assertThat(bob.get("/api/tunnels").body()).isEmpty();
            assertThat(bob.get("/api/sessions").body()).isEmpty();
            assertThat(bob.get("/api/names").body().toString()).contains("bob-app").doesNotContain("alice-app");
            await().atMost(Duration.ofSeconds(5)).until(() -> bob.get("/api/audit?limit=100").body().get("entries").size() > 0);
            for (JsonNode e : bob.get("/api/audit?limit=100").body().get("entries")) {
                assertThat(e.get("user").asText()).isEqualTo("bob");
            }
            assertThat(bob.get("/api/me").body().get("tier").asText()).isEqualTo("premium");

            ConsoleClient alice = signedIn("alice", ALICE_PW);
            JsonNode tunnels = alice.get("/api/tunnels").body();
            assertThat(tunnels).hasSize(1);
            assertThat(tunnels.get(0).get("name").asText()).isEqualTo("alice-app");
            assertThat(alice.get("/api/me").body().get("tunnels").asInt()).isEqualTo(1);
            // Their own: a token made and revoked, a password changed (knowing the current one).
            String own = alice.post("/api/users/alice/tokens", "{\"label\":\"phone\"}").body().get("id").asText();
            assertThat(alice.delete("/api/tokens/" + own).status()).isEqualTo(200);
            assertThat(alice.put("/api/users/alice/password", "{\"password\":\"a new password\",\"currentPassword\":\"wrong\"}").status()).isEqualTo(403);
            assertThat(alice.put("/api/users/alice/password", "{\"password\":\"a new password\",\"currentPassword\":\"" + ALICE_PW + "\"}").status())
                    .isEqualTo(200);
        }
    }

    @Test
    void revokingATokenInTheConsoleEndsItsSessionAtOnceAndTheAuditShowsIt() {
        var t = ids.createToken("alice", "engine");
        try (ProtocolTestClient engine = ProtocolTestClient.connect(relay, t.secret(), null)) {
            engine.control(ControlMessage.Welcome.class);
            engine.bind("b1", "http", "alice-live", java.util.Map.of());
            ConsoleClient root = signedIn("root", ADMIN_PW);
            await().atMost(Duration.ofSeconds(2)).until(() -> root.get("/api/tunnels").body().toString().contains("alice-live"));
            // camelCase, as the OpenAPI file says (not the protocol's snake_case)
            assertThat(root.get("/api/tunnels").body().get(0).has("openStreams")).isTrue();
            JsonNode s = root.get("/api/sessions").body().get(0);
            assertThat(s.has("openStreams")).isTrue();
            assertThat(s.get("token").asText()).isEqualTo(t.token().id());
            assertThat(root.delete("/api/tokens/" + t.token().id()).body().get("sessionsEnded").asInt()).isEqualTo(1);
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.closeCode.get() != -1);
            await().atMost(Duration.ofSeconds(5)).until(() -> root.get("/api/tunnels").body().isEmpty());
            await().atMost(Duration.ofSeconds(5)).until(() -> root.get("/api/audit?user=alice&limit=50").body().toString().contains("token_revoke"));
        }
    }

    @Test
    void anAdminDisconnectsASession() {
        String secret = ids.createToken("bob", "engine").secret();
        try (ProtocolTestClient engine = ProtocolTestClient.connect(relay, secret, null)) {
            engine.control(ControlMessage.Welcome.class);
            ConsoleClient root = signedIn("root", ADMIN_PW);
            String id = relaySessionOf("bob");
            assertThat(root.delete("/api/sessions/" + id).status()).isEqualTo(200);
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.closeCode.get() != -1);
            assertThat(root.delete("/api/sessions/" + id).status()).isEqualTo(404);
        }
    }

    @Test
    void disablingAUserEndsTheirConsoleSession() {
        ConsoleClient bob = signedIn("bob", BOB_PW);
        ConsoleClient root = signedIn("root", ADMIN_PW);
        assertThat(root.patch("/api/users/bob", "{\"disabled\":true}").status()).isEqualTo(200);
        assertThat(bob.get("/api/me").status()).isEqualTo(401);
        assertThat(new ConsoleClient(relay.consolePort()).signIn("bob", BOB_PW).status()).isEqualTo(401);
    }

    @Test
    void pagesAndStaticFilesAreServedFromTheJarWithAStrictPolicy() throws Exception {
        okhttp3.OkHttpClient http = new okhttp3.OkHttpClient();
        for (String path : List.of("/login", "/overview", "/users", "/tokens", "/names", "/keys", "/tunnels", "/queues", "/audit",
                "/config", "/nodes", "/me", "/invite/abc", "/static/app.js", "/static/console.css", "/static/uplot/uPlot.esm.js")) {
            try (okhttp3.Response r = http.newCall(new okhttp3.Request.Builder().url("http://127.0.0.1:" + relay.consolePort() + path).build()).execute()) {
                assertThat(r.code()).as(path).isEqualTo(200);
                assertThat(r.header("Content-Security-Policy")).as(path).contains("script-src 'self'");
                String body = r.body().string();
                if (r.header("Content-Type").startsWith("text/html")) {
                    assertThat(body).as(path).doesNotContainPattern("<script(?![^>]*src=)").doesNotContain("style=\"").doesNotContain("onclick");
                }
            }
        }
    }

    private String relaySessionOf(String user) {
        await().atMost(Duration.ofSeconds(5)).until(() -> signedIn("root", ADMIN_PW).get("/api/sessions").body().toString().contains(user));
        for (JsonNode s : signedIn("root", ADMIN_PW).get("/api/sessions").body()) {
            if (s.get("user").asText().equals(user)) {
                return s.get("id").asText();
            }
        }
        throw new AssertionError("no session of " + user);
    }

    private String sshKeyLine() throws Exception {
        Path key = tmp.resolve("k" + System.nanoTime());
        Process p = new ProcessBuilder("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "test@host", "-f", key.toString())
                .redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        assertThat(p.waitFor()).isZero();
        return java.nio.file.Files.readString(Path.of(key + ".pub")).strip();
    }
}
