package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.ReplyMessage;
import io.netty.buffer.ByteBuf;

/**
 * The visitor side of one stream: what the relay does with the client's frames. Implemented by the
 * HTTP and the TCP visitor handlers. Every method is called on the visitor channel's event loop.
 */
public interface StreamListener {
    /** The client answered the OPEN. Called at most once, before any {@link #onData}. */
    void onReply(ReplyMessage reply);

    /**
     * Bytes for the visitor. The listener owns {@code data} and must call
     * {@link TunnelStream#consumed(int)} once they were written onward (or dropped).
     */
    void onData(ByteBuf data);

    /**
     * The client's REPLY; with {@code last} it ended the stream (REPLY with the END flag: no body follows), which by
     * default is {@link #onReply(ReplyMessage)} then {@link #onFin()}. A listener that can write a head and its end
     * as one (an h2 HEADERS frame with END_STREAM, as gRPC's trailers-only answer needs) overrides this.
     */
    default void onReply(ReplyMessage reply, boolean last) {
        onReply(reply);
        if (last) {
            onFin(java.util.List.of());
        }
    }

    /**
     * An interim answer (1xx other than 101, e.g. 103 Early Hints) before the final REPLY, from a client that agreed
     * to the {@code interim} feature (PROTOCOL.md §3.2); at most {@link dev.portway.shared.protocol.Protocol#MAX_INTERIM}
     * per stream. Ignored unless the listener can pass it on.
     */
    default void onInterim(ReplyMessage interim) {
    }

    /** The client will send no more bytes (half-close). */
    void onFin();

    /**
     * As {@link #onFin()}, with the trailer fields the client's FIN carried (PROTOCOL.md §3.2; empty when none), already
     * cut to the ones a proxy may pass on. Listeners that cannot deliver trailers drop them.
     */
    default void onFin(java.util.List<dev.portway.shared.protocol.Header> trailers) {
        onFin();
    }

    /** The stream was aborted: by the client's RST, or because the client broke the protocol on it. */
    void onRst(ErrorCode code, String message);

    /** The client's session ended (WebSocket closed) before the stream finished. */
    void onSessionGone();

    /** Credit or WebSocket room came back after {@link TunnelStream#sendData} returned false: read again. */
    void onWritable();
}
