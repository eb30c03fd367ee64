package dev.portway.shared.stream;

import dev.portway.shared.protocol.FlowWindow;
import dev.portway.shared.protocol.FrameCodec;

/**
 * How much of a send may go now (PROTOCOL.md §5): DATA needs credit on both its stream's window and the session's,
 * and one frame carries at most {@link FrameCodec#MAX_PAYLOAD} bytes. Credit is taken from the stream first; what the
 * session cannot match goes back to the stream, so neither window loses credit. The relay takes credit without waiting
 * (on an event loop), the engine waits for it (on a stream's own virtual thread). Stateless.
 */
public final class SendCredit {
    private SendCredit() {
    }

    /**
     * Takes credit for up to {@code wanted} bytes without waiting.
     *
     * @param session the session's window, or null before it is known (nothing may be sent then)
     * @return bytes taken from both windows, 0..min(wanted, MAX_PAYLOAD)
     */
    public static int tryTake(FlowWindow stream, FlowWindow session, int wanted) {
        if (session == null || wanted <= 0) {
            return 0;
        }
        int n = stream.tryAcquire(Math.min(wanted, FrameCodec.MAX_PAYLOAD));
        if (n == 0) {
            return 0;
        }
        return matchSession(stream, n, session.tryAcquire(n));
    }

    /**
     * Takes credit for up to {@code wanted} bytes, waiting for some on each window in turn (stream, then session).
     *
     * @return bytes taken from both windows, at least 1; or -1 once either window was closed (the stream or the
     *     session ended), with nothing taken
     */
    public static int awaitTake(FlowWindow stream, FlowWindow session, int wanted) throws InterruptedException {
        int n = stream.awaitSendCredit(Math.min(Math.max(wanted, 1), FrameCodec.MAX_PAYLOAD));
        if (n < 0) {
            return -1;
        }
        int m;
        try {
            m = session.awaitSendCredit(n);
        } catch (InterruptedException e) {
            stream.giveBack(n);
            throw e;
        }
        if (m < 0) {
            stream.giveBack(n);
            return -1;
        }
        return matchSession(stream, n, m);
    }

    private static int matchSession(FlowWindow stream, int fromStream, int fromSession) {
        if (fromSession < fromStream) {
            stream.giveBack(fromStream - fromSession);
        }
        return fromSession;
    }
}
