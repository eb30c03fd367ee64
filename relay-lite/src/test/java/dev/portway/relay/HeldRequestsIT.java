package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

import static dev.portway.relay.RelayIT.open;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** PROTOCOL.md §9.1: requests that arrive while a tunnel's client reconnects. */
class HeldRequestsIT {
    static final String TOKEN = "s3cret";
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    /** Visitors wait concurrently: the common pool may have a single thread on a small machine. */
    final ExecutorService visitors = Executors.newVirtualThreadPerTaskExecutor();
    Relay relay;

    void start(Consumer<RelayConfig.Builder> tweak) throws Exception {
        RelayConfig.Builder b = RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).tcpPortFrom(0).tcpPortTo(0)
                .grace(Duration.ofSeconds(30));
        tweak.accept(b);
        relay = Relay.start(b.build());
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
        visitors.shutdownNow();
    }

    /** Binds {@code name}, then drops the session: the name is held for the returned resume key. */
    String boundThenDropped(String name) {
        ProtocolTestClient c = ProtocolTestClient.connect(relay, TOKEN, null);
        String resume = c.control(ControlMessage.Welcome.class).resume();
        c.bind("1", "http", name, null);
        c.close();
        await().until(() -> relay.sessionCount() == 0);
        return resume;
    }

    CompletableFuture<Response> visit(Request request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Response r = http.newCall(request).execute();
                r.peekBody(Long.MAX_VALUE);
                return r;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        }, visitors);
    }

    String url(String name, String path) {
        return "http://127.0.0.1:" + relay.port() + "/t/" + name + path;
    }

    @Test
    void requestsArrivingWhileTheOwnerReconnectsAreOpenedInArrivalOrderOnceItRebinds() throws Exception {
        start(b -> { });
        String resume = boundThenDropped("app");
        var first = visit(new Request.Builder().url(url("app", "/first"))
                .post(RequestBody.create("body stays in the socket", MediaType.get("text/plain"))).build());
        await().until(() -> relay.heldCount("app") == 1);
        var second = visit(new Request.Builder().url(url("app", "/second")).build());
        await().until(() -> relay.heldCount("app") == 2);

        try (ProtocolTestClient again = ProtocolTestClient.connect(relay, TOKEN, resume)) {
            again.control(ControlMessage.Welcome.class);
            assertThat(again.bind("1", "http", "app", null).name()).isEqualTo("app");
            Frame f1 = again.next();
            OpenMessage o1 = open(f1);
            assertThat(o1.target()).isEqualTo("/first");
            // the frames of the two streams may interleave; sort them by stream
            StringBuilder body = new StringBuilder();
            Frame f2 = null;
            boolean fin1 = false;
            boolean fin2 = false;
            while (!(fin1 && fin2)) {
                Frame f = again.next();
                if (f.type() == FrameType.OPEN) {
                    f2 = f;
                    assertThat(f.streamId()).isGreaterThan(f1.streamId());
                    assertThat(open(f).target()).isEqualTo("/second");
                } else if (f.type() == FrameType.DATA) {
                    body.append(new String(f.payloadBytes(), StandardCharsets.UTF_8));
                } else if (f.type() == FrameType.FIN) {
                    if (f.streamId() == f1.streamId()) {
                        fin1 = true;
                    } else {
                        fin2 = true;
                    }
                }
            }
            assertThat(body.toString()).isEqualTo("body stays in the socket");
            for (Frame f : List.of(f1, f2)) {
                again.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of())));
                again.send(Frame.fin(f.streamId()));
            }
            assertThat(first.get(10, TimeUnit.SECONDS).code()).isEqualTo(200);
            assertThat(second.get(10, TimeUnit.SECONDS).code()).isEqualTo(200);
            assertThat(relay.heldCount("app")).isZero();
        }
    }

    @Test
    void heldRequestPastTheHoldTimeGets503WithRetryAfter() throws Exception {
        start(b -> b.holdTime(Duration.ofMillis(300)));
        boundThenDropped("app");
        long t0 = System.nanoTime();
        Response r = visit(new Request.Builder().url(url("app", "/")).build()).get(10, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isNotBlank();
        assertThat(r.peekBody(100_000).string()).contains("client is reconnecting");
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(300));
        assertThat(relay.heldCount("app")).isZero();
    }

    @Test
    void requestBeyondTheHoldCountGets503AtOnce() throws Exception {
        start(b -> b.holdCount(1).holdTime(Duration.ofSeconds(15)));
        boundThenDropped("app");
        var waiting = visit(new Request.Builder().url(url("app", "/1")).build());
        await().until(() -> relay.heldCount("app") == 1);
        Response r = visit(new Request.Builder().url(url("app", "/2")).build()).get(5, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(503);
        assertThat(r.header("Retry-After")).isNotBlank();
        assertThat(waiting).isNotDone();
    }

    @Test
    void requestBeyondTheHoldBytesGets503AtOnce() throws Exception {
        start(b -> b.holdBytes(600).holdTime(Duration.ofSeconds(15)));
        boundThenDropped("app");
        Response r = visit(new Request.Builder().url(url("app", "/")).header("X-Big", "x".repeat(1000)).build())
                .get(5, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(503);
    }

    @Test
    void heldRequestsGet503WhenTheGracePeriodEnds() throws Exception {
        start(b -> b.grace(Duration.ofMillis(700)).holdTime(Duration.ofSeconds(15)));
        boundThenDropped("app");
        var held = visit(new Request.Builder().url(url("app", "/")).build());
        Response r = held.get(5, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(503);
        assertThat(r.peekBody(100_000).string()).contains("client is reconnecting");
    }

    @Test
    void visitorThatGivesUpWhileHeldIsForgotten() throws Exception {
        start(b -> { });
        boundThenDropped("app");
        try (var socket = new java.net.Socket("127.0.0.1", relay.port())) {
            socket.getOutputStream().write("GET /t/app/ HTTP/1.1\r\nHost: relay\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            await().until(() -> relay.heldCount("app") == 1);
        }
        // well before the 10 s hold ends: the close itself must free the hold
        await().atMost(Duration.ofSeconds(3)).until(() -> relay.heldCount("app") == 0);
    }
}
