package dev.portway.desktop.engine;

import dev.portway.desktop.queue.ClientStore;
import dev.portway.desktop.queue.QueueLimits;
import dev.portway.desktop.queue.StoredRequest;
import dev.portway.shared.protocol.Header;
import dev.portway.desktop.engine.local.LocalLeg;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class DeliveryWorkerTest {
    private static final DeliveryPolicy FAST = new DeliveryPolicy(Duration.ofMillis(50), 2, 0, Duration.ofMillis(200), 4,
            Duration.ofSeconds(5));

    @TempDir
    Path dir;

    private final List<DeliveryEvent> events = new CopyOnWriteArrayList<>();
    private final List<String> breakerChanges = new CopyOnWriteArrayList<>();
    private ClientStore store;
    private DeliveryWorker worker;
    private Breakers breakers;
    private final LocalLeg leg = new LocalLeg("portway-local-test", 1, Duration.ofSeconds(2));

    @AfterEach
    void tearDown() {
        if (worker != null) {
            worker.close();
        }
        if (store != null) {
            store.close();
        }
        leg.close();
    }

    @Test
    void retriesAFailingAppAndDeliversExactlyOnceWhenItRecovers() throws Exception {
        try (FlakyApp app = new FlakyApp(2)) {
            start(app.port(), BreakerPolicy.defaults());
            queue("d-1", "{\"n\":1}");

            await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 0);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> app.received.size() == 3);

            assertThat(app.received).allSatisfy(r -> {
                assertThat(r.deliveryId()).isEqualTo("d-1");
                assertThat(r.method()).isEqualTo("POST");
                assertThat(r.path()).isEqualTo("/hook?x=1");
                assertThat(r.body()).isEqualTo("{\"n\":1}");
            });
            assertThat(events).extracting(DeliveryEvent::attempt, DeliveryEvent::status, DeliveryEvent::delivered)
                    .containsExactly(org.assertj.core.groups.Tuple.tuple(1, 503, false),
                            org.assertj.core.groups.Tuple.tuple(2, 503, false),
                            org.assertj.core.groups.Tuple.tuple(3, 200, true));
            assertThat(events.getFirst().error()).contains("answered 503");
            assertThat(store.isKnown("d-1")).as("remembered, so a redelivery is not delivered again").isTrue();
        }
    }

    @Test
    void anAppThatClosesEveryConnectionGetsEachDeliveryOnTheFirstAttempt() throws Exception {
        try (ServerSocket http10 = new ServerSocket(0, 50, java.net.InetAddress.getLoopbackAddress())) {
            List<String> bodies = new CopyOnWriteArrayList<>();
            Thread.ofVirtual().start(() -> {
                // Like `python3 -m http.server`: HTTP/1.0, one response per connection, then close.
                while (!http10.isClosed()) {
                    try (java.net.Socket s = http10.accept()) {
                        var in = new java.io.DataInputStream(s.getInputStream());
                        int length = 0;
                        for (String line; !(line = readLine(in)).isEmpty(); ) {
                            if (line.toLowerCase(java.util.Locale.ROOT).startsWith("content-length:")) {
                                length = Integer.parseInt(line.substring(15).trim());
                            }
                        }
                        bodies.add(new String(in.readNBytes(length), StandardCharsets.UTF_8));
                        s.getOutputStream().write("HTTP/1.0 200 OK\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    } catch (java.io.IOException e) {
                        return;
                    }
                }
            });
            start(http10.getLocalPort(), BreakerPolicy.defaults());
            for (int i = 0; i < 5; i++) {
                queue("d-" + i, "{\"n\":" + i + "}");
                int delivered = i + 1;
                await().atMost(Duration.ofSeconds(10)).until(() -> bodies.size() == delivered && store.count() == 0);
            }
            assertThat(events).hasSize(5).allSatisfy(e -> {
                assertThat(e.delivered()).isTrue();
                assertThat(e.attempt()).as("a pooled connection the app closed is not a failed attempt").isEqualTo(1);
            });
        }
    }

    private static String readLine(java.io.DataInputStream in) throws java.io.IOException {
        StringBuilder b = new StringBuilder();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            if (c != '\r') {
                b.append((char) c);
            }
        }
        return b.toString();
    }

    @Test
    void aClientErrorCountsAsDelivered() throws Exception {
        try (FlakyApp app = new FlakyApp(0)) {
            app.okStatus = 422;
            start(app.port(), BreakerPolicy.defaults());
            queue("d-1", "bad");

            await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 0);
            assertThat(app.received).hasSize(1);
            assertThat(events.getFirst().delivered()).isTrue();
        }
    }

    @Test
    void aRefusedConnectionKeepsTheRequestWithTheReasonInWords() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0)) {
            closedPort = s.getLocalPort();
        }
        start(closedPort, BreakerPolicy.defaults());
        queue("d-1", "x");

        await().atMost(Duration.ofSeconds(10)).until(() -> store.list().getFirst().attempts() >= 2);
        StoredRequest r = store.list().getFirst();
        assertThat(r.lastError()).isEqualTo("Nothing is listening on localhost:" + closedPort + " — is your app running?");
        assertThat(r.nextAttempt()).isAfter(r.received());
    }

    @Test
    void aTargetNamingAnotherAuthorityNeverReachesIt() throws Exception {
        try (RawApp app = new RawApp(); RawApp other = new RawApp()) {
            start(app.port(), BreakerPolicy.defaults());
            String target = "@127.0.0.1:" + other.port() + "/x";
            queueRaw("d-1", target, List.of(new Header("Content-Length", "0")), "");

            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 1);
            await().during(Duration.ofMillis(300)).atMost(Duration.ofSeconds(2)).until(() -> other.received.isEmpty());
            assertThat(app.texts()).singleElement().asString().startsWith("POST " + target + " HTTP/1.1\r\n");
        }
    }

    @Test
    void aDeliveryArrivesByteExactAsStored() throws Exception {
        try (RawApp app = new RawApp()) {
            start(app.port(), BreakerPolicy.defaults());
            String body = "{\"n\":1}";
            queueRaw("d-1", "/hook?a=%7e&b=%2F&c", List.of(new Header("host", "hooks.example.test"), new Header("X-B", "2"),
                    new Header("content-type", "application/json"), new Header("X-A", "1"), new Header("X-A", "one more"),
                    new Header("Content-Length", "7"), new Header("Portway-Delivery-Id", "d-1")), body);

            await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 0);
            assertThat(app.texts()).containsExactly("POST /hook?a=%7e&b=%2F&c HTTP/1.1\r\n"
                    + "host: hooks.example.test\r\nX-B: 2\r\ncontent-type: application/json\r\nX-A: 1\r\nX-A: one more\r\n"
                    + "Content-Length: 7\r\nPortway-Delivery-Id: d-1\r\n\r\n" + body);
        }
    }

    @Test
    void anAppAnswering500IsRetriedButDoesNotOpenTheBreaker() throws Exception {
        try (RawApp app = new RawApp()) {
            app.status = 500;
            start(app.port(), new BreakerPolicy(2, Duration.ofSeconds(30)));
            queue("d-1", "x");

            await().atMost(Duration.ofSeconds(10)).until(() -> app.received.size() >= 4);
            assertThat(breakerChanges).isEmpty();
            assertThat(store.list().getFirst().lastError()).contains("answered 500");
            assertThat(events).allSatisfy(e -> assertThat(e.delivered()).isFalse());
        }
    }

    @Test
    void aStoredTargetWithControlCharactersFailsForGoodWithoutReachingTheApp() throws Exception {
        try (RawApp app = new RawApp()) {
            start(app.port(), new BreakerPolicy(1, Duration.ofSeconds(30)));
            queueRaw("d-1", "/x\r\nX-Smuggled: 1", List.of(new Header("Content-Length", "0")), "");

            await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 1);
            await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> events.size() == 1);
            StoredRequest r = store.list().getFirst();
            assertThat(r.lastError()).contains("control character").contains("discard");
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(app.received).isEmpty();
            assertThat(breakerChanges).as("not counted against the app").isEmpty();
        }
    }

    @Test
    void anOpenBreakerLeavesRequestsWaitingWithoutSpendingAttempts() throws Exception {
        try (RawApp app = new RawApp()) {
            app.hangUp = true; // closes before any response: the app is unhealthy (PROTOCOL.md §9.4)
            start(app.port(), new BreakerPolicy(2, Duration.ofSeconds(2)));
            queue("d-1", "x");

            await().atMost(Duration.ofSeconds(10)).until(() -> breakerChanges.contains("hooks open"));
            await().during(Duration.ofMillis(800)).atMost(Duration.ofSeconds(2)).until(() -> app.received.size() == 2);
            assertThat(store.list().getFirst().attempts()).isEqualTo(2);

            app.hangUp = false;
            await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 0);
            assertThat(app.received).hasSize(3);
            assertThat(breakerChanges).containsExactly("hooks open", "hooks half_open", "hooks closed");
        }
    }

    @Test
    void retryAllDuringABreakerPauseSendsOneTrialAtOnce() throws Exception {
        try (RawApp app = new RawApp()) {
            app.hangUp = true;
            start(app.port(), new BreakerPolicy(2, Duration.ofSeconds(60)));
            queue("d-1", "x");
            await().atMost(Duration.ofSeconds(10)).until(() -> breakerChanges.contains("hooks open"));
            await().atMost(Duration.ofSeconds(5)).until(() -> app.received.size() == 2);

            app.hangUp = false; // the app is back; the breaker would wait out its 60 s
            retryAll(); // what TunnelEngine.retryAll does
            await().atMost(Duration.ofSeconds(5)).until(() -> store.count() == 0);
            assertThat(app.received).as("one trial, at once").hasSize(3);
            assertThat(breakerChanges).containsExactly("hooks open", "hooks half_open", "hooks closed");
        }
    }

    @Test
    void deliversInArrivalOrderButARefusedOneDoesNotHoldBackTheOnesBehindIt() throws Exception {
        try (FlakyApp app = new FlakyApp(1)) { // refuses the first request once (503)
            store = ClientStore.open(dir, QueueLimits.defaults());
            for (int i = 1; i <= 5; i++) {
                queue("d-" + i, String.valueOf(i));
            }
            worker = worker(app.port(), BreakerPolicy.defaults(),
                    new DeliveryPolicy(Duration.ofSeconds(1), 2, 0, Duration.ofSeconds(1), 1, Duration.ofSeconds(5)));
            worker.start();

            await().atMost(Duration.ofSeconds(10)).until(() -> store.count() == 0);
            // As PROTOCOL.md §9.3 says: attempts start in arrival order; a retry waits its backoff behind the others.
            assertThat(app.received).extracting(FlakyApp.Received::deliveryId)
                    .containsExactly("d-1", "d-2", "d-3", "d-4", "d-5", "d-1");
        }
    }

    private void retryAll() {
        breakers.trialNow();
        store.retryAll();
        worker.wake();
    }

    @Test
    void deliversHighPriorityFirst() throws Exception {
        try (FlakyApp app = new FlakyApp(0)) {
            store = ClientStore.open(dir, QueueLimits.defaults());
            queue("d-low", "low", "l");
            queue("d-normal", "normal", "n");
            queue("d-high", "high", "h");
            worker = worker(app.port(), BreakerPolicy.defaults(),
                    new DeliveryPolicy(Duration.ofMillis(50), 2, 0, Duration.ofMillis(200), 1, Duration.ofSeconds(5)));
            worker.start();

            await().atMost(Duration.ofSeconds(10)).until(() -> app.received.size() == 3);
            assertThat(app.received).extracting(FlakyApp.Received::deliveryId).containsExactly("d-high", "d-normal", "d-low");
        }
    }

    private void start(int port, BreakerPolicy breaker) {
        store = ClientStore.open(dir, QueueLimits.defaults());
        worker = worker(port, breaker, FAST);
        worker.start();
    }

    private DeliveryWorker worker(int port, BreakerPolicy breaker, DeliveryPolicy policy) {
        breakers = new Breakers(breaker, (t, s) -> {
            breakerChanges.add(t + " " + s);
            if (worker != null) {
                worker.wake();
            }
        });
        return new DeliveryWorker(store, leg, policy, breakers,
                t -> t.equals("hooks") ? TunnelSpec.http("hooks", port) : null, events::add, () -> { });
    }

    private void queue(String id, String body) throws Exception {
        queue(id, "normal", body);
    }

    private void queue(String id, String priority, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        store.store(id, "hooks", priority, "POST", "/hook?x=1",
                List.of(new Header("Content-Type", "application/json"), new Header("Content-Length", String.valueOf(bytes.length)),
                        new Header("Portway-Delivery-Id", id)), Instant.now(), new ByteArrayInputStream(bytes));
        if (worker != null) {
            worker.wake();
        }
    }

    private void queueRaw(String id, String target, List<Header> headers, String body) throws Exception {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        store.store(id, "hooks", "normal", "POST", target, headers, Instant.now(), new ByteArrayInputStream(bytes));
        if (worker != null) {
            worker.wake();
        }
    }
}
