package dev.portway.relay;

import dev.portway.relay.ingress.VisitorLimits;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.Credentials;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.net.Socket;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** Per-tunnel visitor protection chosen by the client (PROTOCOL.md §4.1): basic auth and IP lists. */
class VisitorProtectionIT {
    static final String TOKEN = "s3cret";
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(10)).build();
    Relay relay;

    void start(boolean trustProxy) throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).tcpPortFrom(0).tcpPortTo(0)
                .visitorLimits(VisitorLimits.DEFAULTS.withTrustProxy(trustProxy)).build());
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

    Request.Builder to(String path) {
        return to("app", path);
    }

    Request.Builder to(String tunnel, String path) {
        return new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/" + tunnel + path);
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
        });
    }

    /** Answers the next OPEN with 200 and returns it. */
    static OpenMessage answer(ProtocolTestClient c) throws Exception {
        Frame f = c.next();
        OpenMessage o = RelayIT.open(f);
        c.next(); // the request's FIN
        c.send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of())));
        c.send(Frame.fin(f.streamId()));
        return o;
    }

    @Test
    void basicAuthAsksForCredentialsAndKeepsThemFromTheApp() throws Exception {
        start(false);
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "app", Map.of("basic_auth", "alice:wonder land"));
            Response none = visit(to("/x").build()).get(10, TimeUnit.SECONDS);
            assertThat(none.code()).isEqualTo(401);
            assertThat(none.header("WWW-Authenticate")).isEqualTo("Basic realm=\"app\", charset=\"UTF-8\"");
            assertThat(none.header("X-Frame-Options")).isEqualTo("DENY");
            Response wrong = visit(to("/x").header("Authorization", Credentials.basic("alice", "wonder")).build())
                    .get(10, TimeUnit.SECONDS);
            assertThat(wrong.code()).isEqualTo(401);
            Response garbage = visit(to("/x").header("Authorization", "Basic !!!").build()).get(10, TimeUnit.SECONDS);
            assertThat(garbage.code()).isEqualTo(401);
            assertThat(c.frames.stream().filter(f -> f.type() == dev.portway.shared.protocol.FrameType.OPEN)).isEmpty();

            var ok = visit(to("/x").header("Authorization", Credentials.basic("alice", "wonder land")).build());
            OpenMessage o = answer(c);
            assertThat(ok.get(10, TimeUnit.SECONDS).code()).isEqualTo(200);
            assertThat(o.header("Authorization")).isNull();
            assertThat(relay.metricsText()).contains("tunnel_visitor_refusals_total{reason=\"basic_auth\"} 3.0");
        }
    }

    @Test
    void ipListsRefuseWith403AndDenyWins() throws Exception {
        start(false);
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "deny", Map.of("ip_deny", "127.0.0.0/8"));
            Response r = visit(to("deny", "/").build()).get(10, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(403);
            assertThat(r.peekBody(10_000).string()).contains("does not accept visitors from your address");

            c.bind("2", "http", "allow", Map.of("ip_allow", "10.0.0.0/8, 2001:db8::/32"));
            assertThat(visit(to("allow", "/").build()).get(10, TimeUnit.SECONDS).code()).isEqualTo(403);

            c.bind("3", "http", "both", Map.of("ip_allow", "127.0.0.0/8", "ip_deny", "127.0.0.1"));
            assertThat(visit(to("both", "/").build()).get(10, TimeUnit.SECONDS).code()).isEqualTo(403);

            c.bind("4", "http", "open", Map.of("ip_allow", "10.0.0.0/8,127.0.0.0/8", "ip_deny", "127.0.0.2"));
            var ok = visit(to("open", "/").build());
            answer(c);
            assertThat(ok.get(10, TimeUnit.SECONDS).code()).isEqualTo(200);
        }
        assertThat(relay.metricsText()).contains("tunnel_visitor_refusals_total{reason=\"ip_list\"} 3.0");
    }

    @Test
    void forwardedForCountsOnlyWithTrustProxy() throws Exception {
        start(false);
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "app", Map.of("ip_deny", "203.0.113.7"));
            var spoofed = visit(to("/").header("X-Forwarded-For", "203.0.113.7").build());
            answer(c); // the socket address (127.0.0.1) decides: the header is not trusted
            assertThat(spoofed.get(10, TimeUnit.SECONDS).code()).isEqualTo(200);
        }
        relay.shutdown(Duration.ofMillis(100));
        start(true);
        try (ProtocolTestClient c = welcomed()) {
            c.bind("1", "http", "app", Map.of("ip_deny", "203.0.113.7"));
            Response r = visit(to("/").header("X-Forwarded-For", "198.51.100.1, 203.0.113.7").build()).get(10, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(403);
            var other = visit(to("/").header("X-Forwarded-For", "203.0.113.7, 198.51.100.1").build());
            answer(c); // only the last entry (the operator's proxy's) counts
            assertThat(other.get(10, TimeUnit.SECONDS).code()).isEqualTo(200);
        }
    }

    @Test
    void tcpTunnelClosesConnectionsFromDeniedAddresses() throws Exception {
        start(false);
        try (ProtocolTestClient c = welcomed()) {
            ControlMessage.Bound b = c.bind("1", "tcp", "db", Map.of("ip_deny", "127.0.0.1/32"));
            try (Socket s = new Socket("127.0.0.1", b.port())) {
                s.setSoTimeout(5000);
                assertThat(s.getInputStream().read()).isEqualTo(-1);
            }
            assertThat(c.frames.poll(300, TimeUnit.MILLISECONDS)).isNull(); // no OPEN reached the client
        }
        try (ProtocolTestClient c = welcomed()) {
            ControlMessage.Bound b = c.bind("1", "tcp", "db2", Map.of("ip_allow", "127.0.0.1"));
            try (Socket s = new Socket("127.0.0.1", b.port())) {
                Frame f = c.next();
                assertThat(RelayIT.open(f).kind()).isEqualTo("tcp");
            }
        }
    }

    @Test
    void badProtectionOptionsAreRefusedWithAClearMessage() throws Exception {
        start(false);
        try (ProtocolTestClient c = welcomed()) {
            assertRefused(c, "http", Map.of("basic_auth", "alice"), "basic_auth must be user:password");
            assertRefused(c, "http", Map.of("ip_allow", "10.0.0.0/33"), "ip_allow: \"10.0.0.0/33\" has a bad prefix length: use /0 to /32");
            assertRefused(c, "http", Map.of("ip_deny", "example.com"), "ip_deny: \"example.com\" is not an IP address or CIDR block");
            assertRefused(c, "tcp", Map.of("basic_auth", "a:b"), "basic_auth is for http tunnels only");
            assertRefused(c, "http", Map.of("queue", "on", "basic_auth", "a:b"), "cannot be combined");
            // the session is fine and nothing was bound
            assertThat(c.bind("9", "http", "app", Map.of()).name()).isEqualTo("app");
        }
    }

    private static void assertRefused(ProtocolTestClient c, String kind, Map<String, String> options, String message) {
        c.send(Frame.control(new ControlMessage.Bind("b", kind, "app", null, options)));
        ControlMessage.BindRefused r = c.control(ControlMessage.BindRefused.class);
        assertThat(r.message()).contains(message);
        assertThat(r.errorCode()).isEqualTo(ErrorCode.KIND_UNSUPPORTED);
    }
}
