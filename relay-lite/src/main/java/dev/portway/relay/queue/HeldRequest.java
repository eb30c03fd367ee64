package dev.portway.relay.queue;

import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.StreamListener;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.relay.tunnel.TunnelBackend;
import dev.portway.relay.tunnel.TunnelRegistry;
import dev.portway.relay.tunnel.TunnelStream;
import dev.portway.relay.tunnel.VisitorProtection;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.OpenMessage;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;

/**
 * One visitor request held while its tunnel's client reconnects (PROTOCOL.md §9.1): waits in {@link HeldRequests}
 * until the owner is back (its stream is opened on the new session and handed to the visitor), the hold's deadline
 * passes or the hold is released (503), or the visitor goes away (withdrawn).
 *
 * <p>Threads: {@link #open} runs on the new session's loop, {@link #reject} on any thread; everything else, and all
 * state here, on the visitor's loop, where both hop.
 */
public final class HeldRequest implements HeldRequests.Waiter {
    /** What a held request needs from its visitor's connection. Every method is called on the visitor's loop. */
    public interface Visitor {
        /** The visitor connection's event loop. */
        EventLoop loop();

        boolean isActive();

        /**
         * Checks the tunnel's protection at hand-over; a refused visitor is answered here.
         *
         * @return the OPEN to send (without the credentials the protection consumed), or null when refused
         */
        OpenMessage admitted(VisitorProtection protection, OpenMessage open);

        /** The stream is open on the owner's session: the visitor's exchange starts on it. */
        void handedOver(TunnelStream stream, String sessionId);

        /** The session refused the stream ({@code refused_stream}, {@code shutting_down}): answer the visitor. */
        void refused(ErrorCode refusal);

        /** Turned away (deadline, released): answer 503. */
        void turnedAway();

        /** The hold is over, however it ended: the visitor's connection reads on. */
        void released(HeldRequest request);

        /** The visitor's loop refused a task (the relay is stopping). */
        void close();
    }

    private final HeldRequests holds;
    private final TunnelRegistry<Session> registry;
    private final String name;
    private final OpenMessage open;
    private final StreamListener listener;
    private final long headBytes;
    private final Visitor visitor;
    // Visitor loop only.
    private boolean waiting;
    private ScheduledFuture<?> deadline;

    /**
     * @param listener the visitor's side of the stream once it is open
     * @param headBytes size of the request head, counted against the hold's bytes
     */
    public HeldRequest(HeldRequests holds, TunnelRegistry<Session> registry, String name, OpenMessage open,
                       StreamListener listener, long headBytes, Visitor visitor) {
        this.holds = holds;
        this.registry = registry;
        this.name = name;
        this.open = open;
        this.listener = listener;
        this.headBytes = headBytes;
        this.visitor = visitor;
    }

    public String name() {
        return name;
    }

    /** Visitor loop, once {@link HeldRequests#admit} held it: waits at most {@code holdTime}, then turns away. */
    public void hold(Duration holdTime) {
        waiting = true;
        deadline = visitor.loop().schedule(() -> {
            if (waiting && holds.withdraw(name, this)) {
                turnAway();
            }
        }, holdTime.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Visitor loop: the visitor closed while held. Withdraws the request; nothing is answered. */
    public void visitorGone() {
        if (!waiting) {
            return;
        }
        holds.withdraw(name, this);
        end();
    }

    @Override
    public long headBytes() {
        return headBytes;
    }

    @Override
    public void open(Session session) {
        // On the session's loop, which cannot read the client's answer before this task ends: the hand-over
        // below reaches the visitor's loop before any frame of the new stream does.
        Tunnel<Session> tunnel = registry.lookup(name);
        VisitorProtection protection = tunnel == null ? VisitorProtection.NONE : tunnel.protection();
        if (!protection.isNone()) {
            onVisitorLoop(() -> checkProtection(protection, session));
            return;
        }
        TunnelBackend.Opened opened = session.openStream(open, visitor.loop(), listener);
        onVisitorLoop(() -> handedOver(opened, session.id()));
    }

    @Override
    public void reject() {
        onVisitorLoop(() -> {
            if (waiting) {
                turnAway();
            }
        });
    }

    /** A held request to a protected tunnel: checked here, on the visitor's loop, then opened on the session's. */
    private void checkProtection(VisitorProtection protection, Session session) {
        if (!waiting || !visitor.isActive()) {
            return;
        }
        OpenMessage admitted = visitor.admitted(protection, open);
        if (admitted == null) {
            end();
            visitor.released(this);
            return;
        }
        handedOver(session.openStream(admitted, visitor.loop(), listener), session.id()); // as an unheld request is
    }

    private void handedOver(TunnelBackend.Opened opened, String sessionId) {
        if (!waiting || !visitor.isActive()) {
            if (opened.stream() != null) {
                opened.stream().sendRst(ErrorCode.CANCEL, "The visitor went away.");
            }
            return;
        }
        end();
        if (opened.stream() == null) {
            visitor.refused(opened.refusal());
        } else {
            visitor.handedOver(opened.stream(), sessionId);
        }
        visitor.released(this);
    }

    private void turnAway() {
        end();
        visitor.turnedAway();
        visitor.released(this);
    }

    private void end() {
        waiting = false;
        if (deadline != null) {
            deadline.cancel(false);
        }
    }

    private void onVisitorLoop(Runnable task) {
        try {
            visitor.loop().execute(task);
        } catch (RejectedExecutionException e) {
            visitor.close();
        }
    }
}
