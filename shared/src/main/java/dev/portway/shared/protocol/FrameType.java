package dev.portway.shared.protocol;

/** The type byte of a frame. See {@code shared/PROTOCOL.md} §3. */
public enum FrameType {
    /** JSON control message on stream 0. */
    CONTROL(0x00),
    /** Relay opens a stream; payload is an {@link OpenMessage} (JSON). */
    OPEN(0x01),
    /** Client answers an OPEN: response head for HTTP, acceptance for TCP; payload is a {@link ReplyMessage}. */
    REPLY(0x02),
    /** Stream bytes; consumes flow-control credit. */
    DATA(0x03),
    /** Grants credit: on stream 0 to the session, otherwise to that stream. Payload: u32 increment. */
    WINDOW_UPDATE(0x04),
    /** The sender will send no more DATA on this stream (half-close). Empty payload. */
    FIN(0x05),
    /** Abort the stream. Payload: u16 error code, then a UTF-8 message. */
    RST(0x06);

    private final int code;

    FrameType(int code) {
        this.code = code;
    }

    public int code() {
        return code;
    }

    private static final FrameType[] BY_CODE = new FrameType[7];

    static {
        for (FrameType t : values()) {
            BY_CODE[t.code] = t;
        }
    }

    /** @return the type for {@code code}, or {@code null} when the code is not one of v1's. */
    public static FrameType of(int code) {
        return code >= 0 && code < BY_CODE.length ? BY_CODE[code] : null;
    }
}
