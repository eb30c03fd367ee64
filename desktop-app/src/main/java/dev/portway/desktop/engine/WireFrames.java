package dev.portway.desktop.engine;

import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import okio.Buffer;
import okio.ByteString;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;

/**
 * A frame as the one WebSocket message OkHttp sends (PROTOCOL.md §3), with one copy of its payload: the
 * header and payload are written into an okio {@link Buffer}, and a frame of 4 KiB or more is then taken
 * out as a snapshot that shares the buffer's segments (okio copies smaller ones once more, which is cheap).
 * {@code FrameCodec.encode} plus {@code ByteString.of} copied every payload twice. Stateless.
 */
final class WireFrames {
    private WireFrames() {
    }

    static ByteString toByteString(Frame frame) {
        ByteBuffer header = ByteBuffer.allocate(FrameCodec.HEADER_SIZE);
        FrameCodec.writeHeader(header, frame.type(), frame.streamId());
        Buffer out = new Buffer();
        out.write(header.array());
        try {
            out.write(frame.payload()); // takes all of it; an in-memory buffer does no I/O
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.readByteString();
    }
}
