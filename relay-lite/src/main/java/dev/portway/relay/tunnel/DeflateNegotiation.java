package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.WsCompression;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionData;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilter;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionUtil;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketServerExtension;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateServerExtensionHandshaker;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The relay's side of permessage-deflate (PROTOCOL.md §1.1). Memory first: the relay always answers with
 * {@code server_no_context_takeover; client_no_context_takeover} (RFC 7692 lets a server add both), so the zlib
 * deflater and inflater of a session exist only while one message is being compressed or inflated — an idle
 * session holds none (a window-15 pair is ~300 KB of native memory, 2,000 sessions would be ~600 MB). Window bits
 * stay 15: the JDK's zlib cannot use a smaller window, so an offer that insists on {@code server_max_window_bits}
 * is declined (the session runs uncompressed). Inflating stops at {@link WsCompression#INFLATE_LIMIT} bytes per
 * message and more than {@link FrameCodec#MAX_FRAME} is refused (close 1009), so a small compressed message cannot
 * balloon. Stateless.
 */
public final class DeflateNegotiation {
    private static final WebSocketExtensionFilter SMALL = frame -> frame.content().readableBytes() < WsCompression.MIN_SIZE;
    private static final WebSocketExtensionFilterProvider FILTERS = new WebSocketExtensionFilterProvider() {
        @Override
        public WebSocketExtensionFilter encoderFilter() {
            return SMALL;
        }

        @Override
        public WebSocketExtensionFilter decoderFilter() {
            return WebSocketExtensionFilter.NEVER_SKIP;
        }
    };
    private static final PerMessageDeflateServerExtensionHandshaker HANDSHAKER = new PerMessageDeflateServerExtensionHandshaker(
            WsCompression.LEVEL, false, PerMessageDeflateServerExtensionHandshaker.MAX_WINDOW_SIZE, true, true, FILTERS,
            WsCompression.INFLATE_LIMIT);

    private DeflateNegotiation() {
    }

    /** The agreed extension: the first permessage-deflate offer of {@code req} the relay can take, or null. */
    static Agreed negotiate(HttpRequest req) {
        String header = req.headers().get(HttpHeaderNames.SEC_WEBSOCKET_EXTENSIONS);
        if (header == null) {
            return null;
        }
        for (WebSocketExtensionData offer : WebSocketExtensionUtil.extractExtensions(header)) {
            if (!WsCompression.EXTENSION.equals(offer.name())) {
                continue;
            }
            Map<String, String> params = new LinkedHashMap<>(offer.parameters());
            params.putIfAbsent("server_no_context_takeover", null);
            params.putIfAbsent("client_no_context_takeover", null);
            WebSocketServerExtension ext = HANDSHAKER.handshakeExtension(new WebSocketExtensionData(offer.name(), params));
            if (ext != null) {
                return new Agreed(ext, headerValue(ext.newReponseData()));
            }
        }
        return null;
    }

    /** {@code name; key=value; key}, as in {@code Sec-WebSocket-Extensions}. */
    private static String headerValue(WebSocketExtensionData data) {
        StringBuilder s = new StringBuilder(data.name());
        data.parameters().forEach((k, v) -> s.append("; ").append(k).append(v == null ? "" : "=" + v));
        return s.toString();
    }

    /** Whether a failure in a session's pipeline is a message that inflated (or added up) beyond the limit. */
    static boolean tooBig(Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof io.netty.handler.codec.compression.DecompressionException
                    || t instanceof io.netty.handler.codec.TooLongFrameException) {
                return true;
            }
        }
        return false;
    }

    /**
     * @param extension   makes the session's inflater and deflater
     * @param headerValue the relay's {@code Sec-WebSocket-Extensions} answer
     */
    record Agreed(WebSocketServerExtension extension, String headerValue) {
    }
}
