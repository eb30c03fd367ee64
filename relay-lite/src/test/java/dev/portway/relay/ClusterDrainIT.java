package dev.portway.relay;

import dev.portway.relay.cluster.ClusterConfig;
import dev.portway.relay.store.PostgresServer;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node of a cluster shuts down gracefully while one client holds its tunnel on it and on another node (feature
 * {@code ha}): the nodes linked to it are told over the link before its sessions refuse new streams (link feature
 * {@code drain}), and its own visitors go to the client's other node — no visitor anywhere gets a refusal.
 */
class ClusterDrainIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    private static final String KEY = "client-key-of-alice-0123456789abcdef";
    private static final OkHttpClient HTTP = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20))
            .retryOnConnectionFailure(false).build();
    @TempDir
    Path tmp;

    private Relay node(String url, String id) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(id));
        return Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                        .shutdownDeadline(Duration.ofSeconds(10)).dataDir(dir)
                        .identity(IdentityConfig.DEFAULTS.withDb(url, "postgres", null)).build(), null,
                new ClusterConfig(id, "127.0.0.1:" + ClusterHopIT.freePort(), SECRET, Duration.ofSeconds(10)));
    }

    @Test
    void aNodeShuttingDownHandsItsVisitorsToTheClientsOtherNodeAndNoVisitorIsRefused() throws Exception {
        String url = PG.newDatabase();
        String alice = "secret"; // the relay's own token: no per-user request rate in the way of the visitors' loop
        Relay b = null;
        try (Relay a = node(url, "drain-a"); Relay c = node(url, "drain-c")) {
            b = node(url, "drain-b");
            Relay nodeB = b;
            await().atMost(Duration.ofSeconds(15)).until(() -> a.cluster().peers().size() == 2 && c.cluster().peers().size() == 2
                    && nodeB.cluster().peers().size() == 2);
            try (ProtocolTestClient onA = ProtocolTestClient.connectHa(a, alice, KEY);
                 ProtocolTestClient onB = ProtocolTestClient.connectHa(b, alice, KEY)) {
                onA.control(ControlMessage.Welcome.class);
                onB.control(ControlMessage.Welcome.class);
                Map<String, String> strict = Map.of("strict_name", "true");
                assertThat(onA.bind("1", "http", "drain", strict).name()).isEqualTo("drain");
                assertThat(onB.bind("1", "http", "drain", strict).name()).isEqualTo("drain");
                await().atMost(Duration.ofSeconds(5)).until(() -> c.cluster().holders("drain").keySet()
                        .equals(Set.of("drain-a", "drain-b")));
                // B's link to A is up (it dials the other holder when it hears of it): B can pass visitors on.
                await().atMost(Duration.ofSeconds(10)).until(() -> nodeB.cluster().remote("drain") != null
                        && nodeB.cluster().remote("drain").backend().sessionId().equals("node-drain-a"));

                AtomicReference<Frame> held = new AtomicReference<>();
                CountDownLatch goAwayOnB = new CountDownLatch(1);
                AtomicBoolean stop = new AtomicBoolean();
                Thread answerA = answer(onA, "drain-a", stop, null, null);
                Thread answerB = answer(onB, "drain-b", stop, held, goAwayOnB);
                try {
                    // Visitors on C all the time, C passing them to A or B.
                    List<String> failures = Collections.synchronizedList(new ArrayList<>());
                    AtomicInteger served = new AtomicInteger();
                    Thread visitors = Thread.ofPlatform().name("visitors-on-c").start(() -> {
                        for (int n = 0; !stop.get(); n++) {
                            String got = get(c, "/n" + n);
                            if (got.startsWith("200 from drain-")) {
                                served.incrementAndGet();
                            } else {
                                failures.add(got);
                            }
                        }
                    });
                    await().atMost(Duration.ofSeconds(10)).until(() -> served.get() > 20);

                    // A request in flight on B's own session keeps B draining until it is answered.
                    CompletableFuture<String> hold = CompletableFuture.supplyAsync(() -> get(nodeB, "/hold"));
                    await().atMost(Duration.ofSeconds(10)).until(() -> held.get() != null);
                    Thread closer = Thread.ofPlatform().name("close-drain-b").start(nodeB::close);
                    assertThat(goAwayOnB.await(10, TimeUnit.SECONDS)).as("B's session got go_away").isTrue();
                    int before = served.get();
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(served.get())
                            .as("visitors on C served while B drains; refused: %s", failures).isGreaterThan(before + 20));

                    // B's own visitors now: its session is going away, the client's session on A answers.
                    for (int i = 0; i < 5; i++) {
                        assertThat(get(nodeB, "/on-b-" + i)).startsWith("200 from drain-a ").endsWith("/on-b-" + i);
                    }
                    finish(onB, held.get().streamId(), "drain-b", "/hold");
                    assertThat(hold.get(20, TimeUnit.SECONDS)).as("the request in flight on B finished")
                            .startsWith("200 from drain-b ").endsWith("/hold");
                    closer.join(Duration.ofSeconds(20));
                    assertThat(closer.isAlive()).isFalse();
                    int after = served.get();
                    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(served.get())
                            .as("visitors on C served after B left; refused: %s", failures).isGreaterThan(after + 20));
                    stop.set(true);
                    visitors.join(Duration.ofSeconds(30));
                    System.out.println("B shut down gracefully: " + served.get() + " visitors on C served meanwhile, "
                            + failures.size() + " refused " + failures);
                    assertThat(failures).as("visitors on C while B drained").isEmpty();
                } finally {
                    stop.set(true);
                    answerA.join(Duration.ofSeconds(5));
                    answerB.join(Duration.ofSeconds(5));
                }
            }
        } finally {
            if (b != null) {
                b.close();
            }
        }
    }

    /** One GET to the tunnel on {@code node}: "status body". */
    private static String get(Relay node, String path) {
        Request r = new Request.Builder().url("http://127.0.0.1:" + node.port() + "/t/drain" + path).build();
        try (Response response = HTTP.newCall(r).execute()) {
            String body = response.body().string();
            return response.code() + " " + (response.code() == 200 ? body : body.substring(0, Math.min(200, body.length())));
        } catch (IOException e) {
            return "failed: " + e;
        }
    }

    /**
     * The client's end: answers every OPEN with 200 and "from {@code node} {@code target}"; with {@code held} set, keeps
     * the one for {@code /hold} unanswered there; counts {@code go_away} down.
     */
    private static Thread answer(ProtocolTestClient client, String node, AtomicBoolean stop, AtomicReference<Frame> held,
                                 CountDownLatch goAway) {
        return Thread.ofPlatform().name("answer-" + node).start(() -> {
            while (!stop.get()) {
                Frame f;
                try {
                    f = client.frames.poll(100, TimeUnit.MILLISECONDS);
                } catch (InterruptedException e) {
                    return;
                }
                if (f == null) {
                    continue;
                }
                try {
                    if (f.type() == FrameType.CONTROL && goAway != null
                            && Json.read(f.payload(), ControlMessage.class) instanceof ControlMessage.GoAway) {
                        goAway.countDown();
                    } else if (f.type() == FrameType.OPEN) {
                        OpenMessage open = Json.read(f.payload(), OpenMessage.class);
                        if (held != null && open.target().endsWith("/hold")) {
                            held.set(f);
                        } else {
                            finish(client, f.streamId(), node, open.target());
                        }
                    }
                } catch (Exception e) {
                    throw new AssertionError(e);
                }
            }
        });
    }

    private static void finish(ProtocolTestClient client, int stream, String node, String target) {
        byte[] body = ("from " + node + " " + target).getBytes(StandardCharsets.UTF_8);
        client.send(Frame.reply(stream, ReplyMessage.http(200, "OK",
                List.of(new Header("Content-Length", String.valueOf(body.length))))));
        client.send(Frame.data(stream, body, 0, body.length));
        client.send(Frame.fin(stream));
    }
}
