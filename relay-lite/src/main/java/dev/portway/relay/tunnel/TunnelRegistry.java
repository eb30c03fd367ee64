package dev.portway.relay.tunnel;

import dev.portway.relay.auth.TokenCheck;
import dev.portway.shared.protocol.ErrorCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * Which session owns which tunnel name, and which names (and TCP ports) are held for a dropped
 * session until its grace period ends (PROTOCOL.md §2 "Resume and names").
 *
 * <p>Thread-safe: every method holds this object's lock briefly and never blocks or does I/O
 * (closing a listener is an asynchronous Netty call). Two owners never hold the same name.
 *
 * @param <S> the owner type (the session)
 */
public final class TunnelRegistry<S> {
    private final Duration grace;
    private final ScheduledExecutorService scheduler;
    private final Map<String, Tunnel<S>> active = new HashMap<>();
    private final Map<String, Hold> held = new HashMap<>();
    private final Set<Integer> ports = new HashSet<>();

    /** A name kept for a dropped session; {@code port}/{@code closeListener} are set for TCP tunnels. */
    private record Hold(String name, String kind, String resumeKey, int port, Runnable closeListener,
                        ScheduledFuture<?>[] expiry) {
    }

    /** The answer to {@link #claim}. */
    public sealed interface Claim<S> {
        /** @param notice set when the name differs from the one asked for */
        record Granted<S>(Tunnel<S> tunnel, String notice) implements Claim<S> {
        }

        record Refused<S>(ErrorCode code, String message) implements Claim<S> {
        }
    }

    public TunnelRegistry(Duration grace, ScheduledExecutorService scheduler) {
        this.grace = grace;
        this.scheduler = scheduler;
    }

    /**
     * Gives {@code owner} a tunnel name. A name held for {@code resumeKey} is handed back with its TCP
     * port and listener (still open). A name bound or held by someone else gets a generated variant
     * and a notice, or {@code name_taken} when {@code strict}.
     */
    public synchronized Claim<S> claim(S owner, String resumeKey, String requested, boolean strict, String kind) {
        String name;
        if (requested == null || requested.isEmpty()) {
            do {
                name = Names.generate();
            } while (!isFree(name, null));
        } else {
            name = Names.normalize(requested);
            if (name == null) {
                return new Claim.Refused<>(ErrorCode.NAME_INVALID, dev.portway.shared.protocol.TunnelNames.invalidMessage(requested));
            }
        }
        String notice = null;
        if (!isFree(name, resumeKey)) {
            if (strict) {
                return new Claim.Refused<>(ErrorCode.NAME_TAKEN, "The tunnel name " + name
                        + " is in use by another client — choose another name or turn off strict naming.");
            }
            String wanted = name;
            do {
                name = Names.variant(wanted);
            } while (!isFree(name, null));
            notice = "The name " + wanted + " is in use by another client, so this tunnel is called " + name + ".";
        }
        Hold hold = held.remove(name);
        Tunnel<S> tunnel;
        if (hold != null) {
            cancel(hold);
            if (hold.kind.equals(kind)) {
                tunnel = new Tunnel<>(name, kind, owner, hold.port, hold.closeListener);
            } else {
                closeListener(hold.closeListener, hold.port);
                tunnel = new Tunnel<>(name, kind, owner, 0, null);
            }
        } else {
            tunnel = new Tunnel<>(name, kind, owner, 0, null);
        }
        active.put(name, tunnel);
        return new Claim.Granted<>(tunnel, notice);
    }

    private boolean isFree(String name, String resumeKey) {
        if (active.containsKey(name)) {
            return false;
        }
        Hold h = held.get(name);
        return h == null || TokenCheck.same(h.resumeKey, resumeKey);
    }

    /** @return the bound tunnel of that name, or null (also while the name is only held) */
    public synchronized Tunnel<S> lookup(String name) {
        return active.get(name);
    }

    /** @return whether the name is held for a reconnecting session */
    public synchronized boolean isHeld(String name) {
        return held.containsKey(name);
    }

    /** Reserves a TCP port so two tunnels never race for it; false when it is already ours. */
    public synchronized boolean reservePort(int port) {
        return ports.add(port);
    }

    public synchronized void releasePort(int port) {
        ports.remove(port);
    }

    /** Takes a tunnel down at once (unbind or a failed bind): no hold, listener closed, port freed. */
    public synchronized void remove(Tunnel<S> tunnel) {
        if (active.get(tunnel.name()) == tunnel) {
            active.remove(tunnel.name());
        }
        closeListener(tunnel.closeListener(), tunnel.port());
    }

    /** Moves every tunnel of a dropped session into a hold under its resume key, for the grace period. */
    public synchronized void drop(S owner, String resumeKey) {
        List<Tunnel<S>> mine = new ArrayList<>();
        for (Tunnel<S> t : active.values()) {
            if (t.owner() == owner) {
                mine.add(t);
            }
        }
        for (Tunnel<S> t : mine) {
            active.remove(t.name());
            ScheduledFuture<?>[] expiry = new ScheduledFuture<?>[1];
            Hold hold = new Hold(t.name(), t.kind(), resumeKey, t.port(), t.closeListener(), expiry);
            held.put(t.name(), hold);
            expiry[0] = scheduler.schedule(() -> expire(hold), grace.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    private synchronized void expire(Hold hold) {
        if (held.get(hold.name) == hold) {
            held.remove(hold.name);
            closeListener(hold.closeListener, hold.port);
        }
    }

    /** Releases everything (relay shutdown). */
    public synchronized void clear() {
        for (Hold h : held.values()) {
            cancel(h);
            closeListener(h.closeListener, h.port);
        }
        held.clear();
        for (Tunnel<S> t : active.values()) {
            closeListener(t.closeListener(), t.port());
        }
        active.clear();
    }

    public synchronized int tunnelCount() {
        return active.size();
    }

    public synchronized int heldCount() {
        return held.size();
    }

    private static void cancel(Hold h) {
        if (h.expiry[0] != null) {
            h.expiry[0].cancel(false);
        }
    }

    private void closeListener(Runnable close, int port) {
        if (close != null) {
            close.run();
        }
        if (port > 0) {
            ports.remove(port);
        }
    }
}
