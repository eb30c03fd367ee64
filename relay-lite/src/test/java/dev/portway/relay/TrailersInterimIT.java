package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay's side of the {@code trailers} and {@code interim} features (PROTOCOL.md §3.2), against a scripted client:
 * what it agrees to, interim answers and trailers written to an HTTP/1.1 visitor, a ninth interim REPLY and a FIN whose
 * payload is no trailer block reset the stream with {@code protocol_error}.
 */
class TrailersInterimIT {
    static final String TOKEN = "s3cret";
    Relay relay;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).build());
    }

    @AfterEach
    void stop() {
        relay.shutdown(Duration.ofMillis(200));
    }

    /** A raw HTTP/1.1 GET; the whole response as it came, up to the connection's close. */
    CompletableFuture<String> visit(String path) {
        return CompletableFuture.supplyAsync(() -> {
            try (Socket s = new Socket(InetAddress.getLoopbackAddress(), relay.port())) {
                s.setSoTimeout(10_000);
                OutputStream out = s.getOutputStream();
                out.write(("GET " + path + " HTTP/1.1\r\nHost: app.localhost:" + relay.port() + "\r\nConnection: close\r\n\r\n")
                        .getBytes(StandardCharsets.ISO_8859_1));
                InputStream in = s.getInputStream();
                return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
            } catch (Exception e) {
                throw new RuntimeException(e);
            }
        });
    }

    private static ProtocolTestClient client(Relay relay) throws Exception {
        ProtocolTestClient c = ProtocolTestClient.connectOffering(relay, TOKEN,
                List.of(Protocol.FEATURE_TRAILERS, Protocol.FEATURE_INTERIM));
        ControlMessage.Welcome w = c.control(ControlMessage.Welcome.class);
        assertThat(w.features()).containsExactly(Protocol.FEATURE_TRAILERS, Protocol.FEATURE_INTERIM);
        c.bind("1", "http", "app", null);
        return c;
    }

    /** The next RST, past the FIN that ends the GET's request. */
    private static Frame rst(ProtocolTestClient c) {
        Frame f = c.next();
        if (f.type() == FrameType.FIN) {
            f = c.next();
        }
        assertThat(f.type()).as("frame %s", f).isEqualTo(FrameType.RST);
        return f;
    }

    private static ReplyMessage hint() {
        return ReplyMessage.http(103, "Early Hints", List.of(new Header("Link", "</a.css>; rel=preload")));
    }

    @Test
    void interimAnswersThenTheAnswerThenItsTrailersReachTheVisitor() throws Exception {
        try (ProtocolTestClient c = client(relay)) {
            var visitor = visit("/x");
            Frame open = c.expect(FrameType.OPEN);
            c.send(Frame.reply(open.streamId(), hint()));
            c.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK", List.of(new Header("Content-Type", "text/plain")))));
            c.send(Frame.data(open.streamId(), "body".getBytes(StandardCharsets.UTF_8), 0, 4));
            c.send(Frame.fin(open.streamId(), List.of(new Header("X-Checksum", "c1"), new Header("Set-Cookie", "no=1"))));

            String response = visitor.get(10, TimeUnit.SECONDS);
            assertThat(response).startsWith("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\nHTTP/1.1 200 OK\r\n");
            assertThat(response).endsWith("\r\n\r\n4\r\nbody\r\n0\r\nX-Checksum: c1\r\n\r\n").doesNotContain("no=1");
        }
    }

    @Test
    void aNinthInterimReplyResetsTheStream() throws Exception {
        try (ProtocolTestClient c = client(relay)) {
            var visitor = visit("/many");
            Frame open = c.expect(FrameType.OPEN);
            for (int i = 0; i < Protocol.MAX_INTERIM + 1; i++) {
                c.send(Frame.reply(open.streamId(), hint()));
            }
            Frame rst = rst(c);
            assertThat(rst.streamId()).isEqualTo(open.streamId());
            assertThat(rst.rstCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
            assertThat(rst.rstMessage()).contains("more than 8 interim REPLYs");

            String response = visitor.get(10, TimeUnit.SECONDS);
            assertThat(response.split("HTTP/1.1 103 Early Hints", -1)).hasSize(Protocol.MAX_INTERIM + 1);
            assertThat(response).contains("HTTP/1.1 502 ");
        }
    }

    @Test
    void aFinWhosePayloadIsNoTrailerBlockResetsTheStream() throws Exception {
        try (ProtocolTestClient c = client(relay)) {
            var visitor = visit("/bad");
            Frame open = c.expect(FrameType.OPEN);
            c.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK", List.of())));
            c.send(new Frame(FrameType.FIN, open.streamId(), ByteBuffer.wrap("not json".getBytes(StandardCharsets.UTF_8))));

            Frame rst = rst(c);
            assertThat(rst.rstCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
            // the visitor's chunked response is cut without its terminating chunk: it never looks complete
            assertThat(visitor.get(10, TimeUnit.SECONDS)).startsWith("HTTP/1.1 200 OK").doesNotContain("\r\n0\r\n");
        }
    }
}
