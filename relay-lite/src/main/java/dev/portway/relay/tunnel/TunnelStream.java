package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.ErrorCode;
import io.netty.buffer.ByteBuf;

/**
 * The visitor's end of one stream of a {@link TunnelBackend}. Every method is called on the visitor's event
 * loop (the one given to {@link TunnelBackend#openStream}). Names follow PROTOCOL.md "Names in the code":
 * {@code sendX} goes towards the target, {@link StreamListener}'s {@code onX} comes from it.
 */
public interface TunnelStream {
    /**
     * Sends visitor bytes towards the target; takes ownership of {@code bytes}.
     *
     * @return false when the caller must stop reading until {@link StreamListener#onWritable()}
     */
    boolean sendData(ByteBuf bytes);

    /** Half-closes towards the target once the bytes sent so far are out. */
    void sendFin();

    /**
     * As {@link #sendData(ByteBuf)}; with {@code last} these are the visitor's last bytes and the stream half-closes:
     * {@link #sendData(ByteBuf)} then {@link #sendFin}, which a backend may carry in one frame (DATA with the END flag,
     * PROTOCOL.md §3.1).
     */
    default boolean sendData(ByteBuf bytes, boolean last) {
        boolean more = sendData(bytes);
        if (last) {
            sendFin();
        }
        return more;
    }

    /**
     * As {@link #sendFin()}, with the request's trailer fields (PROTOCOL.md §3.2); a backend whose target did not agree
     * to trailers drops them.
     */
    default void sendFin(java.util.List<dev.portway.shared.protocol.Header> trailers) {
        sendFin();
    }

    /** Aborts the stream; the listener hears nothing more. */
    void sendRst(ErrorCode code, String message);

    /** The listener wrote {@code n} bytes from the target onward: the target may send that many more. */
    void consumed(int n);
}
