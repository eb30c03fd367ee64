package dev.portway.desktop.engine.relay;

import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.WsCompression;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;

/**
 * The engine's side of permessage-deflate (PROTOCOL.md §1.1). The offer is
 * {@code permessage-deflate; server_no_context_takeover}, and the engine accepts the relay's
 * {@code client_no_context_takeover}, but not a {@code client_max_window_bits} below 15 (the JDK's zlib has only
 * window 15). Messages under {@link WsCompression#MIN_SIZE} go uncompressed; inflating stops at
 * {@link WsCompression#INFLATE_LIMIT} bytes per message, so a hostile relay's small message cannot balloon in the
 * heap, and {@link RelaySocket} refuses anything over {@link FrameCodec#MAX_FRAME} with close 1009. Stateless.
 */
final class RelayDeflate {
    private static final WebSocketExtensionFilterProvider FILTERS = new WebSocketExtensionFilterProvider() {
        @Override
        public WebSocketExtensionFilter encoderFilter() {
            return frame -> frame.content().readableBytes() < WsCompression.MIN_SIZE;
        }

        @Override
        public WebSocketExtensionFilter decoderFilter() {
            return WebSocketExtensionFilter.NEVER_SKIP;
        }
    };

    private RelayDeflate() {
    }

    /** A new handler for one connection's pipeline, after the HTTP aggregator (it removes itself after the upgrade). */
    static WebSocketClientExtensionHandler handler() {
        return new WebSocketClientExtensionHandler(new PerMessageDeflateClientExtensionHandshaker(WsCompression.LEVEL,
                false, io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE, true, true, FILTERS, WsCompression.INFLATE_LIMIT));
    }

    /** Whether a failure in the pipeline is a message that inflated (or added up) beyond {@link FrameCodec#MAX_FRAME}. */
    static boolean tooBig(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof io.netty.handler.codec.compression.DecompressionException
                    || t instanceof io.netty.handler.codec.TooLongFrameException) {
                return true;
            }
        }
        return false;
    }
}
