package dev.portway.shared.protocol;

import dev.portway.shared.text.Utf8Limit;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Objects;

/**
 * One frame: what one WebSocket binary message carries. Immutable; {@link #payload()}
 * returns a read-only view, so a frame may be shared between threads.
 *
 * <p>Use the factories ({@link #data}, {@link #fin}, ...) rather than the constructor:
 * they build payloads in the layout {@link FrameCodec} expects.
 */
public record Frame(FrameType type, int streamId, ByteBuffer payload, boolean end) {

    /**
     * @param end the END flag (PROTOCOL.md §3.1): this is the sender's last frame on the stream, as if FIN followed.
     *            Only on OPEN, REPLY and DATA, and only to a peer that agreed to {@link Protocol#FEATURE_END_FLAG}
     */
    public Frame {
        Objects.requireNonNull(type, "type");
        if (end && !FrameCodec.mayEnd(type)) {
            throw new IllegalArgumentException("the END flag is only for OPEN, REPLY and DATA, not " + type);
        }
        payload = payload == null ? ByteBuffer.allocate(0).asReadOnlyBuffer() : payload.asReadOnlyBuffer();
    }

    public Frame(FrameType type, int streamId, ByteBuffer payload) {
        this(type, streamId, payload, false);
    }

    /** This frame with the END flag set: the last the sender sends on its stream (OPEN, REPLY or DATA only). */
    public Frame withEnd() {
        return end ? this : new Frame(type, streamId, payload, true);
    }

    @Override
    public ByteBuffer payload() {
        return payload.duplicate();
    }

    public int payloadLength() {
        return payload.remaining();
    }

    public static Frame control(ControlMessage message) {
        return new Frame(FrameType.CONTROL, 0, ByteBuffer.wrap(Json.write(message)));
    }

    public static Frame open(int streamId, OpenMessage open) {
        return new Frame(FrameType.OPEN, streamId, ByteBuffer.wrap(Json.write(open)));
    }

    public static Frame reply(int streamId, ReplyMessage reply) {
        return new Frame(FrameType.REPLY, streamId, ByteBuffer.wrap(Json.write(reply)));
    }

    public static Frame data(int streamId, ByteBuffer bytes) {
        return new Frame(FrameType.DATA, streamId, bytes);
    }

    public static Frame data(int streamId, byte[] bytes, int offset, int length) {
        return new Frame(FrameType.DATA, streamId, ByteBuffer.wrap(bytes, offset, length).slice());
    }

    public static Frame windowUpdate(int streamId, int increment) {
        ByteBuffer b = ByteBuffer.allocate(4).putInt(increment).flip();
        return new Frame(FrameType.WINDOW_UPDATE, streamId, b);
    }

    public static Frame fin(int streamId) {
        return new Frame(FrameType.FIN, streamId, null);
    }

    /**
     * FIN carrying a trailer field block (PROTOCOL.md §3.2), for a peer that agreed to {@link Protocol#FEATURE_TRAILERS};
     * with no trailers an ordinary (empty) FIN.
     */
    public static Frame fin(int streamId, java.util.List<Header> trailers) {
        if (trailers == null || trailers.isEmpty()) {
            return fin(streamId);
        }
        return new Frame(FrameType.FIN, streamId, ByteBuffer.wrap(Json.write(new TrailersMessage(trailers))));
    }

    /**
     * The trailer fields a FIN carries, in order; empty for an ordinary FIN.
     *
     * @throws ProtocolException when the payload is not a trailer block (a stream error: RST {@code protocol_error})
     */
    public java.util.List<Header> finTrailers() throws ProtocolException {
        requireType(FrameType.FIN);
        if (!payload.hasRemaining()) {
            return java.util.List.of();
        }
        TrailersMessage m = Json.read(payload, TrailersMessage.class);
        if (m.trailers() == null || m.trailers().stream().anyMatch(java.util.Objects::isNull)) {
            throw new ProtocolException(ErrorCode.PROTOCOL_ERROR, "a FIN's trailer block needs \"trailers\" (no null field)");
        }
        return m.trailers();
    }

    public static Frame rst(int streamId, ErrorCode code, String message) {
        byte[] text = Utf8Limit.bytes(message == null ? "" : message, FrameCodec.MAX_RST_MESSAGE);
        ByteBuffer b = ByteBuffer.allocate(2 + text.length).putShort((short) code.code()).put(text).flip();
        return new Frame(FrameType.RST, streamId, b);
    }

    /** The credit a WINDOW_UPDATE grants. Valid only for that type (checked by the codec). */
    public int windowIncrement() {
        requireType(FrameType.WINDOW_UPDATE);
        return payload.getInt(payload.position());
    }

    /** The error an RST carries. */
    public ErrorCode rstCode() {
        requireType(FrameType.RST);
        return ErrorCode.ofCode(Short.toUnsignedInt(payload.getShort(payload.position())));
    }

    /** The human-readable message an RST carries (may be empty). */
    public String rstMessage() {
        requireType(FrameType.RST);
        ByteBuffer b = payload();
        b.position(b.position() + 2);
        return StandardCharsets.UTF_8.decode(b).toString();
    }

    /** The payload bytes, copied. */
    public byte[] payloadBytes() {
        ByteBuffer b = payload();
        byte[] out = new byte[b.remaining()];
        b.get(out);
        return out;
    }

    private void requireType(FrameType expected) {
        if (type != expected) {
            throw new IllegalStateException("not a " + expected + " frame: " + type);
        }
    }

    @Override
    public String toString() {
        return type + (end ? "+END" : "") + "[stream=" + streamId + ", " + payload.remaining() + " bytes]";
    }
}
