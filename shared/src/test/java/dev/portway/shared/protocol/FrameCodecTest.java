package dev.portway.shared.protocol;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.HexFormat;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Golden bytes for every frame type, and the decoder's answer to every kind of malformed frame. */
class FrameCodecTest {
    private static final HexFormat HEX = HexFormat.of();

    private static String hex(Frame f) {
        ByteBuffer b = FrameCodec.encode(f);
        byte[] bytes = new byte[b.remaining()];
        b.get(bytes);
        return HEX.formatHex(bytes);
    }

    private static Frame decodeHex(String hex) throws ProtocolException {
        return FrameCodec.decode(ByteBuffer.wrap(HEX.parseHex(hex)));
    }

    @Test
    void dataFrameHasTypeStreamIdThenBytes() throws Exception {
        Frame f = Frame.data(7, "hi".getBytes(StandardCharsets.US_ASCII), 0, 2);
        assertThat(hex(f)).isEqualTo("03" + "00000007" + "6869");
        assertThat(decodeHex("03000000076869")).isEqualTo(f);
    }

    @Test
    void emptyDataFrameIsJustTheHeader() throws Exception {
        assertThat(hex(Frame.data(1, new byte[0], 0, 0))).isEqualTo("0300000001");
        assertThat(decodeHex("0300000001").payloadLength()).isZero();
    }

    @Test
    void windowUpdateCarriesBigEndianIncrement() throws Exception {
        Frame f = Frame.windowUpdate(3, 65536);
        assertThat(hex(f)).isEqualTo("04" + "00000003" + "00010000");
        Frame back = decodeHex(hex(f));
        assertThat(back.windowIncrement()).isEqualTo(65536);
        assertThat(decodeHex("040000000000000001").streamId()).as("session-level update on stream 0").isZero();
    }

    @Test
    void finIsEmpty() throws Exception {
        assertThat(hex(Frame.fin(5))).isEqualTo("0500000005");
        assertThat(decodeHex("0500000005").type()).isEqualTo(FrameType.FIN);
    }

    @Test
    void rstCarriesCodeAndMessage() throws Exception {
        Frame f = Frame.rst(9, ErrorCode.TARGET_UNREACHABLE, "down");
        assertThat(hex(f)).isEqualTo("06" + "00000009" + "000a" + "646f776e");
        Frame back = decodeHex(hex(f));
        assertThat(back.rstCode()).isEqualTo(ErrorCode.TARGET_UNREACHABLE);
        assertThat(back.rstMessage()).isEqualTo("down");
    }

    @Test
    void rstMessageIsCutToLimitWithoutSplittingACharacter() throws Exception {
        String longText = "é".repeat(FrameCodec.MAX_RST_MESSAGE); // 2 bytes each
        Frame f = Frame.rst(1, ErrorCode.INTERNAL, longText);
        assertThat(f.payloadLength()).isLessThanOrEqualTo(2 + FrameCodec.MAX_RST_MESSAGE);
        assertThat(decodeHex(hex(f)).rstMessage()).isEqualTo("é".repeat(FrameCodec.MAX_RST_MESSAGE / 2));
    }

