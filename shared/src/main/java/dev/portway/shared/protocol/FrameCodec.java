package dev.portway.shared.protocol;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * The binary frame layout of protocol v1 (see {@code shared/PROTOCOL.md} §3):
 *
 * <pre>
 *   0        1                5
 *   +--------+----------------+-----------------------+
 *   | type   | stream id      | payload (0..65536)    |
 *   | u8     | u32 big-endian |                       |
 *   +--------+----------------+-----------------------+
 * </pre>
 *
 * The payload length is the WebSocket message length minus {@link #HEADER_SIZE}; frames never
 * span or share WebSocket messages. Stateless and thread-safe.
 */
public final class FrameCodec {
    public static final int HEADER_SIZE = 5;
    /** Largest payload of any frame. A DATA frame carries at most this many stream bytes. */
    public static final int MAX_PAYLOAD = 64 * 1024;
    /** Largest whole frame (one WebSocket message). */
    public static final int MAX_FRAME = HEADER_SIZE + MAX_PAYLOAD;
    /**
     * The END flag, the type byte's high bit (PROTOCOL.md §3.1): the frame is its sender's last on the stream, as if
     * FIN followed it. Only on OPEN, REPLY and DATA, and only sent to a peer that agreed to
     * {@link Protocol#FEATURE_END_FLAG}.
     */
    public static final int END_FLAG = 0x80;
    /** Largest RST message text, in UTF-8 bytes. */
    public static final int MAX_RST_MESSAGE = 1024;

    private FrameCodec() {
    }

    /** Encodes a frame into a new heap buffer, ready to read. */
    public static ByteBuffer encode(Frame frame) {
        ByteBuffer payload = frame.payload();
        ByteBuffer out = ByteBuffer.allocate(HEADER_SIZE + payload.remaining()).order(ByteOrder.BIG_ENDIAN);
        out.put(typeByte(frame.type(), frame.end()));
        out.putInt(frame.streamId());
        out.put(payload);
        return out.flip();
    }

    /** The header's first byte: the type code, with {@link #END_FLAG} when {@code end}. */
    public static byte typeByte(FrameType type, boolean end) {
        return (byte) (end ? type.code() | END_FLAG : type.code());
    }

    /** Whether a frame of this type may carry {@link #END_FLAG}. */
    public static boolean mayEnd(FrameType type) {
        return type == FrameType.OPEN || type == FrameType.REPLY || type == FrameType.DATA;
    }

    /** Writes the 5-byte header at {@code dst}'s position; for callers that assemble frames in their own buffers. */
    public static void writeHeader(ByteBuffer dst, FrameType type, int streamId) {
        dst.put((byte) type.code());
        dst.putInt(streamId);
    }

    /**
     * Decodes one whole WebSocket message. The returned frame's payload shares {@code message}'s bytes
     * (read-only); copy it if {@code message} will be reused.
     *
     * @throws ProtocolException if the message is not a valid v1 frame: too short, too long, an unknown
     *     type, a stream id that does not fit the type, or a payload of the wrong shape
     */
    public static Frame decode(ByteBuffer message) throws ProtocolException {
        ByteBuffer in = message.duplicate().order(ByteOrder.BIG_ENDIAN);
        if (in.remaining() < HEADER_SIZE) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                    "truncated frame: " + in.remaining() + " bytes, the header alone is " + HEADER_SIZE);
        }
        if (in.remaining() > MAX_FRAME) {
            throw new ProtocolException(ErrorCode.FRAME_TOO_LARGE,
                    "frame of " + in.remaining() + " bytes exceeds the maximum of " + MAX_FRAME);
        }
        int typeByte = Byte.toUnsignedInt(in.get());
        boolean end = (typeByte & END_FLAG) != 0;
        FrameType type = FrameType.of(typeByte & ~END_FLAG);
        if (type == null) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "unknown frame type 0x" + Integer.toHexString(typeByte));
        }
        if (end && !mayEnd(type)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "the END flag on a " + type + " frame (only OPEN, REPLY and DATA may end a stream)");
        }
        int streamId = in.getInt();
        ByteBuffer payload = in.slice();
        validate(type, streamId, payload);
        return new Frame(type, streamId, payload, end);
    }

    private static void validate(FrameType type, int streamId, ByteBuffer payload) throws ProtocolException {
        int len = payload.remaining();
        switch (type) {
            case CONTROL -> {
                if (streamId != 0) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "CONTROL frame on stream " + streamId + ", must be 0");
                }
                if (len == 0) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "empty CONTROL frame");
                }
            }
            case WINDOW_UPDATE -> {
                if (len != 4) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "WINDOW_UPDATE payload is " + len + " bytes, must be 4");
                }
                int increment = payload.getInt(payload.position());
                if (increment <= 0) {
                    throw new ProtocolException(ErrorCode.FLOW_CONTROL, "WINDOW_UPDATE increment " + Integer.toUnsignedString(increment) + " must be 1.." + Integer.MAX_VALUE);
                }
                if (streamId < 0) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "stream id " + Integer.toUnsignedString(streamId) + " is above 2^31-1");
                }
            }
            case RST -> {
                requireStream(type, streamId);
                if (len < 2 || len > 2 + MAX_RST_MESSAGE) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "RST payload is " + len + " bytes, must be 2.." + (2 + MAX_RST_MESSAGE));
                }
            }
            case FIN -> requireStream(type, streamId); // a payload is a trailer block (§3.2), parsed by the stream
            case OPEN, REPLY -> {
                requireStream(type, streamId);
                if (len == 0) {
                    throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, type + " frame without a payload");
                }
            }
            case DATA -> requireStream(type, streamId);
        }
    }

    private static void requireStream(FrameType type, int streamId) throws ProtocolException {
        if (streamId <= 0) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR,
                    type + " frame on stream " + Integer.toUnsignedString(streamId) + ", must be 1.." + Integer.MAX_VALUE);
        }
    }
}
