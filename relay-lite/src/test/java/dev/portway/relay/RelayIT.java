package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class RelayIT {
    static final String TOKEN = "s3cret";
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();
    Relay relay;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN)
                .grace(Duration.ofMillis(1500)).tcpPortFrom(21000).tcpPortTo(21999).build());
    }

    @AfterEach
    void stop() {
        relay.shutdown(Duration.ofMillis(200));
    }

    ProtocolTestClient welcomed() {
        ProtocolTestClient c = ProtocolTestClient.connect(relay, TOKEN, null);
        c.control(ControlMessage.Welcome.class);
        return c;
    }

    String base() {
        return "http://127.0.0.1:" + relay.port();
    }

    CompletableFuture<Response> visit(Request request) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Response r = http.newCall(request).execute();
                r.peekBody(Long.MAX_VALUE); // read the body while the call is live
                return r;
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    static OpenMessage open(Frame f) throws Exception {
        assertThat(f.type()).isEqualTo(FrameType.OPEN);
        return Json.read(f.payload(), OpenMessage.class);
    }

    static Frame data(int id, String s) {
        return Frame.data(id, s.getBytes(StandardCharsets.UTF_8), 0, s.length());
    }

    @Test
    void handshakeWelcomesClientWithSessionAndResumeKey() {
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, TOKEN, null)) {
            ControlMessage.Welcome w = c.control(ControlMessage.Welcome.class);
            assertThat(w.version()).isEqualTo(1);
            assertThat(w.resume()).hasSizeGreaterThanOrEqualTo(22);
            assertThat(w.graceMs()).isEqualTo(1500);
            await().until(() -> relay.sessionCount() == 1);
        }
    }

    @Test
    void wrongTokenIsRefusedAndTheWebSocketClosed() {
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, "nope", null)) {
            ControlMessage.Refused r = c.control(ControlMessage.Refused.class);
            assertThat(r.errorCode()).isEqualTo(ErrorCode.BAD_TOKEN);
            assertThat(r.message()).contains("PORTWAY_TOKEN");
            await().until(() -> c.closeCode.get() == 1008);
        }
    }

    @Test
    void versionMismatchIsRefusedWithTheUpdateMessage() {
        try (ProtocolTestClient c = new ProtocolTestClient(relay.connectUrl())) {
            c.send(Frame.control(new ControlMessage.Hello(List.of(2), TOKEN, "test", null, null, null)));
            ControlMessage.Refused r = c.control(ControlMessage.Refused.class);
            assertThat(r.errorCode()).isEqualTo(ErrorCode.UNSUPPORTED_VERSION);
            assertThat(r.message()).contains("update the relay");
            await().until(() -> c.closeCode.get() == 1008);
        }
    }

    @Test
    void malformedFrameClosesTheSessionWith1002() {
        try (ProtocolTestClient c = welcomed()) {
            c.sendRaw(new byte[]{0x09, 0, 0, 0, 1});
            await().until(() -> c.closeCode.get() == 1002);
            assertThat(c.closeReason).contains("unknown frame type");
        }
    }

    @Test
    void textMessageClosesTheSessionWith1003() {
        try (ProtocolTestClient c = welcomed()) {
            c.sendText("hello?");
            await().until(() -> c.closeCode.get() == 1003);
        }
    }

    @Test
    void unknownTunnelGets404PageWithSecurityHeaders() throws Exception {
        Response r = visit(new Request.Builder().url(base() + "/t/myapp/").build()).get(10, TimeUnit.SECONDS);
        assertThat(r.code()).isEqualTo(404);
        assertThat(r.peekBody(100_000).string()).contains("No tunnel named myapp is connected");
        assertThat(r.header("Content-Type")).isEqualTo("text/html; charset=utf-8");
        assertThat(r.header("X-Content-Type-Options")).isEqualTo("nosniff");
        assertThat(r.header("X-Frame-Options")).isEqualTo("DENY");
        assertThat(r.header("Content-Security-Policy")).isEqualTo("default-src 'none'; style-src 'unsafe-inline'");
        assertThat(r.header("Cache-Control")).isEqualTo("no-store");
    }

    @Test
    void unknownTunnelPageEscapesTheName() throws Exception {
        Response r = visit(new Request.Builder().url(base() + "/t/%3Cb%3E/").build()).get(10, TimeUnit.SECONDS);
        assertThat(r.peekBody(100_000).string()).doesNotContain("<b>");
    }

    @Test
    void healthReportsSessionsAndTunnels() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "myapp", null);
            Response r = visit(new Request.Builder().url(base() + "/api/tunnel/health").build()).get(10, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.peekBody(10_000).string()).contains("\"status\":\"ok\"", "\"sessions\":1", "\"tunnels\":1", "\"version\"");
        }
    }

    @Test
    void getIsForwardedByHostAndAnswered() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            ControlMessage.Bound b = c.bind("1", "http", "MyApp", null);
            assertThat(b.name()).isEqualTo("myapp");
            assertThat(b.url()).isEqualTo("http://myapp.localhost:" + relay.port() + "/");
            var visitor = visit(new Request.Builder().url(base() + "/api/tunnel/health?x=1")
                    .header("Host", "MYAPP.localhost:" + relay.port()).build());
            Frame f = c.next();
            OpenMessage o = open(f);
            assertThat(o.tunnel()).isEqualTo("myapp");
            assertThat(o.method()).isEqualTo("GET");
            assertThat(o.target()).isEqualTo("/api/tunnel/health?x=1");
            assertThat(o.header("X-Forwarded-For")).isEqualTo("127.0.0.1");
            assertThat(o.header("X-Forwarded-Proto")).isEqualTo("http");
            assertThat(o.header("Portway-Request-Id")).isEqualTo(o.requestId());
            assertThat(o.header("Connection")).isNull();
            assertThat(c.expect(FrameType.FIN).streamId()).isEqualTo(f.streamId());
            c.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of(new Header("X-App", "yes")))));
            c.send(data(f.streamId(), "hello "));
            c.send(data(f.streamId(), "world"));
            c.send(Frame.fin(f.streamId()));
            Response r = visitor.get(10, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.header("X-App")).isEqualTo("yes");
            assertThat(r.peekBody(1000).string()).isEqualTo("hello world");
        }
    }

    @Test
    void chunkedPostBodyIsStreamedAsDataThenFin() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "app", null);
            RequestBody body = new RequestBody() {
                @Override
                public MediaType contentType() {
                    return MediaType.get("text/plain");
                }

                @Override
                public void writeTo(BufferedSink sink) throws java.io.IOException {
                    sink.writeUtf8("part1-");
                    sink.flush();
                    sink.writeUtf8("part2");
                }
            };
            var visitor = visit(new Request.Builder().url(base() + "/t/app/hooks?y=2").post(body).build());
            Frame f = c.next();
            OpenMessage o = open(f);
            assertThat(o.target()).isEqualTo("/hooks?y=2");
            assertThat(o.header("Transfer-Encoding")).isNull();
            StringBuilder received = new StringBuilder();
            Frame next;
            while ((next = c.next()).type() == FrameType.DATA) {
                received.append(new String(next.payloadBytes(), StandardCharsets.UTF_8));
            }
            assertThat(next.type()).isEqualTo(FrameType.FIN);
            assertThat(received.toString()).isEqualTo("part1-part2");
            c.send(Frame.reply(f.streamId(), ReplyMessage.http(201, "Created", List.of())));
            c.send(data(f.streamId(), "ok"));
            c.send(Frame.fin(f.streamId()));
            Response r = visitor.get(10, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(201);
            assertThat(r.header("Transfer-Encoding")).isEqualTo("chunked");
            assertThat(r.peekBody(100).string()).isEqualTo("ok");
        }
    }

    @Test
    void upgradeRequestWithABodyIsForwardedAsAnOrdinaryRequestWithItsBody() throws Exception {
        try (ProtocolTestClient c = welcomed(); RawVisitor v = new RawVisitor(relay.port())) {
            c.bind("1", "http", "app", null);
            // (Upgrade: h2c is the relay's own now, see ingress/h2/H2cUpgradeIT: any other protocol goes to the app.)
            v.send("POST /up HTTP/1.1\r\nHost: app.localhost\r\nConnection: Upgrade, Example-Settings\r\n"
                    + "Upgrade: example/1\r\nExample-Settings: s\r\nContent-Length: 5\r\n\r\nhello");
            Frame f = c.next();
            OpenMessage o = open(f);
            assertThat(o.header("Upgrade")).isNull();
            assertThat(o.header("Connection")).isNull();
            assertThat(o.header("Example-Settings")).isNull();
            assertThat(o.header("Content-Length")).isEqualTo("5");
            Frame body = c.expect(FrameType.DATA);
            assertThat(new String(body.payloadBytes(), StandardCharsets.UTF_8)).isEqualTo("hello");
            assertThat(c.expect(FrameType.FIN).streamId()).isEqualTo(f.streamId());
            c.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of(new Header("Content-Length", "2")))));
            c.send(data(f.streamId(), "ok"));
            c.send(Frame.fin(f.streamId()));
            assertThat(v.readResponse()).startsWith("HTTP/1.1 200").endsWith("ok");
        }
    }

    @Test
    void headAnd204ResponsesHaveNoBodyAndKeepTheConnection() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "app", null);
            var head = visit(new Request.Builder().url(base() + "/t/app").head().build());
            Frame f = c.next();
            assertThat(open(f).target()).isEqualTo("/");
            c.expect(FrameType.FIN);
            c.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of(new Header("Content-Length", "42")))));
            c.send(Frame.fin(f.streamId()));
            Response r = head.get(10, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.header("Content-Length")).isEqualTo("42");

            var noContent = visit(new Request.Builder().url(base() + "/t/app/x").delete().build());
            Frame g = c.next();
            assertThat(g.streamId()).isGreaterThan(f.streamId());
            c.expect(FrameType.FIN);
            c.send(Frame.reply(g.streamId(), ReplyMessage.http(204, "No Content", List.of())));
            c.send(Frame.fin(g.streamId()));
            Response r2 = noContent.get(10, TimeUnit.SECONDS);
            assertThat(r2.code()).isEqualTo(204);
            assertThat(r2.header("Transfer-Encoding")).isNull();
        }
    }

    @Test
    void targetUnreachableBecomes502PageWithTheMessage() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "app", null);
            var visitor = visit(new Request.Builder().url(base() + "/t/app/").build());
            Frame f = c.next();
            c.send(Frame.rst(f.streamId(), ErrorCode.TARGET_UNREACHABLE, "Nothing is listening on localhost:3000 — is your app running?"));
            Response r = visitor.get(10, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(502);
            assertThat(r.peekBody(100_000).string()).contains("Nothing is listening on localhost:3000");
        }
    }

    @Test
    void takenNameGetsAVariantWithNoticeAndStrictNameIsRefused() {
        try (ProtocolTestClient a = welcomed(); ProtocolTestClient b = welcomed()) {
            a.bind("1", "http", "myapp", null);
            ControlMessage.Bound other = b.bind("1", "http", "myapp", null);
            assertThat(other.name()).startsWith("myapp-").isNotEqualTo("myapp");
            assertThat(other.notice()).contains("myapp");
            b.send(Frame.control(new ControlMessage.Bind("2", "http", "myapp", null, Map.of("strict_name", "true"))));
            assertThat(b.control(ControlMessage.BindRefused.class).errorCode()).isEqualTo(ErrorCode.NAME_TAKEN);
            b.send(Frame.control(new ControlMessage.Bind("3", "http", "x", null, Map.of("colour", "red"))));
            assertThat(b.control(ControlMessage.BindRefused.class).errorCode()).isEqualTo(ErrorCode.KIND_UNSUPPORTED);
            b.send(Frame.control(new ControlMessage.Bind("4", "http", "-bad-", null, null)));
            assertThat(b.control(ControlMessage.BindRefused.class).errorCode()).isEqualTo(ErrorCode.NAME_INVALID);
        }
    }

    @Test
    void heldNameReturnsToResumingSessionOnlyAndIsFreedAfterGrace() throws Exception {
        ProtocolTestClient first = ProtocolTestClient.connect(relay, TOKEN, null);
        String resume = first.control(ControlMessage.Welcome.class).resume();
        first.bind("1", "http", "keep", null);
        first.close();
        await().until(() -> relay.sessionCount() == 0);
        try (ProtocolTestClient stranger = welcomed()) {
            assertThat(stranger.bind("1", "http", "keep", null).name()).isNotEqualTo("keep");
        }
        var held = visit(new Request.Builder().url(base() + "/t/keep/").build());
        try (ProtocolTestClient again = ProtocolTestClient.connect(relay, TOKEN, resume)) {
            again.control(ControlMessage.Welcome.class);
            assertThat(again.bind("1", "http", "keep", null).name()).isEqualTo("keep");
            Frame f = again.next(); // the request held during the reconnect
            assertThat(open(f).target()).isEqualTo("/");
            again.expect(FrameType.FIN);
            again.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of())));
            again.send(Frame.fin(f.streamId()));
            assertThat(held.get(10, TimeUnit.SECONDS).code()).isEqualTo(200);
        }
        // the resumed session dropped too: after the grace the name is anyone's
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
            try (ProtocolTestClient late = welcomed()) {
                assertThat(late.bind("1", "http", "keep", null).name()).isEqualTo("keep");
            }
        });
    }

    @Test
    void tcpTunnelCarriesBytesBothWaysWithHalfClose() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            ControlMessage.Bound b = c.bind("1", "tcp", "db", null);
            assertThat(b.port()).isBetween(21000, 21999);
            assertThat(b.url()).isEqualTo("tcp://localhost:" + b.port());
            try (var socket = new java.net.Socket("127.0.0.1", b.port())) {
                socket.setSoTimeout(10_000);
                Frame f = c.next();
                OpenMessage o = open(f);
                assertThat(o.kind()).isEqualTo("tcp");
                c.send(Frame.reply(f.streamId(), ReplyMessage.tcpAccepted()));
                socket.getOutputStream().write("ping".getBytes(StandardCharsets.UTF_8));
                socket.shutdownOutput();
                assertThat(new String(c.expect(FrameType.DATA).payloadBytes(), StandardCharsets.UTF_8)).isEqualTo("ping");
                c.expect(FrameType.FIN);
                c.send(data(f.streamId(), "pong"));
                c.send(Frame.fin(f.streamId()));
                assertThat(new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("pong");
            }
        }
    }

    @Test
    void tcpRstClosesTheVisitorAtOnce() throws Exception {
        try (ProtocolTestClient c = welcomed()) {
            ControlMessage.Bound b = c.bind("1", "tcp", "db", null);
            try (var socket = new java.net.Socket("127.0.0.1", b.port())) {
                socket.setSoTimeout(10_000);
                Frame f = c.next();
                c.send(Frame.rst(f.streamId(), ErrorCode.TARGET_UNREACHABLE, "nothing on 5432"));
                assertThat(socket.getInputStream().read()).isEqualTo(-1);
            }
        }
    }

    @Test
    void dataBeyondStreamCreditIsAnsweredWithRstFlowControl() throws Exception {
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, TOKEN, null)) {
            long credit = c.control(ControlMessage.Welcome.class).streamWindow();
            ControlMessage.Bound b = c.bind("1", "tcp", "db", null);
            try (var socket = new java.net.Socket()) {
                socket.setReceiveBufferSize(4096);
                socket.connect(new java.net.InetSocketAddress("127.0.0.1", b.port()));
                Frame f = c.next();
                int id = f.streamId();
                c.send(Frame.reply(id, ReplyMessage.tcpAccepted()));
                byte[] chunk = new byte[64 * 1024];
                // The visitor never reads: once the kernel buffers are full the relay stops granting.
                // Spend all credit, collect grants until none come, then send one byte too many.
                while (true) {
                    while (credit > 0) {
                        int n = (int) Math.min(chunk.length, credit);
                        c.send(Frame.data(id, chunk, 0, n));
                        credit -= n;
                    }
                    Frame update = c.frames.poll(500, TimeUnit.MILLISECONDS);
                    if (update == null) {
                        break;
                    }
                    if (update.type() == FrameType.WINDOW_UPDATE && update.streamId() == id) {
                        credit += update.windowIncrement();
                    }
                }
                // One byte too many; a late grant (the kernel drained a little) only moves the line.
                c.send(Frame.data(id, chunk, 0, 1));
                credit = -1;
                Frame rst;
                while ((rst = c.next()).type() == FrameType.WINDOW_UPDATE) {
                    if (rst.streamId() == id) {
                        credit += rst.windowIncrement();
                        while (credit >= 0) {
                            int n = (int) Math.min(chunk.length, credit + 1);
                            c.send(Frame.data(id, chunk, 0, n));
                            credit -= n;
                        }
                    }
                }
                assertThat(rst.type()).isEqualTo(FrameType.RST);
                assertThat(rst.streamId()).isEqualTo(id);
                assertThat(rst.rstCode()).isEqualTo(ErrorCode.FLOW_CONTROL);
            }
        }
    }

    @Test
    void shutdownSendsGoAwayAndClosesTheSession() {
        try (ProtocolTestClient c = welcomed()) {
            CompletableFuture<Void> stopping = CompletableFuture.runAsync(() -> relay.shutdown(Duration.ofSeconds(2)));
            ControlMessage.GoAway g = c.control(ControlMessage.GoAway.class);
            assertThat(g.deadlineMs()).isEqualTo(2000);
            await().until(() -> c.closeCode.get() == 1001);
            await().until(stopping::isDone);
        }
    }
}
