package dev.portway.relay;

import dev.portway.relay.cluster.ClusterConfig;
import dev.portway.relay.store.PostgresServer;
import dev.portway.relay.tls.RelayTls;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.ReplyMessage;
import io.netty.handler.ssl.JdkSslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLContext;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
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
 * {@code --cluster-tls}: node links in TLS 1.3 whose proofs of the cluster secret are bound to the TLS connection.
 * Node B's cluster address is on 127.0.0.2 while it listens on 127.0.0.1, so node A's link to B passes through a
 * forwarder of the test: one that records the bytes (are they readable?), or one that terminates TLS towards
 * each node (a machine in the middle: it must not get a link).
 */
class ClusterTlsIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    private static final String MARKER = "the-answer-only-the-visitor-may-read";
    private final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(30)).build();
    @TempDir
    Path tmp;

    private Relay node(String url, String id, String address, boolean tls) throws Exception {
        return Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                        .dataDir(Files.createDirectories(tmp.resolve(id)))
                        .identity(IdentityConfig.DEFAULTS.withDb(url, "postgres", null)).build(), null,
                new ClusterConfig(id, address, SECRET, Duration.ofSeconds(10), tls));
    }

    @Test
    void aTlsLinkCarriesTheVisitorAndItsBytesCannotBeReadOnTheWire() throws Exception {
        assertThat(recordedLink(true)).doesNotContain(MARKER).doesNotContain("Content-Length");
    }

    @Test
    void aPlainLinkCarriesTheSameRequestInBytesAnyoneOnTheWireReads() throws Exception {
        // The other side of the test above: the recorder sees what a plain link carries.
        assertThat(recordedLink(false)).contains(MARKER);
    }

    /** A visitor on A served by the client on B, A's link to B through a recorder; what the recorder saw. */
    private String recordedLink(boolean tls) throws Exception {
        String url = PG.newDatabase();
        int port = ClusterHopIT.freePort();
        try (Forwarder wire = new Forwarder(port);
             Relay a = node(url, "wire-a", "127.0.0.1:" + ClusterHopIT.freePort(), tls);
             Relay b = node(url, "wire-b", "127.0.0.2:" + port, tls);
             ProtocolTestClient client = ProtocolTestClient.connect(b, "secret", null)) {
            client.control(ControlMessage.Welcome.class);
            client.bind("1", "http", "wire", Map.of());
            await().atMost(Duration.ofSeconds(15)).until(() -> a.cluster().servable("wire"));

            CompletableFuture<Response> visit = visit(a, "wire");
            Frame open = client.expect(FrameType.OPEN);
            client.expect(FrameType.FIN);
            byte[] body = MARKER.getBytes(StandardCharsets.UTF_8);
            client.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK",
                    List.of(new Header("Content-Length", String.valueOf(body.length))))));
            client.send(Frame.data(open.streamId(), body, 0, body.length));
            client.send(Frame.fin(open.streamId()));
            Response r = visit.get(20, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).isEqualTo(MARKER);
            return wire.seen();
        }
    }

    @Test
    void aMachineInTheMiddleThatTerminatesTlsTowardsEachNodeGetsNoLink() throws Exception {
        String url = PG.newDatabase();
        int port = ClusterHopIT.freePort();
        byte[][] pem = RelayTls.generate("mitm.example");
        SSLContext asServer = ((JdkSslContext) SslContextBuilder.forServer(new ByteArrayInputStream(pem[0]),
                new ByteArrayInputStream(pem[1])).sslProvider(SslProvider.JDK).protocols("TLSv1.3").build()).context();
        SSLContext asClient = ((JdkSslContext) SslContextBuilder.forClient().sslProvider(SslProvider.JDK)
                .protocols("TLSv1.3").trustManager(InsecureTrustManagerFactory.INSTANCE).build()).context();
        try (Forwarder mitm = new Forwarder(port, asServer, asClient);
             Relay a = node(url, "mitm-a", "127.0.0.1:" + ClusterHopIT.freePort(), true);
             Relay b = node(url, "mitm-b", "127.0.0.2:" + port, true);
             ProtocolTestClient client = ProtocolTestClient.connect(b, "secret", null)) {
            client.control(ControlMessage.Welcome.class);
            client.bind("1", "http", "mitm", Map.of());
            await().atMost(Duration.ofSeconds(5)).until(() -> a.cluster().locate("mitm") != null);
            // The man in the middle completed TLS with both nodes and passed the handshake on; the proofs did not hold.
            await().atMost(Duration.ofSeconds(10)).until(() -> mitm.connections() > 0 && mitm.seen().contains("nonce"));
            Response r = visit(a, "mitm").get(20, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(503);
            assertThat(a.cluster().servable("mitm")).isFalse();
            assertThat(client.frames.poll(500, TimeUnit.MILLISECONDS)).as("nothing reached the client").isNull();
        }
    }

    @Test
    void aTlsNodeAndAPlainNodeAreNotLinked() throws Exception {
        String url = PG.newDatabase();
        try (Relay a = node(url, "mixed-a", "127.0.0.1:" + ClusterHopIT.freePort(), true);
             Relay b = node(url, "mixed-b", "127.0.0.1:" + ClusterHopIT.freePort(), false);
             ProtocolTestClient client = ProtocolTestClient.connect(b, "secret", null)) {
            client.control(ControlMessage.Welcome.class);
            client.bind("1", "http", "mixed", Map.of());
            await().atMost(Duration.ofSeconds(5)).until(() -> a.cluster().locate("mixed") != null);
            Response r = visit(a, "mixed").get(20, TimeUnit.SECONDS);
            assertThat(r.code()).isEqualTo(503);
            assertThat(client.frames.poll(500, TimeUnit.MILLISECONDS)).as("nothing reached the client").isNull();
        }
    }

    private CompletableFuture<Response> visit(Relay node, String name) {
        Request req = new Request.Builder().url("http://127.0.0.1:" + node.port() + "/")
                .header("Host", name + ".localhost:" + node.port()).build();
        return CompletableFuture.supplyAsync(() -> {
            try {
                Response r = http.newCall(req).execute();
                r.peekBody(Long.MAX_VALUE);
                return r;
            } catch (IOException e) {
                throw new RuntimeException(e);
            }
        });
    }

    /**
     * Listens on 127.0.0.2:port and forwards each connection to 127.0.0.1:port, keeping a copy of what passed both
     * ways (as ISO-8859-1 text, so any byte string can be searched). With two SSL contexts it is a machine in the
     * middle: TLS towards the dialling node as a server, towards the other node as a client, and plain bytes in between.
     */
    private static final class Forwarder implements AutoCloseable {
        private final ServerSocket server;
        private final int port;
        private final SSLContext asClient;
        private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
        private final java.util.concurrent.atomic.AtomicInteger connections = new java.util.concurrent.atomic.AtomicInteger();

        /** Passes the bytes on as they are. */
        Forwarder(int port) throws IOException {
            this(port, null, null);
        }

        Forwarder(int port, SSLContext asServer, SSLContext asClient) throws IOException {
            this.port = port;
            this.asClient = asClient;
            InetSocketAddress at = new InetSocketAddress(InetAddress.getByName("127.0.0.2"), port);
            if (asServer == null) {
                server = new ServerSocket();
            } else {
                server = asServer.getServerSocketFactory().createServerSocket();
            }
            server.bind(at);
            Thread.ofVirtual().start(this::accept);
        }

        private void accept() {
            while (!server.isClosed()) {
                try {
                    Socket in = server.accept();
                    Socket out = asClient == null ? new Socket() : asClient.getSocketFactory().createSocket();
                    out.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 3_000);
                    connections.incrementAndGet();
                    Thread.ofVirtual().start(() -> copy(in, out));
                    Thread.ofVirtual().start(() -> copy(out, in));
                } catch (IOException e) {
                    return;
                }
            }
        }

        private void copy(Socket from, Socket to) {
            byte[] buf = new byte[16 * 1024];
            try (from; to; InputStream is = from.getInputStream(); OutputStream os = to.getOutputStream()) {
                int n;
                while ((n = is.read(buf)) > 0) {
                    synchronized (seen) {
                        seen.write(buf, 0, n);
                    }
                    os.write(buf, 0, n);
                    os.flush();
                }
            } catch (IOException e) {
                // one side closed: the other is closed with it
            }
        }

        String seen() {
            synchronized (seen) {
                return seen.toString(StandardCharsets.ISO_8859_1);
            }
        }

        int connections() {
            return connections.get();
        }

        @Override
        public void close() throws IOException {
            server.close();
        }
    }
}
