package dev.portway.relay;

import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.Protocol;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static dev.portway.relay.testing.PermessageDeflate.deflate;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate on the clients' WebSocket, from a raw client (PROTOCOL.md §1.1): what the relay answers to
 * offers, that a compressed hello is understood, and that a small message inflating beyond MAX_FRAME (a zip bomb)
 * is refused with close 1009 instead of being inflated into the heap.
 */
class WsCompressionIT {
    private static final String OFFER = "Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n";
    private Relay relay;

    private Relay start(boolean compression) throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("relay-secret").tcpPortFrom(0).tcpPortTo(0)
                .wsCompression(compression).build());
        return relay;
    }

    @AfterEach
    void stop() {
        if (relay != null) {
            relay.shutdown(Duration.ofMillis(200));
        }
    }

    static byte[] bytes(Frame frame) {
        ByteBuffer b = FrameCodec.encode(frame);
        byte[] a = new byte[b.remaining()];
        b.get(a);
        return a;
    }

    @Test
    void anOfferIsAnsweredWithNoContextTakeoverBothWaysAndACompressedHelloIsWelcomed() throws Exception {
        start(true);
        try (RawWebSocket ws = new RawWebSocket(relay.port(), Protocol.CONNECT_PATH, OFFER)) {
            String answer = ws.head.lines().filter(l -> l.toLowerCase().startsWith("sec-websocket-extensions:")).findFirst().orElse("");
            assertThat(answer).as(ws.head).startsWith("sec-websocket-extensions: permessage-deflate")
                    .contains("server_no_context_takeover").contains("client_no_context_takeover")
                    .doesNotContain("max_window_bits");
            byte[] hello = bytes(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), "relay-secret", "test/1",
                    null, null, null)));
            ws.sendCompressed(deflate(hello));
            ws.flush();
            Frame welcome = FrameCodec.decode(ByteBuffer.wrap(ws.readMessage()));
            assertThat(Json.read(welcome.payload(), ControlMessage.class)).isInstanceOf(ControlMessage.Welcome.class);
        }
    }

    @org.junit.jupiter.params.ParameterizedTest(name = "{0} bytes inflated")
    @org.junit.jupiter.params.provider.ValueSource(ints = {FrameCodec.MAX_FRAME + 1, 16 * 1024 * 1024})
    void aSmallMessageThatInflatesBeyondTheLargestFrameClosesTheSessionWith1009(int inflated) throws Exception {
        start(true);
        try (RawWebSocket ws = new RawWebSocket(relay.port(), Protocol.CONNECT_PATH, OFFER)) {
            byte[] bomb = deflate(new byte[inflated]); // zeros: one byte over the limit, or a 16 MiB bomb
            assertThat(bomb.length).as("the bomb is small on the wire").isLessThan(FrameCodec.MAX_FRAME);
            ws.sendCompressed(bomb);
            ws.flush();
            byte[] close = ws.readMessage();
            assertThat(close).as("a close frame").isNotNull().hasSizeGreaterThan(2);
            assertThat(((close[0] & 0xff) << 8) | (close[1] & 0xff)).isEqualTo(1009);
            assertThat(new String(close, 2, close.length - 2, StandardCharsets.UTF_8)).contains("larger than " + FrameCodec.MAX_FRAME);
            assertThat(ws.readMessage()).as("then the relay hangs up").isNull();
        }
    }

    @Test
    void withCompressionOffTheOfferIsIgnoredAndACompressedHelloIsAProtocolError() throws Exception {
        start(false);
        try (RawWebSocket ws = new RawWebSocket(relay.port(), Protocol.CONNECT_PATH, OFFER)) {
            assertThat(ws.head.toLowerCase()).doesNotContain("sec-websocket-extensions");
            byte[] hello = bytes(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), "relay-secret", "test/1",
                    null, null, null)));
            ws.sendCompressed(deflate(hello));
            ws.flush();
            byte[] answer = ws.readMessage();
            assertThat(answer == null || ((answer[0] & 0xff) << 8 | (answer[1] & 0xff)) == 1002)
                    .as("no welcome: the relay hangs up (or closes with 1002) on RSV1 it never agreed to").isTrue();
        }
    }

    @Test
    void anOfferThatInsistsOnASmallerRelayWindowIsDeclinedAndTheSessionRunsUncompressed() throws Exception {
        start(true);
        try (RawWebSocket ws = new RawWebSocket(relay.port(), Protocol.CONNECT_PATH,
                "Sec-WebSocket-Extensions: permessage-deflate; server_max_window_bits=10\r\n")) {
            assertThat(ws.head.toLowerCase()).doesNotContain("sec-websocket-extensions");
            ws.sendFrame(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), "relay-secret", "test/1", null, null, null)));
            ws.flush();
            Frame welcome = FrameCodec.decode(ByteBuffer.wrap(ws.readMessage()));
            assertThat(Json.read(welcome.payload(), ControlMessage.class)).isInstanceOf(ControlMessage.Welcome.class);
        }
    }
}
