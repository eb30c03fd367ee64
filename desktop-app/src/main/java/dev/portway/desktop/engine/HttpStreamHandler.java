package dev.portway.desktop.engine;

import dev.portway.desktop.engine.Stream.StreamResetException;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.Call;
import okhttp3.Headers;
import okhttp3.MediaType;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.BufferedSink;
import okio.BufferedSource;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * One HTTP stream (PROTOCOL.md §6.1, §6.2): sends the visitor's request to the local service with
 * OkHttp, streaming the body from the stream's inbound DATA, and sends the response back as REPLY,
 * DATA and FIN. A request asking to upgrade that gets 101 becomes a byte pipe ({@link UpgradePipe}).
 * Runs on the stream's virtual thread; never holds a whole body in memory.
 */
final class HttpStreamHandler {
    private static final Set<String> BODY_REQUIRED = Set.of("POST", "PUT", "PATCH", "PROPPATCH", "REPORT");

    private final StreamHandlers ctx;
    private final Stream stream;
    private final OpenMessage open;
    private final boolean upgrade;
    private long bytesIn;
    private long bytesOut;
    private final BodyCapture requestCapture;
    private final BodyCapture responseCapture;
    private String reason = "";
    private List<Header> responseHeaders = List.of();

    HttpStreamHandler(StreamHandlers ctx, Stream stream) {
        this.ctx = ctx;
        this.stream = stream;
        this.open = stream.open;
        this.upgrade = HopByHop.isUpgrade(open.headers());
        // An upgrade's bytes are not bodies: headers only.
        this.requestCapture = new BodyCapture(upgrade ? 0 : ctx.captureLimit());
        this.responseCapture = new BodyCapture(upgrade ? 0 : ctx.captureLimit());
    }

    void run() {
        Instant started = Instant.now();
        long t0 = System.nanoTime();
        int status = 0;
        ErrorCode error = null;
        String errorMessage = null;
        try {
            Call call = ctx.http().newCall(buildRequest());
            stream.onReset(call::cancel);
            Response response = call.execute();
            status = response.code();
            reason = response.message();
            responseHeaders = headers(response);
            if (upgrade && status == 101 && response.socket() != null) {
                stream.reply(ReplyMessage.http(101, response.message(), HopByHop.strip(headers(response), true)));
                long[] counts = new UpgradePipe(stream, response.socket()).run();
                bytesIn = counts[0];
                bytesOut = counts[1];
            } else {
                try (response) {
                    stream.reply(ReplyMessage.http(status, response.message(), HopByHop.strip(headers(response))));
                    if (hasBody(open.method(), status)) {
                        copyBody(response.body().source(), response.body().contentLength());
                    }
                    stream.fin();
                }
                if (upgrade) {
                    stream.abandonInbound();
                } else {
                    stream.discardInbound(); // request bytes the local app did not read
                }
            }
        } catch (IOException e) {
            if (stream.isReset() || e instanceof StreamResetException) {
                error = stream.isReset() ? stream.resetCode() : ((StreamResetException) e).code;
                errorMessage = "The visitor or the relay went away before the response was complete.";
            } else if (status == 0) {
                LocalErrors local = LocalErrors.of(e, stream.localTarget(), ctx.connectTimeout());
                error = local.code();
                errorMessage = local.message();
                stream.rst(error, errorMessage);
            } else {
                error = ErrorCode.TARGET_ERROR;
                errorMessage = stream.localTarget() + " broke the connection during the response: " + e.getMessage();
                stream.rst(error, errorMessage);
            }
            Session.LOG.debug("{} {}: {}", open.method(), open.target(), errorMessage);
        }
        String id = open.requestId() != null ? open.requestId() : "s" + stream.id;
        CapturedExchange exchange = new CapturedExchange(open.headers(), upgrade ? CapturedBody.EMPTY : requestCapture.result(),
                reason, responseHeaders, upgrade ? CapturedBody.EMPTY : responseCapture.result());
        ctx.finished(new RequestEvent(id, open.tunnel(), open.method(), open.target(), status,
                Duration.ofNanos(System.nanoTime() - t0), bytesIn, bytesOut, error, errorMessage, started, exchange));
    }

