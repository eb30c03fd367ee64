package dev.portway.relay;

import dev.portway.relay.audit.AuditLog;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Tier;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Users, API tokens, JWTs, isolation between users and per-user limits, on a real relay. */
class IdentityIT {
    static final String LOCAL = "relay-secret";
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();
    @TempDir
    Path tmp;
    Relay relay;
    IdentityStore ids;

    Relay start(IdentityConfig identity) throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(LOCAL).tcpPortFrom(0).tcpPortTo(0)
                .grace(Duration.ofSeconds(5)).dataDir(tmp).identity(identity).build());
        ids = relay.store().identity();
        return relay;
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
    }

    String token(String user, Tier tier) {
        if (ids.user(user).isEmpty()) {
            ids.addUser(user, tier);
        }
        return ids.createToken(user, "test").secret();
    }

    ProtocolTestClient welcomed(String token) {
        ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null);
        c.control(ControlMessage.Welcome.class);
        return c;
    }

    ControlMessage.Refused refusedAfterClose(ProtocolTestClient c) {
        ControlMessage.Refused r = c.control(ControlMessage.Refused.class);
        await().atMost(Duration.ofSeconds(5)).until(() -> c.closeCode.get() != -1);
        return r;
    }

    static String header(String jwt) {
        return new String(Base64.getUrlDecoder().decode(jwt.substring(0, jwt.indexOf('.'))), StandardCharsets.UTF_8);
    }

    CompletableFuture<Response> visit(String tunnel) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/" + tunnel + "/").build())
                        .execute();
                r.peekBody(Long.MAX_VALUE);
                return r;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    /** Visits a tunnel whose client is {@code c} and answers the request from the client. */
    int visitAnswered(ProtocolTestClient c, String tunnel) throws Exception {
        CompletableFuture<Response> v = visit(tunnel);
        Frame f = c.next();
        assertThat(f.type()).isEqualTo(FrameType.OPEN);
        assertThat(Json.read(f.payload(), OpenMessage.class).tunnel()).isEqualTo(tunnel);
        c.expect(FrameType.FIN);
        c.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of())));
        c.send(Frame.fin(f.streamId()));
        return v.get(10, TimeUnit.SECONDS).code();
    }

    // ---- tokens and JWTs

    @Test
    void anApiTokenIsExchangedForAJwtThatAlsoOpensTheNextSession() throws Exception {
        start(IdentityConfig.DEFAULTS);
        String token = token("alice", Tier.FREE);
        String jwt;
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
            ControlMessage.Welcome w = c.control(ControlMessage.Welcome.class);
            assertThat(w.user()).isEqualTo("alice");
            assertThat(w.jwtTtlMs()).isEqualTo(Duration.ofMinutes(15).toMillis());
            jwt = w.jwt();
            assertThat(header(jwt)).contains("\"kid\"").contains("HS256");
        }
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, jwt, null)) {
            assertThat(c.control(ControlMessage.Welcome.class).user()).isEqualTo("alice");
        }
        assertThat(ids.audit(0, "alice", 100)).extracting(r -> r.event()).contains(AuditLog.AUTH_SUCCESS, AuditLog.CONNECT,
                AuditLog.DISCONNECT);
    }

    @Test
    void badTokensAndForgedJwtsAreRefusedWithAReason() throws Exception {
        start(IdentityConfig.DEFAULTS);
        String token = token("alice", Tier.FREE);
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token + "x", null)) {
            ControlMessage.Refused r = refusedAfterClose(c);
            assertThat(r.code()).isEqualTo("bad_token");
            assertThat(r.message()).contains("Invalid token");
        }
        String jwt;
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
            jwt = c.control(ControlMessage.Welcome.class).jwt();
        }
        // Same header and claims, another signature: not ours.
        String forged = jwt.substring(0, jwt.lastIndexOf('.') + 1) + Base64.getUrlEncoder().withoutPadding()
                .encodeToString(new byte[32]);
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, forged, null)) {
            assertThat(refusedAfterClose(c).code()).isEqualTo("bad_token");
        }
        assertThat(ids.audit(0, null, 100)).filteredOn(r -> r.event().equals(AuditLog.AUTH_FAILURE)).hasSize(2);
    }

    @Test
    void refreshRenewsTheJwtOverTheOpenSessionAndAnUnrefreshedSessionEndsAtExpiry() throws Exception {
        start(IdentityConfig.DEFAULTS.withJwtLifetime(Duration.ofSeconds(2)));
        String token = token("alice", Tier.FREE);
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
            ControlMessage.Welcome w = c.control(ControlMessage.Welcome.class);
            long start = System.nanoTime();
            for (int i = 0; i < 3; i++) { // 3 s of refreshes every second: longer than one lifetime
                Thread.sleep(1000);
                c.send(Frame.control(new ControlMessage.Refresh()));
                ControlMessage.Refreshed r = c.control(ControlMessage.Refreshed.class);
                assertThat(r.jwt()).isNotEqualTo(w.jwt());
                assertThat(r.jwtTtlMs()).isEqualTo(2000);
            }
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(2));
            assertThat(c.closeCode.get()).isEqualTo(-1);
            // Now no refresh: the relay ends the session when the last JWT expires.
            ControlMessage.Refused end = refusedAfterClose(c);
            assertThat(end.code()).isEqualTo("token_expired");
            assertThat(end.message()).contains("expired without a refresh");
        }
    }

    @Test
    void anExpiredJwtIsRefusedButTheApiTokenStillWorks() throws Exception {
        start(IdentityConfig.DEFAULTS.withJwtLifetime(Duration.ofSeconds(1)));
        String token = token("alice", Tier.FREE);
        String jwt;
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
            jwt = c.control(ControlMessage.Welcome.class).jwt();
        }
        Thread.sleep(1500); // the point is time passing: the 1 s JWT expires
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, jwt, null)) {
            assertThat(refusedAfterClose(c).code()).isEqualTo("token_expired");
        }
        try (ProtocolTestClient c = welcomed(token)) {
            assertThat(c.closeCode.get()).isEqualTo(-1);
        }
    }

    @Test
    void aRevokedTokenEndsTheSessionAtItsNextRefreshAndIsRefusedAfterwards() throws Exception {
        start(IdentityConfig.DEFAULTS.withJwtLifetime(Duration.ofSeconds(30)));
        String token = token("alice", Tier.FREE);
        String jwt;
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
            jwt = c.control(ControlMessage.Welcome.class).jwt();
            ids.revokeToken(ids.tokens("alice").getFirst().id());
            c.send(Frame.control(new ControlMessage.Refresh()));
            ControlMessage.Refused r = refusedAfterClose(c);
            assertThat(r.code()).isEqualTo("token_revoked");
            assertThat(r.message()).contains("revoked this token — ask your relay's admin for a new one");
        }
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
            assertThat(refusedAfterClose(c).code()).isEqualTo("token_revoked");
        }
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, jwt, null)) { // its JWT has not expired, but is refused
            assertThat(refusedAfterClose(c).code()).isEqualTo("token_revoked");
        }
    }

    @Test
    void aDisabledUserIsEndedAtTheNextRefreshAndRefused() throws Exception {
        start(IdentityConfig.DEFAULTS);
        String token = token("alice", Tier.FREE);
        try (ProtocolTestClient c = welcomed(token)) {
            ids.setDisabled("alice", true);
            c.send(Frame.control(new ControlMessage.Refresh()));
            ControlMessage.Refused r = refusedAfterClose(c);
            assertThat(r.code()).isEqualTo("user_disabled");
            assertThat(r.message()).contains("disabled the user alice");
        }
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
            assertThat(refusedAfterClose(c).code()).isEqualTo("user_disabled");
        }
        ids.setDisabled("alice", false);
        try (ProtocolTestClient c = welcomed(token)) {
            assertThat(c.closeCode.get()).isEqualTo(-1);
        }
    }

    @Test
    void afterRotationTheNewKeySignsAndJwtsOfTheOldKeyStillVerify() throws Exception {
        start(IdentityConfig.DEFAULTS);
        String token = token("alice", Tier.FREE);
        String old;
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, token, null)) {
            old = c.control(ControlMessage.Welcome.class).jwt();
        }
        String newKid = ids.rotateSigningKey().kid();
        relay.store().async("reload keys", () -> {
            relay.accounts().authenticator().jwts().reload();
            return null;
        }).get(10, TimeUnit.SECONDS);
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, old, null)) {
            ControlMessage.Welcome w = c.control(ControlMessage.Welcome.class);
            assertThat(w.user()).isEqualTo("alice");
            assertThat(header(w.jwt())).contains(newKid);
            assertThat(header(old)).doesNotContain(newKid);
        }
    }

    // ---- isolation

    @Test
    void aReservedNameIsBoundOnlyByItsUser() throws Exception {
        start(IdentityConfig.DEFAULTS);
        String alice = token("alice", Tier.FREE);
        String bob = token("bob", Tier.FREE);
        ids.reserveName("alice", "myapp");
        // The relay reloads reservations every 2 s; the admin command line's test waits for that, this one asks now.
        relay.accounts().names().refresh().get(10, TimeUnit.SECONDS);
        try (ProtocolTestClient b = welcomed(bob)) {
            b.send(Frame.control(new ControlMessage.Bind("1", "http", "myapp", null, Map.of("strict_name", "true"))));
            ControlMessage.BindRefused r = b.control(ControlMessage.BindRefused.class);
            assertThat(r.code()).isEqualTo("name_taken");
            assertThat(r.message()).contains("reserved for another user").doesNotContain("alice");
            assertThat(b.bind("2", "http", "myapp", null).name()).isNotEqualTo("myapp").startsWith("myapp");
        }
        try (ProtocolTestClient a = welcomed(alice)) {
            ControlMessage.Bound bound = a.bind("1", "http", "myapp", Map.of("strict_name", "true"));
            assertThat(bound.name()).isEqualTo("myapp");
            assertThat(visitAnswered(a, "myapp")).isEqualTo(200);
        }
    }

    @Test
    void anotherUserCannotResumeTakeOverOrDisconnectASession() throws Exception {
        start(IdentityConfig.DEFAULTS);
        String alice = token("alice", Tier.FREE);
        String bob = token("bob", Tier.FREE);
        ProtocolTestClient a = ProtocolTestClient.connect(relay, alice, null);
        String resume = a.control(ControlMessage.Welcome.class).resume();
        a.bind("1", "http", "keep", null);
        // Bob presents Alice's resume key: Alice's live session is not taken over (nor closed).
        try (ProtocolTestClient b = ProtocolTestClient.connect(relay, bob, resume)) {
            b.control(ControlMessage.Welcome.class);
            assertThat(b.bind("1", "http", "keep", null).name()).isNotEqualTo("keep");
            assertThat(visitAnswered(a, "keep")).isEqualTo(200);
            assertThat(a.closeCode.get()).isEqualTo(-1);
        }
        // Alice drops; her name is held for her resume key — which is no use to Bob.
        a.close();
        await().until(() -> relay.sessionCount() == 0);
        try (ProtocolTestClient b = ProtocolTestClient.connect(relay, bob, resume)) {
            b.control(ControlMessage.Welcome.class);
            assertThat(b.bind("1", "http", "keep", null).name()).isNotEqualTo("keep");
        }
        try (ProtocolTestClient again = ProtocolTestClient.connect(relay, alice, resume)) {
            again.control(ControlMessage.Welcome.class);
            assertThat(again.bind("1", "http", "keep", null).name()).isEqualTo("keep");
        }
    }

    @Test
    void anotherUserCannotUnbindOrReportOnATunnel() throws Exception {
        start(IdentityConfig.DEFAULTS);
        String alice = token("alice", Tier.FREE);
        String bob = token("bob", Tier.FREE);
        try (ProtocolTestClient a = welcomed(alice); ProtocolTestClient b = welcomed(bob)) {
            a.bind("1", "http", "app", null);
            b.send(Frame.control(new ControlMessage.Unbind("app")));
            b.send(Frame.control(new ControlMessage.Breaker("app", "open")));
            b.bind("9", "http", "sync", null); // answered after the two above are handled

            assertThat(visitAnswered(a, "app")).isEqualTo(200);
            assertThat(relay.breakerStates()).doesNotContainKey("app");
        }
    }

    @Test
    void anotherUserCannotClaimTheQueueOfAClientKey() throws Exception {
        start(IdentityConfig.DEFAULTS);
        String alice = token("alice", Tier.FREE);
        String bob = token("bob", Tier.FREE);
        String key = "k".repeat(32);
        try (ProtocolTestClient a = ProtocolTestClient.connect(relay, alice, null, key)) {
            a.control(ControlMessage.Welcome.class);
            assertThat(a.bind("1", "http", "hooks", Map.of("queue", "on")).name()).isEqualTo("hooks");
        }
        await().until(() -> relay.sessionCount() == 0);
        try (ProtocolTestClient b = ProtocolTestClient.connect(relay, bob, null, key)) {
            b.control(ControlMessage.Welcome.class);
            b.send(Frame.control(new ControlMessage.Bind("1", "http", "hooks", null, Map.of("queue", "on", "strict_name", "true"))));
            assertThat(b.control(ControlMessage.BindRefused.class).code()).isEqualTo("name_taken");
        }
        try (ProtocolTestClient a = ProtocolTestClient.connect(relay, alice, null, key)) {
            a.control(ControlMessage.Welcome.class);
            assertThat(a.bind("1", "http", "hooks", Map.of("queue", "on", "strict_name", "true")).name()).isEqualTo("hooks");
        }
    }

    // ---- per-user limits

    @Test
    void overItsTiersRequestRateAUsersVisitorsGet429WithRetryAfterOthersDoNot() throws Exception {
        start(IdentityConfig.DEFAULTS.withRates(3, 1000, 1000));
        assertThat(IdentityConfig.DEFAULTS.perMinute(Tier.FREE)).isEqualTo(100);
        String alice = token("alice", Tier.FREE);
        String bob = token("bob", Tier.PREMIUM);
        try (ProtocolTestClient a = welcomed(alice); ProtocolTestClient b = welcomed(bob)) {
            a.bind("1", "http", "a", null);
            b.bind("1", "http", "b", null);
            for (int i = 0; i < 3; i++) {
                assertThat(visitAnswered(a, "a")).isEqualTo(200);
            }
            Response limited = visit("a").get(10, TimeUnit.SECONDS);
            assertThat(limited.code()).isEqualTo(429);
            assertThat(Integer.parseInt(limited.header("Retry-After"))).isBetween(1, 60);
            assertThat(limited.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(limited.header("Content-Security-Policy")).isNotNull();
            assertThat(limited.peekBody(10_000).string()).contains("Too many requests");
            assertThat(visitAnswered(b, "b")).isEqualTo(200); // another user's tunnel is not affected
        }
        assertThat(metric("tunnel_rate_limit_hits_total{limit=\"user_requests\"}")).isEqualTo(1.0);
        await().untilAsserted(() -> assertThat(ids.audit(0, "alice", 100)).anySatisfy(r -> {
            assertThat(r.event()).isEqualTo(AuditLog.LIMIT);
            assertThat(r.fieldsJson()).contains("user_requests");
        }));
    }

    @Test
    void aUserOverTheTunnelLimitIsRefusedABindOthersAreNot() throws Exception {
        start(IdentityConfig.DEFAULTS.withUserLimits(2, 8));
        String alice = token("alice", Tier.FREE);
        String bob = token("bob", Tier.FREE);
        try (ProtocolTestClient a1 = welcomed(alice); ProtocolTestClient a2 = welcomed(alice); ProtocolTestClient b = welcomed(bob)) {
            a1.bind("1", "http", "one", null);
            a2.bind("1", "http", "two", null);
            a2.send(Frame.control(new ControlMessage.Bind("2", "http", "three", null, null)));
            ControlMessage.BindRefused r = a2.control(ControlMessage.BindRefused.class);
            assertThat(r.code()).isEqualTo("limit_reached");
            assertThat(r.message()).contains("already has 2 tunnels");
            assertThat(b.bind("1", "http", "bobs", null).name()).isEqualTo("bobs");
            a1.send(Frame.control(new ControlMessage.Unbind("one"))); // handled on a1's event loop
            await().atMost(Duration.ofSeconds(5)).until(() -> relay.accounts().limits().tunnels("alice") == 1);
            assertThat(a2.bind("3", "http", "three", null).name()).isEqualTo("three");
        }
        assertThat(metric("tunnel_rate_limit_hits_total{limit=\"user_tunnels\"}")).isEqualTo(1.0);
    }

    @Test
    void aUserOverTheConnectionLimitIsRefusedAHelloOthersAreNot() throws Exception {
        start(IdentityConfig.DEFAULTS.withUserLimits(32, 1));
        String alice = token("alice", Tier.FREE);
        String bob = token("bob", Tier.FREE);
        ProtocolTestClient first = welcomed(alice);
        try (ProtocolTestClient second = ProtocolTestClient.connect(relay, alice, null)) {
            ControlMessage.Refused r = refusedAfterClose(second);
            assertThat(r.code()).isEqualTo("limit_reached");
            assertThat(r.message()).contains("alice already has 1 connections");
        }
        try (ProtocolTestClient b = welcomed(bob)) {
            assertThat(b.closeCode.get()).isEqualTo(-1);
        }
        first.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.accounts().limits().connections("alice") == 0);
        try (ProtocolTestClient again = welcomed(alice)) {
            assertThat(again.closeCode.get()).isEqualTo(-1);
        }
        assertThat(metric("tunnel_rate_limit_hits_total{limit=\"user_connections\"}")).isEqualTo(1.0);
    }

    double metric(String key) throws Exception {
        try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/api/tunnel/metrics").build())
                .execute()) {
            for (String line : r.body().string().split("\n")) {
                if (line.startsWith(key + " ")) {
                    return Double.parseDouble(line.substring(key.length() + 1));
                }
            }
        }
        throw new AssertionError("no metric " + key);
    }
}
