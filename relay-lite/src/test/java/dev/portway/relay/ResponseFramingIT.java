package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The relay holds a tunnel's client to the framing its REPLY announced: a hostile client cannot end a response early,
 * run past its Content-Length into the visitor's next response, or make a truncated body look complete.
 */
class ResponseFramingIT {
    static final String TOKEN = "s3cret";
    Relay relay;
    ProtocolTestClient client;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).tcpPortFrom(0).tcpPortTo(0).build());
        client = welcomed();
        client.bind("1", "http", "app", null);
    }

    @AfterEach
    void stop() {
        client.close();
        relay.shutdown(Duration.ofMillis(200));
    }

    ProtocolTestClient welcomed() {
        ProtocolTestClient c = ProtocolTestClient.connect(relay, TOKEN, null);
        c.control(ControlMessage.Welcome.class);
        return c;
    }

    String get(String tunnel, String path) {
        return "GET " + path + " HTTP/1.1\r\nHost: " + tunnel + ".localhost:" + relay.port() + "\r\n\r\n";
    }

    static Frame data(int id, String s) {
        byte[] b = s.getBytes(StandardCharsets.ISO_8859_1);
        return Frame.data(id, b, 0, b.length);
    }

    /** The next frame of {@code type} on {@code c}, skipping the FINs of bodyless requests and window updates. */
    static Frame next(ProtocolTestClient c, FrameType type) {
        Frame f;
        while ((f = c.next()).type() == FrameType.FIN && type != FrameType.FIN || f.type() == FrameType.WINDOW_UPDATE) {
            // not what this test looks at
        }
        assertThat(f.type()).as("frame %s", f).isEqualTo(type);
        return f;
    }

    static Frame nextOpen(ProtocolTestClient c) {
        return next(c, FrameType.OPEN);
    }

    static void reply(ProtocolTestClient c, int stream, int status, Header... headers) {
        c.send(Frame.reply(stream, ReplyMessage.http(status, null, List.of(headers))));
    }

    /** A client that answers one request (if any reaches it) with a 200 "honest". */
    static CompletableFuture<Boolean> answerHonestly(ProtocolTestClient honest) {
        return CompletableFuture.supplyAsync(() -> {
            try {
                Frame f;
                while ((f = honest.frames.poll(8, TimeUnit.SECONDS)) != null) {
                    if (f.type() == FrameType.OPEN) {
                        reply(honest, f.streamId(), 200, new Header("Content-Length", "6"));
                        honest.send(data(f.streamId(), "honest"));
                        honest.send(Frame.fin(f.streamId()));
                        return true;
                    }
                }
                return false;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return false;
            }
        });
    }

    @Test
    void dataPastTheAnnouncedLengthCannotForgeTheNextResponseOfAnotherTunnel() throws Exception {
        try (ProtocolTestClient honest = welcomed(); RawVisitor v = new RawVisitor(relay.port())) {
            honest.bind("1", "http", "honest", null);
            var honestAnswered = answerHonestly(honest);
            v.send(get("app", "/a") + get("honest", "/b"));
            Frame f = nextOpen(client);
            reply(client, f.streamId(), 200, new Header("Content-Length", "5"));
            client.send(data(f.streamId(), "hello" + "HTTP/1.1 200 OK\r\nContent-Length: 6\r\nX-Forged: yes\r\n\r\nforged"));
            client.send(Frame.fin(f.streamId()));

            String first = v.readResponse();
            assertThat(first).startsWith("HTTP/1.1 200").endsWith("\r\n\r\nhello");
            String second = v.readResponse(); // empty when the relay closed the connection
            assertThat(second).doesNotContain("forged").doesNotContain("X-Forged");
            if (!second.isEmpty()) {
                assertThat(second).startsWith("HTTP/1.1 200").endsWith("honest");
            }
            Frame rst = next(client, FrameType.RST);
            assertThat(rst.streamId()).isEqualTo(f.streamId());
            honestAnswered.cancel(true);
        }
    }

    @Test
    void finBeforeTheAnnouncedLengthClosesTheVisitorConnection() throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.socket.setSoTimeout(5000);
            v.send(get("app", "/a") + get("app", "/b"));
            Frame f = nextOpen(client);
            reply(client, f.streamId(), 200, new Header("Content-Length", "10"));
            client.send(data(f.streamId(), "short"));
            client.send(Frame.fin(f.streamId()));
            assertThat(v.readHead().toLowerCase()).startsWith("http/1.1 200").contains("content-length: 10");
            assertThat(new String(v.socket.getInputStream().readNBytes(5), StandardCharsets.ISO_8859_1)).isEqualTo("short");
            assertThat(v.closedByServer()).as("the connection is closed, never reused").isTrue();
        }
    }

    @Test
    void resetAfterTheReplyEndsAChunkedResponseWithoutTheLastChunk() throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send(get("app", "/a"));
            Frame f = nextOpen(client);
            reply(client, f.streamId(), 200);
            client.send(data(f.streamId(), "part"));
            client.send(Frame.rst(f.streamId(), ErrorCode.TARGET_ERROR, "The local app broke mid-body."));
            String all = v.readAll();
            assertThat(all.toLowerCase()).contains("transfer-encoding: chunked").contains("\r\n4\r\npart\r\n");
            assertThat(all).doesNotContain("\r\n0\r\n\r\n");
        }
    }

    @Test
    void resetAfterTheReplyClosesALengthDelimitedResponseShort() throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.socket.setSoTimeout(5000);
            v.send(get("app", "/a") + get("app", "/b"));
            Frame f = nextOpen(client);
            reply(client, f.streamId(), 200, new Header("Content-Length", "10"));
            client.send(data(f.streamId(), "part"));
            client.send(Frame.rst(f.streamId(), ErrorCode.TARGET_ERROR, "The local app broke mid-body."));
            assertThat(v.readHead()).startsWith("HTTP/1.1 200");
            assertThat(new String(v.socket.getInputStream().readNBytes(4), StandardCharsets.ISO_8859_1)).isEqualTo("part");
            assertThat(v.closedByServer()).isTrue();
        }
    }

    void assertUnusableReplyGets502(ReplyMessage bad) throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send(get("app", "/a"));
            Frame f = nextOpen(client);
            client.send(Frame.reply(f.streamId(), bad));
            String response = v.readResponse();
            assertThat(response).startsWith("HTTP/1.1 502").contains("Served by the Portway relay (502)")
                    .contains("unusable response").doesNotContain("injected");
            Frame rst = next(client, FrameType.RST);
        }
        try (RawVisitor v = new RawVisitor(relay.port())) { // the relay goes on serving
            v.send(get("app", "/ok"));
            Frame f = nextOpen(client);
            reply(client, f.streamId(), 204);
            client.send(Frame.fin(f.streamId()));
            assertThat(v.readHead()).startsWith("HTTP/1.1 204");
        }
    }

    @Test
    void replyHeaderValueWithLineBreakGets502() throws Exception {
        assertUnusableReplyGets502(ReplyMessage.http(200, null, List.of(new Header("X-A", "b\r\nX-Injected: yes"))));
    }

    @Test
    void replyHeaderValueWithNulGets502() throws Exception {
        assertUnusableReplyGets502(ReplyMessage.http(200, null, List.of(new Header("X-A", "b\u0000injected"))));
    }

    @Test
    void replyHeaderNameThatIsNotATokenGets502() throws Exception {
        assertUnusableReplyGets502(ReplyMessage.http(200, null, List.of(new Header("X injected", "b"))));
    }

    @Test
    void replyReasonPhraseWithLineBreakGets502() throws Exception {
        assertUnusableReplyGets502(ReplyMessage.http(200, "OK\r\nX-Injected: yes", List.of()));
    }

    @Test
    void replyWithConflictingContentLengthsGets502() throws Exception {
        assertUnusableReplyGets502(ReplyMessage.http(200, null, List.of(new Header("Content-Length", "5"),
                new Header("Content-Length", "50"))));
    }

    @Test
    void replyWithContentLengthThatIsNotANumberGets502() throws Exception {
        assertUnusableReplyGets502(ReplyMessage.http(200, null, List.of(new Header("Content-Length", "5, injected"))));
    }

    @Test
    void anExactLengthResponseKeepsTheConnection() throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            for (int i = 0; i < 2; i++) {
                v.send(get("app", "/a"));
                Frame f = nextOpen(client);
                reply(client, f.streamId(), 200, new Header("Content-Length", "5"));
                client.send(data(f.streamId(), "he"));
                client.send(data(f.streamId(), "llo"));
                client.send(Frame.fin(f.streamId()));
                assertThat(v.readResponse()).startsWith("HTTP/1.1 200").endsWith("hello");
            }
        }
    }

    static OpenMessage open(Frame f) throws Exception {
        return Json.read(f.payload(), OpenMessage.class);
    }
}
