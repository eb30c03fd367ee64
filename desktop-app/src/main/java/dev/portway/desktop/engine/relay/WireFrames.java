package dev.portway.desktop.engine.relay;

import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;

/**
 * A frame as the one WebSocket message it travels in (PROTOCOL.md §3), with one copy of its payload: header and
 * payload are written into one buffer from {@code alloc}. The copy is needed anyway: the caller reuses its array
 * as soon as the send returns, and the write happens later on the event loop. Stateless.
 */
final class WireFrames {
    private WireFrames() {
    }

    static ByteBuf encode(ByteBufAllocator alloc, Frame frame) {
        int n = frame.payloadLength();
        ByteBuf out = alloc.buffer(FrameCodec.HEADER_SIZE + n);
        out.writeByte(FrameCodec.typeByte(frame.type(), frame.end()));
        out.writeInt(frame.streamId());
        out.writeBytes(frame.payload()); // payload() is a fresh view: its position moves, the frame's does not
        return out;
    }
}
