package dev.portway.relay.tunnel;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FlowWindow;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ProtocolException;
import dev.portway.shared.protocol.ReplyMessage;
import dev.portway.shared.stream.SendCredit;
import io.netty.buffer.ByteBuf;
import io.netty.channel.EventLoop;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;
import java.util.concurrent.RejectedExecutionException;

/**
 * One stream of a session, as seen from the relay (PROTOCOL.md §5, §6).
 *
 * <p>Threads: the visitor-facing methods ({@link #sendData}, {@link #sendFin}, {@link #sendRst},
 * {@link #consumed}; names as in PROTOCOL.md "Names in the code") run on the visitor's event loop; frames from the client arrive on the session's
 * loop and are handed over to the visitor's loop, where all mutable state here lives. Flow windows
 * are thread-safe.
 *
 * <p>Limits: bytes read from the visitor beyond the available credit wait in {@code pending}; the
 * caller stops reading as soon as {@link #sendData} returns false, so that queue holds at most what one
 * socket read produced.
 */
public final class RelayStream implements TunnelStream {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(RelayStream.class);
    private final Session session;
    private final int id;
    private final EventLoop loop;
    private final StreamListener listener;
    /** Send side: the client's stream window; receive side: the relay's. */
    final FlowWindow flow;

    // Visitor loop only.
    private final ArrayDeque<ByteBuf> pending = new ArrayDeque<>();
    private boolean finQueued;
    private boolean finSent;
    private boolean finReceived;
    private boolean replied;
    /** Interim REPLYs received so far (PROTOCOL.md §3.2). */
    private int interims;
    /** The request's trailer fields, sent on the FIN (only to a client that agreed to trailers). */
    private java.util.List<Header> finTrailers = java.util.List.of();
    private boolean ended;

    RelayStream(Session session, int id, EventLoop loop, StreamListener listener, int sendWindow, int receiveWindow) {
        this.session = session;
        this.id = id;
        this.loop = loop;
        this.listener = listener;
        this.flow = new FlowWindow(sendWindow, receiveWindow);
    }

    public int id() {
        return id;
    }

    public boolean isEnded() {
        return ended;
    }

    // ---- visitor → client (visitor loop)

    /**
     * Sends visitor bytes as DATA as far as credit and the WebSocket allow; keeps the rest.
     *
     * @return false when the caller must stop reading until {@link StreamListener#onWritable()}
     */
    @Override
    public boolean sendData(ByteBuf bytes) {
        if (ended || finQueued) {
            ReferenceCountUtil.release(bytes);
            return true;
        }
        if (bytes.isReadable()) {
            pending.add(bytes);
        } else {
            bytes.release();
        }
        return drain();
    }

    /** The relay sent OPEN with the END flag, or FIN right after it (a request without a body). Before publication. */
    void finishedAtOpen() {
        finQueued = true;
        finSent = true;
    }

    /** The visitor's last bytes, then half-close: the last DATA carries the END flag when the client agreed to it. */
    @Override
    public boolean sendData(ByteBuf bytes, boolean last) {
        if (!last) {
            return sendData(bytes);
        }
        if (ended || finQueued) {
            ReferenceCountUtil.release(bytes);
            return true;
        }
        if (bytes.isReadable()) {
            pending.add(bytes);
        } else {
            bytes.release();
        }
        finQueued = true;
        return drain();
    }

    /** Half-closes towards the client (FIN) once pending bytes are sent. */
    @Override
    public void sendFin() {
        if (ended || finQueued) {
            return;
        }
        finQueued = true;
        drain();
    }

    /** FIN with the visitor's trailer fields, when the client agreed to them (PROTOCOL.md §3.2). */
    @Override
    public void sendFin(java.util.List<Header> trailers) {
        if (ended || finQueued) {
            return;
        }
        if (session.trailers && trailers != null) {
            finTrailers = java.util.List.copyOf(trailers);
        }
        sendFin();
    }

    /** Aborts the stream towards the client; the listener hears nothing more. */
    @Override
    public void sendRst(ErrorCode code, String message) {
        if (ended) {
            return;
        }
        session.send(Frame.rst(id, code, message));
        session.ctx.metrics().error(code);
        end();
    }

    /** The listener wrote {@code n} bytes of client DATA onward: grant the credit back. */
    @Override
    public void consumed(int n) {
        if (n <= 0) {
            return;
        }
        int inc = flow.consumed(n);
        if (inc > 0 && !ended) {
            session.send(Frame.windowUpdate(id, inc));
        }
        session.consumed(n);
    }

    private boolean drain() {
        while (!pending.isEmpty()) {
            if (ended) {
                return true;
            }
            ByteBuf head = pending.peek();
            int n = acquire(head.readableBytes());
            if (n == 0) {
                session.markBlocked(this);
                n = acquire(head.readableBytes()); // credit may have come in meanwhile: no lost wake-up
                if (n == 0) {
                    return false;
                }
            }
            boolean whole = n == head.readableBytes();
            ByteBuf part = whole ? pending.poll() : head.readRetainedSlice(n);
            boolean end = whole && finQueued && pending.isEmpty() && session.endFlag && finTrailers.isEmpty();
            session.sendData(id, part, end);
            if (end) {
                finSent = true; // DATA with END is the FIN (PROTOCOL.md §3.1)
                endIfDone();
                return true;
            }
        }
        if (finQueued && !finSent && !ended) {
            finSent = true;
            session.send(Frame.fin(id, finTrailers));
            endIfDone();
        }
        return true;
    }

