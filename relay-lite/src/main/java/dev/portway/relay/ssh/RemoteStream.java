package dev.portway.relay.ssh;

import dev.portway.relay.tunnel.StreamListener;
import dev.portway.relay.tunnel.TunnelStream;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.EventLoop;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.RejectedExecutionException;

/**
 * One visitor stream carried by an {@code ssh -R} client over a {@link ForwardedChannel}. For a TCP tunnel the
 * bytes pass as they are; for an HTTP tunnel the relay speaks HTTP/1.1 to the client's local target itself
 * (one request per channel, {@code Connection: close}): the request head of the OPEN is encoded, the
 * response head becomes the REPLY the ingress expects.
 *
 * <p>Threads: all state lives on the visitor's event loop; the channel's callbacks hop there.
 * Limits: visitor bytes wait in {@code out} while a write to the channel is outstanding, and the visitor
 * is told to stop reading above {@link #HIGH_WATER} bytes; bytes from the client are released to its SSH
 * window only once the visitor's socket took them.
 */
final class RemoteStream implements TunnelStream, ForwardedChannel.Sink {
    static final int HIGH_WATER = 64 * 1024;
    private static final Set<String> BODYLESS = Set.of("GET", "HEAD", "OPTIONS", "TRACE", "DELETE", "CONNECT");

    private final EventLoop loop;
    private final StreamListener listener;
    private final OpenMessage open;
    private ForwardedChannel channel;
    /** HTTP tunnels until a 101: the HTTP/1.1 client codec; null for raw bytes. */
    private EmbeddedChannel http;

    // Visitor loop only.
    private final ArrayDeque<byte[]> out = new ArrayDeque<>();
    private int queued;
    private boolean writing;
    private boolean blocked;
    private boolean finQueued;
    private boolean eofSent;
    private boolean opened;
    private boolean replied;
    private boolean finReceived;
    private boolean ended;
    /** HTTP: raw bytes from the client not yet released, and decoded bytes the visitor has not consumed. */
    private long rawHeld;
    private long decodedOut;

    RemoteStream(EventLoop loop, StreamListener listener, OpenMessage open) {
        this.loop = loop;
        this.listener = listener;
        this.open = open;
    }

    /** Called once, before the channel is opened (any thread; happens-before via the channel open). */
    void attach(ForwardedChannel channel) {
        this.channel = channel;
    }

