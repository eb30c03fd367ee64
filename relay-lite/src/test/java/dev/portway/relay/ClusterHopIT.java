package dev.portway.relay;

import dev.portway.relay.store.PostgresServer;
import dev.portway.relay.testing.ClusterNodes;
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

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Any node serves any tunnel: a visitor on node A, the tunnel's client on node B, over the node-to-node link. */
class ClusterHopIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
    @TempDir
    Path tmp;

    static int freePort() throws Exception {
        return dev.portway.relay.testing.FreePorts.unused(); // below the ephemeral range: no outgoing connection takes it meanwhile
    }

    private Relay node(String url, String id, String secret) throws Exception {
        return ClusterNodes.start(tmp, url, id, secret);
    }

    @Test
    void aVisitorOnOneNodeIsServedByTheClientOnAnotherWithFlowControlEndToEnd() throws Exception {
        String url = PG.newDatabase();
        try (Relay a = node(url, "hop-a", SECRET); Relay b = node(url, "hop-b", SECRET);
             ProtocolTestClient client = ProtocolTestClient.connect(b, "secret", null)) {
            client.control(ControlMessage.Welcome.class);
            client.bind("1", "http", "hop", Map.of());
            // A knows the binding, and its link to B is up (until then A answers B's tunnels with a 503)
            await().atMost(Duration.ofSeconds(10)).until(() -> a.cluster().servable("hop"));

            // A small answer, as on a single relay.
            CompletableFuture<Response> small = visit(a, "/hello?x=1");
            Frame open = client.expect(FrameType.OPEN);
            OpenMessage o = Json.read(open.payload(), OpenMessage.class);
            assertThat(o.tunnel()).isEqualTo("hop");
            assertThat(o.target()).isEqualTo("/hello?x=1");
            client.expect(FrameType.FIN);
            client.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK", List.of(new Header("Content-Length", "12")))));
            client.send(Frame.data(open.streamId(), "hello from B".getBytes(StandardCharsets.UTF_8), 0, 12));
            client.send(Frame.fin(open.streamId()));
            Response r = small.get(20, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo("hello from B");

            // 6 MiB, six times the stream window: the client can only go on when credit comes back from the
            // visitor on node A, through node B's session.
            byte[] big = new byte[6 * 1024 * 1024];
            new Random(7).nextBytes(big);
            CompletableFuture<Response> download = visit(a, "/big");
            Frame open2 = client.expect(FrameType.OPEN);
            client.expect(FrameType.FIN);
            int id = open2.streamId();
            client.send(Frame.reply(id, ReplyMessage.http(200, "OK", List.of(new Header("Content-Length", String.valueOf(big.length))))));
            long credit = Protocol.DEFAULT_STREAM_WINDOW;
            int sent = 0;
            int updates = 0;
            while (sent < big.length) {
                if (credit <= 0) {
                    Frame f = client.next();
                    if (f.type() == FrameType.WINDOW_UPDATE && f.streamId() == id) {
                        credit += f.windowIncrement();
                        updates++;
                    }
                    continue;
                }
                int n = (int) Math.min(Math.min(64 * 1024, big.length - sent), credit);
                client.send(Frame.data(id, big, sent, n));
                sent += n;
                credit -= n;
            }
            client.send(Frame.fin(id));
            Response d = download.get(30, TimeUnit.SECONDS);
            assertThat(d.code()).isEqualTo(200);
            byte[] got = d.body().bytes();
            assertThat(got.length).isEqualTo(big.length);
            assertThat(sha(got)).isEqualTo(sha(big));
            assertThat(updates).as("credit came back in steps, not all at once").isGreaterThanOrEqualTo(5);
            // Counted once, on the node the visitor reached.
            assertThat(a.metricsText()).containsPattern("tunnel_requests_total\\{[^}]*\\} [1-9]");
        }
    }

    @Test
    void aNodeWithAnotherSecretIsNotLinkedAndItsVisitorsGetA503() throws Exception {
        String url = PG.newDatabase();
        try (Relay a = node(url, "bad-a", "another-secret-entirely-0123456789"); Relay b = node(url, "bad-b", SECRET);
             ProtocolTestClient client = ProtocolTestClient.connect(b, "secret", null)) {
            client.control(ControlMessage.Welcome.class);
            client.bind("1", "http", "lonely", Map.of());
            await().atMost(Duration.ofSeconds(5)).until(() -> a.cluster().locate("lonely") != null);
            Response r = visit(a, "/").get(20, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(503);
            assertThat(client.frames.poll(500, TimeUnit.MILLISECONDS)).as("nothing reached the client").isNull();
        }
    }

    private CompletableFuture<Response> visit(Relay node, String path) {
        Request req = new Request.Builder().url("http://127.0.0.1:" + node.port() + path)
                .header("Host", "hop.localhost:" + node.port()).build();
        if (path.equals("/")) {
            req = req.newBuilder().header("Host", "lonely.localhost:" + node.port()).build();
        }
        Request call = req;
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

    private static String sha(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }
}
