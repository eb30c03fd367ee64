package dev.portway.desktop.engine.relay;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.UnpooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class WireFramesTest {
    private static byte[] wire(Frame f) {
        ByteBuf buf = WireFrames.encode(UnpooledByteBufAllocator.DEFAULT, f);
        try {
            return ByteBufUtil.getBytes(buf);
        } finally {
            buf.release();
        }
    }

    private static byte[] codec(Frame f) {
        ByteBuffer b = FrameCodec.encode(f);
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    @Test
    void smallDataFrameIsHeaderThenPayload() {
        assertThat(ByteBufUtil.hexDump(wire(Frame.data(7, new byte[] {'x', 'a', 'b', 'y'}, 1, 2))))
                .isEqualTo("03" + "00000007" + "6162");
    }

    @Test
    void largeDataFrameMatchesTheCodecByteForByte() throws Exception {
        byte[] bytes = new byte[FrameCodec.MAX_PAYLOAD + 10];
        new Random(42).nextBytes(bytes);
        Frame frame = Frame.data(Integer.MAX_VALUE, bytes, 10, FrameCodec.MAX_PAYLOAD);

        byte[] wire = wire(frame);

        assertThat(wire).isEqualTo(codec(frame));
        Frame back = FrameCodec.decode(ByteBuffer.wrap(wire));
        assertThat(back.type()).isEqualTo(FrameType.DATA);
        assertThat(back.streamId()).isEqualTo(Integer.MAX_VALUE);
        assertThat(back.payload()).isEqualTo(ByteBuffer.wrap(bytes, 10, FrameCodec.MAX_PAYLOAD));
    }

    @Test
    void framesWithoutOrWithSmallPayloadsEncodeAsTheCodecDoes() {
        for (Frame f : new Frame[] {Frame.fin(3), Frame.windowUpdate(0, 65536), Frame.rst(9, ErrorCode.CANCEL, "gone")}) {
            assertThat(wire(f)).as(f.toString()).isEqualTo(codec(f));
        }
    }

    @Test
    void theEndFlagIsKeptOnTheWire() {
        Frame f = Frame.data(7, new byte[] {'a'}, 0, 1).withEnd();
        assertThat(ByteBufUtil.hexDump(wire(f))).isEqualTo("83" + "00000007" + "61");
        assertThat(wire(f)).isEqualTo(codec(f));
    }

    @Test
    void encodingLeavesTheFramePayloadUnread() {
        Frame f = Frame.data(5, new byte[] {1, 2, 3}, 0, 3);
        wire(f);
        assertThat(f.payloadLength()).isEqualTo(3);
        assertThat(wire(f)).isEqualTo(codec(f));
    }
}
