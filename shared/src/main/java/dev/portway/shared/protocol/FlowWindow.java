package dev.portway.shared.protocol;

/**
 * Credit-based flow control bookkeeping for one direction of one stream (or of a whole session),
 * as specified in {@code shared/PROTOCOL.md} §5. Both ends use it: the sender to know how much it may
 * send, the receiver to police the peer and decide when to grant more.
 *
 * <p>Thread-safe: all methods synchronize on this object; {@link #awaitSendCredit} waits on it.
 */
public final class FlowWindow {
    private final int window;
    /** Sender side: bytes we may still send. */
    private long sendCredit;
    /** Receiver side: bytes the peer may still send before it must wait for an update. */
    private long receiveCredit;
    /** Receiver side: bytes consumed but not yet granted back. */
    private long unacknowledged;
    private boolean closed;

    /**
     * @param sendWindow    the credit the peer granted us initially (its declared receive window)
     * @param receiveWindow the credit we grant the peer initially (our declared receive window)
     */
    public FlowWindow(int sendWindow, int receiveWindow) {
        this.sendCredit = sendWindow;
        this.receiveCredit = receiveWindow;
        this.window = receiveWindow;
    }

    // ---- sender side

    /** Takes up to {@code wanted} bytes of credit without waiting; returns how many were taken (maybe 0). */
    public synchronized int tryAcquire(int wanted) {
        int n = (int) Math.min(wanted, sendCredit);
        if (n > 0) {
            sendCredit -= n;
        }
        return n;
    }

    /**
     * Waits until some credit is available (or the window is closed) and takes up to {@code wanted}.
     *
     * @return bytes taken, at least 1; or -1 once {@link #close()} was called
     */
    public synchronized int awaitSendCredit(int wanted) throws InterruptedException {
        while (sendCredit <= 0 && !closed) {
            wait();
        }
        if (closed) {
            return -1;
        }
        return tryAcquire(wanted);
    }

    /** Returns credit taken but not used (e.g. a partial read). */
    public synchronized void giveBack(int n) {
        sendCredit += n;
        notifyAll();
    }

    /**
     * Applies a WINDOW_UPDATE from the peer.
     *
     * @throws ProtocolException if the credit would exceed 2^31-1 (FLOW_CONTROL)
     */
    public synchronized void grant(int increment) throws ProtocolException {
        if (sendCredit + increment > Integer.MAX_VALUE) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL, "window update overflows the window past 2^31-1");
        }
        sendCredit += increment;
        notifyAll();
    }

    public synchronized long sendCredit() {
        return sendCredit;
    }

    // ---- receiver side

    /**
     * Records {@code n} bytes received from the peer.
     *
     * @throws ProtocolException if the peer sent more than the credit it had (FLOW_CONTROL)
     */
    public synchronized void received(int n) throws ProtocolException {
        if (n > receiveCredit) {
            throw new ProtocolException(ErrorCode.FLOW_CONTROL,
                    "peer sent " + n + " bytes with only " + receiveCredit + " bytes of credit");
        }
        receiveCredit -= n;
    }

    /**
     * Records that {@code n} received bytes were consumed (written onward).
     *
     * @return the increment to send in a WINDOW_UPDATE now, or 0 when it is not worth one yet
     *     (updates are batched until half the window has been consumed)
     */
    public synchronized int consumed(int n) {
        unacknowledged += n;
        if (unacknowledged >= Math.max(1, window / 2)) {
            int increment = (int) unacknowledged;
            unacknowledged = 0;
            receiveCredit += increment;
            return increment;
        }
        return 0;
    }

    /** Bytes received but not yet granted back: what the receiver is holding for this window. */
    public synchronized long buffered() {
        return window - receiveCredit - unacknowledged;
    }

    /** Wakes and fails every waiting sender; used when the stream or session ends. */
    public synchronized void close() {
        closed = true;
        notifyAll();
    }

    public synchronized boolean isClosed() {
        return closed;
    }
}
