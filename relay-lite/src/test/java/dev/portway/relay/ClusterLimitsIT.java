package dev.portway.relay;

import dev.portway.relay.cluster.ClusterConfig;
import dev.portway.relay.store.PostgresServer;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Per-user limits across relay nodes on one real PostgreSQL (docs/cluster.md "Per-user limits in the cluster"): tunnel
 * and connection counts decided by the database (one client's sessions on two nodes count once), request rates shared
 * by the live nodes.
 */
class ClusterLimitsIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    private static final Map<String, String> STRICT = Map.of("strict_name", "true");
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    @TempDir
    Path tmp;

    /** A node where a user may have 2 tunnels and {@code connections} connections; free users 10 requests a minute. */
    private Relay node(String url, String id, int connections) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(id));
        IdentityConfig identity = IdentityConfig.DEFAULTS.withDb(url, "postgres", null).withUserLimits(2, connections)
                .withRates(10, 1000, 10_000);
        return Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(dir).identity(identity).build(), null, new ClusterConfig(id, "127.0.0.1:" + ClusterHopIT.freePort(),
                SECRET, Duration.ofSeconds(10)));
    }

    private static String user(String url, String name) {
        assertThat(ClusterIT.cli(url, "users", "add", name, "--tier", "free").exit()).isZero();
        return AdminCli.secretIn(ClusterIT.cli(url, "tokens", "create", name).out());
    }

    private static void released(String name, Relay... nodes) {
        await().atMost(Duration.ofSeconds(10)).until(() -> java.util.Arrays.stream(nodes)
                .allMatch(n -> n.cluster().holders(name).isEmpty()));
    }

    @Test
    void aUsersTunnelsCountOnEveryNodeAndOneClosedOnNodeAFreesABindOnNodeB() throws Exception {
        String url = PG.newDatabase();
        String alice = user(url, "alice");
        try (Relay a = node(url, "tun-a", 8); Relay b = node(url, "tun-b", 8);
             ProtocolTestClient onA = ProtocolTestClient.connect(a, alice, null);
             ProtocolTestClient onB = ProtocolTestClient.connect(b, alice, null)) {
            onA.control(ControlMessage.Welcome.class);
            onB.control(ControlMessage.Welcome.class);
            assertThat(onA.bind("1", "http", "one", STRICT).name()).isEqualTo("one");
            assertThat(onA.bind("2", "http", "two", STRICT).name()).isEqualTo("two");
            onB.send(Frame.control(new ControlMessage.Bind("3", "http", "three", null, STRICT)));
            ControlMessage.BindRefused refused = onB.control(ControlMessage.BindRefused.class);
            assertThat(refused.code()).isEqualTo("limit_reached");
            assertThat(refused.message()).isEqualTo("User alice already has 2 tunnels on this relay, the most allowed per user "
                    + "— stop one first.");
            assertThat(b.cluster().holders("three")).isEmpty(); // nothing left behind

            onA.send(Frame.control(new ControlMessage.Unbind("one")));
            released("one", a, b);
            assertThat(onB.bind("4", "http", "three", STRICT).name()).isEqualTo("three");
        }
    }

    @Test
    void aClientOnTwoNodesCountsItsTunnelsAndItsConnectionOnce() throws Exception {
        String url = PG.newDatabase();
        String alice = user(url, "alice");
        String key = "client-key-of-alice-0123456789abcdef";
        // One connection per user: the client's two sessions are one connection, another client is a second.
        try (Relay a = node(url, "ha-a", 1); Relay b = node(url, "ha-b", 1); Relay c = node(url, "ha-c", 1);
             ProtocolTestClient onA = ProtocolTestClient.connectHa(a, alice, key);
             ProtocolTestClient onB = ProtocolTestClient.connectHa(b, alice, key)) {
            onA.control(ControlMessage.Welcome.class);
            onB.control(ControlMessage.Welcome.class);
            for (String name : List.of("web", "api")) {
                assertThat(onA.bind("a-" + name, "http", name, STRICT).name()).isEqualTo(name);
                assertThat(onB.bind("b-" + name, "http", name, STRICT).name()).isEqualTo(name);
            }
            // Two names on two nodes are two tunnels, not four: a third name is refused on either node.
            onB.send(Frame.control(new ControlMessage.Bind("b-3", "http", "third", null, STRICT)));
            assertThat(onB.control(ControlMessage.BindRefused.class).code()).isEqualTo("limit_reached");

            try (ProtocolTestClient other = ProtocolTestClient.connectHa(c, alice, "another-key-of-alice-0123456789ab")) {
                ControlMessage.Refused r = other.control(ControlMessage.Refused.class);
                assertThat(r.code()).isEqualTo("limit_reached");
                assertThat(r.message()).contains("already has 1 connections");
            }
            // The same client's session on the third node is still the same connection.
            try (ProtocolTestClient third = ProtocolTestClient.connectHa(c, alice, key)) {
                third.control(ControlMessage.Welcome.class);
            }
        }
    }

    @Test
    void connectionsCountOnEveryNodeAndAClosedSessionFreesOne() throws Exception {
        String url = PG.newDatabase();
        String alice = user(url, "alice");
        try (Relay a = node(url, "con-a", 2); Relay b = node(url, "con-b", 2)) {
            ProtocolTestClient first = ProtocolTestClient.connect(a, alice, null);
            try (ProtocolTestClient second = ProtocolTestClient.connect(b, alice, null)) {
                first.control(ControlMessage.Welcome.class);
                second.control(ControlMessage.Welcome.class);
                try (ProtocolTestClient third = ProtocolTestClient.connect(b, alice, null)) {
                    ControlMessage.Refused r = third.control(ControlMessage.Refused.class);
                    assertThat(r.code()).isEqualTo("limit_reached");
                    assertThat(r.message()).isEqualTo("User alice already has 2 connections to this relay, the most allowed "
                            + "per user — close one (another Portway) first.");
                }
                first.close();
                await().atMost(Duration.ofSeconds(10)).until(() -> a.sessionCount() == 0);
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                    try (ProtocolTestClient again = ProtocolTestClient.connect(b, alice, null)) {
                        again.control(ControlMessage.Welcome.class);
                    }
                });
            }
        }
    }

    @Test
    void aKilledNodesSessionsStopCountingOnceItsLeaseRunsOut() throws Exception {
        String url = PG.newDatabase();
        String alice = user(url, "alice");
        Path jar = Path.of("target", "relay-lite.jar").toAbsolutePath();
        assertThat(jar).as("built by the package phase").exists();
        Path dataP = Files.createDirectories(tmp.resolve("p"));
        try (RelayProcess p = new RelayProcess(List.of(RelayProcess.java(), "-Xmx128m", "-jar", jar.toString(), "--host",
                "127.0.0.1", "--port", "0", "--tcp-ports", "0-0", "--data-dir", dataP.toString(), "--db", url, "--db-user",
                "postgres", "--node-id", "dead-p", "--cluster-address", "127.0.0.1:" + ClusterHopIT.freePort(),
                "--cluster-lease", "3s", "--max-connections-per-user", "2"),
                Map.of("PORTWAY_TOKEN", "secret", "PORTWAY_CLUSTER_SECRET", SECRET), tmp);
             Relay b = node(url, "dead-b", 2)) {
            String onP = "ws://127.0.0.1:" + p.port() + "/api/tunnel/connect";
            try (ProtocolTestClient s1 = ProtocolTestClient.connect(onP, alice);
                 ProtocolTestClient s2 = ProtocolTestClient.connect(onP, alice)) {
                s1.control(ControlMessage.Welcome.class);
                s2.control(ControlMessage.Welcome.class);
                try (ProtocolTestClient refused = ProtocolTestClient.connect(b, alice, null)) {
                    assertThat(refused.control(ControlMessage.Refused.class).code()).isEqualTo("limit_reached");
                }
                p.process.destroyForcibly(); // kill -9: its session rows stay until its lease runs out
                assertThat(p.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
                long killed = System.nanoTime();
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
                    try (ProtocolTestClient c = ProtocolTestClient.connect(b, alice, null)) {
                        c.control(ControlMessage.Welcome.class);
                    }
                });
                System.out.println("A node killed with kill -9: its user's sessions stopped counting after "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms (lease 3 s)");
            }
        }
    }

    @Test
    void twoNodesRacingBindsOfOneUserNeverGrantMoreThanTheLimit() throws Exception {
        String url = PG.newDatabase();
        String alice = user(url, "alice");
        try (Relay a = node(url, "race-a", 8); Relay b = node(url, "race-b", 8);
             ProtocolTestClient onA = ProtocolTestClient.connect(a, alice, null);
             ProtocolTestClient onB = ProtocolTestClient.connect(b, alice, null)) {
            onA.control(ControlMessage.Welcome.class);
            onB.control(ControlMessage.Welcome.class);
            int[] wonByA = new int[1];
            for (int round = 0; round < 20; round++) {
                // Four binds at once, two on each node, for a user who may have two tunnels.
                for (int i = 0; i < 2; i++) {
                    onA.send(Frame.control(new ControlMessage.Bind("a" + i, "http", "r" + round + "-a" + i, null, STRICT)));
                    onB.send(Frame.control(new ControlMessage.Bind("b" + i, "http", "r" + round + "-b" + i, null, STRICT)));
                }
                List<String> granted = new ArrayList<>();
                for (ProtocolTestClient c : List.of(onA, onB)) {
                    for (int i = 0; i < 2; i++) {
                        ControlMessage m = c.control(ControlMessage.class);
                        if (m instanceof ControlMessage.Bound bound) {
                            granted.add(bound.name());
                            if (c == onA) {
                                wonByA[0]++;
                            }
                        } else {
                            assertThat(((ControlMessage.BindRefused) m).code()).isEqualTo("limit_reached");
                        }
                    }
                }
                assertThat(granted).as("round %d", round).hasSize(2);
                for (String name : granted) {
                    (name.contains("-a") ? onA : onB).send(Frame.control(new ControlMessage.Unbind(name)));
                }
                for (String name : granted) {
                    released(name, a, b);
                }
            }
            System.out.println("20 rounds of 4 concurrent binds on two nodes for a user with 2 tunnels: exactly 2 granted "
                    + "each round (" + wonByA[0] + " of 40 on node A)");
        }
    }

    @Test
    void eachOfTwoLiveNodesAllowsItsShareOfTheUsersRequestRateAlsoForVisitorsItCarriesToTheOther() throws Exception {
        String url = PG.newDatabase();
        String alice = user(url, "alice");
        try (Relay a = node(url, "rate-a", 8); Relay b = node(url, "rate-b", 8);
             ProtocolTestClient onA = ProtocolTestClient.connect(a, alice, null)) {
            onA.control(ControlMessage.Welcome.class);
            assertThat(onA.bind("1", "http", "rated", STRICT).name()).isEqualTo("rated");
            // Node A counts node B live with its next re-read of the cluster (every 5 s).
            await().atMost(Duration.ofSeconds(15)).until(() -> a.cluster().liveNodes() == 2);
            await().atMost(Duration.ofSeconds(15)).until(() -> b.cluster().liveNodes() == 2 && b.cluster().servable("rated"));
            // 10 requests a minute for a free user over two nodes: 5 on node A, 5 on node B (carried to A over the link).
            for (int i = 0; i < 10; i++) {
                if (i == 5) {
                    try (Response sixth = visit(a, "rated").get(20, TimeUnit.SECONDS)) {
                        assertThat(sixth.code()).isEqualTo(429);
                        assertThat(sixth.header("Retry-After")).isNotNull();
                    }
                }
                CompletableFuture<Response> visit = visit(i < 5 ? a : b, "rated");
                Frame open = onA.next();
                while (open.type() != FrameType.OPEN) { // the previous request's FIN
                    open = onA.next();
                }
                byte[] body = ("answer " + i).getBytes(StandardCharsets.UTF_8);
                onA.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK",
                        List.of(new Header("Content-Length", String.valueOf(body.length))))));
                onA.send(Frame.data(open.streamId(), body, 0, body.length));
                onA.send(Frame.fin(open.streamId()));
                try (Response r = visit.get(20, TimeUnit.SECONDS)) {
                    assertThat(r.code()).as("request %d", i).isEqualTo(200);
                }
            }
            try (Response sixthOnB = visit(b, "rated").get(20, TimeUnit.SECONDS)) {
                assertThat(sixthOnB.code()).isEqualTo(429);
            }
            // Each refusal counted on the node that refused it, also the one for a tunnel carried to the other node.
            assertThat(a.metricsText()).containsPattern("tunnel_rate_limit_hits_total\\{limit=\"user_requests\"\\} 1(\\.0)?\n");
            assertThat(b.metricsText()).containsPattern("tunnel_rate_limit_hits_total\\{limit=\"user_requests\"\\} 1(\\.0)?\n");
        }
    }

    private static CompletableFuture<Response> visit(Relay relay, String tunnel) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Response r = HTTP.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/" + tunnel + "/x")
                        .build()).execute();
                r.peekBody(Long.MAX_VALUE);
                return r;
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
    }
}
