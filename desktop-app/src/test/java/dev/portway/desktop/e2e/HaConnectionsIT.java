package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.EngineStatus;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.desktop.ui.connect.StatusText;
import dev.portway.relay.HaproxyCluster;
import dev.portway.relay.store.PostgresServer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Clients on two relay nodes (docs/cluster.md): three relay JVMs on a real PostgreSQL behind a real HAProxy running
 * installers/relay/haproxy.cfg, and the real engine connected through HAProxy with two sessions (feature {@code ha}).
 * 1,000 POSTs through HAProxy, a new connection each; at the 300th one of the client's two nodes is killed with
 * kill -9. Every request not in flight at the kill succeeds (the other session carries the tunnel: no gap), the URL
 * never changes, and the engine is back on two nodes within a few seconds.
 */
class HaConnectionsIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String TOKEN = "s3cret";
    private static final Path JAR = Path.of("..", "relay-lite", "target", "relay-lite.jar").toAbsolutePath().normalize();
    private static final Path CFG = Path.of("..", "installers", "relay", "haproxy.cfg").toAbsolutePath().normalize();
    /** The engine is back on two nodes within this after one of them is killed (it takes about a second here). */
    private static final Duration BACK_ON_TWO = Duration.ofSeconds(10);

    @TempDir
    Path tmp;

    /**
     * One visitor request: when it started and ended (System.nanoTime), whether it got the local app's answer, and if
     * not what it got instead.
     */
    record Call(long start, long end, boolean ok, String got) {
    }

    @Test
    void aKilledNodeOfTheClientCostsNoGapAndTheClientIsBackOnTwoNodes() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4, r -> new Thread(r, "ha-visitor"));
        try (HaproxyCluster cluster = new HaproxyCluster(PG.newDatabase(), TOKEN, JAR, CFG, tmp);
             LocalHttpApp app = new LocalHttpApp();
             TunnelHarness.RecordingEngine client = new TunnelHarness.RecordingEngine(EngineConfig.of(
                     URI.create("ws://" + cluster.lb()), TOKEN, List.of(TunnelSpec.http("web", app.port())))
                     .withHaConnections(2))) {
            OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(2))
                    .readTimeout(Duration.ofSeconds(10)).retryOnConnectionFailure(false).build();
            await().atMost(Duration.ofSeconds(60)).until(() -> client.engine.status().nodes().size() == 2
                    && client.engine.tunnels().size() == 1);
            String url = client.engine.tunnels().getFirst().url();
            List<String> before = client.engine.status().nodes();
            // The connection card's words for this real status (ConnectionViewModel shows StatusText).
            assertThat(StatusText.of(client.engine.status(), null)).isEqualTo("Connected to " + String.join(", ", before));
            for (String node : cluster.nodeIds()) { // every node serves it (a link to a client's node, or its own session)
                await().atMost(Duration.ofSeconds(20)).until(() -> {
                    String answer = cluster.directPost(node, "/t/web/echo", "warm-up");
                    return answer.startsWith("HTTP/1.1 200") && answer.contains("\r\nwarm-up\r\n"); // a chunked echo
                });
            }
            String victim = before.getFirst();

            List<Call> calls = Collections.synchronizedList(new ArrayList<>());
            AtomicInteger next = new AtomicInteger();
            long[] killing = {Long.MAX_VALUE};
            long[] killedAt = {Long.MAX_VALUE}; // from the kill signal until the process is gone
            List<Future<?>> visitors = new ArrayList<>();
            for (int v = 0; v < 4; v++) {
                visitors.add(pool.submit(() -> {
                    for (int n; (n = next.getAndIncrement()) < 1000; ) {
                        if (n == 300) {
                            killing[0] = System.nanoTime();
                            try {
                                cluster.kill(victim); // kill -9
                            } catch (InterruptedException e) {
                                return;
                            }
                            killedAt[0] = System.nanoTime();
                        }
                        calls.add(call(http, cluster.lb(), "r-" + n));
                    }
                }));
            }
            long t0 = System.nanoTime();
            long backNanos;
            // 300 requests first (a new connection each through HAProxy: slow on a loaded 2-core machine).
            await().atMost(Duration.ofMinutes(3)).until(() -> killedAt[0] != Long.MAX_VALUE);
            List<Call> sofar;
            synchronized (calls) { // the visitors go on adding
                sofar = List.copyOf(calls);
            }
            System.out.println("the 300th request after " + TimeUnit.NANOSECONDS.toMillis(killing[0] - t0) + " ms, "
                    + sofar.stream().filter(c -> !c.ok()).count() + " of " + sofar.size() + " failed before the kill");
            await().atMost(BACK_ON_TWO.plusSeconds(20)).pollInterval(Duration.ofMillis(20)).until(() -> {
                List<String> now = client.engine.status().nodes();
                return now.size() == 2 && !now.contains(victim);
            });
            backNanos = System.nanoTime() - killedAt[0];
            List<String> after = client.engine.status().nodes();
            for (Future<?> f : visitors) {
                f.get(5, TimeUnit.MINUTES);
            }
            long failed = calls.stream().filter(c -> !c.ok()).count();
            long inFlight = calls.stream().filter(c -> c.start() < killedAt[0] && c.end() > killing[0]).count();
            long failedInFlight = calls.stream().filter(c -> !c.ok() && c.start() < killedAt[0] && c.end() > killing[0]).count();
            System.out.println("1000 requests through HAProxy to a client on " + before + ", its node " + victim
                    + " killed at the 300th: " + (1000 - failed) + " succeeded, " + failed + " failed (" + failedInFlight
                    + " of the " + inFlight + " in flight at the kill); back on two nodes " + after + " "
                    + TimeUnit.NANOSECONDS.toMillis(backNanos) + " ms after the kill; URL " + url);
            calls.stream().filter(c -> !c.ok()).forEach(c -> System.out.println("  failed " + TimeUnit.NANOSECONDS.toMillis(
                    c.start() - killedAt[0]) + " ms after the kill, in " + TimeUnit.NANOSECONDS.toMillis(c.end() - c.start())
                    + " ms: " + c.got()));
            assertThat(calls).hasSize(1000);
            assertThat(calls.stream().filter(c -> c.start() > killedAt[0] && !c.ok())).as("requests that started after the kill").isEmpty();
            assertThat(calls.stream().filter(c -> c.end() < killing[0] && !c.ok())).as("requests done before the kill").isEmpty();
            assertThat(Duration.ofNanos(backNanos)).as("back on two nodes").isLessThan(BACK_ON_TWO);
            assertThat(client.bound.stream().map(BoundTunnel::url).distinct().toList()).as("every URL it was given")
                    .containsExactly(url);
            assertThat(client.engine.tunnels().getFirst().url()).isEqualTo(url);
            List<EngineStatus> statuses = List.copyOf(client.statuses);
            int connected = statuses.stream().map(EngineStatus::state).toList().indexOf(EngineState.CONNECTED);
            assertThat(statuses.subList(connected, statuses.size()).stream().filter(s -> s.state() != EngineState.CONNECTED)
                    .map(EngineStatus::message)).as("the engine never stopped being connected").isEmpty();
            int ok = 0;
            for (int n = 0; n < 100; n++) {
                ok += call(http, cluster.lb(), "after-" + n).ok() ? 1 : 0;
            }
            assertThat(ok).as("requests after the engine is back on two nodes").isEqualTo(100);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /**
     * A TCP tunnel of the real engine on two nodes: one port for both sessions, every node listening on it; TCP
     * visitors through HAProxy's TCP range reach the local app, also after one of the client's nodes is killed.
     */
    @Test
    void aTcpTunnelOnTwoNodesHasOnePortAndOutlivesAKilledNode() throws Exception {
        try (HaproxyCluster cluster = new HaproxyCluster(PG.newDatabase(), TOKEN, JAR, CFG, tmp);
             TcpEchoServer app = new TcpEchoServer();
             TunnelHarness.RecordingEngine client = new TunnelHarness.RecordingEngine(EngineConfig.of(
                     URI.create("ws://" + cluster.lb()), TOKEN, List.of(TunnelSpec.tcp("db", app.port())))
                     .withHaConnections(2))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> client.engine.status().nodes().size() == 2
                    && client.engine.tunnels().size() == 1);
            int port = client.engine.tunnels().getFirst().port();
            assertThat(port).isBetween(cluster.tcpFrom(), cluster.tcpFrom() + HaproxyCluster.TCP_PORTS - 1);
            List<String> before = client.engine.status().nodes();
            for (String node : cluster.nodeIds()) { // the port is the cluster's: every node answers on it
                String host = cluster.direct(node).substring(0, cluster.direct(node).indexOf(':'));
                await().atMost(Duration.ofSeconds(20)).ignoreExceptions()
                        .until(() -> tcpEcho(host, port, HaproxyCluster.proxyHeader(host, port), "warm-up").equals("warm-upbye:7"));
            }
            for (int n = 0; n < 20; n++) {
                String text = "v" + n;
                assertThat(tcpEcho(HaproxyCluster.TCP_LB_HOST, port, text)).isEqualTo(text + "bye:" + text.length());
            }

            String victim = before.getFirst();
            cluster.kill(victim); // kill -9 of one of the client's two nodes
            long killed = System.nanoTime();
            int ok = 0;
            for (int n = 0; n < 30; n++) {
                String text = "after-" + n;
                try {
                    ok += tcpEcho(HaproxyCluster.TCP_LB_HOST, port, text).equals(text + "bye:" + text.length()) ? 1 : 0;
                } catch (IOException e) {
                    // counted as failed
                }
            }
            System.out.println("TCP tunnel on " + before + " at port " + port + ": " + ok + "/30 visitors through HAProxy "
                    + "answered after " + victim + " was killed, in " + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed)
                    + " ms");
            assertThat(ok).isEqualTo(30);
            await().atMost(BACK_ON_TWO.plusSeconds(20)).until(() -> client.engine.status().nodes().size() == 2
                    && !client.engine.status().nodes().contains(victim));
            assertThat(client.engine.tunnels().getFirst().port()).as("the same port on the new node").isEqualTo(port);
            assertThat(client.bound.stream().map(BoundTunnel::url).distinct().toList()).hasSize(1);
        }
    }

    /** One TCP visitor: sends {@code text}, half-closes, reads everything the app answers. */
    private static String tcpEcho(String host, int port, String text) throws IOException {
        return tcpEcho(host, port, new byte[0], text);
    }

    /** @param header what goes first (a PROXY header for a connection straight to a node), not echoed */
    private static String tcpEcho(String host, int port, byte[] header, String text) throws IOException {
        try (java.net.Socket s = new java.net.Socket()) {
            s.connect(new java.net.InetSocketAddress(host, port), 2_000);
            s.setSoTimeout(10_000);
            s.getOutputStream().write(header);
            s.getOutputStream().write(text.getBytes(java.nio.charset.StandardCharsets.US_ASCII));
            s.shutdownOutput();
            return new String(s.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII);
        }
    }

    private static Call call(OkHttpClient http, String lb, String body) {
        long start = System.nanoTime();
        boolean ok = false;
        String got;
        // A new connection each time (Connection: close): HAProxy balances each request on its own.
        Request r = new Request.Builder().url("http://" + lb + "/t/web/echo").header("Connection", "close")
                .post(RequestBody.create(body, MediaType.get("text/plain"))).build();
        try (Response response = http.newCall(r).execute()) {
            String text = response.body().string();
            ok = response.code() == 200 && body.equals(text);
            got = response.code() + " " + text.substring(0, Math.min(120, text.length())).replaceAll("\\s+", " ");
        } catch (IOException e) {
            got = e.toString(); // failed: counted
        }
        return new Call(start, System.nanoTime(), ok, got);
    }
}
