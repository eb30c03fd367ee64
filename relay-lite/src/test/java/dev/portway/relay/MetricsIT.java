package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.ConnectionPool;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;
import static org.awaitility.Awaitility.await;

/** {@code /api/tunnel/metrics} and the readiness part of {@code /api/tunnel/health}, against a real relay. */
class MetricsIT {
    static final String TOKEN = "s3cret";
    /** No pooling: every call is its own connection, closed after it, so connection gauges are exact. */
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10))
            .connectionPool(new ConnectionPool(0, 1, TimeUnit.SECONDS)).build();
    Relay relay;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN)
                .grace(Duration.ofSeconds(2)).tcpPortFrom(0).tcpPortTo(0).build());
    }

    @AfterEach
    void stop() {
        relay.shutdown(Duration.ofMillis(200));
    }

    String base() {
        return "http://127.0.0.1:" + relay.port();
    }

    CompletableFuture<Response> visit(Request request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Response r = http.newCall(request.newBuilder().header("Connection", "close").build()).execute();
                r.peekBody(Long.MAX_VALUE);
                return r;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    ProtocolTestClient welcomed() {
        ProtocolTestClient c = ProtocolTestClient.connect(relay, TOKEN, null);
        c.control(ControlMessage.Welcome.class);
        return c;
    }

    /** The next OPEN, skipping the FINs and RSTs of earlier streams. */
    static Frame nextOpen(ProtocolTestClient c) {
        while (true) {
            Frame f = c.next();
            if (f.type() == FrameType.OPEN) {
                return f;
            }
        }
    }

    /** On the calling thread: {@link #visit} may have the common pool's only thread busy with a held request. */
    String scrapeText() throws Exception {
        Request request = new Request.Builder().url(base() + "/api/tunnel/metrics").header("Connection", "close").build();
        try (Response r = http.newCall(request).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.header("Content-Type")).isEqualTo("text/plain; version=0.0.4; charset=utf-8");
            return r.body().string();
        }
    }

    /** Samples by {@code name{labels}} as written (labels in the order the relay writes them). */
    Map<String, Double> scrape() throws Exception {
        Map<String, Double> samples = new HashMap<>();
        for (String line : scrapeText().split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            int space = line.lastIndexOf(' ');
            samples.put(line.substring(0, space), Double.parseDouble(line.substring(space + 1)));
        }
        return samples;
    }

    double sample(String key) throws Exception {
        Double v = scrape().get(key);
        assertThat(v).as("sample %s", key).isNotNull();
        return v;
    }

    @Test
    void requestsAreCountedByKindAndOutcomeWithLatency() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "app", null);
            // ok: the metrics path on a tunnel host belongs to the tunnel
            var ok = visit(new Request.Builder().url(base() + "/api/tunnel/metrics")
                    .header("Host", "app.localhost:" + relay.port()).build());
            Frame f = nextOpen(c);
            assertThat(f.type()).isEqualTo(FrameType.OPEN);
            assertThat(dev.portway.shared.protocol.Json.read(f.payload(), OpenMessage.class).target())
                    .isEqualTo("/api/tunnel/metrics");
            c.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of())));
            c.send(Frame.fin(f.streamId()));
            assertThat(ok.get(10, TimeUnit.SECONDS).code()).isEqualTo(200);
            // 404 from the app: client_error
            var missing = visit(new Request.Builder().url(base() + "/t/app/missing").build());
            f = nextOpen(c);
            assertThat(f.type()).isEqualTo(FrameType.OPEN);
            c.send(Frame.reply(f.streamId(), ReplyMessage.http(404, "Not Found", List.of())));
            c.send(Frame.fin(f.streamId()));
            assertThat(missing.get(10, TimeUnit.SECONDS).code()).isEqualTo(404);
            // 502: the client resets the stream
            var reset = visit(new Request.Builder().url(base() + "/t/app/").build());
            f = nextOpen(c);
            assertThat(f.type()).isEqualTo(FrameType.OPEN);
            c.send(Frame.rst(f.streamId(), ErrorCode.TARGET_UNREACHABLE, "Nothing is listening on localhost:3000"));
            assertThat(reset.get(10, TimeUnit.SECONDS).code()).isEqualTo(502);
            // 404 from the relay: no such tunnel
            assertThat(visit(new Request.Builder().url(base() + "/t/nosuch/").build()).get(10, TimeUnit.SECONDS).code())
                    .isEqualTo(404);

            String text = scrapeText();
            Map<String, Double> m = scrape();
            assertThat(m.get("tunnel_requests_total{kind=\"http\",outcome=\"ok\"}")).isEqualTo(1.0);
            assertThat(m.get("tunnel_requests_total{kind=\"http\",outcome=\"client_error\"}")).isEqualTo(1.0);
            assertThat(m.get("tunnel_requests_total{kind=\"http\",outcome=\"target_error\"}")).isEqualTo(1.0);
            assertThat(m.get("tunnel_requests_total{kind=\"http\",outcome=\"rejected\"}")).isEqualTo(1.0);
            assertThat(m.get("tunnel_requests_total{kind=\"http\",outcome=\"server_error\"}")).isEqualTo(0.0);
            assertThat(m.get("tunnel_requests_total{kind=\"tcp\",outcome=\"ok\"}")).isEqualTo(0.0);
            // three answers came through a stream; the rejection never reached one
            assertThat(m.get("tunnel_request_latency_seconds_count{kind=\"http\"}")).isEqualTo(3.0);
            assertThat(m.get("tunnel_request_latency_seconds_bucket{kind=\"http\",le=\"+Inf\"}")).isEqualTo(3.0);
            assertThat(m.get("tunnel_request_latency_seconds_bucket{kind=\"http\",le=\"10.0\"}")).isEqualTo(3.0);
            assertThat(m.get("tunnel_request_latency_seconds_sum{kind=\"http\"}")).isGreaterThan(0.0);
            assertThat(m.get("tunnel_errors_total{category=\"target\"}")).isEqualTo(1.0);
            assertThat(m.get("tunnel_rate_limit_hits_total{limit=\"user_requests\"}")).isEqualTo(0.0);
            // bounded labels only: no tunnel name, no address
            assertThat(text).doesNotContain("\"app\"", "nosuch", "127.0.0.1");
        }
    }

    @Test
    void tcpConnectionsAreCounted() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            ControlMessage.Bound b = c.bind("1", "tcp", "db", null);
            Frame f;
            try (Socket socket = new Socket("127.0.0.1", b.port())) {
                socket.setSoTimeout(10_000);
                f = nextOpen(c);
                c.send(Frame.reply(f.streamId(), ReplyMessage.tcpAccepted()));
                await().until(() -> sample("tunnel_active_connections{kind=\"tcp\"}") == 1.0);
                await().until(() -> sample("tunnel_requests_total{kind=\"tcp\",outcome=\"ok\"}") == 1.0);
            }
            c.expect(FrameType.FIN); // the visitor's half of the stream is done; the app's half ends too
            c.send(Frame.fin(f.streamId()));
            await().until(() -> sample("tunnel_active_connections{kind=\"tcp\"}") == 0.0);
            try (Socket socket = new Socket("127.0.0.1", b.port())) {
                socket.setSoTimeout(10_000);
                f = nextOpen(c);
                c.send(Frame.rst(f.streamId(), ErrorCode.TARGET_UNREACHABLE, "nothing on 5432"));
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
            await().until(() -> sample("tunnel_requests_total{kind=\"tcp\",outcome=\"target_error\"}") == 1.0);
            assertThat(sample("tunnel_request_latency_seconds_count{kind=\"tcp\"}")).isEqualTo(2.0);
        }
    }

    @Test
    void sessionAndConnectionGaugesFollowClientsAndVisitors() throws Exception {
        // the scrape's own connection is the one open visitor connection (awaited: when the client library opens a
        // new one for a scrape, the relay may not have seen the old one close yet)
        await().until(() -> sample("tunnel_active_connections{kind=\"http\"}") == 1.0);
        assertThat(sample("tunnel_sessions")).isEqualTo(0.0);
        try (ProtocolTestClient c = welcomed()) {
            await().until(() -> sample("tunnel_sessions") == 1.0);
            // a client's WebSocket is a session, not a visitor connection (were it counted, this would stay at 2)
            await().until(() -> sample("tunnel_active_connections{kind=\"http\"}") == 1.0);
            try (Socket idle = new Socket("127.0.0.1", relay.port())) {
                // A connection counts as HTTP once its first byte tells HTTP/1.1 from an HTTP/2 preface (before that
                // it is closed after the header timeout if it stays silent).
                idle.getOutputStream().write('G');
                idle.getOutputStream().flush();
                await().until(() -> sample("tunnel_active_connections{kind=\"http\"}") == 2.0);
            }
            await().until(() -> sample("tunnel_active_connections{kind=\"http\"}") == 1.0);
        }
        await().until(() -> sample("tunnel_sessions") == 0.0);
    }

    @Test
    void refusalsAreCountedByCategory() throws Exception {
        try (ProtocolTestClient bad = ProtocolTestClient.connect(relay, "nope", null)) {
            bad.control(ControlMessage.Refused.class);
        }
        try (ProtocolTestClient c = welcomed()) {
            c.send(Frame.control(new ControlMessage.Bind("1", "http", "-bad-", null, null)));
            assertThat(c.control(ControlMessage.BindRefused.class).errorCode()).isEqualTo(ErrorCode.NAME_INVALID);
            c.send(Frame.data(77, new byte[0], 0, 0)); // no such stream: the relay answers RST unknown_stream
            assertThat(c.expect(FrameType.RST).rstCode()).isEqualTo(ErrorCode.UNKNOWN_STREAM);
        }
        Map<String, Double> m = scrape();
        assertThat(m.get("tunnel_errors_total{category=\"auth\"}")).isEqualTo(1.0);
        assertThat(m.get("tunnel_errors_total{category=\"config\"}")).isEqualTo(1.0);
        assertThat(m.get("tunnel_errors_total{category=\"protocol\"}")).isEqualTo(1.0);
        assertThat(m.get("tunnel_errors_total{category=\"server\"}")).isEqualTo(0.0);
    }

    @Test
    void breakerGaugeCountsTunnelsPerReportedState() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "app", null);
            c.bind("2", "http", "web", null);
            c.bind("3", "http", "api", null);
            c.send(Frame.control(new ControlMessage.Breaker("app", "open")));
            c.send(Frame.control(new ControlMessage.Breaker("web", "open")));
            c.send(Frame.control(new ControlMessage.Breaker("api", "half_open")));
            await().until(() -> sample("tunnel_circuit_breaker_state{state=\"open\"}") == 2.0);
            assertThat(sample("tunnel_circuit_breaker_state{state=\"half_open\"}")).isEqualTo(1.0);
            c.send(Frame.control(new ControlMessage.Breaker("app", "closed")));
            await().until(() -> sample("tunnel_circuit_breaker_state{state=\"closed\"}") == 1.0);
            assertThat(sample("tunnel_circuit_breaker_state{state=\"open\"}")).isEqualTo(1.0);
        }
    }

    @Test
    void heldRequestGaugeCountsRequestsWaitingForAReconnectingClient() throws Exception {
        ProtocolTestClient c = welcomed();
        c.bind("1", "http", "app", null);
        c.close();
        await().until(() -> relay.sessionCount() == 0);
        var visitor = visit(new Request.Builder().url(base() + "/t/app/").build());
        await().until(() -> sample("tunnel_held_requests") == 1.0);
        // the client never comes back: when the name's grace ends the request is turned away
        assertThat(visitor.get(15, TimeUnit.SECONDS).code()).isEqualTo(503);
        Map<String, Double> m = scrape();
        assertThat(m.get("tunnel_held_requests")).isEqualTo(0.0);
        assertThat(m.get("tunnel_requests_total{kind=\"http\",outcome=\"rejected\"}")).isEqualTo(1.0);
    }

    @Test
    void queueGaugesCountStoredRequests() throws Exception {
        String key = "installation-key-0123456789abcdef";
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, TOKEN, null, key)) {
            c.control(ControlMessage.Welcome.class);
            c.bind("1", "http", "hooks", Map.of("queue", "on"));
        }
        await().until(() -> relay.sessionCount() == 0);
        for (String body : List.of("one", "three")) {
            Response r = http.newCall(new Request.Builder().url(base() + "/t/hooks/hook")
                    .post(okhttp3.RequestBody.create(body, okhttp3.MediaType.get("text/plain"))).build()).execute();
            r.close();
            assertThat(r.code()).isEqualTo(202);
        }
        Map<String, Double> m = scrape();
        assertThat(m.get("tunnel_queue_size")).isEqualTo(2.0);
        assertThat(m.get("tunnel_queue_bytes")).isEqualTo(8.0);
        assertThat(m.get("tunnel_requests_total{kind=\"http\",outcome=\"queued\"}")).isEqualTo(2.0);
    }

    @Test
    void queueHeldAndBreakerGaugesAreExposed() throws Exception {
        Map<String, Double> m = scrape();
        assertThat(m.get("tunnel_queue_size")).isEqualTo(0.0);
        assertThat(m.get("tunnel_queue_bytes")).isEqualTo(0.0);
        assertThat(m.get("tunnel_held_requests")).isEqualTo(0.0);
        assertThat(m.get("tunnel_circuit_breaker_state{state=\"closed\"}")).isEqualTo(0.0);
        assertThat(m.get("tunnel_circuit_breaker_state{state=\"open\"}")).isEqualTo(0.0);
        assertThat(m.get("tunnel_circuit_breaker_state{state=\"half_open\"}")).isEqualTo(0.0);
    }

    @Test
    void expositionPassesPromtool() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "app", null);
            var ok = visit(new Request.Builder().url(base() + "/t/app/").build());
            Frame f = nextOpen(c);
            c.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of())));
            c.send(Frame.fin(f.streamId()));
            assertThat(ok.get(10, TimeUnit.SECONDS).code()).isEqualTo(200);
        }
        String text = scrapeText();
        Process p;
        try {
            p = new ProcessBuilder("promtool", "check", "metrics").redirectErrorStream(true).start();
        } catch (IOException e) {
            fail("promtool is not installed: install the Debian package `prometheus` "
                    + "(apt-get install -y --no-install-recommends prometheus) to validate the exposition", e);
            return;
        }
        try (OutputStream in = p.getOutputStream()) {
            in.write(text.getBytes(StandardCharsets.UTF_8));
        }
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("promtool check metrics said:\n%s\nof:\n%s", out, text).isZero();
    }

    @Test
    void healthSaysTheStoreIsReady() throws Exception {
        Response r = visit(new Request.Builder().url(base() + "/api/tunnel/health").build()).get(10, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(200);
        assertThat(r.peekBody(10_000).string()).contains("\"status\":\"ok\"", "\"ready\":true", "\"store\":\"ok\"",
                "\"sessions\":0", "\"tunnels\":0", "\"version\"");
    }
}
