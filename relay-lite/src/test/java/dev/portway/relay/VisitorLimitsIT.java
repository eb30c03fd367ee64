package dev.portway.relay;

import dev.portway.relay.ingress.VisitorLimits;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The relay-wide visitor limits, each against a real relay with real sockets. */
class VisitorLimitsIT {
    static final String TOKEN = "s3cret";
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();
    Relay relay;

    Relay start(VisitorLimits limits) throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).tcpPortFrom(0).tcpPortTo(0)
                .visitorLimits(limits).build());
        return relay;
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
    }

    ProtocolTestClient welcomed() {
        ProtocolTestClient c = ProtocolTestClient.connect(relay, TOKEN, null);
        c.control(ControlMessage.Welcome.class);
        return c;
    }

    String base() {
        return "http://127.0.0.1:" + relay.port();
    }

    String metrics() throws Exception {
        try (Response r = http.newCall(new Request.Builder().url(base() + "/api/tunnel/metrics").build()).execute()) {
            return r.body().string();
        }
    }

    @Test
    void visitorOverTheRateGets429WithRetryAfterOnARelayPage() throws Exception {
        start(VisitorLimits.DEFAULTS.withRatePerMinute(5));
        for (int i = 0; i < 5; i++) {
            try (Response r = http.newCall(new Request.Builder().url(base() + "/").build()).execute()) {
                assertThat(r.code()).as("request %d", i + 1).isEqualTo(200);
            }
        }
        try (Response r = http.newCall(new Request.Builder().url(base() + "/").build()).execute()) {
            assertThat(r.code()).isEqualTo(429);
            assertThat(Integer.parseInt(r.header("Retry-After"))).isBetween(1, 60);
            assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
            assertThat(r.header("Content-Security-Policy")).contains("default-src 'none'");
            assertThat(r.body().string()).contains("more than 5 requests in a minute");
        }
        // The metrics endpoint is rate-limited too: read the counters on a fresh relay's scrape via the object.
        relay.shutdown(Duration.ofMillis(100));
        start(VisitorLimits.DEFAULTS.withRatePerMinute(2));
        for (int i = 0; i < 3; i++) {
            http.newCall(new Request.Builder().url(base() + "/").build()).execute().close();
        }
        try (Response r = http.newCall(new Request.Builder().url(base() + "/api/tunnel/metrics").build()).execute()) {
            assertThat(r.code()).isEqualTo(429); // the third request of this minute was refused, the fourth is too
        }
        assertThat(relay.metricsText()).contains("tunnel_visitor_refusals_total{reason=\"rate\"} 2.0",
                "tunnel_rate_limit_hits_total{limit=\"visitor_ip\"} 2.0");
    }

    @Test
    void clientHandshakesOverTheRateGet429() throws Exception {
        start(VisitorLimits.DEFAULTS.withRatePerMinute(5));
        java.util.Map<String, Integer> statuses = new java.util.TreeMap<>();
        for (int i = 0; i < 20; i++) {
            try (RawVisitor v = new RawVisitor(relay.port())) {
                v.send("GET /api/tunnel/connect HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n");
                statuses.merge(v.readHead().substring(9, 12), 1, Integer::sum);
            }
        }
        assertThat(statuses).containsExactly(java.util.Map.entry("101", 5), java.util.Map.entry("429", 15));
        assertThat(relay.metricsText()).contains("tunnel_visitor_refusals_total{reason=\"rate\"} 15.0");
    }

    @Test
    void rateLimitZeroTurnsItOff() throws Exception {
        start(VisitorLimits.DEFAULTS.withRatePerMinute(0));
        for (int i = 0; i < 50; i++) {
            try (Response r = http.newCall(new Request.Builder().url(base() + "/").build()).execute()) {
                assertThat(r.code()).isEqualTo(200);
            }
        }
    }

    @Test
    void declaredBodyOverTheLimitGets413BeforeAnyByteIsCarried() throws Exception {
        start(VisitorLimits.DEFAULTS.withMaxBodyBytes(1000));
        try (ProtocolTestClient c = welcomed(); RawVisitor v = new RawVisitor(relay.port())) {
            c.bind("1", "http", "app", null);
            v.send("POST /t/app/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 2000\r\n\r\n");
            String response = v.readResponse();
            assertThat(response).startsWith("HTTP/1.1 413").contains("at most 1000 bytes");
            assertThat(c.frames.poll()).isNull(); // the tunnel never heard of it
            assertThat(relay.metricsText()).contains("tunnel_visitor_refusals_total{reason=\"body_size\"} 1.0");
        }
    }

    @Test
    void chunkedBodyGrowingPastTheLimitGets413AndTheStreamIsCancelled() throws Exception {
        start(VisitorLimits.DEFAULTS.withMaxBodyBytes(10_000));
        try (ProtocolTestClient c = welcomed(); RawVisitor v = new RawVisitor(relay.port())) {
            c.bind("1", "http", "app", null);
            v.send("POST /t/app/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
            Frame open = c.next();
            assertThat(open.type()).isEqualTo(FrameType.OPEN);
            String chunk = "x".repeat(4000);
            for (int i = 0; i < 3; i++) {
                v.send(Integer.toHexString(chunk.length()) + "\r\n" + chunk + "\r\n");
            }
            String response = v.readAll();
            assertThat(response).startsWith("HTTP/1.1 413").contains("at most 10000 bytes");
            Frame f;
            long carried = 0;
            while ((f = c.next()).type() == FrameType.DATA) {
                carried += f.payloadBytes().length;
            }
            assertThat(f.type()).isEqualTo(FrameType.RST);
            assertThat(carried).isLessThanOrEqualTo(10_000);
        }
    }

    @Test
    void headerBlockOverTheLimitGets431() throws Exception {
        start(VisitorLimits.DEFAULTS.withHeaders(2048, 100));
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send("GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + "a".repeat(3000) + "\r\n\r\n");
            assertThat(v.readAll()).startsWith("HTTP/1.1 431").contains("2 KiB headers");
        }
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send("GET / HTTP/1.1\r\nHost: x\r\nX-Ok: " + "a".repeat(1500) + "\r\nConnection: close\r\n\r\n");
            assertThat(v.readAll()).startsWith("HTTP/1.1 200");
        }
    }

    @Test
    void tooManyHeaderFieldsGet431() throws Exception {
        start(VisitorLimits.DEFAULTS.withHeaders(16 * 1024, 10));
        StringBuilder head = new StringBuilder("GET / HTTP/1.1\r\nHost: x\r\n");
        for (int i = 0; i < 10; i++) {
            head.append("X-H").append(i).append(": v\r\n");
        }
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send(head + "\r\n");
            assertThat(v.readAll()).startsWith("HTTP/1.1 431").contains("11 header fields", "accepts 10");
        }
        assertThat(relay.metricsText()).contains("tunnel_visitor_refusals_total{reason=\"header_size\"} 1.0");
    }

    @Test
    void slowlorisHeadTrickleGets408AndIsClosed() throws Exception {
        start(VisitorLimits.DEFAULTS.withTimeouts(Duration.ofSeconds(1), 1024, Duration.ofSeconds(30)));
        try (RawVisitor v = new RawVisitor(relay.port())) {
            long t0 = System.nanoTime();
            v.send("GET / HTTP/1.1\r\n");
            // A header byte every 200 ms: the connection never goes quiet, but the head never completes.
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 50; i++) {
                        v.send("X");
                        Thread.sleep(200);
                    }
                } catch (Exception ignored) {
                    // the relay closed the socket: that is the point
                }
            });
            String response = v.readAll();
            long ms = (System.nanoTime() - t0) / 1_000_000;
            writer.interrupt();
            assertThat(response).startsWith("HTTP/1.1 408").contains("did not arrive within 1 s");
            assertThat(ms).isBetween(900L, 5000L);
        }
        assertThat(relay.metricsText()).contains("tunnel_visitor_refusals_total{reason=\"slow_header\"} 1.0");
    }

    @Test
    void connectionThatSendsNothingIsClosedAfterTheHeaderTimeout() throws Exception {
        start(VisitorLimits.DEFAULTS.withTimeouts(Duration.ofSeconds(1), 1024, Duration.ofSeconds(30)));
        try (RawVisitor v = new RawVisitor(relay.port())) {
            long t0 = System.nanoTime();
            assertThat(v.readAll()).isEmpty();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(900L, 5000L);
        }
    }

    @Test
    void bodyTricklingBelowTheFloorIsCutWith408() throws Exception {
        start(VisitorLimits.DEFAULTS.withTimeouts(Duration.ofSeconds(2), 1000, Duration.ofSeconds(30)));
        try (ProtocolTestClient c = welcomed(); RawVisitor v = new RawVisitor(relay.port())) {
            c.bind("1", "http", "app", null);
            v.send("POST /t/app/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n");
            assertThat(c.next().type()).isEqualTo(FrameType.OPEN);
            Thread writer = Thread.ofVirtual().start(() -> {
                try {
                    for (int i = 0; i < 100; i++) {
                        v.send("0123456789"); // 20 bytes/s, far below 1000
                        Thread.sleep(500);
                    }
                } catch (Exception ignored) {
                    // cut by the relay
                }
            });
            long t0 = System.nanoTime();
            String response = v.readAll();
            writer.interrupt();
            assertThat(response).startsWith("HTTP/1.1 408").contains("below the 1000 bytes/s");
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(1500L, 8000L);
            Frame f;
            while ((f = c.next()).type() == FrameType.DATA) {
                // the bytes that did come
            }
            assertThat(f.type()).isEqualTo(FrameType.RST);
        }
    }

    @Test
    void bodyAtAGoodPaceIsNotCut() throws Exception {
        start(VisitorLimits.DEFAULTS.withTimeouts(Duration.ofSeconds(1), 1000, Duration.ofSeconds(30)));
        try (ProtocolTestClient c = welcomed(); RawVisitor v = new RawVisitor(relay.port())) {
            c.bind("1", "http", "app", null);
            v.send("POST /t/app/upload HTTP/1.1\r\nHost: x\r\nContent-Length: 6000\r\n\r\n");
            Frame open = c.next();
            for (int i = 0; i < 3; i++) { // 2000 bytes/s for 3 s
                v.send("y".repeat(1000));
                Thread.sleep(500);
                v.send("y".repeat(1000));
                Thread.sleep(500);
            }
            long got = 0;
            Frame f;
            while ((f = c.next()).type() == FrameType.DATA) {
                got += f.payloadBytes().length;
            }
            assertThat(f.type()).isEqualTo(FrameType.FIN);
            assertThat(got).isEqualTo(6000);
            c.send(Frame.reply(open.streamId(), ReplyMessage.http(204, "No Content", List.of())));
            c.send(Frame.fin(open.streamId()));
            assertThat(v.readHead()).startsWith("HTTP/1.1 204");
        }
    }

    @Test
    void idleKeepAliveConnectionIsClosedAfterTheIdleTimeout() throws Exception {
        start(VisitorLimits.DEFAULTS.withTimeouts(Duration.ofSeconds(5), 1024, Duration.ofSeconds(1)));
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(v.readResponse()).startsWith("HTTP/1.1 200");
            Thread.sleep(300); // well inside the idle timeout: still usable
            v.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(v.readResponse()).startsWith("HTTP/1.1 200");
            long t0 = System.nanoTime();
            assertThat(v.closedByServer()).isTrue();
            assertThat((System.nanoTime() - t0) / 1_000_000).isBetween(800L, 4000L);
        }
    }

    @Test
    void connectionsOverThePerAddressLimitGet503() throws Exception {
        start(VisitorLimits.DEFAULTS.withConnections(100, 2));
        try (RawVisitor a = new RawVisitor(relay.port()); RawVisitor b = new RawVisitor(relay.port())) {
            await().until(() -> relay.visitorConnections() == 2);
            try (RawVisitor c = new RawVisitor(relay.port())) {
                String response = c.readAll();
                assertThat(response).startsWith("HTTP/1.1 503").contains("Retry-After: 5", "connection limit");
            }
            a.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(a.readResponse()).startsWith("HTTP/1.1 200"); // the admitted ones still work
        }
        await().until(() -> relay.visitorConnections() == 0);
        try (RawVisitor again = new RawVisitor(relay.port())) {
            again.send("GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            assertThat(again.readResponse()).startsWith("HTTP/1.1 200"); // slots are given back on close
        }
        assertThat(relay.metricsText()).contains("tunnel_visitor_refusals_total{reason=\"connections\"} 1.0");
    }

    @Test
    void connectionsOverTheTotalLimitAreRefusedOnTcpTunnelsToo() throws Exception {
        start(VisitorLimits.DEFAULTS.withConnections(2, 100));
        try (ProtocolTestClient c = welcomed()) {
            ControlMessage.Bound b = c.bind("1", "tcp", "db", null);
            try (Socket s1 = new Socket("127.0.0.1", b.port()); Socket s2 = new Socket("127.0.0.1", b.port())) {
                await().until(() -> relay.visitorConnections() == 2);
                try (Socket s3 = new Socket("127.0.0.1", b.port())) {
                    s3.setSoTimeout(5000);
                    assertThat(s3.getInputStream().read()).isEqualTo(-1);
                }
                try (RawVisitor http3 = new RawVisitor(relay.port())) {
                    assertThat(http3.readAll()).startsWith("HTTP/1.1 503");
                }
            }
        }
    }

    @Test
    void theDefaultsLetA50MiBUploadThrough() {
        assertThat(VisitorLimits.DEFAULTS.maxBodyBytes()).isGreaterThanOrEqualTo(50L * 1024 * 1024);
        assertThat(VisitorLimits.DEFAULTS.ratePerMinute()).isEqualTo(600);
    }
}
