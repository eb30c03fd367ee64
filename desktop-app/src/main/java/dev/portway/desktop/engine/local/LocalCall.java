package dev.portway.desktop.engine.local;

import dev.portway.shared.protocol.Header;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * One request to a local app and its response, blocking, on the caller's thread (a stream's virtual thread).
 *
 * <p>The request goes out as {@link RequestHead#encode()} says, then the body framed as asked: raw after a
 * {@code Content-Length}, chunked, or none. A pooled connection that the app closed meanwhile costs nothing: when a
 * reused connection fails before any response byte arrived and the request so far is still kept (the head and up
 * to {@value #RETAIN} bytes of body), it is sent again once on a fresh connection. A fresh connection's failure is
 * the app's.
 *
 * <p>The response: {@link #send} returns the final head (interim 1xx other than 101 are dropped); {@link #read}
 * streams the body as it arrives and throws {@link TruncatedResponse} when the app ended it early (closed mid-body,
 * short {@code Content-Length}, unterminated chunks). A 101 turns the call into a byte pipe ({@link #upgrade}).
 *
 * <p>Thread contract: one thread calls {@link #send}, {@link #read} and {@link #close}; after {@link #upgrade} one
 * other thread may call {@link #writeRaw} and {@link #shutdownOutput}. {@link #abort} from any thread.
 */
public final class LocalCall implements AutoCloseable {
    /** Body bytes kept for a retry on a fresh connection. */
    static final int RETAIN = 64 * 1024;
    private static final byte[] CRLF = {'\r', '\n'};
    private static final byte[] LAST_CHUNK = "0\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    /** How a request body is framed on the wire. */
    public enum Framing {
        /** No body is sent (the body source is not read). */
        NONE,
        /** Raw bytes: the head carries the visitor's {@code Content-Length}. */
        LENGTH,
        /** {@code Transfer-Encoding: chunked}: the head carries that field. */
        CHUNKED
    }

    private final LocalLeg leg;
    private final String host;
    private final int port;
    private LocalConnection conn;
    private volatile boolean aborted;
    /** The wire bytes sent so far (head and framed body), while they fit; null once they did not. */
    private ByteArrayOutputStream retained;
    private boolean bodyDone;
    private boolean bodyAbandoned;
    private boolean keepAlive;
    private boolean complete;
    private boolean upgraded;
    private ByteBuf pending;
    private boolean endSeen;
    private TruncatedResponse truncation;
    /** The response's trailer section, once its end was read. */
    private List<Header> trailers = List.of();
    private InterimListener interim;

    /** Hears the interim answers (1xx other than 101) the app sends before its final one, in order. */
    @FunctionalInterface
    public interface InterimListener {
        /** @throws IOException to stop the call (the interim answer could not be passed on) */
        void interim(LocalResponse head) throws IOException;
    }

    /** Passes each interim answer to {@code listener} instead of dropping it. Before {@link #send}. */
    public LocalCall onInterim(InterimListener listener) {
        this.interim = listener;
        return this;
    }

    /** The trailer fields after the response body, in order as the app sent them; empty before the end or when none. */
    public List<Header> trailers() {
        return trailers;
    }

    /** Over h2c ({@link H2cConnections}): the request is a stream of the app's one HTTP/2 connection. */
    private final boolean h2c;

    LocalCall(LocalLeg leg, String host, int port) {
        this(leg, host, port, false);
    }

    LocalCall(LocalLeg leg, String host, int port, boolean h2c) {
        this.leg = leg;
        this.host = host;
        this.port = port;
        this.h2c = h2c;
    }

    /**
     * Sends the request and waits for the response head.
     *
     * @throws IOException when no response came: connect refused or timed out, reset or closed before answering
     */
    public LocalResponse send(RequestHead head, Framing framing, LocalBody body) throws IOException {
        if (h2c) {
            return sendH2(head, framing, body);
        }
        byte[] headBytes = head.encode();
        retained = new ByteArrayOutputStream(headBytes.length + 1024);
        retained.writeBytes(headBytes);
        conn = leg.pooled(host, port);
        boolean reused = conn != null;
        if (!reused) {
            conn = leg.connect(host, port);
        }
        while (true) {
            checkAborted();
            conn.uses++;
            conn.reset();
            conn.expect(head.method());
            try {
                conn.write(Unpooled.wrappedBuffer(retained.toByteArray()));
                conn.demand(); // an early answer is decoded while the body goes out
                sendBody(framing, body);
                return awaitHead(head.method());
            } catch (IOException e) {
                boolean retry = reused && !aborted && !conn.sawBytes() && retained != null;
                conn.close();
                if (!retry) {
                    throw e;
                }
                reused = false;
                conn = leg.connect(host, port);
            }
        }
    }

    /**
     * The request as one h2c stream: the head as HEADERS (END_STREAM when there is no body), the body as DATA, its
     * trailers as trailing HEADERS. Never sent twice (the connection was checked when the stream was opened).
     */
    private LocalResponse sendH2(RequestHead head, Framing framing, LocalBody body) throws IOException {
        checkAborted();
        conn = leg.h2cStream(host, port);
        var request = framing == Framing.NONE
                ? new io.netty.handler.codec.http.DefaultFullHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpMethod.valueOf(head.method()), head.target())
                : new io.netty.handler.codec.http.DefaultHttpRequest(io.netty.handler.codec.http.HttpVersion.HTTP_1_1,
                io.netty.handler.codec.http.HttpMethod.valueOf(head.method()), head.target());
        for (Header h : head.headers()) {
            request.headers().add(h.name(), h.value());
        }
        conn.write(request);
        try {
            conn.awaitLastWrite();
        } catch (IOException e) {
            // the connection went away before the stream began (the app restarted, or sent GOAWAY just now):
            // nothing of the request reached it, so it goes once more, on a fresh connection
            conn.close();
            checkAborted();
            conn = leg.h2cStream(host, port);
            conn.write(request);
        }
        conn.demand();
        sendBody(framing, body);
        return awaitHead(head.method());
    }

    private void sendBody(Framing framing, LocalBody body) throws IOException {
        if (framing == Framing.NONE) {
            bodyDone = true;
            return;
        }
        try {
            while (!bodyDone) {
                ByteBuffer chunk = body.next();
                if (chunk == null) {
                    bodyDone = true;
                    if (conn.h2()) {
                        var last = new io.netty.handler.codec.http.DefaultLastHttpContent(Unpooled.EMPTY_BUFFER);
                        for (Header h : body.trailers()) {
                            last.trailingHeaders().add(h.name(), h.value());
                        }
                        writeBody(last); // END_STREAM, on trailing HEADERS when there are trailers
                    } else if (framing == Framing.CHUNKED) {
                        byte[] last = lastChunk(body.trailers());
                        writeBody(Unpooled.wrappedBuffer(last), last);
                    }
                    break;
                }
                int n = chunk.remaining();
                if (n == 0) {
                    continue;
                }
                if (conn.h2()) {
                    writeBody(new io.netty.handler.codec.http.DefaultHttpContent(Unpooled.wrappedBuffer(chunk.duplicate())));
                } else if (framing == Framing.CHUNKED) {
                    byte[] size = (Integer.toHexString(n) + "\r\n").getBytes(StandardCharsets.US_ASCII);
                    writeBody(Unpooled.wrappedBuffer(Unpooled.wrappedBuffer(size), Unpooled.wrappedBuffer(chunk.duplicate()),
                            Unpooled.wrappedBuffer(CRLF)), size, chunk, CRLF);
                } else {
                    writeBody(Unpooled.wrappedBuffer(chunk.duplicate()), chunk);
                }
                body.sent(n);
            }
            conn.awaitLastWrite();
        } catch (EarlyAnswer e) {
            bodyAbandoned = true; // the app answered without waiting for the rest: this connection is done after it
        } catch (IOException e) {
            if (!conn.answered() || !conn.sawBytes()) {
                throw e;
            }
            bodyAbandoned = true; // it answered, then stopped reading: the answer counts
        }
    }

    /** The terminating chunk, with the trailer section when there are trailers (RFC 9112 §7.1.2). */
    static byte[] lastChunk(List<Header> trailers) {
        if (trailers.isEmpty()) {
            return LAST_CHUNK;
        }
        StringBuilder b = new StringBuilder("0\r\n");
        for (Header h : trailers) {
            b.append(h.name()).append(": ").append(h.value()).append("\r\n");
        }
        return b.append("\r\n").toString().getBytes(StandardCharsets.ISO_8859_1);
    }

    /** Writes one framed piece once the previous one is on the socket; keeps a copy while the retry budget lasts. */
    private void writeBody(Object wire, Object... parts) throws IOException {
        while (!conn.awaitLastWrite(50)) {
            checkAborted();
            if (conn.answered() && conn.sawBytes()) {
                ReferenceCountUtil.release(wire);
                throw new EarlyAnswer();
            }
        }
        if (retained != null) {
            long size = retained.size();
            for (Object p : parts) {
                size += p instanceof byte[] b ? b.length : ((ByteBuffer) p).remaining();
            }
            if (size > RETAIN + 16 * 1024 + LocalLeg.MAX_HEADER_BYTES) {
                retained = null;
            } else {
                for (Object p : parts) {
                    if (p instanceof byte[] b) {
                        retained.writeBytes(b);
                    } else {
                        ByteBuffer bb = ((ByteBuffer) p).duplicate();
                        byte[] copy = new byte[bb.remaining()];
                        bb.get(copy);
                        retained.writeBytes(copy);
                    }
                }
            }
        }
        conn.write(wire);
    }

    private LocalResponse awaitHead(String method) throws IOException {
        while (true) {
            checkAborted();
            Object m = conn.next();
            if (m == LocalConnection.EOF) {
                throw new IOException("it closed the connection before answering");
            }
            if (m instanceof HttpResponse r) {
                if (r.decoderResult().isFailure()) {
                    ReferenceCountUtil.release(m);
                    throw new IOException("it answered with something that is not HTTP: " + r.decoderResult().cause().getMessage());
                }
                int status = r.status().code();
                if (isInterim(status)) {
                    if (interim != null) {
                        interim.interim(new LocalResponse(status, r.status().reasonPhrase(), fields(r.headers())));
                    }
                    continue; // its LastHttpContent follows and is skipped below
                }
                keepAlive = !conn.h2() && HttpUtil.isKeepAlive(r) && !closeDelimited(r, method, status); // h2: a stream each
                List<Header> headers = fields(r.headers());
                retained = null; // answered: never sent again
                if (status == 101) {
                    keepAlive = false;
                }
                if (m instanceof LastHttpContent whole) {
                    // h2: the head ended the stream (HEADERS with END_STREAM, as in gRPC's trailers-only answer)
                    endSeen = true;
                    if (whole.content().isReadable()) {
                        pending = whole.content().retain();
                    }
                    ReferenceCountUtil.release(m);
                }
                return new LocalResponse(status, r.status().reasonPhrase(), headers);
            }
            ReferenceCountUtil.release(m); // the empty end of an interim answer
        }
    }

    /** The fields in order; without the {@code x-http2-*} ones Netty's h2 conversion adds (they are not the app's). */
    private static List<Header> fields(io.netty.handler.codec.http.HttpHeaders fields) {
        List<Header> out = new ArrayList<>(fields.size());
        for (Map.Entry<String, String> h : fields) {
            if (!h.getKey().regionMatches(true, 0, "x-http2-", 0, 8)) {
                out.add(new Header(h.getKey(), h.getValue()));
            }
        }
        return out;
    }

    /** A body that ends when the connection closes (no length, not chunked) cannot leave a reusable connection. */
    private static boolean closeDelimited(HttpResponse r, String method, int status) {
        boolean bodyless = "HEAD".equals(method) || status < 200 || status == 204 || status == 304;
        return !bodyless && !HttpUtil.isContentLengthSet(r) && !HttpUtil.isTransferEncodingChunked(r);
    }

    static boolean isInterim(int status) {
        return status >= 100 && status < 200 && status != 101;
    }

    /**
     * Reads response body bytes into {@code buf}: waits for the first, then takes whatever else already arrived
     * (a slow or event-stream body is handed on as it comes, never held back to fill {@code buf}).
     *
     * @return bytes read, or -1 at the end of a complete body
     * @throws TruncatedResponse when the app ended the body early (the bytes before it were returned by earlier calls)
     */
    public int read(byte[] buf) throws IOException {
        int n = 0;
        while (n < buf.length) {
            if (pending != null) {
                int take = Math.min(pending.readableBytes(), buf.length - n);
                pending.readBytes(buf, n, take);
                n += take;
                if (!pending.isReadable()) {
                    pending.release();
                    pending = null;
                }
                continue;
            }
            if (endSeen) {
                complete = true;
                break;
            }
            if (truncation != null) {
                if (n > 0) {
                    break;
                }
                throw truncation;
            }
            Object m;
            try {
                m = n == 0 ? conn.next() : conn.poll();
            } catch (IOException e) {
                truncation = new TruncatedResponse("the connection broke during the response: " + e.getMessage());
                continue;
            }
            if (m == null) {
                break;
            }
            if (m == LocalConnection.EOF) {
                truncation = new TruncatedResponse("it closed the connection before the end of the response");
                continue;
            }
            if (m instanceof HttpContent c) {
                if (c.decoderResult().isFailure()) {
                    truncation = new TruncatedResponse("the response ended early: " + c.decoderResult().cause().getMessage());
                } else {
                    if (c.content().isReadable()) {
                        pending = c.content().retain();
                    }
                    endSeen = c instanceof LastHttpContent;
                    if (c instanceof LastHttpContent last && !last.trailingHeaders().isEmpty()) {
                        trailers = List.copyOf(fields(last.trailingHeaders()));
                    }
                }
            }
            ReferenceCountUtil.release(m);
        }
        return n == 0 && complete ? -1 : n;
    }

    /**
     * Whether the whole body has been read: the next {@link #read} returns -1 without waiting. Lets the caller send
     * the last bytes as the end of the stream. Reading thread only.
     */
    public boolean atEnd() {
        if (pending == null && endSeen) {
            complete = true;
            return true;
        }
        return false;
    }

    /** After a 101: the codec leaves the connection, which becomes a raw byte pipe both ways. */
    public void upgrade() {
        upgraded = true;
        keepAlive = false;
        conn.upgrade();
    }

    /** Upgraded only: raw bytes from the app; -1 when it closed or half-closed its side. */
    public int readRaw(byte[] buf) throws IOException {
        while (true) {
            if (pending != null) {
                int take = Math.min(pending.readableBytes(), buf.length);
                pending.readBytes(buf, 0, take);
                if (!pending.isReadable()) {
                    pending.release();
                    pending = null;
                }
                return take;
            }
            Object m = conn.next();
            if (m == LocalConnection.EOF) {
                return -1;
            }
            ByteBuf b = m instanceof ByteBuf raw ? raw : m instanceof HttpContent c ? c.content() : null;
            if (b != null && b.isReadable()) {
                pending = b.retain();
            }
            ReferenceCountUtil.release(m);
        }
    }

    /** Upgraded only: sends raw bytes to the app, waiting until the previous ones reached the socket. */
    public void writeRaw(ByteBuffer chunk) throws IOException {
        conn.write(Unpooled.wrappedBuffer(chunk));
    }

    /** Upgraded only: half-closes towards the app once everything written reached it. */
    public void shutdownOutput() throws IOException {
        conn.shutdownOutput();
    }

    /** Stops the call from any thread: the connection closes and blocked calls return or throw. */
    public void abort() {
        aborted = true;
        LocalConnection c = conn;
        if (c != null) {
            c.channel.close();
        }
    }

    private void checkAborted() throws IOException {
        if (aborted) {
            throw new IOException("the request was cancelled");
        }
    }

    /** Gives the connection back for reuse when the exchange completed cleanly, else closes it. */
    @Override
    public void close() {
        if (pending != null) {
            pending.release();
            pending = null;
        }
        LocalConnection c = conn;
        if (c == null) {
            return;
        }
        conn = null;
        if (complete && keepAlive && bodyDone && !bodyAbandoned && !upgraded && !aborted && c.isOpen()) {
            leg.release(c);
        } else {
            c.close();
        }
    }

    /** The response body ended before its end: the bytes so far were real, the rest never came. */
    public static final class TruncatedResponse extends IOException {
        TruncatedResponse(String message) {
            super(message);
        }
    }

    private static final class EarlyAnswer extends IOException {
        EarlyAnswer() {
            super("answered early", null);
        }
    }
}
