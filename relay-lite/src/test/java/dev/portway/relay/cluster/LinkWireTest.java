package dev.portway.relay.cluster;

import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.util.Random;

import static org.assertj.core.api.Assertions.assertThat;

/** DATA frames on a node link carry exactly the readable bytes they are given, wherever those start in their buffer. */
class LinkWireTest {
    @Test
    void dataFramesCarryTheReadableBytesOnlyAlsoWhenSplit() throws Exception {
        byte[] all = new byte[FrameCodec.MAX_PAYLOAD * 2 + 1234];
        new Random(3).nextBytes(all);
        for (int skip : new int[]{0, 57}) { // 57: what a decoder passed on after a PROXY header, say
            EmbeddedChannel ch = new EmbeddedChannel();
            ByteBuf bytes = Unpooled.buffer(skip + all.length);
            bytes.writeBytes(new byte[skip]).writeBytes(all);
            bytes.skipBytes(skip);
            LinkWire.writeAllData(ch, 7, bytes);
            ByteArrayOutputStream got = new ByteArrayOutputStream();
            int frames = 0;
            for (ByteBuf out; (out = ch.readOutbound()) != null; ) {
                byte[] wire = new byte[out.readableBytes()];
                out.readBytes(wire);
                out.release();
                Frame f = FrameCodec.decode(java.nio.ByteBuffer.wrap(wire));
                assertThat(f.type()).isEqualTo(FrameType.DATA);
                assertThat(f.streamId()).isEqualTo(7);
                got.write(f.payloadBytes());
                frames++;
            }
            assertThat(frames).isEqualTo(3);
            assertThat(got.toByteArray()).as("skipping %d", skip).isEqualTo(all);
            assertThat(bytes.refCnt()).as("every part released").isZero();
        }
    }
}
