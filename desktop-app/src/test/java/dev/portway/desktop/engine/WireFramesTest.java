package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import okio.ByteString;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

class WireFramesTest {

    @Test
    void smallDataFrameIsHeaderThenPayload() {
        ByteString wire = WireFrames.toByteString(Frame.data(7, new byte[] {'x', 'a', 'b', 'y'}, 1, 2));

        assertThat(wire.hex()).isEqualTo("03" + "00000007" + "6162");
    }

    @Test
    void largeDataFrameMatchesTheCodecByteForByte() throws Exception {
        byte[] bytes = new byte[FrameCodec.MAX_PAYLOAD + 10];
        new Random(42).nextBytes(bytes);
        Frame frame = Frame.data(Integer.MAX_VALUE, bytes, 10, FrameCodec.MAX_PAYLOAD);

        ByteString wire = WireFrames.toByteString(frame);

        assertThat(wire.toByteArray()).isEqualTo(ByteString.of(FrameCodec.encode(frame)).toByteArray());
        Frame back = FrameCodec.decode(wire.asByteBuffer());
        assertThat(back.type()).isEqualTo(FrameType.DATA);
        assertThat(back.streamId()).isEqualTo(Integer.MAX_VALUE);
        assertThat(back.payload()).isEqualTo(ByteBuffer.wrap(bytes, 10, FrameCodec.MAX_PAYLOAD));
    }

    @Test
    void framesWithoutOrWithSmallPayloadsEncodeAsTheCodecDoes() {
        for (Frame f : new Frame[] {Frame.fin(3), Frame.windowUpdate(0, 65536), Frame.rst(9, ErrorCode.CANCEL, "gone")}) {
            assertThat(WireFrames.toByteString(f).toByteArray()).as(f.toString())
                    .isEqualTo(ByteString.of(FrameCodec.encode(f)).toByteArray());
        }
    }
}
