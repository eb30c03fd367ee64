package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static dev.portway.relay.RelayIT.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** PROTOCOL.md §9.2-9.4: queued tunnels, their owner, the durable queue and breaker reports. */
class QueuedTunnelIT {
    static final String TOKEN = "s3cret";
    static final String KEY = "installation-key-0123456789abcdef";
    static final String OTHER_KEY = "another-installation-key-fedcba98";
    static final Map<String, String> QUEUED = Map.of("queue", "on");
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    final List<Relay> relays = new ArrayList<>();
    Relay relay;

    @TempDir
    Path dataDir;

    Relay start(Consumer<RelayConfig.Builder> tweak) throws Exception {
        RelayConfig.Builder b = RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).tcpPortFrom(0).tcpPortTo(0)
                .grace(Duration.ofMillis(300)).holdTime(Duration.ofMillis(300));
        tweak.accept(b);
        relay = Relay.start(b.build());
        relays.add(relay);
        return relay;
    }

    @AfterEach
    void stop() {
        relays.forEach(r -> r.shutdown(Duration.ofMillis(200)));
    }

    ProtocolTestClient client(String key) {
        ProtocolTestClient c = ProtocolTestClient.connect(relay, TOKEN, null, key);
        c.control(ControlMessage.Welcome.class);
        return c;
    }

    /** Binds a queued tunnel and reads the queue_status that follows. */
    ControlMessage.QueueStatus bindQueued(ProtocolTestClient c, String name, Map<String, String> options) {
        assertThat(c.bind("1", "http", name, options).name()).isEqualTo(name);
        return c.control(ControlMessage.QueueStatus.class);
    }

    /** A queued tunnel whose owner has gone away (its name stays reserved). */
    void offlineQueued(String name, Map<String, String> options) {
        try (ProtocolTestClient c = client(KEY)) {
            bindQueued(c, name, options);
        }
        await().until(() -> relay.sessionCount() == 0);
    }

    Response post(String name, String body) throws Exception {
        return call(new Request.Builder().url(url(name, "/hook")).post(RequestBody.create(body, MediaType.get("text/plain"))).build());
    }

    Response call(Request request) throws Exception {
        Response r = http.newCall(request).execute();
        r.peekBody(Long.MAX_VALUE); // the whole body, readable after the call
        return r;
    }

    String url(String name, String path) {
        return "http://127.0.0.1:" + relay.port() + "/t/" + name + path;
    }

    /** One delivery as the client sees it: its OPEN and the body up to FIN. */
    record Delivery(int stream, OpenMessage open, String body) {
    }

    static Delivery delivery(ProtocolTestClient c) throws Exception {
        Frame f = c.next();
        OpenMessage o = open(f);
        StringBuilder body = new StringBuilder();
        Frame next;
        while ((next = c.next()).type() == FrameType.DATA) {
            assertThat(next.streamId()).isEqualTo(f.streamId());
            body.append(new String(next.payloadBytes(), StandardCharsets.UTF_8));
        }
        assertThat(next.type()).isEqualTo(FrameType.FIN);
        return new Delivery(f.streamId(), o, body.toString());
    }

    static void ack(ProtocolTestClient c, Delivery d) {
        c.send(Frame.reply(d.stream(), ReplyMessage.http(202, "Accepted", List.of())));
        c.send(Frame.fin(d.stream()));
    }

    @Test
    void postToAnOfflineQueuedTunnelIsStoredAnswered202AndDeliveredAfterRebind() throws Exception {
        start(b -> { });
        offlineQueued("hooks", QUEUED);
        Response r = post("hooks", "{\"event\":1}");
        assertThat(r.code()).isEqualTo(202);
        String id = r.header(Protocol.DELIVERY_ID_HEADER);
        assertThat(id).isNotBlank();
        assertThat(r.peekBody(1000).string()).isEqualTo("{\"delivery_id\":\"" + id + "\",\"status\":\"queued\"}");
        assertThat(relay.queuedCount("hooks")).isEqualTo(1);

        try (ProtocolTestClient c = client(KEY)) {
            ControlMessage.QueueStatus status = bindQueued(c, "hooks", QUEUED);
            assertThat(status.count()).isEqualTo(1);
            assertThat(status.level()).isEqualTo("ok");
            Delivery d = delivery(c);
            assertThat(d.open().deliveryId()).isEqualTo(id);
            assertThat(d.open().priority()).isEqualTo("normal");
            assertThat(d.open().header(Protocol.DELIVERY_ID_HEADER)).isEqualTo(id);
            assertThat(d.open().method()).isEqualTo("POST");
            assertThat(d.open().target()).isEqualTo("/hook");
            assertThat(d.open().header("Content-Type")).startsWith("text/plain");
            assertThat(d.body()).isEqualTo("{\"event\":1}");
            assertThat(relay.queuedCount("hooks")).isEqualTo(1); // not before the acknowledgement
            ack(c, d);
            await().until(() -> relay.queuedCount("hooks") == 0);
        }
    }

    @Test
    void deliveriesGoHighestPriorityFirstThenInArrivalOrderAndAgainAfterADrop() throws Exception {
        start(b -> { });
        offlineQueued("hooks", Map.of("queue", "on", "queue_priority", "low"));
        String a = post("hooks", "a").header(Protocol.DELIVERY_ID_HEADER);
        String b = post("hooks", "b").header(Protocol.DELIVERY_ID_HEADER);
        try (ProtocolTestClient c = client(KEY)) {
            bindQueued(c, "hooks", Map.of("queue", "on", "queue_priority", "high"));
            assertThat(List.of(delivery(c).open().deliveryId(), delivery(c).open().deliveryId())).containsExactly(a, b);
            // the client drops before answering: both stay queued
        }
        await().until(() -> relay.sessionCount() == 0);
        assertThat(relay.queuedCount("hooks")).isEqualTo(2);
        String high = post("hooks", "c").header(Protocol.DELIVERY_ID_HEADER);
        try (ProtocolTestClient c = client(KEY)) {
            assertThat(bindQueued(c, "hooks", Map.of("queue", "on", "queue_priority", "high")).count()).isEqualTo(3);
            List<Delivery> got = List.of(delivery(c), delivery(c), delivery(c));
            assertThat(got).extracting(d -> d.open().deliveryId()).containsExactly(high, a, b);
            assertThat(got).extracting(d -> d.open().priority()).containsExactly("high", "low", "low");
            got.forEach(d -> ack(c, d));
            await().until(() -> relay.queuedCount("hooks") == 0);
        }
    }

    @Test
    void rstQueueFullKeepsTheRequestAndDeliversItAgainLater() throws Exception {
        start(b -> { });
        offlineQueued("hooks", QUEUED);
        String id = post("hooks", "x").header(Protocol.DELIVERY_ID_HEADER);
        try (ProtocolTestClient c = client(KEY)) {
            bindQueued(c, "hooks", QUEUED);
            Delivery first = delivery(c);
            c.send(Frame.rst(first.stream(), ErrorCode.QUEUE_FULL, "client queue full"));
            Delivery again = delivery(c);
            assertThat(again.open().deliveryId()).isEqualTo(id);
            assertThat(again.stream()).isGreaterThan(first.stream());
            assertThat(relay.queuedCount("hooks")).isEqualTo(1);
            ack(c, again);
            await().until(() -> relay.queuedCount("hooks") == 0);
        }
    }

    @Test
    void anotherClientKeyCannotTakeTheReservedName() throws Exception {
        start(b -> { });
        offlineQueued("hooks", QUEUED);
        // past the grace period the name stays reserved for its key
        await().pollDelay(Duration.ofMillis(400)).until(() -> true);
        try (ProtocolTestClient other = client(OTHER_KEY); ProtocolTestClient keyless = client(null)) {
            ControlMessage.Bound b = other.bind("1", "http", "hooks", null);
            assertThat(b.name()).startsWith("hooks-");
            assertThat(b.notice()).contains("hooks");
            other.send(Frame.control(new ControlMessage.Bind("2", "http", "hooks", null, Map.of("strict_name", "true"))));
            assertThat(other.control(ControlMessage.BindRefused.class).errorCode()).isEqualTo(ErrorCode.NAME_TAKEN);
            assertThat(keyless.bind("1", "http", "hooks", null).name()).isNotEqualTo("hooks");
        }
        try (ProtocolTestClient owner = client(KEY)) {
            assertThat(bindQueued(owner, "hooks", QUEUED).tunnel()).isEqualTo("hooks");
        }
    }

    @Test
    void reservationAndQueuedRequestsSurviveARelayRestartOnTheSameDataDir() throws Exception {
        Relay first = start(b -> b.dataDir(dataDir));
        offlineQueued("hooks", Map.of("queue", "on", "queue_max_body", "100"));
        String id = post("hooks", "before restart").header(Protocol.DELIVERY_ID_HEADER);
        first.shutdown(Duration.ofMillis(200));

        start(b -> b.dataDir(dataDir));
        assertThat(relay.queuedCount("hooks")).isEqualTo(1);
        Response r = post("hooks", "after restart");
        assertThat(r.code()).isEqualTo(202);
        assertThat(post("hooks", "x".repeat(101)).code()).as("the queue rule survived too").isEqualTo(413);
        try (ProtocolTestClient other = client(OTHER_KEY)) {
            assertThat(other.bind("1", "http", "hooks", null).name()).isNotEqualTo("hooks");
        }
        try (ProtocolTestClient c = client(KEY)) {
            assertThat(bindQueued(c, "hooks", QUEUED).count()).isEqualTo(2);
            Delivery d1 = delivery(c);
            Delivery d2 = delivery(c);
            assertThat(d1.open().deliveryId()).isEqualTo(id);
            assertThat(List.of(d1.body(), d2.body())).containsExactly("before restart", "after restart");
            ack(c, d1);
            ack(c, d2);
            await().until(() -> relay.queuedCount("hooks") == 0);
        }
    }

    @Test
    void unbindDeletesTheReservationAndItsQueuedRequests() throws Exception {
        start(b -> { });
        offlineQueued("hooks", QUEUED);
        post("hooks", "x");
        try (ProtocolTestClient c = client(KEY)) {
            bindQueued(c, "hooks", QUEUED);
            delivery(c); // not acknowledged
            c.send(Frame.control(new ControlMessage.Unbind("hooks")));
            await().until(() -> relay.queuedCount("hooks") == 0);
        }
        try (ProtocolTestClient other = client(OTHER_KEY)) {
            assertThat(other.bind("1", "http", "hooks", null).name()).isEqualTo("hooks");
        }
    }

    @Test
    void getToAnOfflineQueuedTunnelIsHeldNotQueued() throws Exception {
        start(b -> { });
        offlineQueued("hooks", QUEUED);
        Response r = call(new Request.Builder().url(url("hooks", "/status")).build());
        assertThat(r.code()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isNotBlank();
        assertThat(r.peekBody(100_000).string()).contains("client is reconnecting");
        assertThat(relay.queuedCount("hooks")).isZero();
    }

    @Test
    void bodyOverTheLimitGets413ThatSaysTheLimit() throws Exception {
        start(b -> { });
        offlineQueued("hooks", Map.of("queue", "on", "queue_max_body", "10"));
        Response known = post("hooks", "x".repeat(11));
        assertThat(known.code()).isEqualTo(413);
        assertThat(known.peekBody(100_000).string()).contains("at most 10 bytes");
        RequestBody chunked = new RequestBody() {
            @Override
            public MediaType contentType() {
                return MediaType.get("text/plain");
            }

            @Override
            public void writeTo(BufferedSink sink) throws java.io.IOException {
                sink.writeUtf8("123456");
                sink.flush();
                sink.writeUtf8("789012");
            }
        };
        Response streamed = call(new Request.Builder().url(url("hooks", "/hook")).post(chunked).build());
        assertThat(streamed.code()).isEqualTo(413);
        assertThat(post("hooks", "x".repeat(10)).code()).isEqualTo(202);
        assertThat(relay.queuedCount("hooks")).isEqualTo(1);
    }

    @Test
    void queueStatusReportsPressureAndFullAndAFullQueueAnswers503() throws Exception {
        start(b -> b.queueMaxCount(5));
        offlineQueued("hooks", QUEUED);
        for (int i = 0; i < 4; i++) {
            assertThat(post("hooks", "r" + i).code()).isEqualTo(202);
        }
        try (ProtocolTestClient c = client(KEY)) {
            ControlMessage.QueueStatus s = bindQueued(c, "hooks", QUEUED);
            assertThat(s).isEqualTo(new ControlMessage.QueueStatus("hooks", 4, 8, 5, RelayConfig.DEFAULT_QUEUE_MAX_BYTES, "pressure"));
        }
        await().until(() -> relay.sessionCount() == 0);
        assertThat(post("hooks", "r4").code()).isEqualTo(202);
        Response full = post("hooks", "r5");
        assertThat(full.code()).isEqualTo(503);
        assertThat(full.header("Retry-After")).isNotBlank();
        assertThat(full.peekBody(100_000).string()).contains("queue is full");
        assertThat(relay.queuedCount("hooks")).isEqualTo(5);
        try (ProtocolTestClient c = client(KEY)) {
            assertThat(bindQueued(c, "hooks", QUEUED).level()).isEqualTo("full");
            List<Delivery> got = new ArrayList<>();
            for (int i = 0; i < 5; i++) {
                got.add(delivery(c));
            }
            ack(c, got.get(0));
            assertThat(c.control(ControlMessage.QueueStatus.class).level()).isEqualTo("pressure");
            ack(c, got.get(1));
            assertThat(c.control(ControlMessage.QueueStatus.class).level()).isEqualTo("ok");
        }
    }

    @Test
    void badQueueOptionsAreRefusedWithAMessageThatNamesTheOption() throws Exception {
        start(b -> { });
        Map<Map<String, String>, String> cases = new LinkedHashMap<>();
        cases.put(Map.of("queue", "yes"), "queue must be on or off");
        cases.put(Map.of("queue", "on", "queue_priority", "urgent"), "queue_priority must be high, normal or low");
        cases.put(Map.of("queue", "on", "queue_max_body", "-1"), "queue_max_body must be a number of bytes");
        cases.put(Map.of("queue", "on", "queue_max_body", "lots"), "queue_max_body must be a number of bytes");
        cases.put(Map.of("queue", "on", "queue_methods", ""), "queue_methods must be HTTP methods");
        cases.put(Map.of("queue", "on", "queue_methods", "POST,,PUT"), "queue_methods must be HTTP methods");
        cases.put(Map.of("queue_methods", "POST"), "queue_methods needs queue=on");
        try (ProtocolTestClient c = client(KEY)) {
            int id = 0;
            for (var e : cases.entrySet()) {
                c.send(Frame.control(new ControlMessage.Bind(String.valueOf(++id), "http", "hooks", null, e.getKey())));
                ControlMessage.BindRefused r = c.control(ControlMessage.BindRefused.class);
                assertThat(r.errorCode()).as("%s", e.getKey()).isEqualTo(ErrorCode.KIND_UNSUPPORTED);
                assertThat(r.message()).as("%s", e.getKey()).contains(e.getValue());
            }
            c.send(Frame.control(new ControlMessage.Bind("t", "tcp", "db", null, QUEUED)));
            assertThat(c.control(ControlMessage.BindRefused.class).message()).contains("http tunnels only");
        }
        try (ProtocolTestClient keyless = client(null)) {
            keyless.send(Frame.control(new ControlMessage.Bind("1", "http", "hooks", null, QUEUED)));
            ControlMessage.BindRefused r = keyless.control(ControlMessage.BindRefused.class);
            assertThat(r.message()).contains("client_key");
        }
        try (ProtocolTestClient shortKey = client("short")) {
            shortKey.send(Frame.control(new ControlMessage.Bind("1", "http", "hooks", null, QUEUED)));
            assertThat(shortKey.control(ControlMessage.BindRefused.class).message()).contains("128 random bits");
        }
    }

    @Test
    void breakerStatesAreRecordedPerTunnel() throws Exception {
        start(b -> { });
        try (ProtocolTestClient c = client(KEY)) {
            c.bind("1", "http", "app", null);
            c.send(Frame.control(new ControlMessage.Breaker("app", "open")));
            await().until(() -> "open".equals(relay.breakerStates().get("app")));
            c.send(Frame.control(new ControlMessage.Breaker("app", "half_open")));
            await().until(() -> "half_open".equals(relay.breakerStates().get("app")));
            c.send(Frame.control(new ControlMessage.Breaker("not-mine", "open")));
            c.send(Frame.control(new ControlMessage.Breaker("app", "melted")));
            c.send(Frame.control(new ControlMessage.Breaker("app", "closed")));
            await().until(() -> "closed".equals(relay.breakerStates().get("app")));
            assertThat(relay.breakerStates()).containsOnlyKeys("app");
        }
    }

    @Test
    void targetFailingBecomesA503PageWithRetryAfter() throws Exception {
        start(b -> { });
        try (ProtocolTestClient c = client(null)) {
            c.bind("1", "http", "app", null);
            var visitor = java.util.concurrent.CompletableFuture.supplyAsync(() -> {
                try {
                    return call(new Request.Builder().url(url("app", "/")).build());
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Frame f = c.next();
            c.send(Frame.rst(f.streamId(), ErrorCode.TARGET_FAILING, "localhost:3000 failed 5 times in a row"));
            Response r = visitor.get(10, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(503);
            assertThat(r.header("Retry-After")).isNotBlank();
            assertThat(r.peekBody(100_000).string()).contains("The local service behind this tunnel is failing",
                    "giving it a rest");
        }
    }
}
