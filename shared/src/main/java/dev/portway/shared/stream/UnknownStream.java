package dev.portway.shared.stream;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;

/**
 * What a receiver does with a frame for a stream it does not know — already ended, or never opened (PROTOCOL.md §3):
 * REPLY, DATA and FIN are answered with RST {@code unknown_stream}; RST and WINDOW_UPDATE are ignored, since they can
 * cross the stream's end on the wire. Either way the bytes of a DATA frame are granted back on the session (they
 * were counted against its window on arrival). OPEN is never "unknown": it is how a stream starts. Stateless.
 */
public enum UnknownStream {
    /** Drop the frame and send nothing. */
    IGNORE,
    /** Drop the frame and answer with {@link #rst(int)}. */
    ANSWER_RST;

    /** The action for a frame of {@code type} on a stream the receiver does not know. */
    public static UnknownStream actionFor(FrameType type) {
        return switch (type) {
            case RST, WINDOW_UPDATE -> IGNORE;
            case REPLY, DATA, FIN -> ANSWER_RST;
            case OPEN, CONTROL -> throw new IllegalArgumentException(type + " does not belong to an open stream");
        };
    }

    /** The session credit to grant back for {@code frame}: its payload for DATA, else 0. */
    public static int sessionCreditBack(Frame frame) {
        return frame.type() == FrameType.DATA ? frame.payloadLength() : 0;
    }

    /** The answer to a frame for unknown stream {@code streamId}. */
    public static Frame rst(int streamId) {
        return Frame.rst(streamId, ErrorCode.UNKNOWN_STREAM, "Stream " + streamId + " is not open.");
    }
}
