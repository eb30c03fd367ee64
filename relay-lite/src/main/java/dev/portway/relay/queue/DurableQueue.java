package dev.portway.relay.queue;

import dev.portway.relay.RelayConfig;
import dev.portway.relay.store.QueuedRequest;
import dev.portway.relay.store.RelayStore;
import dev.portway.relay.tunnel.Reservation;
import dev.portway.relay.tunnel.Session;
import dev.portway.shared.protocol.ControlMessage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The durable queues of queued tunnels (PROTOCOL.md §9.3): capacity per tunnel, storing accepted
 * requests, and one {@link DeliveryPump} per queued tunnel whose owner is connected.
 *
 * <p>Capacity is counted in memory (loaded from the store at start, then kept in step with it) so that
 * a visitor's loop can check it without the database. A request's bytes are counted from the moment
 * it is admitted ({@link #admit}) until it is deleted, or given back when storing fails.
 *
 * <p>Thread-safe: levels under this object's lock (never held while calling out); pumps in a concurrent map.
 */
public final class DurableQueue {
    private static final Logger log = LoggerFactory.getLogger(DurableQueue.class);

    /** {@code ok} below 80 % of both capacities, {@code full} at 100 % of either, {@code pressure} between. */
    public enum Level {
        OK, PRESSURE, FULL;

        String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private static final class Usage {
        long count;
        long bytes;
        Level level = Level.OK;
    }

    private final RelayStore store;
    private final int maxCount;
    private final long maxBytes;
    private final Map<String, Usage> usage = new HashMap<>(); // guarded by this
    private final Map<String, DeliveryPump> pumps = new ConcurrentHashMap<>();

    public DurableQueue(RelayStore store, RelayConfig config) {
        this.store = store;
        this.maxCount = config.queueMaxCount();
        this.maxBytes = config.queueMaxBytes();
    }

    RelayStore store() {
        return store;
    }

    /** At start: what the store holds, per tunnel {count, bytes}. */
    public synchronized void load(Map<String, long[]> totals) {
        totals.forEach((tunnel, t) -> {
            Usage u = new Usage();
            u.count = t[0];
            u.bytes = t[1];
            u.level = level(u);
            usage.put(tunnel, u);
        });
    }

    /** Whether one more request of {@code bytes} would fit now (a visitor's early check; {@link #admit} decides). */
    public synchronized boolean hasRoom(String tunnel, long bytes) {
        Usage u = usage.get(tunnel);
        return u == null ? bytes <= maxBytes : u.count + 1 <= maxCount && u.bytes + bytes <= maxBytes;
    }

    /** Counts a request of {@code bytes} against the tunnel's capacity. @return false when it does not fit (503) */
    public boolean admit(String tunnel, long bytes) {
        Change changed;
        synchronized (this) {
            Usage u = usage.computeIfAbsent(tunnel, t -> new Usage());
            if (u.count + 1 > maxCount || u.bytes + bytes > maxBytes) {
                return false;
            }
            u.count++;
            u.bytes += bytes;
            changed = relevel(u);
        }
        reportLevel(tunnel, changed);
        return true;
    }

    /** Gives back what {@link #admit} counted (storing failed) or what a deleted request used. */
    void release(String tunnel, long bytes) {
        purged(tunnel, 1, bytes);
    }

    /**
     * Gives back what a purge deleted from the store ({@link RelayStore#purge}: only stored, hence counted,
     * requests; one being delivered meanwhile is released by exactly one of the purge and the delivery).
     */
    public void purged(String tunnel, long count, long bytes) {
        Change changed;
        synchronized (this) {
            Usage u = usage.get(tunnel);
            if (u == null) {
                return;
            }
            u.count = Math.max(0, u.count - count);
            u.bytes = Math.max(0, u.bytes - bytes);
            changed = relevel(u);
        }
        reportLevel(tunnel, changed);
    }

    /** Stores an admitted request; completes (on the store's thread) once it is committed. On failure its capacity is given back. */
    public CompletableFuture<Void> store(QueuedRequest request) {
        return store.enqueue(request).whenComplete((ok, failure) -> {
            if (failure != null) {
                release(request.tunnel(), request.body().length);
            } else {
                DeliveryPump pump = pumps.get(request.tunnel());
                if (pump != null) {
                    pump.wake(); // the owner came back while this was being written
                }
            }
        });
    }

    /** Session loop: the owner of a queued tunnel bound it: report its level and start delivering. */
    public void bound(String tunnel, Session session, Reservation reservation) {
        DeliveryPump pump = new DeliveryPump(this, tunnel, session, reservation.queue().maxBody());
        DeliveryPump old = pumps.put(tunnel, pump);
        if (old != null) {
            old.stop();
        }
        session.sendControl(status(tunnel));
        pump.start();
    }

    /** Session loop: the tunnel was unbound; when its reservation ended the store deleted its requests too. */
    public void unbound(String tunnel, boolean reservationEnded) {
        DeliveryPump pump = pumps.remove(tunnel);
        if (pump != null) {
            pump.stop();
            store.releaseClaims(tunnel); // a cluster node: another node's session may deliver them now
        }
        if (reservationEnded) {
            synchronized (this) {
                usage.remove(tunnel);
            }
        }
    }

    /** The pump's session ended: on a cluster node its claims go back, for the node the client reconnects to. */
    void pumpEnded(String tunnel, DeliveryPump pump) {
        if (pumps.remove(tunnel, pump) && !pumps.containsKey(tunnel)) {
            store.releaseClaims(tunnel);
        }
    }

    /**
     * A request for {@code tunnel} was stored by another cluster node: this node's pump (if its owner is connected
     * here) fetches it now. Any thread.
     */
    public void stored(String tunnel) {
        DeliveryPump pump = pumps.get(tunnel);
        if (pump != null) {
            pump.wake();
        }
    }

    /** Every pump looks for work (a cluster node's periodic re-read: heals a missed notification). Any thread. */
    public void wakeAll() {
        pumps.values().forEach(DeliveryPump::wake);
    }

    /**
     * A cluster node: the whole cluster's stored requests per tunnel, as the store counts them now. Other nodes
     * store and deliver too, so this node's own count drifts; it is replaced by the store's (requests this node
     * admitted but has not finished writing are counted again by the next re-read).
     */
    public void reload(Map<String, long[]> totals) {
        List<Map.Entry<String, Change>> changes = new ArrayList<>();
        synchronized (this) {
            for (Map.Entry<String, Usage> e : usage.entrySet()) {
                if (!totals.containsKey(e.getKey())) {
                    Usage u = e.getValue();
                    u.count = 0;
                    u.bytes = 0;
                    Change c = relevel(u);
                    if (c != null) {
                        changes.add(Map.entry(e.getKey(), c));
                    }
                }
            }
            totals.forEach((tunnel, t) -> {
                Usage u = usage.computeIfAbsent(tunnel, x -> new Usage());
                u.count = t[0];
                u.bytes = t[1];
                Change c = relevel(u);
                if (c != null) {
                    changes.add(Map.entry(tunnel, c));
                }
            });
        }
        changes.forEach(e -> reportLevel(e.getKey(), e.getValue()));
    }

    /** @return {count, bytes} stored over all tunnels (in-memory levels: no store access) */
    public synchronized long[] totals() {
        long count = 0;
        long bytes = 0;
        for (Usage u : usage.values()) {
            count += u.count;
            bytes += u.bytes;
        }
        return new long[]{count, bytes};
    }

    /** The current queue_status of a tunnel. */
    public synchronized ControlMessage.QueueStatus status(String tunnel) {
        Usage u = usage.getOrDefault(tunnel, new Usage());
        return new ControlMessage.QueueStatus(tunnel, (int) u.count, u.bytes, maxCount, maxBytes, u.level.wireName());
    }

    private Level level(Usage u) {
        if (u.count >= maxCount || u.bytes >= maxBytes) {
            return Level.FULL;
        }
        if (u.count * 5 >= maxCount * 4L || u.bytes * 5 >= maxBytes * 4) {
            return Level.PRESSURE;
        }
        return Level.OK;
    }

    /** A level change: {@code from} → {@code to}. */
    private record Change(Level from, Level to) {
    }

    /** @return the change, or null when the level stayed */
    private Change relevel(Usage u) {
        Level now = level(u);
        if (now == u.level) {
            return null;
        }
        Change c = new Change(u.level, now);
        u.level = now;
        return c;
    }

    private void reportLevel(String tunnel, Change changed) {
        if (changed == null) {
            return;
        }
        ControlMessage.QueueStatus s = status(tunnel);
        if (changed.to().compareTo(changed.from()) > 0) {
            log.warn("The queue of tunnel {} is at {}: {} of {} requests, {} of {} bytes", tunnel, s.level(),
                    s.count(), s.maxCount(), s.bytes(), s.maxBytes());
        } else {
            log.info("The queue of tunnel {} is down to {}: {} requests, {} bytes", tunnel, s.level(), s.count(), s.bytes());
        }
        DeliveryPump pump = pumps.get(tunnel);
        if (pump != null) {
            pump.session().sendControl(s);
        }
    }
}
