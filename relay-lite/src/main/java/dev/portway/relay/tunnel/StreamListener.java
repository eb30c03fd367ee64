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

    /** The client will send no more bytes (half-close). */
    void onFin();

    /** The stream was aborted: by the client's RST, or because the client broke the protocol on it. */
    void onRst(ErrorCode code, String message);

    /** The client's session ended (WebSocket closed) before the stream finished. */
    void onSessionGone();

    /** Credit or WebSocket room came back after {@link TunnelStream#sendData} returned false: read again. */
    void onWritable();
}