    /** Credit for the next DATA: none while the WebSocket is full, else what both windows allow (one frame at most). */
    private int acquire(int wanted) {
        return session.isWritable() ? SendCredit.tryTake(flow, session.flow, wanted) : 0;
    }

    /** Visitor loop: credit or room came back. */
    void wake() {
        execute(() -> {
            if (!ended && drain()) {
                listener.onWritable();
            }
        });
    }

    // ---- client → visitor (arrive on the session loop)

    /** @param end the REPLY carried the END flag: the client's direction ends with it (PROTOCOL.md §3.1) */
    void onReply(java.nio.ByteBuffer payload, boolean end) {
        ReplyMessage reply;
        try {
            reply = Json.read(payload, ReplyMessage.class);
        } catch (ProtocolException e) {
            protocolViolation(ErrorCode.PROTOCOL_ERROR, e.getMessage());
            return;
        }
        execute(() -> {
            if (ended) {
                return;
            }
            if (replied) {
                violate(ErrorCode.PROTOCOL_ERROR, "second REPLY on stream " + id);
                return;
            }
            if (isInterim(reply) && !end) {
                if (++interims > Protocol.MAX_INTERIM) {
                    log.warn("Stream {} reset: the client sent more than {} interim responses (1xx) before the final one",
                            id, Protocol.MAX_INTERIM);
                    violate(ErrorCode.PROTOCOL_ERROR, "more than " + Protocol.MAX_INTERIM + " interim REPLYs on stream " + id);
                    return;
                }
                listener.onInterim(reply);
                return;
            }
            replied = true;
            if (end) {
                finReceived = true;
            }
            listener.onReply(reply, end);
            if (end) {
                endIfDone();
            }
        });
    }

    void onData(ByteBuf data) {
        int n = data.readableBytes();
        try {
            flow.received(n);
        } catch (ProtocolException e) {
            data.release();
            session.consumed(n); // dropped: give the session its credit back
            protocolViolation(ErrorCode.FLOW_CONTROL, e.getMessage());
            return;
        }
        if (!execute(() -> {
            if (ended) {
                data.release();
                session.consumed(n);
            } else if (!replied || finReceived) {
                data.release();
                session.consumed(n);
                violate(ErrorCode.PROTOCOL_ERROR, (replied ? "DATA after FIN" : "DATA before REPLY") + " on stream " + id);
            } else {
                listener.onData(data);
            }
        })) {
            data.release();
        }
    }

    void onFin() {
        onFin(java.util.List.of());
    }

    /** A FIN arrived; it may carry the response's trailer fields (PROTOCOL.md §3.2). */
    void onFin(Frame fin) {
        java.util.List<Header> trailers;
        try {
            trailers = fin.finTrailers();
        } catch (ProtocolException e) {
            protocolViolation(ErrorCode.PROTOCOL_ERROR, e.getMessage());
            return;
        }
        onFin(trailers);
    }

    private void onFin(java.util.List<Header> trailers) {
        execute(() -> {
            if (ended || finReceived) {
                return;
            }
            if (!replied) {
                violate(ErrorCode.PROTOCOL_ERROR, "FIN before REPLY on stream " + id);
                return;
            }
            finReceived = true;
            listener.onFin(trailers);
            endIfDone();
        });
    }

    /** An interim HTTP answer (PROTOCOL.md §3.2): 1xx other than 101, from a client that agreed to send them. */
    private boolean isInterim(ReplyMessage reply) {
        return session.interim && reply.status() != null && reply.status() >= 100 && reply.status() < 200
                && reply.status() != 101;
    }

    void onRst(ErrorCode code, String message) {
        session.ctx.metrics().error(code);
        execute(() -> {
            if (!ended) {
                end();
                listener.onRst(code, message);
            }
        });
    }

    void onSessionGone() {
        execute(() -> {
            if (!ended) {
                end();
                listener.onSessionGone();
            }
        });
    }

    /** WINDOW_UPDATE for this stream arrived (session loop). */
    void onWindowUpdate(int increment) {
        try {
            flow.grant(increment);
            wake();
        } catch (ProtocolException e) {
            protocolViolation(ErrorCode.FLOW_CONTROL, e.getMessage());
        }
    }

    private void protocolViolation(ErrorCode code, String message) {
        execute(() -> violate(code, message));
    }

    /** Visitor loop: the client broke the protocol on this stream; RST it and tell the visitor side. */
    private void violate(ErrorCode code, String message) {
        if (!ended) {
            sendRst(code, message);
            listener.onRst(code, message);
        }
    }

    private void endIfDone() {
        if (finSent && finReceived) {
            end();
        }
    }

    private void end() {
        ended = true;
        ByteBuf b;
        while ((b = pending.poll()) != null) {
            b.release();
        }
        session.streamEnded(this);
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
