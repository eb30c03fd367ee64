package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;

/**
 * The visitor's end of one stream of a {@link TunnelBackend}. Every method is called on the visitor's event
 * loop (the one given to {@link TunnelBackend#openStream}).
 */
public interface TunnelStream {
    /**
     * Sends visitor bytes towards the target; takes ownership of {@code bytes}.
     *
     * @return false when the caller must stop reading until {@link StreamListener#onWritable()}
     */
    boolean send(ByteBuf bytes);

    /** Half-closes towards the target once the bytes sent so far are out. */
    void finish();

    /**
     * Sends the visitor's last bytes and half-closes: {@link #send} then {@link #finish}, which a backend may carry
     * in one frame (DATA with the END flag, PROTOCOL.md §3.1).
     */
    default boolean sendLast(ByteBuf bytes) {
        boolean more = send(bytes);
        finish();
        return more;
    }

    /** Aborts the stream; the listener hears nothing more. */
    void reset(ErrorCode code, String message);

    /** The listener wrote {@code n} bytes from the target onward: the target may send that many more. */
    void consumed(int n);
}
