package dev.portway.relay;

import dev.portway.relay.cluster.ClusterConfig;
import dev.portway.relay.store.PostgresServer;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.time.Duration;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A tunnel's visitor checks (basic auth, IP lists) made by the node a visitor reached, for a tunnel whose client is on
 * another node (docs/cluster.md "Visitor checks on every node"): refused visitors never reach the client, admitted ones
 * reach it once, without their credentials; a row whose sealed checks do not open is never an unchecked pass.
 */
class ClusterVisitorChecksIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
    @TempDir
    Path tmp;

    private static int freePort() throws Exception {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    private Relay node(String url, String id) throws Exception {
        return Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                        .dataDir(Files.createDirectories(tmp.resolve(id)))
                        .identity(IdentityConfig.DEFAULTS.withDb(url, "postgres", null)).build(), null,
                new ClusterConfig(id, "127.0.0.1:" + freePort(), SECRET, Duration.ofSeconds(10)));
    }

    @Test
    void basicAuthIsCheckedOnTheVisitorsNodeAndTheCredentialsStopThere() throws Exception {
        String url = PG.newDatabase();
        try (Relay a = node(url, "va"); Relay b = node(url, "vb");
             ProtocolTestClient client = ProtocolTestClient.connect(b, "secret", null)) {
            client.control(ControlMessage.Welcome.class);
            client.bind("1", "http", "locked", Map.of(Protocol.OPTION_BASIC_AUTH, "alice:correct horse"));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.cluster().servable("locked"));

            Response none = visit(a, "locked", null).get(20, TimeUnit.SECONDS);
            assertThat(none.code()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).startsWith("Basic");
            Response wrong = visit(a, "locked", basic("alice:wrong")).get(20, TimeUnit.SECONDS);
            assertThat(wrong.code()).isEqualTo(401);
            assertThat(client.frames.poll(300, TimeUnit.MILLISECONDS)).as("no refused visitor reached the client").isNull();

            CompletableFuture<Response> right = visit(a, "locked", basic("alice:correct horse"));
            OpenMessage o = answer(client, "through A");
            assertThat(o.headers()).as("the credentials stop at the node that checked them")
                    .noneMatch(h -> h.name().equalsIgnoreCase("Authorization"));
            Response ok = right.get(20, TimeUnit.SECONDS);
            assertThat(ok.code()).isEqualTo(200);
            assertThat(ok.body().string()).isEqualTo("through A");
            // The refusals are counted on the node the visitor reached.
            assertThat(a.metricsText()).containsPattern("tunnel_visitor_refusals_total\\{reason=\"basic_auth\"[^}]*\\} 2(\\.0)?\n");
            assertThat(b.metricsText()).containsPattern("tunnel_visitor_refusals_total\\{reason=\"basic_auth\"[^}]*\\} 0(\\.0)?\n");
        }
    }

    @Test
    void ipListsAreCheckedOnTheVisitorsNode() throws Exception {
        String url = PG.newDatabase();
        try (Relay a = node(url, "ia"); Relay b = node(url, "ib");
             ProtocolTestClient client = ProtocolTestClient.connect(b, "secret", null)) {
            client.control(ControlMessage.Welcome.class);
            client.bind("1", "http", "denied", Map.of(Protocol.OPTION_IP_DENY, "127.0.0.0/8"));
            client.bind("2", "http", "elsewhere", Map.of(Protocol.OPTION_IP_ALLOW, "10.0.0.0/8"));
            client.bind("3", "http", "listed", Map.of(Protocol.OPTION_IP_ALLOW, "127.0.0.1, 10.0.0.0/8"));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.cluster().servable("denied")
                    && a.cluster().servable("elsewhere") && a.cluster().servable("listed"));

            assertThat(visit(a, "denied", null).get(20, TimeUnit.SECONDS).code()).isEqualTo(403);
            assertThat(visit(a, "elsewhere", null).get(20, TimeUnit.SECONDS).code()).isEqualTo(403);
            assertThat(client.frames.poll(300, TimeUnit.MILLISECONDS)).as("no refused visitor reached the client").isNull();

            CompletableFuture<Response> listed = visit(a, "listed", null);
            OpenMessage o = answer(client, "on the list");
            assertThat(o.tunnel()).isEqualTo("listed");
            assertThat(listed.get(20, TimeUnit.SECONDS).body().string()).isEqualTo("on the list");
        }
    }

    @Test
    void sealedChecksThatDoNotOpenAreNeverAnUncheckedPass() throws Exception {
        String url = PG.newDatabase();
        try (Relay a = node(url, "ta"); Relay b = node(url, "tb");
             ProtocolTestClient client = ProtocolTestClient.connect(b, "secret", null)) {
            client.control(ControlMessage.Welcome.class);
            client.bind("1", "http", "vault", Map.of(Protocol.OPTION_BASIC_AUTH, "alice:correct horse"));
            client.bind("2", "http", "weak", Map.of(Protocol.OPTION_BASIC_AUTH, "eve:eve"));
            await().atMost(Duration.ofSeconds(10)).until(() -> a.cluster().servable("vault") && a.cluster().servable("weak"));
            assertThat(visit(a, "vault", basic("eve:eve")).get(20, TimeUnit.SECONDS).code()).isEqualTo(401);

            // Whoever can write the database moves the weak tunnel's sealed checks into the vault's row: they do not
            // open for another name, and the vault's visitors are refused rather than let through.
            try (Connection c = DriverManager.getConnection(url, "postgres", null);
                 PreparedStatement u = c.prepareStatement("UPDATE cluster_binding SET protection = "
                         + "(SELECT protection FROM cluster_binding WHERE name = 'weak') WHERE name = 'vault'")) {
                assertThat(u.executeUpdate()).isEqualTo(1);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(visit(a, "vault", basic("eve:eve")).get(20, TimeUnit.SECONDS).code()).isEqualTo(503));
            assertThat(visit(a, "vault", basic("alice:correct horse")).get(20, TimeUnit.SECONDS).code()).isEqualTo(503);

            // A row as a node from before sealed checks writes it (guarded, nothing sealed): refused here too.
            try (Connection c = DriverManager.getConnection(url, "postgres", null);
                 PreparedStatement u = c.prepareStatement("UPDATE cluster_binding SET protection = NULL WHERE name = 'weak'")) {
                assertThat(u.executeUpdate()).isEqualTo(1);
            }
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(visit(a, "weak", basic("eve:eve")).get(20, TimeUnit.SECONDS).code()).isEqualTo(503));
            assertThat(client.frames.poll(300, TimeUnit.MILLISECONDS)).as("nothing reached the client").isNull();

            // On the tunnel's own node its checks are its own, whatever the database says.
            CompletableFuture<Response> own = visit(b, "vault", basic("alice:correct horse"));
            answer(client, "from B itself");
            assertThat(own.get(20, TimeUnit.SECONDS).code()).isEqualTo(200);
        }
    }

    /** Answers the next stream the client gets with 200 and {@code body}; returns its OPEN. */
    private static OpenMessage answer(ProtocolTestClient client, String body) throws Exception {
        Frame open = client.expect(FrameType.OPEN);
        OpenMessage o = Json.read(open.payload(), OpenMessage.class);
        byte[] b = body.getBytes(StandardCharsets.UTF_8);
        client.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK",
                List.of(new Header("Content-Length", String.valueOf(b.length))))));
        client.send(Frame.data(open.streamId(), b, 0, b.length));
        client.send(Frame.fin(open.streamId()));
        return o;
    }

    private static String basic(String credentials) {
        return "Basic " + Base64.getEncoder().encodeToString(credentials.getBytes(StandardCharsets.UTF_8));
    }

    private CompletableFuture<Response> visit(Relay node, String name, String authorization) {
        Request.Builder req = new Request.Builder().url("http://127.0.0.1:" + node.port() + "/")
                .header("Host", name + ".localhost:" + node.port());
        if (authorization != null) {
            req.header("Authorization", authorization);
        }
        Request call = req.build();
        return CompletableFuture.supplyAsync(() -> {
            try {
                Response r = http.newCall(call).execute();
                r.peekBody(Long.MAX_VALUE);
                return r;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }
}
