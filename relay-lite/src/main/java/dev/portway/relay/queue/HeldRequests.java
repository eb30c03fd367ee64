package dev.portway.relay.queue;

import dev.portway.relay.RelayConfig;
import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.Tunnel;
import dev.portway.relay.tunnel.TunnelRegistry;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Requests held while their tunnel's client reconnects (PROTOCOL.md §9.1). Each tunnel name has a
 * line of waiters in arrival order, bounded by {@code holdCount} requests and {@code holdBytes} of
 * heads. When the owner binds the name again, {@link #bound} opens every waiter's stream on the new
 * session, in order, before any request that arrives later; {@link #released} turns them all away.
 * The hold deadline is the waiter's own business (a timer on its event loop, then {@link #withdraw}; see {@link HeldRequest}).
 *
 * <p>Thread-safe: one lock, held briefly; {@link #bound} holds it while it opens the streams (no I/O:
 * {@link Session#sendOpen} only queues the OPEN frames), which is what keeps later requests behind them.
 * Lock order: this, then a session's lock, then the registry's.
 */
public final class HeldRequests {
    /** One held visitor request. */
    public interface Waiter {
        /** Size of the request head, counted against {@code holdBytes}. */
        long headBytes();

        /**
         * The owner is back: open the request's stream on {@code session} now, synchronously (so streams are
         * opened in arrival order), and hand it to the visitor's loop. Called on the session's loop.
         */
        void open(Session session);

        /** The request will not be carried: answer 503. Any thread; the waiter hops to its own loop. */
        void reject();
    }

    /** The answer to {@link #admit}. */
    public sealed interface Admission {
        /** The tunnel is bound and nobody is waiting before this request: open it at once. */
        record OpenNow(Tunnel<Session> tunnel) implements Admission {
        }

        /** Held; the waiter hears {@link Waiter#open} or {@link Waiter#reject} later, or withdraws at its deadline. */
        record Held() implements Admission {
        }

        /** A bound would be exceeded: answer 503 now. */
        record Full() implements Admission {
        }

        /** The name is neither bound, held nor reserved: no such tunnel. */
        record Unknown() implements Admission {
        }
    }

    private static final class Line {
        final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
        long bytes;
    }

    private final TunnelRegistry<Session> registry;
    private final int maxCount;
    private final long maxBytes;
    private final boolean enabled;
    private final Map<String, Line> lines = new HashMap<>(); // guarded by this
    private final AtomicInteger waiting = new AtomicInteger();

    public HeldRequests(TunnelRegistry<Session> registry, RelayConfig config) {
        this.registry = registry;
        this.maxCount = config.holdCount();
        this.maxBytes = config.holdBytes();
        this.enabled = !config.holdTime().isZero() && maxCount > 0 && maxBytes > 0;
    }

    /** Lock-free: when nothing is held anywhere, a bound tunnel's requests skip {@link #admit}. */
    public boolean anyWaiting() {
        return waiting.get() > 0;
    }

    /** Requests held now, over all names. Lock-free. */
    public int waitingTotal() {
        return waiting.get();
    }

    /** Requests held for a name now. */
    public synchronized int waiting(String name) {
        Line line = lines.get(name);
        return line == null ? 0 : line.waiters.size();
    }

    /** Holds a request for {@code name}, or says what to do with it instead. */
    public synchronized Admission admit(String name, Waiter waiter) {
        Tunnel<Session> tunnel = registry.lookup(name);
        Line line = lines.get(name);
        if (tunnel != null && line == null) {
            return new Admission.OpenNow(tunnel);
        }
        // Bound with a line: its bind is handing the line over right now; queue up behind it.
        if (tunnel == null && !registry.isHeld(name) && registry.reservation(name) == null) {
            return new Admission.Unknown();
        }
        if (!enabled) {
            return new Admission.Full();
        }
        if (line == null) {
            line = new Line();
            lines.put(name, line);
        }
        if (line.waiters.size() >= maxCount || line.bytes + waiter.headBytes() > maxBytes) {
            if (line.waiters.isEmpty()) {
                lines.remove(name);
            }
            return new Admission.Full();
        }
        line.waiters.add(waiter);
        line.bytes += waiter.headBytes();
        waiting.incrementAndGet();
        return new Admission.Held();
    }

    /** The waiter gives up (deadline, visitor gone). @return false when it was already handed over or turned away */
    public synchronized boolean withdraw(String name, Waiter waiter) {
        Line line = lines.get(name);
        if (line == null || !line.waiters.remove(waiter)) {
            return false;
        }
        line.bytes -= waiter.headBytes();
        waiting.decrementAndGet();
        if (line.waiters.isEmpty()) {
            lines.remove(name);
        }
        return true;
    }

    /** Session loop: {@code name} is bound again; its held requests are opened there in arrival order. */
    public synchronized void bound(String name, Session session, boolean http) {
        Line line = lines.remove(name);
        if (line == null) {
            return;
        }
        waiting.addAndGet(-line.waiters.size());
        for (Waiter w : line.waiters) {
            if (http) {
                w.open(session);
            } else {
                w.reject(); // the name came back as a TCP tunnel
            }
        }
    }

    /** The name's hold ended with the grace period: its requests get 503, unless the name is reserved (they wait on). */
    public void released(String name) {
        List<Waiter> out = new ArrayList<>();
        synchronized (this) {
            if (registry.reservation(name) != null) {
                return;
            }
            Line line = lines.remove(name);
            if (line != null) {
                out.addAll(line.waiters);
                waiting.addAndGet(-line.waiters.size());
            }
        }
        out.forEach(Waiter::reject);
    }

    /** The relay is stopping: every held request gets 503. */
    public void releaseAll() {
        List<Waiter> out = new ArrayList<>();
        synchronized (this) {
            for (Line line : lines.values()) {
                out.addAll(line.waiters);
            }
            lines.clear();
            waiting.set(0);
        }
        out.forEach(Waiter::reject);
    }
}
