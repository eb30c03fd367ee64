package dev.portway.relay;

import dev.portway.relay.store.PostgresServer;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Three relay JVMs on one real PostgreSQL behind a real HAProxy running installers/relay/haproxy.cfg (TCP mode, health
 * checks on /api/tunnel/health). A client bound through HAProxy, visitors through HAProxy. A node that does not hold
 * the client's session is killed with kill -9 during 1,000 requests: every request not in flight at the kill
 * succeeds. Then the client's own node is killed: the client reconnects through HAProxy to a live node and gets the
 * same URL back (this client is on one node only: until it is back, its tunnel is down; the desktop app's
 * HaConnectionsIT runs the real engine on two nodes at once, with no gap).
 */
class HaproxyFrontIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String TOKEN = "s3cret";
    private static final Path CFG = Path.of("..", "installers", "relay", "haproxy.cfg").toAbsolutePath().normalize();

    @TempDir
    Path tmp;

    @Test
    void theShippedHaproxyCfgIsValid() throws Exception {
        Process check = new ProcessBuilder(HaproxyCluster.HAPROXY, "-c", "-f", CFG.toString()).redirectErrorStream(true).start();
        String out = new String(check.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(check.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(check.exitValue()).as(out).isZero();
        assertThat(out).contains("Configuration file is valid");
    }

    /** One visitor request: when it started and ended (System.nanoTime) and whether it got the client's answer. */
    record Call(long start, long end, boolean ok) {
    }

    @Test
    void visitorsThroughHaproxySurviveAKilledNodeAndTheClientComesBackWithItsUrl() throws Exception {
        String url = PG.newDatabase();
        ExecutorService pool = Executors.newFixedThreadPool(6, r -> new Thread(r, "haproxy-front"));
        AtomicReference<ProtocolTestClient> client = new AtomicReference<>();
        try (HaproxyCluster cluster = new HaproxyCluster(url, TOKEN, Path.of("target", "relay-lite.jar").toAbsolutePath(),
                CFG, tmp)) {
            String lb = cluster.lb();
            OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(2))
                    .readTimeout(Duration.ofSeconds(10)).retryOnConnectionFailure(false).build();

            AtomicReference<String> boundUrl = new AtomicReference<>();
            AtomicInteger binds = new AtomicInteger();
            pool.execute(() -> serve(lb, client, boundUrl, binds));
            await().atMost(Duration.ofSeconds(30)).until(() -> boundUrl.get() != null);
            String firstUrl = boundUrl.get();
            // Each node dials its link to the client's node once it hears of the binding: wait until every node serves it.
            for (String node : cluster.nodeIds()) {
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    String answer = cluster.directPost(node, "/t/web/hook", "warm-up");
                    return answer.startsWith("HTTP/1.1 200") && answer.endsWith("echo warm-up");
                });
            }
            String clientNode = nodeOf(url, "web");
            String other = cluster.nodeIds().stream().filter(n -> !n.equals(clientNode)).sorted().findFirst().orElseThrow();

            // 1,000 requests through HAProxy; at the 300th a node that does not hold the client's session is killed.
            List<Call> calls = java.util.Collections.synchronizedList(new ArrayList<>());
            AtomicInteger next = new AtomicInteger();
            long[] killedAt = {Long.MAX_VALUE}; // from the kill signal until the process is gone
            long[] killing = {Long.MAX_VALUE};
            List<Future<?>> visitors = new ArrayList<>();
            for (int v = 0; v < 4; v++) {
                visitors.add(pool.submit(() -> {
                    for (int n; (n = next.getAndIncrement()) < 1000; ) {
                        if (n == 300) {
                            killing[0] = System.nanoTime();
                            try {
                                cluster.kill(other); // kill -9
                            } catch (InterruptedException e) {
                                return;
                            }
                            killedAt[0] = System.nanoTime();
                        }
                        calls.add(call(http, lb, "r-" + n));
                    }
                }));
            }
            for (Future<?> f : visitors) {
                f.get(180, TimeUnit.SECONDS);
            }
            long failed = calls.stream().filter(c -> !c.ok()).count();
            long inFlight = calls.stream().filter(c -> c.start() < killedAt[0] && c.end() > killing[0]).count();
            System.out.println("1000 requests through HAProxy, node " + other + " killed at the 300th: "
                    + (1000 - failed) + " succeeded, " + failed + " failed; " + inFlight + " were in flight at the kill");
            assertThat(calls.stream().filter(c -> c.start() > killedAt[0] && !c.ok()))
                    .as("requests that started after the kill").isEmpty();
            assertThat(calls.stream().filter(c -> c.end() < killing[0] && !c.ok())).as("requests done before the kill").isEmpty();

            // The client's own node dies: the client reconnects through HAProxy to the live node, same URL.
            int bindsBefore = binds.get();
            long killed = System.nanoTime();
            cluster.kill(clientNode);
            await().atMost(Duration.ofSeconds(30)).until(() -> binds.get() > bindsBefore);
            long backMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed);
            assertThat(boundUrl.get()).as("the tunnel's URL").isEqualTo(firstUrl);
            int ok = 0;
            for (int n = 0; n < 100; n++) {
                ok += call(http, lb, "after-" + n).ok() ? 1 : 0;
            }
            System.out.println("The client's node " + clientNode + " killed: the client was bound again through HAProxy on "
                    + nodeOf(url, "web") + " after " + backMs + " ms with the same URL " + firstUrl + "; " + ok
                    + "/100 requests after that succeeded");
            assertThat(ok).isEqualTo(100);
        } finally {
            ProtocolTestClient c = client.getAndSet(null);
            pool.shutdownNow();
            if (c != null) {
                c.close();
            }
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void tcpTunnelVisitorsThroughHaproxyReachTheClientFromEveryNodeAlsoWhenOneDies() throws Exception {
        String url = PG.newDatabase();
        try (HaproxyCluster cluster = new HaproxyCluster(url, TOKEN, Path.of("target", "relay-lite.jar").toAbsolutePath(),
                CFG, tmp); TcpEchoServer app = new TcpEchoServer("app:");
             TcpTestEngine engine = new TcpTestEngine(ProtocolTestClient.connect("ws://" + cluster.lb() + "/api/tunnel/connect",
                     TOKEN), new ControlMessage.Bind("1", "tcp", "db", null, null), app.port())) {
            int port = engine.bound.port();
            assertThat(port).isBetween(cluster.tcpFrom(), cluster.tcpFrom() + HaproxyCluster.TCP_PORTS - 1);
            // The port is the cluster's: every node listens on it, whichever one the client reached.
            for (String node : cluster.nodeIds()) {
                String host = cluster.direct(node).substring(0, cluster.direct(node).indexOf(':'));
                await().atMost(Duration.ofSeconds(20)).until(() -> ClusterTcpIT.listening(host, port));
            }
            String lbHost = HaproxyCluster.TCP_LB_HOST;
            for (int n = 0; n < 30; n++) { // a new connection each: HAProxy spreads them over the three nodes
                assertThat(ClusterTcpIT.roundTrip(lbHost, port, "v" + n)).isEqualTo("app:v" + n);
            }
            // HAProxy's PROXY v2 header names the visitor: the stream's remote is the visitor's address, not HAProxy's.
            assertThat(ClusterTcpIT.roundTripFrom("127.0.0.5", lbHost, port, "from .5")).isEqualTo("app:from .5");
            assertThat(engine.opens.getLast().remote()).startsWith("127.0.0.5:");
            // A node that does not hold the client dies: HAProxy sends its visitors to the others.
            String clientNode = nodeOf(url, "db");
            String other = cluster.nodeIds().stream().filter(n -> !n.equals(clientNode)).sorted().findFirst().orElseThrow();
            cluster.kill(other);
            int ok = 0;
            for (int n = 0; n < 30; n++) {
                try {
                    ok += ("app:w" + n).equals(ClusterTcpIT.roundTrip(lbHost, port, "w" + n)) ? 1 : 0;
                } catch (java.io.IOException e) {
                    // counted as failed
                }
            }
            System.out.println("TCP tunnel through HAProxy: 30/30 visitors before, " + ok + "/30 after node " + other
                    + " was killed (the client is on " + clientNode + ")");
            assertThat(ok).isEqualTo(30);
        }
    }

    private static Call call(OkHttpClient http, String lb, String body) {
        long start = System.nanoTime();
        boolean ok = false;
        // A new connection each time (Connection: close): HAProxy balances each request on its own.
        Request r = new Request.Builder().url("http://" + lb + "/t/web/hook").header("Connection", "close")
                .post(RequestBody.create(body, MediaType.get("text/plain"))).build();
        try (Response response = http.newCall(r).execute()) {
            ok = response.code() == 200 && ("echo " + body).equals(response.body().string());
        } catch (java.io.IOException e) {
            // failed: counted
        }
        return new Call(start, System.nanoTime(), ok);
    }

    /** The node that binds {@code name}, as the cluster's table says. */
    private static String nodeOf(String url, String name) throws Exception {
        try (var c = DriverManager.getConnection(url, "postgres", null);
             PreparedStatement q = c.prepareStatement("SELECT b.node_id FROM cluster_binding b JOIN cluster_node n "
                     + "ON n.node_id = b.node_id WHERE b.name = ? AND n.lease_until > now()")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? rs.getString(1) : null;
            }
        }
    }

    /** The client, through HAProxy: binds "web" (strict), echoes every request's body; reconnects when cut. */
    private static void serve(String lb, AtomicReference<ProtocolTestClient> client, AtomicReference<String> boundUrl,
                              AtomicInteger binds) {
        while (!Thread.currentThread().isInterrupted()) {
            ProtocolTestClient c = ProtocolTestClient.connect("ws://" + lb + "/api/tunnel/connect", TOKEN);
            client.set(c);
            try {
                if (nextControl(c) instanceof ControlMessage.Welcome) {
                    c.send(Frame.control(new ControlMessage.Bind("1", "http", "web", null, Map.of("strict_name", "true"))));
                    if (nextControl(c) instanceof ControlMessage.Bound b) { // else: the dead node's lease still holds the name
                        boundUrl.set(b.url());
                        binds.incrementAndGet();
                        echo(c);
                    }
                }
            } catch (RuntimeException | AssertionError e) {
                // cut: connect again
            } finally {
                c.close();
            }
            try {
                Thread.sleep(200); // reconnect backoff
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private static ControlMessage nextControl(ProtocolTestClient c) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - until < 0 && c.closeCode.get() == -1) {
            Frame f = poll(c);
            if (f != null && f.type() == FrameType.CONTROL) {
                try {
                    ControlMessage m = Json.read(f.payload(), ControlMessage.class);
                    if (!(m instanceof ControlMessage.Ping || m instanceof ControlMessage.Pong)) {
                        return m;
                    }
                } catch (Exception e) {
                    return null;
                }
            }
        }
        return null;
    }

    private static void echo(ProtocolTestClient c) {
        Map<Integer, StringBuilder> bodies = new HashMap<>();
        while (c.closeCode.get() == -1 && !Thread.currentThread().isInterrupted()) {
            Frame f = poll(c);
            if (f == null) {
                continue;
            }
            if (f.type() == FrameType.OPEN) {
                bodies.put(f.streamId(), new StringBuilder());
            } else if (f.type() == FrameType.DATA && bodies.containsKey(f.streamId())) {
                bodies.get(f.streamId()).append(new String(f.payloadBytes(), StandardCharsets.UTF_8));
            } else if (f.type() == FrameType.FIN && bodies.containsKey(f.streamId())) {
                byte[] answer = ("echo " + bodies.remove(f.streamId())).getBytes(StandardCharsets.UTF_8);
                c.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of(
                        new dev.portway.shared.protocol.Header("Content-Length", String.valueOf(answer.length))))));
                c.send(Frame.data(f.streamId(), answer, 0, answer.length));
                c.send(Frame.fin(f.streamId()));
            } else if (f.type() == FrameType.RST) {
                bodies.remove(f.streamId());
            }
        }
    }

    private static Frame poll(ProtocolTestClient c) {
        try {
            return c.frames.poll(200, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }
}
