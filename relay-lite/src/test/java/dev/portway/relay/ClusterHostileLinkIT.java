package dev.portway.relay;

import dev.portway.relay.cluster.RawLinkPeer;
import dev.portway.relay.store.PostgresServer;
import dev.portway.relay.testing.ClusterNodes;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A node link from a node that breaks the rules (a bug, a mismatched version, or whoever holds the cluster secret):
 * the node holding the tunnel's client resets the offending stream, or closes the offending link, and never buffers
 * more than a stream window for it; its other streams and links go on. Played by a {@link RawLinkPeer} that makes
 * the real handshake with the secret, against a real node on a real PostgreSQL with a client bound on it.
 */
class ClusterHostileLinkIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    @TempDir
    Path tmp;
    private Relay node;
    private int linkPort;
    private ProtocolTestClient client;

    @BeforeEach
    void nodeWithABoundClient() throws Exception {
        linkPort = ClusterHopIT.freePort();
        node = ClusterNodes.start(tmp, PG.newDatabase(), "hostile-b", SECRET, "127.0.0.1:" + linkPort);
        client = ProtocolTestClient.connect(node, "secret", null);
        client.control(ControlMessage.Welcome.class);
        client.bind("1", "http", "hop", Map.of());
    }

    @AfterEach
    void close() {
        client.close();
        node.close();
    }

    private RawLinkPeer link() throws Exception {
        return RawLinkPeer.dial("127.0.0.1", linkPort, "hostile-a", SECRET);
    }

    private static Frame open(int id, String method) {
        return Frame.open(id, OpenMessage.http("hop", "203.0.113.9:5000", "req-" + id, method, "/x",
                List.of(new Header("Host", "hop.localhost"))));
    }

    /** The client's next frame of {@code type} (skipping others: pings, the DATA of a stream being overrun). */
    private Frame clientExpects(FrameType type) {
        while (true) {
            Frame f = client.next();
            if (f.type() == type) {
                return f;
            }
        }
    }

    /** The peer's next frame of {@code type} on {@code stream}, skipping others. */
    private static Frame peerExpects(RawLinkPeer peer, FrameType type, int stream) throws Exception {
        while (true) {
            Frame f = peer.expect(type);
            if (f.streamId() == stream) {
                return f;
            }
        }
    }

    @Test
    void visitorBytesBeyondTheCreditTheNodeGaveResetTheStreamInsteadOfQueueingThem() throws Exception {
        try (RawLinkPeer peer = link()) {
            peer.send(open(1, "POST"));
            int clientStream = clientExpects(FrameType.OPEN).streamId();
            // The client never grants credit, so the node stops granting it to the link after the client's window
            // (plus what its stream holds): a node that sends on regardless is cut off once it is past the window.
            byte[] chunk = new byte[16 * 1024];
            long sent = 0;
            Frame rst = null;
            while (sent < 8L * Protocol.DEFAULT_STREAM_WINDOW && rst == null) {
                peer.send(Frame.data(1, chunk, 0, chunk.length));
                sent += chunk.length;
                for (Frame f; (f = peer.poll(0)) != null; ) {
                    if (f.type() == FrameType.RST && f.streamId() == 1) {
                        rst = f;
                    }
                }
            }
            if (rst == null) {
                rst = peerExpects(peer, FrameType.RST, 1);
            }
            assertThat(rst.rstCode()).isEqualTo(ErrorCode.FLOW_CONTROL);
            // (what the peer had sent when it read the reset says little: its socket buffers were full of more.)
            long took = 0;
            Frame clientRst;
            while ((clientRst = client.next()).type() != FrameType.RST) {
                if (clientRst.type() == FrameType.DATA && clientRst.streamId() == clientStream) {
                    took += clientRst.payloadLength();
                }
            }
            assertThat(clientRst.streamId()).isEqualTo(clientStream);
            assertThat(clientRst.rstCode()).isEqualTo(ErrorCode.FLOW_CONTROL);
            assertThat(took).as("the client got no more than its window").isLessThanOrEqualTo(Protocol.DEFAULT_STREAM_WINDOW);

            // The link goes on: the next stream reaches the client and its answer comes back.
            peer.send(open(3, "GET"));
            peer.send(Frame.fin(3));
            Frame open3 = clientExpects(FrameType.OPEN);
            assertThat(Json.read(open3.payload(), OpenMessage.class).requestId()).isEqualTo("req-3");
            client.send(Frame.reply(open3.streamId(), ReplyMessage.http(204, "No Content", List.of())));
            client.send(Frame.fin(open3.streamId()));
            Frame reply = peerExpects(peer, FrameType.REPLY, 3);
            assertThat(Json.read(reply.payload(), ReplyMessage.class).status()).isEqualTo(204);
            assertThat(peer.closed).isNotDone();
        }
    }

    @Test
    void aWindowUpdateForBytesNeverSentResetsTheStream() throws Exception {
        try (RawLinkPeer peer = link()) {
            peer.send(open(5, "GET"));
            peer.send(Frame.fin(5));
            int s = clientExpects(FrameType.OPEN).streamId();
            client.send(Frame.reply(s, ReplyMessage.http(200, "OK", List.of(new Header("Content-Length", "100000")))));
            client.send(Frame.data(s, new byte[10], 0, 10));
            peerExpects(peer, FrameType.DATA, 5);
            // Credit for 1,000,000 bytes when 10 came: the client would be told it may overrun the link.
            peer.send(Frame.windowUpdate(5, 1_000_000));
            assertThat(peerExpects(peer, FrameType.RST, 5).rstCode()).isEqualTo(ErrorCode.FLOW_CONTROL);
            Frame clientRst = clientExpects(FrameType.RST);
            assertThat(clientRst.streamId()).isEqualTo(s);
            assertThat(clientRst.rstCode()).isEqualTo(ErrorCode.FLOW_CONTROL);
            assertThat(peer.closed).isNotDone();
        }
    }

    @Test
    void visitorBytesAfterTheVisitorsFinResetTheStream() throws Exception {
        try (RawLinkPeer peer = link()) {
            peer.send(open(7, "POST"));
            peer.send(Frame.data(7, new byte[5], 0, 5));
            peer.send(Frame.fin(7));
            peer.send(Frame.data(7, new byte[5], 0, 5));
            int s = clientExpects(FrameType.OPEN).streamId();
            assertThat(peerExpects(peer, FrameType.RST, 7).rstCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
            Frame clientRst = clientExpects(FrameType.RST);
            assertThat(clientRst.streamId()).isEqualTo(s);
        }
    }

    @Test
    void aSecondOpenForAnOpenStreamClosesTheLinkAndResetsItsStreamsButNotTheNode() throws Exception {
        try (RawLinkPeer peer = link()) {
            peer.send(open(9, "GET"));
            int s = clientExpects(FrameType.OPEN).streamId();
            peer.send(open(9, "DELETE"));
            peer.closed.get(10, TimeUnit.SECONDS);
            Frame clientRst = clientExpects(FrameType.RST);
            assertThat(clientRst.streamId()).as("the first stream 9 does not linger").isEqualTo(s);
        }
        // The node and its client go on: another link's stream is served.
        try (RawLinkPeer peer = link()) {
            peer.send(open(1, "GET"));
            peer.send(Frame.fin(1));
            Frame o = clientExpects(FrameType.OPEN);
            assertThat(Json.read(o.payload(), OpenMessage.class).method()).isEqualTo("GET");
            client.send(Frame.reply(o.streamId(), ReplyMessage.http(204, "No Content", List.of())));
            client.send(Frame.fin(o.streamId()));
            assertThat(Json.read(peerExpects(peer, FrameType.REPLY, 1).payload(), ReplyMessage.class).status()).isEqualTo(204);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> node.cluster().servable("hop"));
    }

    @Test
    void aConnectionThatIsNotANodeIsClosedOnItsFirstLengthNotAfterTheHandshakesTimeout() throws Exception {
        // A length of a frame's worth before any handshake: refused at once, nothing buffered for it (the handshake's
        // own timeout is 10 s; this connection gets 3).
        try (java.net.Socket s = new java.net.Socket("127.0.0.1", linkPort)) {
            s.setSoTimeout(3_000);
            java.io.DataOutputStream out = new java.io.DataOutputStream(s.getOutputStream());
            out.writeInt(60_000); // under a frame's limit, far over a handshake's
            out.write(new byte[100]);
            out.flush();
            assertThat(s.getInputStream().read()).as("closed unanswered").isEqualTo(-1);
        }
        // A real node's handshake still fits, and the link then carries frames up to the codec's limit.
        try (RawLinkPeer peer = link()) {
            peer.send(open(1, "POST"));
            byte[] big = new byte[dev.portway.shared.protocol.FrameCodec.MAX_PAYLOAD];
            peer.send(Frame.data(1, big, 0, big.length));
            int s = clientExpects(FrameType.OPEN).streamId();
            Frame data = clientExpects(FrameType.DATA);
            assertThat(data.streamId()).isEqualTo(s);
            assertThat(peer.closed).isNotDone();
        }
    }
}
