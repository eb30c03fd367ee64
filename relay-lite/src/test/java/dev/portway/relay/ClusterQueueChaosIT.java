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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The queue in the cluster under chaos (issue 14): three relay JVMs on one real PostgreSQL, 1,000 webhooks for one
 * queued tunnel posted to random nodes (again, to another node, until one answers 2xx; never 404: every node knows the
 * reservation), while relay nodes are killed
 * with kill -9 (and replaced) and the client's connection is cut, at random points. Every webhook is delivered to the
 * client at least once, by whichever node holds its session; duplicates (a delivery in flight when its node or the
 * client died) are counted and printed.
 */
class ClusterQueueChaosIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    private static final String TOKEN = "s3cret";
    private static final String KEY = "installation-key-0123456789abcdef";
    private static final int WEBHOOKS = 1000;
    private static final Map<String, String> QUEUED = Map.of("queue", "on", "strict_name", "true");

    @TempDir
    Path tmp;

    private String url;
    private final List<Node> nodes = new CopyOnWriteArrayList<>();
    private final AtomicInteger started = new AtomicInteger();
    /** Answers 404 "tunnel not found": a node that does not know the queued tunnel (it must know it, on every node). */
    private final AtomicInteger notFound = new AtomicInteger();
    private final Random random = new Random(Long.getLong("chaos.seed", System.nanoTime()));

    /** A relay JVM; {@code port} is 0 until it announced it. */
    private static final class Node {
        final String id;
        final RelayProcess process;
        volatile int port;
        volatile boolean dead;

        Node(String id, RelayProcess process) {
            this.id = id;
            this.process = process;
        }

        boolean usable() {
            return !dead && port > 0;
        }
    }

    @Test
    void aThousandWebhooksAreAllDeliveredWhileNodesAndTheClientAreKilled() throws Exception {
        url = PG.newDatabase();
        long t0 = System.nanoTime();
        ExecutorService background = Executors.newFixedThreadPool(12, r -> new Thread(r, "chaos"));
        Map<String, Integer> delivered = new ConcurrentHashMap<>();
        AtomicInteger deliveries = new AtomicInteger();
        AtomicInteger accepted = new AtomicInteger();
        AtomicInteger stored = new AtomicInteger();
        AtomicReference<Node> clientOn = new AtomicReference<>();
        AtomicReference<ProtocolTestClient> client = new AtomicReference<>();
        List<String> events = new CopyOnWriteArrayList<>();
        try {
            for (int i = 0; i < 3; i++) {
                startNode(background);
            }
            await().atMost(Duration.ofSeconds(90)).until(() -> nodes.stream().filter(Node::usable).count() == 3);
            // The client binds the queued tunnel, then serves: every OPEN (a delivery or a live request) is answered.
            background.execute(() -> serve(client, clientOn, delivered, deliveries));
            await().atMost(Duration.ofSeconds(30)).until(() -> clientOn.get() != null);

            OkHttpClient http = new OkHttpClient.Builder().connectTimeout(Duration.ofSeconds(2))
                    .readTimeout(Duration.ofSeconds(10)).retryOnConnectionFailure(false).build();
            AtomicInteger nextHook = new AtomicInteger();
            List<java.util.concurrent.Future<?>> posters = new ArrayList<>();
            for (int p = 0; p < 6; p++) {
                posters.add(background.submit(() -> {
                    for (int n; (n = nextHook.getAndIncrement()) < WEBHOOKS; ) {
                        if (post(http, "wh-" + n)) {
                            stored.incrementAndGet();
                        }
                        accepted.incrementAndGet();
                    }
                }));
            }
            // Chaos at random points of the run: the client's connection cut three times, two nodes killed (the first
            // the one holding the client's session) and replaced by fresh ones.
            List<Integer> at = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                at.add(50 + random.nextInt(WEBHOOKS - 150));
            }
            at.sort(null);
            String[] script = {"client", "node-of-client", "client", "node", "client"};
            for (int i = 0; i < script.length; i++) {
                int when = at.get(i);
                await().atMost(Duration.ofSeconds(60)).until(() -> accepted.get() >= when);
                switch (script[i]) {
                    case "client" -> {
                        ProtocolTestClient c = client.get();
                        if (c != null) {
                            c.close(); // cut: no unbind, no goodbye
                        }
                        events.add("client cut at " + when);
                    }
                    case "node-of-client", "node" -> {
                        Node victim = "node".equals(script[i]) || clientOn.get() == null || !clientOn.get().usable()
                                ? randomUsable() : clientOn.get();
                        victim.dead = true;
                        victim.process.process.destroyForcibly(); // kill -9
                        events.add(victim.id + " killed at " + when);
                        startNode(background);
                    }
                    default -> throw new IllegalStateException(script[i]);
                }
            }
            for (var p : posters) {
                p.get(120, TimeUnit.SECONDS);
            }
            await().atMost(Duration.ofSeconds(60)).until(() -> delivered.size() == WEBHOOKS);
            int duplicates = deliveries.get() - delivered.size();
            System.out.println(delivered.size() + "/" + WEBHOOKS + " delivered, " + duplicates + " duplicates ("
                    + stored.get() + " stored by a node and delivered from the queue, the others carried live; "
                    + notFound.get() + " answered 404 by a node that did not know the tunnel; "
                    + String.join(", ", events) + "; " + started.get() + " relay JVMs; "
                    + TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - t0) + " s)");
            assertThat(delivered).hasSize(WEBHOOKS);
            assertThat(notFound.get()).as("webhooks a node answered 404: every node accepts the queued tunnel's").isZero();
            for (int n = 0; n < WEBHOOKS; n++) {
                assertThat(delivered).containsKey("wh-" + n);
            }
        } finally {
            ProtocolTestClient c = client.getAndSet(null);
            clientOn.set(null);
            if (c != null) {
                c.close();
            }
            background.shutdownNow();
            for (Node n : nodes) {
                n.dead = true;
                n.process.close();
            }
            background.awaitTermination(10, TimeUnit.SECONDS);
        }
    }

    /** Starts one more relay JVM as a cluster node (a fresh id: a killed id is refused until its lease ran out). */
    private void startNode(ExecutorService background) throws Exception {
        int n = started.incrementAndGet();
        String id = "chaos-" + n;
        Path data = Files.createDirectories(tmp.resolve(id));
        Path jar = Path.of("target", "relay-lite.jar").toAbsolutePath();
        RelayProcess p = new RelayProcess(List.of(RelayProcess.java(), "-Xmx128m", "-XX:TieredStopAtLevel=1", "-jar",
                jar.toString(), "--host", "127.0.0.1", "--port", "0", "--tcp-ports", "0-0", "--data-dir", data.toString(),
                "--db", url, "--db-user", "postgres", "--node-id", id, "--cluster-address",
                "127.0.0.1:" + ClusterHopIT.freePort(), "--cluster-lease", "3s", "--grace", "1s", "--hold", "0"),
                Map.of("PORTWAY_TOKEN", TOKEN, "PORTWAY_CLUSTER_SECRET", SECRET), data);
        Node node = new Node(id, p);
        nodes.add(node);
        background.execute(() -> node.port = p.port());
    }

    private Node randomUsable() {
        List<Node> live = nodes.stream().filter(Node::usable).toList();
        if (live.isEmpty()) {
            throw new AssertionError("no relay node is up");
        }
        return live.get(random.nextInt(live.size()));
    }

    /**
     * Posts one webhook until a node answers 2xx: 202 (stored) or the client's own answer (delivered live).
     *
     * @return whether a node stored it (its answer has a delivery id)
     */
    private boolean post(OkHttpClient http, String id) {
        // tried on random live nodes until one accepts it (a node may die under the request), within a minute
        java.util.concurrent.atomic.AtomicBoolean live = new java.util.concurrent.atomic.AtomicBoolean();
        await().atMost(Duration.ofSeconds(60)).pollDelay(Duration.ZERO).pollInterval(Duration.ofMillis(50))
                .until(() -> {
                    Node node = randomUsable();
                    Request r = new Request.Builder().url("http://127.0.0.1:" + node.port + "/t/hooks/hook")
                            .post(RequestBody.create(id, MediaType.get("text/plain"))).build();
                    try (Response response = http.newCall(r).execute()) {
                        response.body().bytes();
                        if (response.isSuccessful()) {
                            live.set(response.header(dev.portway.shared.protocol.Protocol.DELIVERY_ID_HEADER) != null);
                            return true;
                        }
                        if (response.code() == 404) {
                            notFound.incrementAndGet();
                        }
                    } catch (java.io.IOException e) {
                        // the node died under the request: another node next
                    }
                    return false;
                });
        return live.get();
    }

    /** The client: connects to a random live node, binds the queued tunnel and answers every request; again when cut. */
    private void serve(AtomicReference<ProtocolTestClient> client, AtomicReference<Node> clientOn,
                       Map<String, Integer> delivered, AtomicInteger deliveries) {
        while (!Thread.currentThread().isInterrupted()) {
            Node node;
            try {
                node = randomUsable();
            } catch (AssertionError e) {
                pause(200);
                continue;
            }
            ProtocolTestClient c = ProtocolTestClient.connect("ws://127.0.0.1:" + node.port + "/api/tunnel/connect", TOKEN, KEY);
            client.set(c);
            try {
                if (!(nextControl(c) instanceof ControlMessage.Welcome)) {
                    continue;
                }
                c.send(Frame.control(new ControlMessage.Bind("1", "http", "hooks", null, QUEUED)));
                if (!(nextControl(c) instanceof ControlMessage.Bound)) {
                    continue; // the name is still held by the session a kill cut (its grace period, a dead node's lease)
                }
                clientOn.set(node);
                answer(c, delivered, deliveries);
            } catch (RuntimeException | AssertionError e) {
                // cut, or its node died: connect again
            } finally {
                c.close();
                clientOn.compareAndSet(node, null);
                pause(100);
            }
        }
    }

    /** The next control message other than pings, or null when the connection ended or nothing came in 5 s. */
    private static ControlMessage nextControl(ProtocolTestClient c) {
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(5);
        while (System.nanoTime() - until < 0 && c.closeCode.get() == -1) {
            Frame f = poll(c, 100);
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

    /** Reads OPEN, DATA and FIN frames; at each FIN records the webhook and answers it (the acknowledgement). */
    private static void answer(ProtocolTestClient c, Map<String, Integer> delivered, AtomicInteger deliveries) {
        Map<Integer, StringBuilder> bodies = new HashMap<>();
        while (c.closeCode.get() == -1 && !Thread.currentThread().isInterrupted()) {
            Frame f = poll(c, 200);
            if (f == null) {
                continue;
            }
            switch (f.type()) {
                case OPEN -> bodies.put(f.streamId(), new StringBuilder());
                case DATA -> {
                    StringBuilder b = bodies.get(f.streamId());
                    if (b != null) {
                        b.append(new String(f.payloadBytes(), StandardCharsets.UTF_8));
                    }
                }
                case FIN -> {
                    StringBuilder b = bodies.remove(f.streamId());
                    if (b != null) {
                        delivered.merge(b.toString(), 1, Integer::sum);
                        deliveries.incrementAndGet();
                        c.send(Frame.reply(f.streamId(), ReplyMessage.http(202, "Accepted", List.of())));
                        c.send(Frame.fin(f.streamId()));
                    }
                }
                case RST -> bodies.remove(f.streamId());
                default -> {
                }
            }
        }
    }

    private static Frame poll(ProtocolTestClient c, long ms) {
        try {
            return c.frames.poll(ms, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return null;
        }
    }

    /** A retry's backoff (not a wait for a condition: the loops around it check their conditions). */
    private static void pause(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