    private Request buildRequest() throws IOException {
        Headers.Builder headers = new Headers.Builder();
        boolean acceptEncoding = false;
        boolean rewriteHost = stream.spec.rewritesHost();
        for (Header h : HopByHop.strip(open.headers(), upgrade)) {
            String name = h.name();
            if (name.equalsIgnoreCase("Content-Length") || name.equalsIgnoreCase("Expect")) {
                continue; // OkHttp frames the body itself; the relay answered any 100-continue
            }
            if (rewriteHost && name.equalsIgnoreCase("Host")) {
                continue; // OkHttp writes the local target's host:port from the URL instead
            }
            acceptEncoding |= name.equalsIgnoreCase("Accept-Encoding");
            headers.addUnsafeNonAscii(name, h.value());
        }
        if (!acceptEncoding) {
            headers.add("Accept-Encoding", "identity"); // else OkHttp asks for gzip and unzips behind our back
        }
        String url = "http://" + stream.spec.localHost() + ":" + stream.spec.localPort() + open.target();
        return new Request.Builder().url(url).headers(headers.build()).method(open.method(), body()).build();
    }

    private RequestBody body() throws IOException {
        String method = open.method();
        if (method.equals("GET") || method.equals("HEAD") || upgrade) {
            if (!upgrade) {
                stream.discardInbound();
            }
            return null;
        }
        String length = open.header("Content-Length");
        if (length != null) {
            try {
                return new InboundBody(Long.parseLong(length.trim()));
            } catch (NumberFormatException e) {
                // the relay validated it; fall through to a streamed body of unknown length
            }
        }
        if (stream.inbound.awaitAny()) {
            return new InboundBody(-1);
        }
        return BODY_REQUIRED.contains(method) ? new InboundBody(0) : null;
    }

    /**
     * Copies the response body into DATA frames. A body of known length is sent in full 64 KiB frames
     * (okio reads 8 KiB at a time; every frame costs a WebSocket message). A body of unknown length —
     * chunked, server-sent events — is sent as it arrives, so nothing waits for a frame to fill.
     */
    private void copyBody(BufferedSource source, long contentLength) throws IOException {
        byte[] buf = new byte[FrameCodec.MAX_PAYLOAD];
        long remaining = contentLength;
        while (true) {
            if (remaining > 0) {
                source.request(Math.min(remaining, buf.length)); // fewer bytes only at the end of the body
            }
            int n = source.read(buf, 0, buf.length);
            if (n == -1) {
                return;
            }
            responseCapture.add(buf, 0, n); // before the write: the write hands buf on and we reuse it
            stream.write(buf, 0, n);
            bytesOut += n;
            remaining -= n;
        }
    }

    static boolean hasBody(String method, int status) {
        return !"HEAD".equals(method) && status >= 200 && status != 204 && status != 304;
    }

    private static List<Header> headers(Response response) {
        Headers h = response.headers();
        List<Header> out = new ArrayList<>(h.size());
        for (int i = 0; i < h.size(); i++) {
            out.add(new Header(h.name(i), h.value(i)));
        }
        return out;
    }

    /** The request body, read from the stream's inbound DATA until FIN; credit is granted after each write. */
    private final class InboundBody extends RequestBody {
        private final long length;

        InboundBody(long length) {
            this.length = length;
        }

        @Override
        public MediaType contentType() {
            return null; // the visitor's Content-Type header is forwarded as is
        }

        @Override
        public long contentLength() {
            return length;
        }

        @Override
        public boolean isOneShot() {
            return true;
        }

        @Override
        public void writeTo(BufferedSink sink) throws IOException {
            ByteBuffer chunk;
            while ((chunk = stream.inbound.take()) != null) {
                int n = chunk.remaining();
                requestCapture.add(chunk);
                sink.write(chunk);
                sink.flush();
                bytesIn += n;
                stream.consumed(n);
            }
        }
    }
}
