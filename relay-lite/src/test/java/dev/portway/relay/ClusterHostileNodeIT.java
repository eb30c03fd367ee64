package dev.portway.relay;

import dev.portway.relay.cluster.RawLinkPeer;
import dev.portway.relay.store.PostgresServer;
import dev.portway.relay.testing.ClusterNodes;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The other side of {@link ClusterHostileLinkIT}: the node a visitor reached (A) facing a node (B) that breaks the
 * rules on the link — answer bytes before the answer, beyond the credit A gave, or credit for bytes A never sent. A
 * real node B (its client bound there) behind a proxy on the link that passes everything through and lets the test
 * add frames of its own towards A: A resets the stream both ways (the visitor gets an error, never more than a window
 * is held for it), and the link and its other streams go on.
 */
class ClusterHostileNodeIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    @TempDir
    Path tmp;
    private Relay a;
    private Relay b;
    private ProtocolTestClient client;
    private LinkProxy proxy;

    @BeforeEach
    void twoNodesWithAProxyOnTheirLink() throws Exception {
        String url = PG.newDatabase();
        int linkPort = ClusterHopIT.freePort();
        // B listens for links on 127.0.0.1 but tells the cluster 127.0.0.2: A dials the proxy there, which dials B.
        proxy = new LinkProxy(new InetSocketAddress("127.0.0.2", linkPort), new InetSocketAddress("127.0.0.1", linkPort));
        b = node(url, "evil-b", "127.0.0.2:" + linkPort);
        a = node(url, "plain-a", "127.0.0.1:" + ClusterHopIT.freePort());
        client = ProtocolTestClient.connect(b, "secret", null);
        client.control(ControlMessage.Welcome.class);
        client.bind("1", "http", "hop", Map.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> a.cluster().servable("hop"));
    }

    private Relay node(String url, String id, String address) throws Exception {
        return ClusterNodes.start(tmp, url, id, SECRET, address);
    }

    @AfterEach
    void close() throws IOException {
        client.close();
        a.close();
        b.close();
        proxy.close();
    }

    /** A visitor on node A that sends a request and reads nothing (a small receive buffer fills at once). */
    private Socket visitor(String method) throws IOException {
        Socket s = new Socket();
        s.setReceiveBufferSize(4096);
        s.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), a.port()));
        s.setSoTimeout(20_000);
        s.getOutputStream().write((method + " /x HTTP/1.1\r\nHost: hop.localhost:" + a.port() + "\r\nContent-Length: 0\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        return s;
    }

    /** The client's next frame of {@code type}, skipping others. */
    private Frame clientExpects(FrameType type) {
        while (true) {
            Frame f = client.next();
            if (f.type() == type) {
                return f;
            }
        }
    }

    /** The first line the visitor gets. */
    private static String statusLine(Socket s) throws IOException {
        StringBuilder line = new StringBuilder();
        InputStream in = s.getInputStream();
        for (int c; (c = in.read()) != -1 && c != '\n'; ) {
            line.append((char) c);
        }
        return line.toString();
    }

    /** Everything the visitor gets until the relay closes its connection. */
    private static String readAll(Socket s) throws IOException {
        InputStream in = s.getInputStream();
        return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    }

    @Test
    void answerBytesBeyondTheCreditNodeAGaveResetTheStreamInsteadOfPilingUpForTheVisitor() throws Exception {
        try (Socket v = visitor("GET")) {
            int s = clientExpects(FrameType.OPEN).streamId();
            int linkStream = proxy.opens.poll(10, TimeUnit.SECONDS);
            client.send(Frame.reply(s, ReplyMessage.http(200, "OK", List.of(new Header("Content-Length", "1000000000")))));
            assertThat(proxy.repliesToA.poll(10, TimeUnit.SECONDS)).isEqualTo(linkStream); // A has the answer's head
            Frame rst = null;
            byte[] chunk = new byte[16 * 1024];
            long injected = 0;
            // Node B's bytes, sent with no regard for credit, to a visitor that reads nothing: node A takes a window's
            // worth (and what the sockets hold), then resets.
            while (rst == null && injected < 256L * Protocol.DEFAULT_STREAM_WINDOW) {
                proxy.toA(Frame.data(linkStream, chunk, 0, chunk.length));
                injected += chunk.length;
                rst = proxy.rstFromA(linkStream, 0);
            }
            if (rst == null) {
                rst = proxy.rstFromA(linkStream, 10_000);
            }
            assertThat(rst).as("node A reset the stream within %d injected bytes", injected).isNotNull();
            assertThat(rst.rstCode()).isEqualTo(ErrorCode.FLOW_CONTROL);
            assertThat(clientExpects(FrameType.RST).streamId()).as("the reset reached B's client").isEqualTo(s);
        }
        aNewVisitorIsServed();
    }

    @Test
    void answerBytesBeforeTheAnswerResetTheStreamAndTheVisitorGetsAnError() throws Exception {
        try (Socket v = visitor("GET")) {
            clientExpects(FrameType.OPEN);
            int linkStream = proxy.opens.poll(10, TimeUnit.SECONDS);
            proxy.toA(Frame.data(linkStream, "sneaky".getBytes(StandardCharsets.US_ASCII), 0, 6));
            Frame rst = proxy.rstFromA(linkStream, 10_000);
            assertThat(rst).isNotNull();
            assertThat(rst.rstCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
            assertThat(statusLine(v)).startsWith("HTTP/1.1 502");
        }
        aNewVisitorIsServed();
    }

    @Test
    void creditForBytesNodeANeverSentResetsTheStream() throws Exception {
        try (Socket v = visitor("POST")) {
            clientExpects(FrameType.OPEN);
            int linkStream = proxy.opens.poll(10, TimeUnit.SECONDS);
            proxy.toA(Frame.windowUpdate(linkStream, 50_000_000));
            Frame rst = proxy.rstFromA(linkStream, 10_000);
            assertThat(rst).isNotNull();
            assertThat(rst.rstCode()).isEqualTo(ErrorCode.FLOW_CONTROL);
            assertThat(statusLine(v)).startsWith("HTTP/1.1 502");
        }
        aNewVisitorIsServed();
    }

    /** After the broken stream, the link and node B's client still serve the next visitor on A. */
    private void aNewVisitorIsServed() throws Exception {
        try (Socket v = new Socket(InetAddress.getLoopbackAddress(), a.port())) {
            v.setSoTimeout(20_000);
            v.getOutputStream().write(("GET /next HTTP/1.1\r\nHost: hop.localhost:" + a.port() + "\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            Frame open = clientExpects(FrameType.OPEN);
            client.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK", List.of(new Header("Content-Length", "2")))));
            client.send(Frame.data(open.streamId(), "ok".getBytes(StandardCharsets.US_ASCII), 0, 2));
            client.send(Frame.fin(open.streamId()));
            String answer = readAll(v);
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nok");
        }
    }

    /**
     * A proxy on one node link: passes the 4-byte length-prefixed messages through both ways, notes the streams A
     * opens and the resets A sends, and writes the test's own frames towards A (after the handshake's first answer).
     */
    private static final class LinkProxy implements AutoCloseable {
        final ServerSocket server;
        final BlockingQueue<Integer> opens = new LinkedBlockingQueue<>();
        final BlockingQueue<Frame> resetsFromA = new LinkedBlockingQueue<>();
        /** The streams whose REPLY from B was passed on to A. */
        final BlockingQueue<Integer> repliesToA = new LinkedBlockingQueue<>();
        private volatile DataOutputStream toA;
        private volatile Socket inbound;
        private volatile Socket outbound;

        LinkProxy(InetSocketAddress listen, InetSocketAddress target) throws IOException {
            server = new ServerSocket();
            server.bind(listen);
            Thread.ofVirtual().start(() -> {
                try {
                    Socket in = server.accept(); // one link: A dials once, and again only when it breaks
                    Socket out = new Socket(target.getAddress(), target.getPort());
                    inbound = in;
                    outbound = out;
                    toA = new DataOutputStream(in.getOutputStream());
                    DataInputStream fromB = new DataInputStream(out.getInputStream());
                    Thread.ofVirtual().start(() -> pump(fromB, toA, false));
                    pump(new DataInputStream(in.getInputStream()), new DataOutputStream(out.getOutputStream()), true);
                } catch (IOException e) {
                    // closed
                }
            });
        }

        private void pump(DataInputStream from, DataOutputStream to, boolean fromA) {
            try {
                for (int n = 0; ; n++) {
                    byte[] body = RawLinkPeer.readMessage(from);
                    if (fromA && n >= 2) { // A's hello and proof, then frames
                        Frame f = FrameCodec.decode(ByteBuffer.wrap(body));
                        if (f.type() == FrameType.OPEN) {
                            opens.add(f.streamId());
                        } else if (f.type() == FrameType.RST) {
                            resetsFromA.add(f);
                        }
                    } else if (!fromA && n >= 1) { // B's handshake answer, then frames
                        Frame f = FrameCodec.decode(ByteBuffer.wrap(body));
                        if (f.type() == FrameType.REPLY) {
                            RawLinkPeer.writeMessage(to, body);
                            repliesToA.add(f.streamId());
                            continue;
                        }
                    }
                    RawLinkPeer.writeMessage(to, body);
                }
            } catch (Exception e) {
                close();
            }
        }

        void toA(Frame f) throws IOException {
            ByteBuffer b = FrameCodec.encode(f);
            byte[] body = new byte[b.remaining()];
            b.get(body);
            RawLinkPeer.writeMessage(toA, body);
        }

        /** A's RST for {@code stream} within {@code millis}, or null. */
        Frame rstFromA(int stream, long millis) throws InterruptedException {
            long end = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(millis);
            do {
                Frame f = resetsFromA.poll(Math.max(0, end - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (f != null && f.streamId() == stream) {
                    return f;
                }
            } while (System.nanoTime() < end);
            return null;
        }

        @Override
        public void close() {
            for (var c : new java.io.Closeable[] {server, inbound, outbound}) {
                try {
                    if (c != null) {
                        c.close();
                    }
                } catch (IOException e) {
                    // closing
                }
            }
        }
    }
}
