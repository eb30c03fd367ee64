package dev.portway.relay.ingress;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestDecoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpStatusClass;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.ArrayDeque;
import java.util.List;
import java.util.Queue;

/**
 * The HTTP/1.1 codec of the visitor port: Netty's request decoder set to parse strictly (RFC 9112), plus one check
 * Netty leaves out, and the response encoder that knows which request each response answers (as Netty's
 * {@code HttpServerCodec}, which cannot take a decoder of its own). One pair per connection, on its event loop.
 *
 * <p>Netty already refuses bare-LF line ends (strict line parsing), Content-Length with Transfer-Encoding,
 * repeated or malformed Content-Length, a final transfer coding other than chunked, control characters in the
 * target and invalid header names or values: each as a request whose decoder result is a failure, after which it
 * reads nothing more. It joins obs-fold lines (a header line starting with SP or HTAB) into the previous value;
 * {@link StrictRequestDecoder} refuses them instead (RFC 9112 §5.2 allows that).
 */
public final class VisitorCodec {
    static final String DECODER = "http";
    static final String ENCODER = "http-encoder";
    /** The request line at most; a longer one is answered 414. */
    static final int MAX_REQUEST_LINE = 8 * 1024;

    private VisitorCodec() {
    }

    /** Adds the decoder and encoder at the end of {@code p}. */
    public static void addTo(ChannelPipeline p, VisitorLimits limits) {
        HttpDecoderConfig config = new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_REQUEST_LINE)
                .setMaxHeaderSize(limits.maxHeaderBytes())
                .setMaxChunkSize(64 * 1024)
                .setValidateHeaders(true)
                .setAllowDuplicateContentLengths(false)
                .setStrictLineParsing(true)
                .setUseRfc9112TransferEncoding(true);
        Queue<HttpMethod> methods = new ArrayDeque<>();
        p.addLast(DECODER, new StrictRequestDecoder(config, methods));
        p.addLast(ENCODER, new ResponseEncoder(methods));
    }

    /** After a 101: the connection carries raw bytes from now on; what the decoder had buffered goes on as ByteBufs. */
    public static void remove(ChannelPipeline p) {
        if (p.get(ENCODER) != null) {
            p.remove(ENCODER);
        }
        if (p.get(DECODER) != null) {
            p.remove(DECODER);
        }
    }

    /** Why a request head was refused before Netty's decoder got to finish it. */
    static final class ObsFoldException extends IllegalArgumentException {
        ObsFoldException() {
            super("A header line starts with a space or tab (obsolete line folding).");
        }
    }

    /**
     * Netty's decoder, refusing obs-fold. It only looks at the bytes of a request head, which Netty consumes line by
     * line: a complete line is always consumed, so the bytes not yet consumed start at a line start, and a line
     * start that is SP or HTAB after the head's first line is a fold.
     */
    static final class StrictRequestDecoder extends HttpRequestDecoder {
        private final Queue<HttpMethod> methods;
        /** Between requests or inside a head (not inside a body). */
        private boolean inHead = true;
        /**
         * Netty consumed the start of the current head's request line (not just the CR, LF and whitespace it skips
         * before one); it consumes only whole lines, so it consumed that line whole.
         */
        private boolean headStarted;
        private boolean failed;

        StrictRequestDecoder(HttpDecoderConfig config, Queue<HttpMethod> methods) {
            super(config);
            this.methods = methods;
        }

        @Override
        protected void decode(ChannelHandlerContext ctx, ByteBuf buffer, List<Object> out) throws Exception {
            if (failed) {
                buffer.skipBytes(buffer.readableBytes());
                return;
            }
            if (inHead && folds(buffer)) {
                failed = true;
                buffer.skipBytes(buffer.readableBytes());
                DefaultFullHttpRequest bad = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, "/bad-request");
                bad.setDecoderResult(DecoderResult.failure(new ObsFoldException()));
                out.add(bad);
                return;
            }
            int before = buffer.readerIndex();
            int oldSize = out.size();
            super.decode(ctx, buffer, out);
            boolean produced = out.size() > oldSize;
            for (int i = oldSize; i < out.size(); i++) {
                Object o = out.get(i);
                if (o instanceof HttpRequest r) {
                    methods.add(r.method());
                    inHead = false;
                    failed |= r.decoderResult().isFailure(); // Netty reads nothing more: neither do we
                }
                if (o instanceof LastHttpContent) {
                    inHead = true;
                }
            }
            if (produced) {
                headStarted = false;
            } else if (inHead && !headStarted) {
                for (int i = before; i < buffer.readerIndex() && !headStarted; i++) {
                    headStarted = !isSkipped(buffer.getByte(i));
                }
            }
        }

        /** Whether the unconsumed head bytes hold a line that starts with SP or HTAB (up to the head's blank line). */
        private boolean folds(ByteBuf buffer) {
            int i = buffer.readerIndex();
            int end = buffer.writerIndex();
            if (i < end && headStarted && isFoldStart(buffer.getByte(i))) {
                return true;
            }
            for (; i < end; i++) {
                if (buffer.getByte(i) == '\n' && i + 1 < end) {
                    byte next = buffer.getByte(i + 1);
                    if (next == '\r' || next == '\n') {
                        return false; // the blank line: the head ends here
                    }
                    if (isFoldStart(next) && !leadingOnly(buffer, buffer.readerIndex(), i)) {
                        return true;
                    }
                }
            }
            return false;
        }

        /** Before the request line only CR, LF and whitespace may come (Netty skips them); that is no fold. */
        private boolean leadingOnly(ByteBuf buffer, int from, int to) {
            if (headStarted) {
                return false;
            }
            for (int i = from; i <= to; i++) {
                if (!isSkipped(buffer.getByte(i))) {
                    return false;
                }
            }
            return true;
        }

        private static boolean isSkipped(byte b) {
            return b == '\r' || b == '\n' || b == ' ' || b == '\t';
        }

        private static boolean isFoldStart(byte b) {
            return b == ' ' || b == '\t';
        }
    }

    /** Netty's encoder, told per response whether its request was HEAD or CONNECT (as HttpServerCodec's is). */
    static final class ResponseEncoder extends HttpResponseEncoder {
        private final Queue<HttpMethod> methods;
        private HttpMethod method;

        ResponseEncoder(Queue<HttpMethod> methods) {
            this.methods = methods;
        }

        @Override
        protected void sanitizeHeadersBeforeEncode(HttpResponse msg, boolean isAlwaysEmpty) {
            if (!isAlwaysEmpty && HttpMethod.CONNECT.equals(method) && msg.status().codeClass() == HttpStatusClass.SUCCESS) {
                msg.headers().remove(HttpHeaderNames.TRANSFER_ENCODING);
                return;
            }
            super.sanitizeHeadersBeforeEncode(msg, isAlwaysEmpty);
        }

        @Override
        protected boolean isContentAlwaysEmpty(HttpResponse msg) {
            if (msg.status().codeClass() == HttpStatusClass.INFORMATIONAL && msg.status().code() != 101) {
                return true; // an interim answer (100, 103): the final response to the same request follows
            }
            method = methods.poll();
            return HttpMethod.HEAD.equals(method) || super.isContentAlwaysEmpty(msg);
        }
    }
}
