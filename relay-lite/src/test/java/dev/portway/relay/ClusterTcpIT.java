package dev.portway.relay;

import dev.portway.relay.cluster.ClusterConfig;
import dev.portway.relay.store.PostgresServer;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * TCP tunnels across a relay cluster (docs/cluster.md "TCP tunnels on every node"): a TCP tunnel's port is the
 * cluster's; every node listens on it and carries its visitors over the node link to the node its client is on, with
 * the link's flow control and both directions' half-close; one client on two nodes has one port; a port is never two
 * names'. Nodes run on 127.0.0.1 and 127.0.0.2, so both can listen on one port number as they would on two machines.
 */
class ClusterTcpIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    @TempDir
    Path tmp;
    private final List<AutoCloseable> open = new ArrayList<>();

    @AfterEach
    void closeAll() {
        for (int i = open.size() - 1; i >= 0; i--) {
            try {
                open.get(i).close();
            } catch (Exception ignored) {
                // best effort
            }
        }
    }

    private <T extends AutoCloseable> T keep(T c) {
        open.add(c);
        return c;
    }

    private static int freePort() throws IOException {
        return dev.portway.relay.testing.FreePorts.unused(); // below the ephemeral range: no outgoing connection takes it meanwhile
    }

    private Relay node(String url, String id, String host, int tcpFrom, int tcpTo) throws Exception {
        return node(url, id, host, tcpFrom, tcpTo, false);
    }

    /** @param proxyProtocol every connection to the node's public ports starts with a PROXY header */
    private Relay node(String url, String id, String host, int tcpFrom, int tcpTo, boolean proxyProtocol) throws Exception {
        return keep(Relay.start(RelayConfig.builder().port(0).bindHost(host).token("secret").tcpPortFrom(tcpFrom)
                        .tcpPortTo(tcpTo).grace(Duration.ofSeconds(30))
                        .visitorLimits(dev.portway.relay.ingress.VisitorLimits.DEFAULTS.withProxyProtocol(proxyProtocol))
                        .dataDir(Files.createDirectories(tmp.resolve(id)))
                        .identity(IdentityConfig.DEFAULTS.withDb(url, "postgres", null)).build(), null,
                new ClusterConfig(id, host + ":" + freePort(), SECRET, Duration.ofSeconds(10))));
    }

    /** A local app: echoes each connection's bytes back after {@code prefix}, and closes its side after the visitor's. */
    private TcpEchoServer echo(String prefix) throws IOException {
        return keep(new TcpEchoServer(prefix));
    }

    @Test
    void aTcpTunnelOnOneNodeIsServedOnTheOtherNodesPortWithTheVisitorsAddress() throws Exception {
        String url = PG.newDatabase();
        Relay a = node(url, "ta", "127.0.0.1", 0, 0);
        Relay b = node(url, "tb", "127.0.0.2", 0, 0);
        TcpEchoServer app = echo("");
        TcpTestEngine engine = keep(new TcpTestEngine(b, "secret", "db", Map.of(), app.port()));
        int port = engine.bound.port();
        assertThat(engine.bound.url()).endsWith(":" + port);

        awaitListening("127.0.0.1", port);
        double before = okTcp(a);
        double beforeOnB = okTcp(b);
        try (Socket v = new Socket()) {
            v.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            v.setSoTimeout(20_000);
            v.getOutputStream().write("hello across the link".getBytes(StandardCharsets.UTF_8));
            v.shutdownOutput(); // half-close: the app still answers, then closes its side
            assertThat(new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8))
                    .isEqualTo("hello across the link");
            // The readiness probe above is a visitor too, and its OPEN may reach the engine after this one's:
            // find this visitor's stream by its address rather than by its order.
            String visitor = "127.0.0.1:" + v.getLocalPort();
            assertThat(engine.opens).as("the visitor's address as node A saw it")
                    .filteredOn(o -> visitor.equals(o.remote())).singleElement()
                    .satisfies(o -> {
                        assertThat(o.kind()).isEqualTo(Protocol.KIND_TCP);
                        assertThat(o.tunnel()).isEqualTo("db");
                    });
            assertThat(engine.opens).extracting(OpenMessage::remote).allMatch(r -> r.startsWith("127.0.0.1:"));
        }
        // Counted where the visitor was: on node A, not on the tunnel's own node.
        await().atMost(Duration.ofSeconds(5)).until(() -> okTcp(a) >= before + 1); // (the probe above may land meanwhile)
        assertThat(okTcp(b)).isEqualTo(beforeOnB);
    }

    /** Node's {@code tunnel_requests_total{kind="tcp",outcome="ok"}}. */
    private static double okTcp(Relay node) {
        var m = java.util.regex.Pattern.compile("tunnel_requests_total\\{kind=\"tcp\",outcome=\"ok\"\\} ([0-9.]+)")
                .matcher(node.metricsText());
        assertThat(m.find()).isTrue();
        return Double.parseDouble(m.group(1));
    }

    @Test
    void manyMegabytesBothWaysAreStreamedWithTheLinksFlowControl() throws Exception {
        String url = PG.newDatabase();
        node(url, "fa", "127.0.0.1", 0, 0);
        Relay b = node(url, "fb", "127.0.0.2", 0, 0);
        TcpEchoServer app = echo("");
        TcpTestEngine engine = keep(new TcpTestEngine(b, "secret", "bulk", Map.of(), app.port()));
        int port = engine.bound.port();
        awaitListening("127.0.0.1", port);

        byte[] data = new byte[24 * 1024 * 1024];
        new Random(7).nextBytes(data);
        try (Socket v = new Socket()) {
            v.connect(new InetSocketAddress("127.0.0.1", port), 5_000);
            v.setSoTimeout(60_000);
            // Writes and reads at once: the echo comes back while the rest still goes out, through both nodes' windows.
            CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
                try {
                    OutputStream out = v.getOutputStream();
                    for (int off = 0; off < data.length; off += 64 * 1024) {
                        out.write(data, off, Math.min(64 * 1024, data.length - off));
                    }
                    v.shutdownOutput();
                } catch (IOException e) {
                    throw new RuntimeException(e);
                }
            });
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            long total = 0;
            byte[] buf = new byte[64 * 1024];
            InputStream in = v.getInputStream();
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
                total += n;
            }
            writer.join();
            assertThat(total).isEqualTo(data.length);
            assertThat(md.digest()).isEqualTo(MessageDigest.getInstance("SHA-256").digest(data));
        }
    }

    @Test
    void oneClientOnTwoNodesHasOnePortAndEitherNodeCarriesItsVisitors() throws Exception {
        String url = PG.newDatabase();
        Relay a = node(url, "ha", "127.0.0.1", 0, 0);
        Relay b = node(url, "hb", "127.0.0.2", 0, 0);
        TcpEchoServer appA = echo("via-a:");
        TcpEchoServer appB = echo("via-b:");
        TcpTestEngine onA = keep(new TcpTestEngine(ProtocolTestClient.connectHa(a, "secret", "key-1"),
                new ControlMessage.Bind("1", Protocol.KIND_TCP, "shell", null, null), appA.port()));
        int port = onA.bound.port();
        awaitListening("127.0.0.2", port); // B serves A's tunnel on the same port before the client binds there
        assertThat(roundTrip("127.0.0.2", port, "x")).isEqualTo("via-a:x");

        // The engine's second session binds the name strictly, asking for the port the first got: the same port,
        // and B's listener for A's tunnel is now the tunnel's own.
        TcpTestEngine onB = keep(new TcpTestEngine(ProtocolTestClient.connectHa(b, "secret", "key-1"),
                new ControlMessage.Bind("1", Protocol.KIND_TCP, "shell", port,
                        Map.of(Protocol.OPTION_STRICT_NAME, "true")), appB.port()));
        assertThat(onB.bound.port()).isEqualTo(port);
        assertThat(roundTrip("127.0.0.2", port, "y")).isEqualTo("via-b:y");
        assertThat(roundTrip("127.0.0.1", port, "z")).isEqualTo("via-a:z");

        // A's session dies: A's visitors are carried to B at once (A holds the name for the session, and the port).
        onA.close();
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(roundTrip("127.0.0.1", port, "w")).isEqualTo("via-b:w"));
        assertThat(a.cluster().holders("shell")).containsKey("hb");
    }

    @Test
    void aPortIsNeverTwoNamesAndAnUnboundTunnelsPortClosesOnEveryNode() throws Exception {
        String url = PG.newDatabase();
        int from = freePort();
        Relay a = node(url, "pa", "127.0.0.1", from, from + 2);
        Relay b = node(url, "pb", "127.0.0.2", from, from + 2);
        TcpEchoServer app = echo("");
        ProtocolTestClient first = keep(TcpTestEngine.connected(ProtocolTestClient.connect(a, "secret", null)));
        first.send(Frame.control(new ControlMessage.Bind("1", Protocol.KIND_TCP, "one", from, null)));
        ControlMessage.Bound one = first.control(ControlMessage.Bound.class);
        assertThat(one.port()).isEqualTo(from);
        awaitListening("127.0.0.2", from);

        // Another user's client on B asks for the same port: it is the cluster's, not free on B.
        ProtocolTestClient second = keep(TcpTestEngine.connected(ProtocolTestClient.connect(b, "secret", null)));
        second.send(Frame.control(new ControlMessage.Bind("1", Protocol.KIND_TCP, "two", from, null)));
        ControlMessage.BindRefused refused = second.control(ControlMessage.BindRefused.class);
        assertThat(refused.errorCode()).isEqualTo(ErrorCode.PORT_UNAVAILABLE);
        assertThat(refused.message()).contains("Port " + from).contains("pick another");
        // Without a port it gets the next one, which A then serves too.
        second.send(Frame.control(new ControlMessage.Bind("2", Protocol.KIND_TCP, "two", null, null)));
        ControlMessage.Bound two = second.control(ControlMessage.Bound.class);
        assertThat(two.port()).isNotEqualTo(from).isBetween(from, from + 2);
        awaitListening("127.0.0.1", two.port());

        // The first tunnel ends: B stops listening on its port; the cluster's table forgets it.
        first.send(Frame.control(new ControlMessage.Unbind("one")));
        await().atMost(Duration.ofSeconds(10)).until(() -> !listening("127.0.0.2", from));
        assertThat(b.cluster().holders("one")).isEmpty();
        assertThat(listening("127.0.0.1", two.port())).isTrue();
    }

    @Test
    void aTcpTunnelsIpListsAreCheckedOnTheNodeTheVisitorReached() throws Exception {
        String url = PG.newDatabase();
        Relay a = node(url, "ia", "127.0.0.1", 0, 0);
        Relay b = node(url, "ib", "127.0.0.2", 0, 0);
        TcpEchoServer app = echo("in:");
        TcpTestEngine denied = keep(new TcpTestEngine(b, "secret", "denied", Map.of(Protocol.OPTION_IP_DENY, "127.0.0.0/8"),
                app.port()));
        TcpTestEngine listed = keep(new TcpTestEngine(b, "secret", "listed", Map.of(Protocol.OPTION_IP_ALLOW, "127.0.0.1"),
                app.port()));
        await().atMost(Duration.ofSeconds(10)).until(() -> a.cluster().holders("denied").get("ib") != null
                && a.cluster().holders("denied").get("ib").port() > 0 && a.cluster().servable("listed"));
        int deniedPort = denied.bound.port();
        awaitListening("127.0.0.1", deniedPort);
        // Refused on A: the connection closes at once, and nothing reaches the client on B.
        try (Socket v = new Socket()) {
            v.connect(new InetSocketAddress("127.0.0.1", deniedPort), 5_000);
            v.setSoTimeout(10_000);
            assertThat(v.getInputStream().read()).isEqualTo(-1);
        }
        assertThat(denied.opens).isEmpty();
        awaitListening("127.0.0.1", listed.bound.port());
        assertThat(roundTrip("127.0.0.1", listed.bound.port(), "ok")).isEqualTo("in:ok");
        assertThat(a.metricsText()).containsPattern("tunnel_visitor_refusals_total\\{reason=\"ip_list\"[^}]*\\} [1-9]");
    }

    @Test
    void behindABalancerTheProxyHeaderNamesTheVisitorOnEveryNode() throws Exception {
        String url = PG.newDatabase();
        Relay a = node(url, "xa", "127.0.0.1", 0, 0, true);
        Relay b = node(url, "xb", "127.0.0.2", 0, 0, true);
        TcpEchoServer app = echo("app:");
        // The client reaches B through a balancer too: its session's own header first.
        int port;
        TcpTestEngine engine;
        try (TcpProxyHeader front = keep(new TcpProxyHeader("127.0.0.2", b.port()))) {
            engine = keep(new TcpTestEngine(ProtocolTestClient.connect("ws://127.0.0.1:" + front.port()
                    + Protocol.CONNECT_PATH, "secret"), new ControlMessage.Bind("1", Protocol.KIND_TCP, "pp", null, null),
                    app.port()));
            port = engine.bound.port();
            awaitListening("127.0.0.1", port);
            for (String host : List.of("127.0.0.1", "127.0.0.2")) {
                for (int v2 = 0; v2 < 2; v2++) {
                    String text = "to " + host + " v" + (v2 + 1);
                    try (Socket v = new Socket()) {
                        v.connect(new InetSocketAddress(host, port), 5_000);
                        v.setSoTimeout(10_000);
                        // The header and the first bytes in one segment, as a balancer sends them.
                        byte[] header = v2 == 1 ? TcpProxyHeader.v2("203.0.113.7", 4321, host, port)
                                : ("PROXY TCP4 203.0.113.7 " + host + " 4321 " + port + "\r\n").getBytes(StandardCharsets.US_ASCII);
                        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
                        byte[] all = java.util.Arrays.copyOf(header, header.length + bytes.length);
                        System.arraycopy(bytes, 0, all, header.length, bytes.length);
                        v.getOutputStream().write(all);
                        v.shutdownOutput();
                        assertThat(new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8)).as(text)
                                .isEqualTo("app:" + text);
                    }
                    assertThat(engine.opens.getLast().remote()).isEqualTo("203.0.113.7:4321");
                }
            }
        }
    }

    /** Sends {@code text}, half-closes, and reads the whole answer. */
    static String roundTrip(String host, int port, String text) throws IOException {
        return roundTripFrom(null, host, port, text);
    }

    /** @param from the visitor's own address (a loopback address other than 127.0.0.1), or null for any */
    static String roundTripFrom(String from, String host, int port, String text) throws IOException {
        try (Socket v = new Socket()) {
            if (from != null) {
                v.bind(new InetSocketAddress(from, 0));
            }
            v.connect(new InetSocketAddress(host, port), 5_000);
            v.setSoTimeout(10_000);
            v.getOutputStream().write(text.getBytes(StandardCharsets.UTF_8));
            v.shutdownOutput();
            return new String(v.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        }
    }

    private static void awaitListening(String host, int port) {
        await().atMost(Duration.ofSeconds(10)).until(() -> listening(host, port));
    }

    static boolean listening(String host, int port) {
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), 1_000);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
