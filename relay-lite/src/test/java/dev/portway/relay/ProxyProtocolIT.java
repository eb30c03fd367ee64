package dev.portway.relay;

import dev.portway.relay.ingress.VisitorLimits;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@code --proxy-protocol}: the relay behind a balancer in TCP mode takes each connection's visitor from its PROXY
 * header — raw v1 headers from a socket, and a real HAProxy sending v2 ({@code send-proxy-v2}) for visitors from
 * another loopback address — for tunnels' IP lists, per-address limits and X-Forwarded-For; a connection without a
 * header, or with a malformed one, is closed unanswered.
 */
class ProxyProtocolIT {
    @TempDir
    Path tmp;
    private Relay relay;
    private Process haproxy;

    @AfterEach
    void stop() {
        if (haproxy != null) {
            haproxy.destroyForcibly();
        }
        if (relay != null) {
            relay.close();
        }
    }

    private Relay start(VisitorLimits limits) throws IOException {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                .visitorLimits(limits.withProxyProtocol(true)).build());
        return relay;
    }

    @Test
    void theHeadersSourceIsTheVisitorForIpListsAndForwardedFor() throws Exception {
        start(VisitorLimits.DEFAULTS);
        try (ProtocolTestClient client = ProtocolTestClient.connect(relay, "secret", null)) {
            // The client's own WebSocket comes through the balancer too: test clients speak no PROXY protocol, so
            // this one is refused — a real client behind HAProxy is covered below.
            await().atMost(Duration.ofSeconds(10)).until(() -> client.closeCode.get() != -1);
        }
        try (Socket bare = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            bare.setSoTimeout(10_000);
            bare.getOutputStream().write("GET / HTTP/1.1\r\nHost: x.localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            assertThat(bare.getInputStream().read()).as("no header: closed, unanswered").isEqualTo(-1);
        }
        try (Socket bad = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
            bad.setSoTimeout(10_000);
            bad.getOutputStream().write("PROXY TCP4 999.1.1.1 10.0.0.1 5555 80\r\nGET / HTTP/1.1\r\n\r\n"
                    .getBytes(StandardCharsets.US_ASCII));
            assertThat(bad.getInputStream().read()).as("a malformed header: closed, unanswered").isEqualTo(-1);
        }
    }

    @Test
    void aRealHaproxySendingV2GivesTheRelayTheVisitorsAddress() throws Exception {
        start(VisitorLimits.DEFAULTS.withConnections(10_000, 3));
        int lb = HaproxyCluster.freePort();
        Path cfg = tmp.resolve("haproxy.cfg");
        Files.writeString(cfg, String.join("\n",
                "global", "    log stdout format raw local0 warning",
                "defaults", "    mode tcp", "    timeout connect 5s", "    timeout client 1m", "    timeout server 1m",
                "frontend portway", "    bind 127.0.0.1:" + lb, "    default_backend relays",
                "backend relays",
                "    option httpchk", "    http-check send meth GET uri /api/tunnel/health ver HTTP/1.1 hdr Host haproxy-check",
                "    server relay 127.0.0.1:" + relay.port() + " send-proxy-v2 check check-send-proxy inter 500ms", ""));
        haproxy = new ProcessBuilder(HaproxyCluster.HAPROXY, "-db", "-f", cfg.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("haproxy.log").toFile()).start();
        String url = "ws://127.0.0.1:" + lb + Protocol.CONNECT_PATH;
        // The balancer's health check (with its own PROXY header) is answered.
        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
            try (ProtocolTestClient probe = ProtocolTestClient.connect(url, "secret")) {
                probe.control(ControlMessage.Welcome.class);
                return true;
            }
        });
        try (ProtocolTestClient client = ProtocolTestClient.connect(url, "secret")) {
            client.control(ControlMessage.Welcome.class);
            client.bind("1", "http", "open", Map.of());
            client.bind("2", "http", "shut", Map.of(Protocol.OPTION_IP_DENY, "127.0.0.2"));
            client.bind("3", "http", "only", Map.of(Protocol.OPTION_IP_ALLOW, "127.0.0.2"));

            // A visitor from 127.0.0.2 through HAProxy, which itself reaches the relay from 127.0.0.1.
            assertThat(status(visitFrom("127.0.0.2", lb, "shut"))).isEqualTo(403);
            CompletableFuture<String> only = CompletableFuture.supplyAsync(() -> visitFrom("127.0.0.2", lb, "only"));
            OpenMessage o = answer(client);
            assertThat(o.tunnel()).isEqualTo("only");
            assertThat(o.remote()).startsWith("127.0.0.2:");
            assertThat(o.headers()).contains(new Header("X-Forwarded-For", "127.0.0.2"));
            assertThat(status(only.get(20, TimeUnit.SECONDS))).isEqualTo(200);
            // From 127.0.0.3 the allow list does not match: HAProxy's own address would have.
            assertThat(status(visitFrom("127.0.0.3", lb, "only"))).isEqualTo(403);

            // A TCP tunnel's port wants the header too (the balancer forwards the tunnels' ports with send-proxy-v2);
            // the bytes after it reach the client unchanged.
            client.send(Frame.control(new ControlMessage.Bind("4", "tcp", "raw", null, Map.of())));
            Frame f = client.next();
            while (f.type() != FrameType.CONTROL) { // the last request's FIN
                f = client.next();
            }
            ControlMessage.Bound tcp = (ControlMessage.Bound) Json.read(f.payload(), ControlMessage.class);
            try (Socket visitor = new Socket(InetAddress.getLoopbackAddress(), tcp.port())) {
                visitor.getOutputStream().write("PROXY TCP4 203.0.113.9 10.0.0.1 5555 80\r\nhello tcp"
                        .getBytes(StandardCharsets.US_ASCII));
                Frame open = client.next();
                while (open.type() != FrameType.OPEN) {
                    open = client.next();
                }
                assertThat(Json.read(open.payload(), OpenMessage.class).remote()).isEqualTo("203.0.113.9:5555");
                Frame data = client.expect(FrameType.DATA);
                assertThat(StandardCharsets.US_ASCII.decode(data.payload()).toString()).isEqualTo("hello tcp");
                client.send(Frame.rst(open.streamId(), dev.portway.shared.protocol.ErrorCode.CANCEL, "done"));
            }

            // Per-address connection limits count the visitor's address, not the balancer's: three open connections
            // from 127.0.0.4 are its limit, while 127.0.0.5 still gets in.
            try (Socket one = openFrom("127.0.0.4", lb); Socket two = openFrom("127.0.0.4", lb);
                 Socket three = openFrom("127.0.0.4", lb)) {
                await().atMost(Duration.ofSeconds(10)).until(() -> relay.visitorConnections() >= 4);
                assertThat(status(visitFrom("127.0.0.4", lb, "open"))).isEqualTo(503);
                CompletableFuture<String> other = CompletableFuture.supplyAsync(() -> visitFrom("127.0.0.5", lb, "open"));
                assertThat(answer(client).tunnel()).isEqualTo("open");
                assertThat(status(other.get(20, TimeUnit.SECONDS))).isEqualTo(200);
            }
        }
    }

    @Test
    void aTcpTunnelBehindARealHaproxySendingV2GetsTheVisitorsBytesAndAddress() throws Exception {
        int tcpPort = HaproxyCluster.freePort();
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(tcpPort)
                .tcpPortTo(tcpPort).visitorLimits(VisitorLimits.DEFAULTS.withProxyProtocol(true)).build());
        int lb = HaproxyCluster.freePort();
        int relayLb = HaproxyCluster.freePort();
        try (TcpEchoServer app = new TcpEchoServer("app:")) {
            Path cfg = tmp.resolve("haproxy-tcp.cfg");
            // The client's session through HAProxy, and the tunnel's port behind it too, both with v2 headers.
            Files.writeString(cfg, String.join("\n",
                    "global", "    log stdout format raw local0 warning",
                    "defaults", "    mode tcp", "    timeout connect 5s", "    timeout client 1m", "    timeout server 1m",
                    "frontend portway", "    bind 127.0.0.1:" + relayLb, "    default_backend relays",
                    "backend relays", "    server relay 127.0.0.1:" + relay.port() + " send-proxy-v2",
                    "frontend tcp_tunnels", "    bind 127.0.0.1:" + lb, "    default_backend tunnels",
                    "backend tunnels", "    server relay 127.0.0.1:" + tcpPort + " send-proxy-v2", ""));
            haproxy = new ProcessBuilder(HaproxyCluster.HAPROXY, "-db", "-f", cfg.toString()).redirectErrorStream(true)
                    .redirectOutput(tmp.resolve("haproxy.log").toFile()).start();
            String url = "ws://127.0.0.1:" + relayLb + Protocol.CONNECT_PATH;
            await().atMost(Duration.ofSeconds(15)).ignoreExceptions().until(() -> {
                try (ProtocolTestClient probe = ProtocolTestClient.connect(url, "secret")) {
                    probe.control(ControlMessage.Welcome.class);
                    return true;
                }
            });
            try (TcpTestEngine engine = new TcpTestEngine(ProtocolTestClient.connect(url, "secret"),
                    new ControlMessage.Bind("1", "tcp", "raw", null, null), app.port())) {
                assertThat(engine.bound.port()).isEqualTo(tcpPort);
                // Each visitor's bytes reach the app exactly (not a byte of the header), whether they come with the
                // header in one segment or after the client's answer.
                for (int n = 0; n < 10; n++) {
                    assertThat(ClusterTcpIT.roundTripFrom("127.0.0.5", "127.0.0.1", lb, "hello " + n))
                            .isEqualTo("app:hello " + n);
                    assertThat(engine.opens.getLast().remote()).startsWith("127.0.0.5:");
                }
            }
        }
    }

    private static int status(String response) {
        assertThat(response).as(response).startsWith("HTTP/1.1 ");
        return Integer.parseInt(response.substring(9, 12));
    }

    private static Socket openFrom(String source, int port) throws IOException {
        Socket s = new Socket();
        s.bind(new InetSocketAddress(source, 0));
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 5_000);
        s.setSoTimeout(20_000);
        return s;
    }

    /** One GET from {@code source} (a loopback address) through the balancer; the whole answer as text. */
    private static String visitFrom(String source, int port, String tunnel) {
        try (Socket s = openFrom(source, port)) {
            s.getOutputStream().write(("GET /x HTTP/1.1\r\nHost: " + tunnel + ".localhost\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static OpenMessage answer(ProtocolTestClient client) throws Exception {
        Frame open = client.next();
        while (open.type() != FrameType.OPEN) { // the previous request's FIN
            open = client.next();
        }
        OpenMessage o = Json.read(open.payload(), OpenMessage.class);
        client.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK", List.of(new Header("Content-Length", "2")))));
        client.send(Frame.data(open.streamId(), "ok".getBytes(StandardCharsets.US_ASCII), 0, 2));
        client.send(Frame.fin(open.streamId()));
        return o;
    }
}