    @Test
    void unknownRstCodeReadsAsProtocolError() throws Exception {
        assertThat(decodeHex("0600000001" + "7777").rstCode()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
    }

    @Test
    void controlFrameCarriesJsonOnStreamZero() throws Exception {
        Frame f = Frame.control(new ControlMessage.Ping(1, 2));
        String json = "{\"type\":\"ping\",\"seq\":1,\"time\":2}";
        assertThat(hex(f)).isEqualTo("00" + "00000000" + HEX.formatHex(json.getBytes(StandardCharsets.UTF_8)));
        assertThat(decodeHex(hex(f)).type()).isEqualTo(FrameType.CONTROL);
    }

    @Test
    void openAndReplyCarryJson() throws Exception {
        Frame open = Frame.open(1, OpenMessage.tcp("db", "1.2.3.4:5"));
        String json = "{\"tunnel\":\"db\",\"kind\":\"tcp\",\"remote\":\"1.2.3.4:5\"}";
        assertThat(hex(open)).isEqualTo("01" + "00000001" + HEX.formatHex(json.getBytes(StandardCharsets.UTF_8)));
        Frame reply = Frame.reply(1, ReplyMessage.tcpAccepted());
        assertThat(hex(reply)).isEqualTo("02" + "00000001" + HEX.formatHex("{}".getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void largestFrameRoundTrips() throws Exception {
        byte[] big = new byte[FrameCodec.MAX_PAYLOAD];
        big[big.length - 1] = 42;
        Frame back = FrameCodec.decode(FrameCodec.encode(Frame.data(1, big, 0, big.length)));
        assertThat(back.payloadBytes()).isEqualTo(big);
    }

    // ---- malformed input: each gets a ProtocolException with a code, never a hang or an unchecked exception

    @Test
    void truncatedFrameIsRejected() {
        assertThatThrownBy(() -> decodeHex("030000")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("truncated")
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.PROTOCOL_ERROR);
        assertThatThrownBy(() -> decodeHex("")).isInstanceOf(ProtocolException.class);
    }

    @Test
    void oversizeFrameIsRejected() {
        ByteBuffer tooBig = ByteBuffer.allocate(FrameCodec.MAX_FRAME + 1);
        tooBig.put(0, (byte) 3).putInt(1, 1);
        assertThatThrownBy(() -> FrameCodec.decode(tooBig)).isInstanceOf(ProtocolException.class)
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.FRAME_TOO_LARGE);
    }

    @Test
    void unknownTypeIsRejected() {
        assertThatThrownBy(() -> decodeHex("0700000001")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("unknown frame type 0x7");
        assertThatThrownBy(() -> decodeHex("ff00000001")).isInstanceOf(ProtocolException.class);
    }

    @Test
    void streamFramesOnStreamZeroAreRejected() {
        for (String type : new String[]{"01", "02", "03", "05"}) {
            assertThatThrownBy(() -> decodeHex(type + "00000000" + "7b7d")).as(type)
                    .isInstanceOf(ProtocolException.class).hasMessageContaining("must be 1..");
        }
    }

    @Test
    void streamIdAboveSignedRangeIsRejected() {
        assertThatThrownBy(() -> decodeHex("0380000001" + "00")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("2147483649");
    }

    @Test
    void controlOffStreamZeroOrEmptyIsRejected() {
        assertThatThrownBy(() -> decodeHex("0000000001" + "7b7d")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> decodeHex("0000000000")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("empty CONTROL");
    }

    @Test
    void badWindowUpdatesAreRejected() {
        assertThatThrownBy(() -> decodeHex("0400000001" + "000000")).isInstanceOf(ProtocolException.class)
                .hasMessageContaining("must be 4");
        assertThatThrownBy(() -> decodeHex("0400000001" + "00000000")).isInstanceOf(ProtocolException.class)
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.FLOW_CONTROL);
        assertThatThrownBy(() -> decodeHex("0400000001" + "80000000")).as("increment >= 2^31")
                .isInstanceOf(ProtocolException.class)
                .extracting(e -> ((ProtocolException) e).code()).isEqualTo(ErrorCode.FLOW_CONTROL);
    }

    @Test
    void aFinMayCarryATrailerBlockWhichTheStreamParses() throws Exception {
        List<Header> trailers = List.of(new Header("grpc-status", "5"), new Header("grpc-message", "no such thing"));
        Frame fin = Frame.fin(7, trailers);
        Frame back = FrameCodec.decode(FrameCodec.encode(fin));

        assertThat(back.type()).isEqualTo(FrameType.FIN);
        assertThat(back.finTrailers()).containsExactlyElementsOf(trailers);
        assertThat(new String(back.payloadBytes(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo("{\"trailers\":[[\"grpc-status\",\"5\"],[\"grpc-message\",\"no such thing\"]]}");
        assertThat(hex(Frame.fin(5, List.of()))).as("no trailers: a plain FIN").isEqualTo("0500000005");
        assertThat(Frame.fin(5).finTrailers()).isEmpty();
        // a payload that is no trailer block is the stream's protocol error, found when the stream reads it
        assertThatThrownBy(() -> decodeHex("0500000001" + "00").finTrailers()).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> FrameCodec.decode(java.nio.ByteBuffer.wrap(("\u0005\u0000\u0000\u0000\u0001{\"trailers\":[null]}")
                .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1))).finTrailers()).isInstanceOf(ProtocolException.class);
    }

    @Test
    void shortRstIsRejected() {
        assertThatThrownBy(() -> decodeHex("0600000001" + "00")).isInstanceOf(ProtocolException.class);
        String tooLongRst = "0600000001" + "0001" + "41".repeat(FrameCodec.MAX_RST_MESSAGE + 1);
        assertThatThrownBy(() -> decodeHex(tooLongRst)).isInstanceOf(ProtocolException.class);
    }

    @Test
    void openOrReplyWithoutPayloadIsRejected() {
        assertThatThrownBy(() -> decodeHex("0100000001")).isInstanceOf(ProtocolException.class);
        assertThatThrownBy(() -> decodeHex("0200000001")).isInstanceOf(ProtocolException.class);
    }

    @Test
    void decodeDoesNotMoveTheCallersBuffer() throws Exception {
        ByteBuffer msg = FrameCodec.encode(Frame.fin(1));
        int before = msg.position();
        FrameCodec.decode(msg);
        assertThat(msg.position()).isEqualTo(before);
    }

    @Test
    void endFlagIsTheTypeBytesHighBitOnOpenReplyAndData() throws Exception {
        Frame data = Frame.data(7, "hi".getBytes(StandardCharsets.US_ASCII), 0, 2).withEnd();
        assertThat(hex(data)).isEqualTo("83" + "00000007" + "6869");
        assertThat(decodeHex("83000000076869")).isEqualTo(data);
        assertThat(decodeHex("03000000076869").end()).isFalse();
        Frame reply = Frame.reply(3, ReplyMessage.http(204, "No Content", java.util.List.of())).withEnd();
        Frame back = FrameCodec.decode(FrameCodec.encode(reply));
        assertThat(back.type()).isEqualTo(FrameType.REPLY);
        assertThat(back.end()).isTrue();
        assertThat(back.payload()).isEqualTo(reply.payload());
        assertThat(FrameCodec.decode(FrameCodec.encode(Frame.open(5, OpenMessage.tcp("t", "1.2.3.4:5")).withEnd())).end()).isTrue();
    }

    @Test
    void endFlagOnAFrameThatCannotEndAStreamIsAProtocolError() {
        for (String frame : new String[] {"8500000007", "8400000000" + "00000001", "8600000007" + "0000", "8000000000" + "7b7d"}) {
            assertThatThrownBy(() -> decodeHex(frame)).as(frame).isInstanceOfSatisfying(ProtocolException.class,
                    e -> assertThat(e.getMessage()).contains("END flag"));
        }
        assertThatThrownBy(() -> Frame.fin(3).withEnd()).isInstanceOf(IllegalArgumentException.class);
    }
}
