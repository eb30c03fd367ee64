package dev.portway.relay.tunnel;

import dev.portway.relay.auth.TokenCheck;
import dev.portway.shared.protocol.ErrorCode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Which session owns which tunnel name, and which names (and TCP ports) are held for a dropped
 * session until its grace period ends (PROTOCOL.md §2 "Resume and names").
 *
 * <p>It also knows which names are <b>reserved</b> for the client installation that owns a queued
 * tunnel (§9.2): such a name is free only for that owner's key, whatever its sessions do, until it
 * is unreserved. The reservations are durable; the caller loads them at start and writes changes
 * through to the store — this class only keeps them in memory.
 *
 * <p>Thread-safe: every change holds this object's lock briefly and never blocks or does I/O
 * (closing a listener is an asynchronous Netty call). Two owners never hold the same name.
 * {@link #lookup} and {@link #tunnelCount}, on every visitor request, take no lock: they read the
 * concurrent map of bound tunnels, which only changes under the lock.
 *
 * @param <S> the owner type (the session)
 */
public final class TunnelRegistry<S> {
    private final Duration grace;
    private final ScheduledExecutorService scheduler;
    /** Bound tunnels by name: read without the lock, changed only under it. */
    private final Map<String, Tunnel<S>> active = new ConcurrentHashMap<>();
    private final Map<String, Hold> held = new HashMap<>();
    private final Set<Integer> ports = new HashSet<>();
    private final Map<String, Reservation> reserved = new HashMap<>();
    private final Consumer<String> released;
    /** Who else must agree that a name is free: nobody on a single relay; the database in a cluster. */
    private volatile SharedNames shared = SharedNames.LOCAL;

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
        this(grace, scheduler, name -> {
        });
    }

    /**
     * @param released told (on the scheduler, outside the lock) when a held name is released at the end
     *                 of its grace period
     */
    public TunnelRegistry(Duration grace, ScheduledExecutorService scheduler, Consumer<String> released) {
        this.grace = grace;
        this.scheduler = scheduler;
        this.released = released;
    }

    /**
     * Makes {@code names} the judge of names across relays (a cluster node, set once at start). The registry tells
     * it when a name is no longer bound or held here; the caller of {@link #claim} asks it before {@code bound}.
     */
    public void shared(SharedNames names) {
        shared = java.util.Objects.requireNonNull(names, "names");
    }

    /** {@link SharedNames#LOCAL} unless this relay is a cluster node. */
    public SharedNames shared() {
        return shared;
    }

    /** See {@link #claim(Object, String, String, String, boolean, String, QueueOptions)}; no client key, not queued. */
    public Claim<S> claim(S owner, String resumeKey, String requested, boolean strict, String kind) {
        return claim(owner, resumeKey, null, requested, strict, kind, null);
    }

    /**
     * Gives {@code owner} a tunnel name. A name held for {@code resumeKey} is handed back with its TCP
     * port and listener (still open). A name reserved for {@code keyHash} is handed back even when it is
     * held for an older session of that owner. A name bound, held or reserved by someone else gets a
     * generated variant and a notice, or {@code name_taken} when {@code strict}.
     *
     * @param keyHash the hashed client key of the owner, or null
     * @param queue   non-null for a queued tunnel: the name is then reserved for {@code keyHash} (not null)
     */
    public synchronized Claim<S> claim(S owner, String resumeKey, String keyHash, String requested, boolean strict,
                                       String kind, QueueOptions queue) {
        String name;
        if (requested == null || requested.isEmpty()) {
            do {
                name = Names.generate();
            } while (!isFree(name, null, null));
        } else {
            name = Names.normalize(requested);
            if (name == null) {
                return new Claim.Refused<>(ErrorCode.NAME_INVALID, dev.portway.shared.protocol.TunnelNames.invalidMessage(requested));
            }
        }
        String notice = null;
        if (!isFree(name, resumeKey, keyHash)) {
            if (strict) {
                return new Claim.Refused<>(ErrorCode.NAME_TAKEN, "The tunnel name " + name
                        + " is in use by another client — choose another name or turn off strict naming.");
            }
            String wanted = name;
            do {
                name = Names.variant(wanted);
            } while (!isFree(name, null, null));
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
        if (queue != null) {
            reserved.put(name, new Reservation(name, java.util.Objects.requireNonNull(keyHash, "keyHash"), queue));
        }
        return new Claim.Granted<>(tunnel, notice);
    }

    /**
     * Gives a tunnel name to a connection that is not a WebSocket session (the SSH gateway): no resume, no
     * queue; the tunnel's streams are opened by {@code backend} and it belongs to {@code user}. Visitors reach it
     * once {@link #admit} is called (on a cluster, after {@link #shared()} granted the name). Drop it with
     * {@link #remove} (there is no hold: such a client cannot resume).
     */
    public synchronized Claim<S> claimFor(TunnelBackend backend, String user, String requested, boolean strict, String kind) {
        Claim<S> claim = claim(null, null, null, requested, strict, kind, null);
        if (claim instanceof Claim.Granted<S> g) {
            g.tunnel().backend(backend, user);
        }
        return claim;
    }

    /** A tunnel from {@link #claimFor} is ready: ssh -R takes no bind options, so visitors only pass the relay's limits. */
    public void admit(Tunnel<S> tunnel) {
        tunnel.protection(VisitorProtection.NONE);
    }

    private boolean isFree(String name, String resumeKey, String keyHash) {
        if (active.containsKey(name)) {
            return false;
        }
        Reservation r = reserved.get(name);
        if (r != null) {
            return keyHash != null && TokenCheck.same(r.keyHash(), keyHash);
        }
        Hold h = held.get(name);
        return h == null || TokenCheck.same(h.resumeKey, resumeKey);
    }

    /** Adds reservations read from the store (at start). */
    public synchronized void loadReservations(Collection<Reservation> rs) {
        for (Reservation r : rs) {
            reserved.put(r.name(), r);
        }
    }

    /** @return the reservation of a queued tunnel's name, or null */
    public synchronized Reservation reservation(String name) {
        return reserved.get(name);
    }

    /** Ends a reservation (its owner unbound the tunnel). @return whether there was one for that key */
    public synchronized boolean unreserve(String name, String keyHash) {
        Reservation r = reserved.get(name);
        if (r != null && keyHash != null && TokenCheck.same(r.keyHash(), keyHash)) {
            reserved.remove(name);
            return true;
        }
        return false;
    }

    public synchronized int reservedCount() {
        return reserved.size();
    }

    /**
     * @return the bound tunnel of that name, or null (also while the name is only held); on a cluster node also an
     * HTTP tunnel bound on another node, whose streams go over the node link (no owner, no port) — also while this
     * node's own bind of the name is still pending
     */
    public Tunnel<S> lookup(String name) {
        if (name == null) {
            return null;
        }
        Tunnel<S> t = active.get(name);
        if (t != null && !t.protection().isPending() && (t.backend() == null || !t.backend().goingAway())) {
            return t;
        }
        // Not bound here, or its bind is still being applied (the cluster's database is asked), or its session here is
        // going away (this node shuts down): while another node binds the name (on a cluster, one client's other
        // session), that node serves it — no gap for its visitors.
        SharedNames.Remote r = shared.remote(name);
        if (r == null) {
            return t;
        }
        Tunnel<S> remote = new Tunnel<>(name, r.kind(), null, 0, null);
        remote.backend(r.backend(), null);
        remote.protection(r.protection()); // its checks are made here, on the node the visitor reached
        return remote;
    }

    /** @return the tunnel of that name bound on this relay (never another node's), or null */
    public Tunnel<S> lookupLocal(String name) {
        return name == null ? null : active.get(name);
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
            shared.release(tunnel.name());
        }
        closeListener(tunnel.closeListener(), tunnel.port());
    }

    /** Closes a tunnel's public TCP listener and frees its port; the tunnel stays bound (it became private). */
    public synchronized void closeListener(Tunnel<S> tunnel) {
        closeListener(tunnel.closeListener(), tunnel.port());
        tunnel.listening(0, null);
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

    private void expire(Hold hold) {
        synchronized (this) {
            if (held.get(hold.name) != hold) {
                return;
            }
            held.remove(hold.name);
            closeListener(hold.closeListener, hold.port);
            shared.release(hold.name);
        }
        released.accept(hold.name);
    }

    /** Releases everything in memory (relay shutdown); the durable reservations stay in the store. */
    public synchronized void clear() {
        for (Hold h : held.values()) {
            cancel(h);
            closeListener(h.closeListener, h.port);
        }
        held.clear();
        reserved.clear();
        for (Tunnel<S> t : active.values()) {
            closeListener(t.closeListener(), t.port());
        }
        active.clear();
    }

    /**
     * Ends the hold of a name at once (a cluster node lost the name to another node while its session was
     * dropped); its listener is closed. @return whether there was one
     */
    public synchronized boolean forgetHold(String name) {
        Hold h = held.remove(name);
        if (h == null) {
            return false;
        }
        cancel(h);
        closeListener(h.closeListener, h.port);
        return true;
    }

    /** Names bound or held here now (a cluster node claims them again after it lost its lease). */
    public synchronized List<String> localNames() {
        List<String> names = new ArrayList<>(active.keySet());
        names.addAll(held.keySet());
        return names;
    }

    /** A snapshot of the bound tunnels (the web console's live list). */
    public java.util.List<Tunnel<S>> tunnels() {
        return java.util.List.copyOf(active.values());
    }

    public int tunnelCount() {
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