    /** Visitor loop: encodes the request head of an HTTP stream. */
    void startHttp() {
        http = new EmbeddedChannel(new HttpClientCodec(4096, 64 * 1024, 16 * 1024));
        HttpRequest req = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.valueOf(open.method()), open.target());
        for (Header h : open.headers()) {
            req.headers().add(h.name(), h.value());
        }
        if (!req.headers().contains("Content-Length") && !BODYLESS.contains(open.method())) {
            HttpUtil.setTransferEncodingChunked(req, true);
        }
        req.headers().set("Connection", "close");
        encode(req);
    }

    private void encode(Object httpObject) {
        http.writeOutbound(httpObject);
        ByteBuf b;
        while ((b = http.readOutbound()) != null) {
            enqueue(b);
        }
    }

    private void enqueue(ByteBuf b) {
        try {
            if (b.isReadable()) {
                byte[] bytes = ByteBufUtil.getBytes(b);
                out.add(bytes);
                queued += bytes.length;
            }
        } finally {
            b.release();
        }
    }

    // ---- visitor → client (visitor loop)

    @Override
    public boolean sendData(ByteBuf bytes) {
        if (ended || finQueued) {
            ReferenceCountUtil.release(bytes);
            return true;
        }
        if (http != null) {
            encode(new DefaultHttpContent(bytes));
        } else {
            enqueue(bytes);
        }
        pump();
        if (queued >= HIGH_WATER) {
            blocked = true;
            return false;
        }
        return true;
    }

    @Override
    public void sendFin() {
        if (ended || finQueued) {
            return;
        }
        if (http != null) {
            encode(LastHttpContent.EMPTY_LAST_CONTENT);
            finQueued = true; // a request is over at its last content; the channel stays open for the answer
            eofSent = true;
        } else {
            finQueued = true;
        }
        pump();
    }

    @Override
    public void sendRst(ErrorCode code, String message) {
        if (!ended) {
            end();
            channel.close(true);
        }
    }

    @Override
    public void consumed(int n) {
        if (http == null) {
            channel.release(n);
            return;
        }
        decodedOut -= n;
        if (decodedOut <= 0 && rawHeld > 0) {
            channel.release(rawHeld);
            rawHeld = 0;
        }
    }

    private void pump() {
        if (!opened || writing || ended) {
            return;
        }
        byte[] next = out.poll();
        if (next == null) {
            if (finQueued && !eofSent) {
                eofSent = true;
                try {
                    channel.eof();
                } catch (java.io.IOException e) {
                    fail(ErrorCode.TARGET_ERROR, "The ssh client went away.");
                }
            }
            return;
        }
        writing = true;
        try {
            channel.write(next).addListener(f -> execute(() -> {
                writing = false;
                queued -= next.length;
                if (!f.isWritten()) {
                    fail(ErrorCode.TARGET_ERROR, "The ssh client went away.");
                    return;
                }
                pump();
                if (blocked && queued < HIGH_WATER / 2 && !ended) {
                    blocked = false;
                    listener.onWritable();
                }
            }));
        } catch (java.io.IOException e) {
            writing = false;
            fail(ErrorCode.TARGET_ERROR, "The ssh client went away.");
        }
    }

    // ---- client → visitor (SSHD threads, handed to the visitor loop)

    @Override
    public void opened() {
        execute(() -> {
            if (ended) {
                return;
            }
            opened = true;
            if (http == null) {
                replied = true;
                listener.onReply(ReplyMessage.tcpAccepted());
            }
            pump();
        });
    }

    @Override
    public void openFailed(Throwable cause) {
        execute(() -> fail(ErrorCode.TARGET_UNREACHABLE,
                "The ssh client that publishes this tunnel could not reach its local target."));
    }

    @Override
    public void data(byte[] bytes) {
        if (!execute(() -> onData(bytes))) {
            channel.release(bytes.length);
        }
    }

    private void onData(byte[] bytes) {
        if (ended || finReceived) {
            channel.release(bytes.length);
            return;
        }
        if (http == null) {
            listener.onData(Unpooled.wrappedBuffer(bytes));
            return;
        }
        rawHeld += bytes.length;
        http.writeInbound(Unpooled.wrappedBuffer(bytes));
        drainInbound();
        if (decodedOut <= 0 && rawHeld > 0 && !ended) {
            channel.release(rawHeld); // head bytes, or a body the visitor already took
            rawHeld = 0;
        }
    }

    private void drainInbound() {
        Object o;
        while (!ended && (o = http.readInbound()) != null) {
            try {
                switch (o) {
                    case HttpResponse r when !replied -> {
                        if (r.decoderResult().isFailure()) {
                            fail(ErrorCode.TARGET_ERROR, "The app behind this tunnel sent a response that is not HTTP/1.x.");
                            return;
                        }
                        replied = true;
                        List<Header> headers = new ArrayList<>();
                        for (Map.Entry<String, String> e : r.headers()) {
                            if (!e.getKey().equalsIgnoreCase("Connection") || r.status().code() == 101) {
                                headers.add(new Header(e.getKey(), e.getValue()));
                            }
                        }
                        listener.onReply(ReplyMessage.http(r.status().code(), r.status().reasonPhrase(), headers));
                        if (r.status().code() == 101) {
                            upgraded(o);
                            return;
                        }
                    }
                    case HttpContent c -> {
                        ByteBuf content = c.content();
                        if (content.isReadable()) {
                            decodedOut += content.readableBytes();
                            listener.onData(content.retain());
                        }
                        if (c instanceof LastHttpContent) {
                            finReceived = true;
                            listener.onFin();
                            end();
                            channel.close(false);
                        }
                    }
                    case ByteBuf raw -> {
                        decodedOut += raw.readableBytes();
                        listener.onData(raw.retain());
                    }
                    default -> {
                    }
                }
            } finally {
                ReferenceCountUtil.release(o);
            }
        }
    }

    /** A 101: from now on bytes pass both ways as they are (the codec hands over what it read past the head). */
    private void upgraded(Object response) {
        Object o;
        while ((o = http.readInbound()) != null) {
            if (o instanceof ByteBuf raw && raw.isReadable()) {
                decodedOut += raw.readableBytes();
                listener.onData(raw.retain());
            } else if (o instanceof HttpContent c && c.content().isReadable()) {
                decodedOut += c.content().readableBytes();
                listener.onData(c.content().retain());
            }
            ReferenceCountUtil.release(o);
        }
        http.finishAndReleaseAll();
        http = null;
        finQueued = false;
        eofSent = false;
        long held = rawHeld;
        rawHeld = 0;
        channel.release(held);
    }

    @Override
    public void eof() {
        execute(() -> {
            if (ended || finReceived) {
                return;
            }
            if (http != null) {
                http.finish(); // a body that ends with the connection
                drainInbound();
                if (!ended) {
                    fail(ErrorCode.TARGET_ERROR, "The app behind this tunnel closed the connection without a complete answer.");
                }
                return;
            }
            finReceived = true;
            listener.onFin();
        });
    }

    @Override
    public void closed() {
        execute(() -> {
            if (!ended) {
                if (finReceived && eofSent) {
                    end();
                } else {
                    fail(ErrorCode.TARGET_ERROR, "The ssh client closed the connection.");
                }
            }
        });
    }

    private void fail(ErrorCode code, String message) {
        if (ended) {
            return;
        }
        end();
        if (channel != null) {
            channel.close(true);
        }
        listener.onRst(code, message);
    }

    private void end() {
        ended = true;
        out.clear();
        queued = 0;
        if (http != null) {
            http.finishAndReleaseAll();
        }
        if (channel != null && rawHeld > 0) {
            channel.release(rawHeld);
            rawHeld = 0;
        }
    }

    private boolean execute(Runnable task) {
        try {
            loop.execute(task);
            return true;
        } catch (RejectedExecutionException e) {
            return false;
        }
    }
}
