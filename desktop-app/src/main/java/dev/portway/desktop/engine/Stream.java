package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.FlowWindow;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import dev.portway.shared.stream.SendCredit;

import java.io.IOException;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One stream of a {@link Session}: a visitor request (HTTP) or connection (TCP).
 *
 * <p>Method names follow PROTOCOL.md "Names in the code": {@code sendX} writes a frame, {@code onX} handles
 * one that arrived. Outbound ({@link #sendReply}, {@link #sendData}, {@link #sendFin}) is called by the one handler
 * thread that owns the stream's outbound direction. {@link #sendRst}, {@link #onRst} and {@link #onSessionGone} may
 * come from any thread; the first end wins. Inbound DATA lands in {@link #inbound} (bounded by our stream window).
 */
final class Stream {
    final int id;
    final OpenMessage open;
    final TunnelSpec spec;
    final StreamInbound inbound;
    private final Session session;
    private final FlowWindow flow;
    private final AtomicBoolean finSent = new AtomicBoolean();
    private final AtomicBoolean finReceived = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private volatile ErrorCode abortCode;
    private volatile Runnable onAbort = () -> { };

    Stream(int id, OpenMessage open, TunnelSpec spec, Session session, int peerStreamWindow, int ourStreamWindow) {
        this.id = id;
        this.open = open;
        this.spec = spec;
        this.session = session;
        this.flow = new FlowWindow(peerStreamWindow, ourStreamWindow);
        this.inbound = new StreamInbound(ourStreamWindow);
    }

    /** The user the relay said this session's token belongs to (its welcome), or null (an older relay). */
    String user() {
        var w = session == null ? null : session.welcome().getNow(null);
        return w == null ? null : w.user();
    }

    // ---- outbound (handler thread)

    void sendReply(ReplyMessage reply) throws IOException {
        sendReply(reply, false);
    }

    /** REPLY; with {@code last} the stream's outbound direction ends with it (no body follows): END flag or FIN. */
    void sendReply(ReplyMessage reply, boolean last) throws IOException {
        checkOpen();
        if (last && session.endFlag() && finSent.compareAndSet(false, true)) {
            session.send(Frame.reply(id, reply).withEnd());
            maybeDone();
            return;
        }
        session.send(Frame.reply(id, reply));
        if (last) {
            sendFin();
        }
    }

    /** Sends {@code len} bytes as DATA frames of at most 64 KiB, waiting for stream and session credit. */
    void sendData(byte[] bytes, int off, int len) throws IOException {
        sendData(bytes, off, len, false);
    }

    /**
     * As {@link #sendData(byte[], int, int)}; with {@code last} these are the body's last bytes and the outbound direction
     * ends with them: the last DATA carries the END flag (when the relay agreed to it), else FIN follows.
     */
    void sendData(byte[] bytes, int off, int len, boolean last) throws IOException {
        while (len > 0) {
            checkOpen();
            int m = awaitCredit(len);
            Frame data = Frame.data(id, bytes, off, m);
            off += m;
            len -= m;
            if (len == 0 && last && session.endFlag() && finSent.compareAndSet(false, true)) {
                session.sendData(data.withEnd());
                maybeDone();
                return;
            }
            session.sendData(data);
        }
        if (last) {
            sendFin();
        }
    }

    void sendFin() throws IOException {
        sendFin(java.util.List.of());
    }

    /** FIN carrying the response's trailer fields when the relay agreed to them (PROTOCOL.md §3.2); else a plain FIN. */
    void sendFin(java.util.List<dev.portway.shared.protocol.Header> trailers) throws IOException {
        checkOpen();
        if (finSent.compareAndSet(false, true)) {
            session.send(session.trailers() ? Frame.fin(id, trailers) : Frame.fin(id));
            maybeDone();
        }
    }

    /**
     * An interim answer (1xx other than 101) before the final REPLY, when the relay agreed to them (PROTOCOL.md §3.2).
     *
     * @return false when the relay did not agree (the answer is dropped, as before)
     */
    boolean sendInterim(ReplyMessage interim) throws IOException {
        checkOpen();
        if (!session.interim()) {
            return false;
        }
        session.send(Frame.reply(id, interim));
        return true;
    }

    /** Whether the relay carries trailers (PROTOCOL.md §3.2): then TE: trailers reaches the app and trailers go both ways. */
    boolean trailers() {
        return session.trailers();
    }

    /** Aborts the stream from our side: sends RST and stops the handler's local work. */
    void sendRst(ErrorCode code, String message) {
        if (ended.compareAndSet(false, true)) {
            abortCode = code;
            session.trySend(Frame.rst(id, code, message));
            teardown(new IOException("stream " + id + " reset: " + message));
        }
    }

    /**
     * Runs {@code action} (from any thread) when the stream is aborted — RST sent or received, or its session ended;
     * replaces the previous one.
     */
    void onAbort(Runnable action) {
        this.onAbort = action;
        if (abortCode != null) {
            action.run();
        }
    }

    /** Grants credit back for {@code n} inbound bytes written onward. */
    void consumed(int n) {
        if (n <= 0) {
            return;
        }
        int inc = flow.consumed(n);
        if (inc > 0 && !finReceived.get() && !ended.get()) {
            session.trySend(Frame.windowUpdate(id, inc));
        }
        session.consumed(n);
    }

    /** Drops all inbound bytes from now on, granting their credit back. */
    void discardInbound() {
        consumed(inbound.discard());
    }

    /**
     * Treats the inbound direction as finished without a FIN: for an upgrade request that got an
     * ordinary answer, the relay sends no FIN (it would have half-closed the pipe).
     */
    void abandonInbound() {
        discardInbound();
        finReceived.set(true);
        maybeDone();
    }

    /** Whether the stream ended by RST (either way) or with its session. */
    boolean isAborted() {
        return abortCode != null;
    }

    ErrorCode abortCode() {
        return abortCode;
    }

    String localTarget() {
        return spec.localTarget();
    }

    // ---- inbound (reader thread)

    /** @throws IllegalStateException when the relay exceeded the stream's credit */
    void onData(Frame frame) throws dev.portway.shared.protocol.ProtocolException {
        int n = frame.payloadLength();
        flow.received(n);
        if (!inbound.offer(frame.payload())) {
            consumed(n);
        }
    }

    void onWindowUpdate(int increment) throws dev.portway.shared.protocol.ProtocolException {
        flow.grant(increment);
    }

    void onFin() {
        finReceived.set(true);
        inbound.finish();
        maybeDone();
    }

    /** A FIN arrived; its trailer block (PROTOCOL.md §3.2), if any, goes to the local app after the body. */
    void onFin(Frame fin) {
        try {
            inbound.trailers(fin.finTrailers());
        } catch (dev.portway.shared.protocol.ProtocolException e) {
            sendRst(ErrorCode.PROTOCOL_ERROR, e.getMessage());
            return;
        }
        onFin();
    }

    /** The relay sent RST. Sends nothing. */
    void onRst(ErrorCode code, String message) {
        abort(code, message.isEmpty() ? "stream reset by the relay (" + code.wireName() + ")" : message);
    }

    /** The session ended before the stream did. Sends nothing. */
    void onSessionGone() {
        abort(ErrorCode.CANCEL, "the connection to the relay was lost");
    }

    private void abort(ErrorCode code, String message) {
        if (ended.compareAndSet(false, true)) {
            abortCode = code;
            teardown(new IOException(message));
        }
    }

    private void teardown(IOException cause) {
        session.consumed(inbound.fail(cause));
        flow.close();
        session.streamEnded(this);
        try {
            onAbort.run();
        } catch (RuntimeException e) {
            Session.LOG.debug("stream {}: cancel action failed", id, e);
        }
    }

    private void maybeDone() {
        if (finSent.get() && finReceived.get() && ended.compareAndSet(false, true)) {
            flow.close();
            session.streamEnded(this);
        }
    }

    private void checkOpen() throws IOException {
        if (abortCode != null) {
            throw new StreamResetException(abortCode);
        }
    }

    /** Waits for stream and session credit: bytes that may go in the next DATA (at most one frame). */
    private int awaitCredit(int wanted) throws IOException {
        try {
            int n = SendCredit.awaitTake(flow, session.sendFlow(), wanted);
            if (n < 0) {
                checkOpen();
                throw new StreamResetException(ErrorCode.CANCEL);
            }
            return n;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new java.io.InterruptedIOException("interrupted while waiting for flow-control credit");
        }
    }

    /** The stream ended abnormally while the handler was using it. */
    static final class StreamResetException extends IOException {
        final ErrorCode code;

        StreamResetException(ErrorCode code) {
            super("stream reset (" + code.wireName() + ")");
            this.code = code;
        }
    }
}
