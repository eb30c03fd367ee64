package dev.portway.relay;

import dev.portway.relay.cluster.ClusterConfig;
import dev.portway.relay.store.PostgresServer;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.Protocol;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Relay nodes on one real PostgreSQL (docs/cluster.md): leases, the shared registry, a node cut off from the database. */
class ClusterIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    @TempDir
    Path tmp;

    private Relay node(String url, String id, Duration lease) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(id));
        return Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                        .dataDir(dir).identity(IdentityConfig.DEFAULTS.withDb(url, "postgres", null)).build(), null,
                new ClusterConfig(id, "127.0.0.1:" + ClusterHopIT.freePort(), SECRET, lease));
    }

    @Test
    @SuppressWarnings("unchecked")
    void nodesListShowsEveryNodeWithItsLeaseAndHealthReportsTheCluster() throws Exception {
        String url = PG.newDatabase();
        try (Relay a = node(url, "relay-a", Duration.ofSeconds(10))) {
            Relay b = node(url, "relay-b", Duration.ofSeconds(10));
            try (ProtocolTestClient c = ProtocolTestClient.connect(a, "secret", null)) {
                c.control(ControlMessage.Welcome.class);
                c.bind("1", "http", "listed", Map.of());
                // Counts come with the next renewal (every third of the lease).
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(cli(url, "nodes", "list").out())
                        .containsPattern("relay-a\\s+127\\.0\\.0\\.1:\\d+\\s+\\S+\\s+1\\s+1\\s+ok \\(\\d+ s left\\)"));
                AdminCli.Result list = cli(url, "nodes", "list");
                assertThat(list.exit()).as(list.err()).isZero();
                assertThat(list.out()).contains("ID", "ADDRESS", "STARTED", "CLIENTS", "TUNNELS", "LEASE")
                        .containsPattern("relay-b\\s+127\\.0\\.0\\.1:\\d+\\s+\\S+\\s+0\\s+0\\s+ok");
                Map<String, Object> health = health(a);
                assertThat(health.get("ready")).isEqualTo(true);
                assertThat((Map<String, Object>) health.get("cluster")).containsEntry("node", "relay-a").containsEntry("lease", "ok")
                        .containsEntry("accepting_binds", true);
                // Node B knows at once (LISTEN/NOTIFY) where the name is bound.
                await().atMost(Duration.ofSeconds(2)).until(() -> b.cluster().locate("listed") != null);
                assertThat(b.cluster().locate("listed").nodeId()).isEqualTo("relay-a");
            }
            b.close();
            assertThat(cli(url, "nodes", "list").out()).containsPattern("relay-b\\s+.*expired \\d+ s ago");
        }
        AdminCli.Result bad = cli("jdbc:h2:mem:x", "nodes", "list");
        assertThat(bad.exit()).isEqualTo(2);
        assertThat(bad.err()).contains("jdbc:postgresql://");
    }

    @Test
    void twoUsersRacingForOneNameOnTwoNodesNeverBothWin() throws Exception {
        String url = PG.newDatabase();
        assertThat(cli(url, "users", "add", "alice", "--tier", "free").exit()).isZero();
        assertThat(cli(url, "users", "add", "bob", "--tier", "free").exit()).isZero();
        String alice = AdminCli.secretIn(cli(url, "tokens", "create", "alice").out());
        String bob = AdminCli.secretIn(cli(url, "tokens", "create", "bob").out());
        try (Relay a = node(url, "race-a", Duration.ofSeconds(10)); Relay b = node(url, "race-b", Duration.ofSeconds(10));
             ProtocolTestClient ca = ProtocolTestClient.connect(a, alice, null);
             ProtocolTestClient cb = ProtocolTestClient.connect(b, bob, null)) {
            ca.control(ControlMessage.Welcome.class);
            cb.control(ControlMessage.Welcome.class);
            int aliceWon = 0;
            int bobWon = 0;
            for (int i = 0; i < 100; i++) {
                String name = "race-" + i;
                Map<String, String> strict = Map.of("strict_name", "true");
                ca.send(Frame.control(new ControlMessage.Bind("a" + i, "http", name, null, strict)));
                cb.send(Frame.control(new ControlMessage.Bind("b" + i, "http", name, null, strict)));
                ControlMessage ra = ca.control(ControlMessage.class);
                ControlMessage rb = cb.control(ControlMessage.class);
                boolean aWins = ra instanceof ControlMessage.Bound;
                boolean bWins = rb instanceof ControlMessage.Bound;
                assertThat(aWins ^ bWins).as("round %d: %s / %s", i, ra, rb).isTrue();
                ControlMessage.BindRefused loser = (ControlMessage.BindRefused) (aWins ? rb : ra);
                assertThat(loser.code()).isEqualTo("name_taken");
                assertThat(loser.message()).contains("in use by another client on this relay cluster");
                (aWins ? ca : cb).send(Frame.control(new ControlMessage.Unbind(name))); // stay under the tunnel limits
                if (aWins) {
                    aliceWon++;
                } else {
                    bobWon++;
                }
            }
            System.out.println("100 races for one name on two nodes: alice (relay A) won " + aliceWon + ", bob (relay B) won "
                    + bobWon + ", never both");
            // Not strict: the loser gets a variant of the name, and says so.
            ca.send(Frame.control(new ControlMessage.Bind("x", "http", "race-0", null, Map.of())));
            cb.send(Frame.control(new ControlMessage.Bind("y", "http", "race-0", null, Map.of())));
            ControlMessage.Bound va = ca.control(ControlMessage.Bound.class);
            ControlMessage.Bound vb = cb.control(ControlMessage.Bound.class);
            ControlMessage.Bound variant = va.name().equals("race-0") ? vb : va;
            assertThat(List.of(va.name(), vb.name())).containsOnlyOnce("race-0");
            assertThat(variant.notice()).contains("race-0 is in use by another client");
        }
    }

    @Test
    void oneClientBindsItsNameOnTwoNodesAnotherClientStillCannotAndVisitorsFallOverWhenOneSessionEnds() throws Exception {
        String url = PG.newDatabase();
        assertThat(cli(url, "users", "add", "alice", "--tier", "free").exit()).isZero();
        String alice = AdminCli.secretIn(cli(url, "tokens", "create", "alice").out());
        String key = "client-key-of-alice-0123456789abcdef";
        try (Relay a = node(url, "two-a", Duration.ofSeconds(10)); Relay b = node(url, "two-b", Duration.ofSeconds(10));
             Relay c = node(url, "two-c", Duration.ofSeconds(10))) {
            // A node learns of nodes that joined after it with its next re-read of the cluster (every 5 s).
            await().atMost(Duration.ofSeconds(15)).until(() -> a.cluster().peers().size() == 2);
            try (ProtocolTestClient onA = ProtocolTestClient.connectHa(a, alice, key);
                 ProtocolTestClient onB = ProtocolTestClient.connectHa(b, alice, key)) {
                twoSessionsOfOneClient(a, b, c, onA, onB, alice);
            }
        }
    }

    private static void twoSessionsOfOneClient(Relay a, Relay b, Relay c, ProtocolTestClient onA, ProtocolTestClient onB,
                                               String alice) throws Exception {
        Map<String, String> strict = Map.of("strict_name", "true");
        ControlMessage.Welcome wa = onA.control(ControlMessage.Welcome.class);
        assertThat(wa.features()).contains(Protocol.FEATURE_HA);
        assertThat(wa.node()).isEqualTo("two-a");
        assertThat(wa.nodes()).extracting(ControlMessage.ClusterNode::node).containsExactlyInAnyOrder("two-b", "two-c");
        onB.control(ControlMessage.Welcome.class);
        onA.send(Frame.control(new ControlMessage.Bind("1", "http", "shared", null, strict)));
        ControlMessage.Bound ba = onA.control(ControlMessage.Bound.class);
        onB.send(Frame.control(new ControlMessage.Bind("1", "http", "shared", null, strict)));
        ControlMessage.Bound bb = onB.control(ControlMessage.Bound.class);
        assertThat(bb.name()).isEqualTo(ba.name()).isEqualTo("shared");
        await().atMost(Duration.ofSeconds(5)).until(() -> c.cluster().holders("shared").keySet()
                .equals(java.util.Set.of("two-a", "two-b")));
        // The same user with another client key (another installation) on the third node: still taken.
        try (ProtocolTestClient other = ProtocolTestClient.connectHa(c, alice, "another-key-of-alice-0123456789ab")) {
            other.control(ControlMessage.Welcome.class);
            other.send(Frame.control(new ControlMessage.Bind("1", "http", "shared", null, strict)));
            ControlMessage.BindRefused r = other.control(ControlMessage.BindRefused.class);
            assertThat(r.code()).isEqualTo("name_taken");
            assertThat(r.message()).contains("in use by another client on this relay cluster");
        }
        // B's session ends: a visitor on B is served by the client's session on A (B's link to A).
        await().atMost(Duration.ofSeconds(10)).until(() -> b.cluster().servable("shared"));
        onB.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> b.sessionCount() == 0);
        java.util.concurrent.CompletableFuture<Response> visit = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
            try {
                Response r = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + b.port() + "/t/shared/x").build()).execute();
                r.peekBody(Long.MAX_VALUE);
                return r;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        Frame open = onA.expect(dev.portway.shared.protocol.FrameType.OPEN);
        byte[] body = "from the session on A".getBytes(java.nio.charset.StandardCharsets.UTF_8);
        onA.send(Frame.reply(open.streamId(), dev.portway.shared.protocol.ReplyMessage.http(200, "OK", List.of(
                new dev.portway.shared.protocol.Header("Content-Length", String.valueOf(body.length))))));
        onA.send(Frame.data(open.streamId(), body, 0, body.length));
        onA.send(Frame.fin(open.streamId()));
        Response r = visit.get(20, java.util.concurrent.TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.body().string()).isEqualTo("from the session on A");
    }

    @Test
    @SuppressWarnings("unchecked")
    void aNodeCutOffFromPostgresStopsBindingNewTunnelsAndSaysSoOnItsHealth() throws Exception {
        String url = PG.newDatabase();
        try (Relay a = node(url, "cut-a", Duration.ofSeconds(3));
             ProtocolTestClient c = ProtocolTestClient.connect(a, "secret", null)) {
            c.control(ControlMessage.Welcome.class);
            c.bind("1", "http", "before", Map.of());
            PG.suspend();
            try {
                await().atMost(Duration.ofSeconds(15)).until(() -> "lost".equals(((Map<?, ?>) health(a).get("cluster")).get("lease")));
                Map<String, Object> health = health(a);
                assertThat(health.get("ready")).isEqualTo(false);
                assertThat((Map<String, Object>) health.get("cluster")).containsEntry("accepting_binds", false);
                c.send(Frame.control(new ControlMessage.Bind("2", "http", "during", null, Map.of())));
                ControlMessage.BindRefused refused = c.control(ControlMessage.BindRefused.class);
                assertThat(refused.code()).isEqualTo("shutting_down");
                assertThat(refused.message()).contains("lost its connection to the cluster's database");
            } finally {
                PG.resume();
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> Boolean.TRUE.equals(health(a).get("ready")));
            assertThat(c.bind("3", "http", "after", Map.of()).name()).isEqualTo("after");
            // Its earlier tunnel is still its own in the cluster's table (claimed again with the new lease).
            await().atMost(Duration.ofSeconds(10)).until(() -> a.cluster().locate("before") != null);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> health(Relay relay) throws Exception {
        Request r = new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/api/tunnel/health").build();
        try (Response res = HTTP.newCall(r).execute()) {
            return new com.fasterxml.jackson.databind.ObjectMapper().readValue(res.body().bytes(), Map.class);
        }
    }

    static AdminCli.Result cli(String url, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--db", url, "--db-user", "postgres"));
        var cmd = RelayMain.commandLine();
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        cmd.setOut(new java.io.PrintWriter(out, true));
        cmd.setErr(new java.io.PrintWriter(err, true));
        int exit = cmd.execute(all.toArray(String[]::new));
        return new AdminCli.Result(exit, out.toString(), err.toString());
    }
}
