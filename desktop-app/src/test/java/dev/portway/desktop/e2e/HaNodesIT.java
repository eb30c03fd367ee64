package dev.portway.desktop.e2e;

import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.portway.desktop.engine.BoundTunnel;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.IdentityConfig;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.cluster.ClusterConfig;
import dev.portway.relay.store.PostgresServer;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A client with two sessions ({@code --ha-connections 2}, PROTOCOL.md §3.3) on three in-process relay nodes on a real
 * PostgreSQL, each with a {@code --client-url}: the engine reaches node a, its second session dials the direct URL
 * another node announced in {@code welcome.nodes} (checked on the nodes' own session counts), a node whose URL leads
 * nowhere is skipped for the next one with a log line, and a node stopped gracefully (go_away) is replaced by the third
 * one while every request through the other nodes succeeds and the URL stays the same.
 */
class HaNodesIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    private static final String TOKEN = "secret";

    @TempDir
    Path tmp;
    private final Map<String, Relay> nodes = new LinkedHashMap<>();
    /** Every node on its own loopback address and the same port, as behind a load balancer: all write the same URLs. */
    private final int port = freePort();

    HaNodesIT() throws IOException {
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    /** Node {@code ha-x} on 127.0.0.N (a=1, b=2, c=3), announcing {@code clientUrl}. */
    private Relay node(String db, String id, String clientUrl) throws Exception {
        Relay r = Relay.start(RelayConfig.builder().port(port).bindHost(host(id)).token(TOKEN).tcpPortFrom(0).tcpPortTo(0)
                        .grace(Duration.ofSeconds(1)).shutdownDeadline(Duration.ofSeconds(5))
                        .dataDir(Files.createDirectories(tmp.resolve(id)))
                        .identity(IdentityConfig.DEFAULTS.withDb(db, "postgres", null)).build(), null,
                new ClusterConfig(id, host(id) + ":" + freePort(), SECRET, Duration.ofSeconds(3), clientUrl));
        nodes.put(id, r);
        return r;
    }

    private Relay nodeAt(String db, String id) throws Exception {
        return node(db, id, "ws://" + host(id) + ":" + port);
    }

    private static String host(String id) {
        return "127.0.0." + (id.charAt(id.length() - 1) - 'a' + 1);
    }

    @AfterEach
    void stop() {
        nodes.values().forEach(Relay::close);
    }

    private static Map<String, Integer> sessions(Map<String, Relay> nodes) {
        Map<String, Integer> m = new LinkedHashMap<>();
        nodes.forEach((id, r) -> m.put(id, r.sessionCount()));
        return m;
    }

    @Test
    void theSecondSessionDialsAnotherNodesClientUrlAndSkipsOneThatLeadsNowhere() throws Exception {
        String db = PG.newDatabase();
        Relay a = nodeAt(db, "ha-a");
        // ha-b announces a port nothing listens on; welcome.nodes is ordered by id, so it is tried first
        node(db, "ha-b", "ws://127.0.0.2:" + freePort());
        Relay c = nodeAt(db, "ha-c");
        ListAppender<ILoggingEvent> log = new ListAppender<>();
        log.start();
        ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(TunnelEngine.class)).addAppender(log);
        try (LocalHttpApp app = new LocalHttpApp();
             TunnelHarness.RecordingEngine client = new TunnelHarness.RecordingEngine(EngineConfig.of(
                     URI.create(a.connectUrl()), TOKEN, List.of(TunnelSpec.http("web", app.port()))).withHaConnections(2))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> client.engine.status().nodes().size() == 2);

            assertThat(client.engine.status().nodes()).containsExactlyInAnyOrder("ha-a", "ha-c");
            await().atMost(Duration.ofSeconds(20)).until(() -> sessions(nodes).equals(Map.of("ha-a", 1, "ha-b", 0, "ha-c", 1)));
            assertThat(log.list.stream().map(ILoggingEvent::getFormattedMessage))
                    .anyMatch(m -> m.startsWith("Relay node ha-b cannot be reached at its announced address ws://127.0.0.2:")
                            && m.contains("trying another node"));
        } finally {
            ((ch.qos.logback.classic.Logger) LoggerFactory.getLogger(TunnelEngine.class)).detachAppender(log);
        }
    }

    @Test
    void aNodeStoppedGracefullyIsReplacedByTheThirdWithNoFailedRequest() throws Exception {
        String db = PG.newDatabase();
        Relay a = nodeAt(db, "ha-a");
        Relay b = nodeAt(db, "ha-b");
        Relay c = nodeAt(db, "ha-c");
        ExecutorService pool = Executors.newFixedThreadPool(2, r -> new Thread(r, "ha-visitor"));
        try (LocalHttpApp app = new LocalHttpApp();
             TunnelHarness.RecordingEngine client = new TunnelHarness.RecordingEngine(EngineConfig.of(
                     URI.create(a.connectUrl()), TOKEN, List.of(TunnelSpec.http("web", app.port()))).withHaConnections(2))) {
            await().atMost(Duration.ofSeconds(60)).until(() -> sessions(nodes).equals(Map.of("ha-a", 1, "ha-b", 1, "ha-c", 0))
                    && client.engine.tunnels().size() == 1);
            String url = client.engine.tunnels().getFirst().url();
            OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(2))
                    .readTimeout(Duration.ofSeconds(20)).retryOnConnectionFailure(false).build();
            for (String n : List.of("ha-a", "ha-c")) { // a by its own session, c over a link
                await().atMost(Duration.ofSeconds(20)).until(() -> call(http, n, "warm-up") == null);
            }

            // Visitors on the nodes that stay, all the time b shuts down and the engine moves to c.
            AtomicBoolean stop = new AtomicBoolean();
            List<String> failures = Collections.synchronizedList(new ArrayList<>());
            java.util.concurrent.atomic.AtomicIntegerArray count = new java.util.concurrent.atomic.AtomicIntegerArray(2);
            List<Future<?>> visitors = new ArrayList<>();
            for (int v = 0; v < 2; v++) {
                int me = v;
                visitors.add(pool.submit(() -> {
                    for (int n = 0; !stop.get(); n++) {
                        String failed = call(http, me == 0 ? "ha-a" : "ha-c", "v" + me + "-" + n);
                        count.incrementAndGet(me);
                        if (failed != null) {
                            failures.add((me == 0 ? "ha-a: " : "ha-c: ") + failed);
                        }
                    }
                }));
            }
            await().atMost(Duration.ofSeconds(30)).until(() -> count.get(0) > 20 && count.get(1) > 20);
            long t0 = System.nanoTime();
            Thread stopper = Thread.ofPlatform().name("stop-ha-b").start(b::close); // go_away, drain, close
            await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> client.engine.status().nodes().size() == 2 && client.engine.status().nodes().contains("ha-c"));
            long movedMs = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
            stopper.join(Duration.ofSeconds(30));
            nodes.remove("ha-b");
            await().atMost(Duration.ofSeconds(20)).until(() -> sessions(nodes).equals(Map.of("ha-a", 1, "ha-c", 1)));
            int before = count.get(0) + count.get(1);
            await().atMost(Duration.ofSeconds(30)).until(() -> count.get(0) + count.get(1) > before + 40);
            stop.set(true);
            for (Future<?> f : visitors) {
                f.get(1, TimeUnit.MINUTES);
            }
            System.out.println("ha-b stopped gracefully: the engine on " + client.engine.status().nodes() + " after "
                    + movedMs + " ms; " + (count.get(0) + count.get(1)) + " requests through ha-a and ha-c meanwhile, "
                    + failures.size() + " failed " + failures);

            assertThat(failures).as("requests through the nodes that stayed").isEmpty();
            assertThat(client.engine.status().nodes()).containsExactlyInAnyOrder("ha-a", "ha-c");
            assertThat(Duration.ofMillis(movedMs)).as("back on two nodes").isLessThan(Duration.ofSeconds(10));
            assertThat(client.bound.stream().map(BoundTunnel::url).distinct().toList()).containsExactly(url);
        } finally {
            pool.shutdownNow();
            pool.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** One POST to the tunnel on {@code node}, a new connection; null when the app's echo came back, else what did. */
    private String call(OkHttpClient http, String node, String body) {
        Request r = new Request.Builder().url("http://" + host(node) + ":" + port + "/t/web/echo").header("Connection", "close")
                .post(RequestBody.create(body, MediaType.get("text/plain"))).build();
        try (Response response = http.newCall(r).execute()) {
            String text = response.body().string();
            return response.code() == 200 && body.equals(text) ? null
                    : response.code() + " " + text.substring(0, Math.min(120, text.length())).replaceAll("\\s+", " ");
        } catch (IOException e) {
            return e.toString();
        }
    }
}
