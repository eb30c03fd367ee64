package dev.portway.relay.cluster;

import dev.portway.relay.queue.DurableQueue;
import dev.portway.relay.store.RelayStore;
import dev.portway.relay.store.ReservationRow;
import dev.portway.relay.tunnel.QueueOptions;
import dev.portway.relay.tunnel.Reservation;
import dev.portway.relay.tunnel.Session;
import dev.portway.relay.tunnel.TunnelRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * A node's side of the queue the cluster shares in PostgreSQL (docs/cluster.md, "The queue in the cluster"). Any node
 * stores a webhook for an offline queued tunnel (the same {@code queued_request} table); the node that holds the
 * client's session delivers it, claiming rows with {@code FOR UPDATE SKIP LOCKED} ({@link RelayStore#deliverAs}).
 * This class keeps the node in step with what the others do: a request another node stored wakes this node's
 * delivery ({@code q:<tunnel>}), a reservation made or ended elsewhere is taken into or out of this node's registry
 * ({@code r:<name>}), and every {@link ClusterNames#REREAD_MS} ms all reservations and queue levels are re-read (a
 * missed notification heals itself).
 *
 * <p>Threads: notifications arrive on {@code relay-cluster-listen}, re-reads on {@code relay-cluster-lease}; both only
 * start store calls (which run on {@code relay-store}) and apply their results there. Never on an event loop.
 */
public final class ClusterQueue {
    private static final Logger log = LoggerFactory.getLogger(ClusterQueue.class);

    private final RelayStore store;
    private final DurableQueue queue;
    private final TunnelRegistry<Session> registry;
    /** Reservation names of the last full re-read; guarded by this. */
    private Set<String> known = Set.of();

    public ClusterQueue(RelayStore store, DurableQueue queue, TunnelRegistry<Session> registry) {
        this.store = store;
        this.queue = queue;
        this.registry = registry;
    }

    /** A notification on {@code portway_queue}. */
    void changed(String payload) {
        if (payload == null || payload.length() < 3 || payload.charAt(1) != ':') {
            return;
        }
        String name = payload.substring(2);
        switch (payload.charAt(0)) {
            case 'q' -> queue.stored(name);
            case 'r' -> store.reservation(name).whenComplete((row, failure) -> {
                if (failure == null) {
                    apply(name, row);
                }
            });
            default -> log.debug("Unknown queue notification {}", payload);
        }
    }

    /** Re-reads every reservation and the cluster's queue levels, then lets every pump look for work. */
    void reread() {
        store.reservations().whenComplete((rows, failure) -> {
            if (failure != null) {
                return; // the store logged it; the next re-read tries again
            }
            Set<String> now = new HashSet<>();
            for (ReservationRow r : rows) {
                now.add(r.name());
                apply(r.name(), r);
            }
            Set<String> gone;
            synchronized (this) {
                gone = new HashSet<>(known);
                known = now;
            }
            gone.removeAll(now);
            gone.forEach(name -> apply(name, null));
        });
        store.totals().whenComplete((totals, failure) -> {
            if (failure == null) {
                queue.reload(totals);
            }
        });
        queue.wakeAll();
    }

    /** Takes a reservation as the store has it now ({@code row}, or null when it ended) into this node's registry. */
    private void apply(String name, ReservationRow row) {
        if (registry.lookupLocal(name) != null) {
            return; // bound here: this node's own session keeps the reservation in step (and may not have saved it yet)
        }
        Reservation mine = registry.reservation(name);
        if (row == null) {
            if (mine != null && registry.unreserve(name, mine.keyHash())) {
                log.info("The reservation of queued tunnel {} ended on another node", name);
            }
            return;
        }
        Reservation r = new Reservation(row.name(), row.keyHash(),
                new QueueOptions(Set.copyOf(List.of(row.methods().split(","))), row.maxBody(), row.priority()));
        if (!r.equals(mine)) {
            registry.loadReservations(List.of(r));
            if (mine == null) {
                log.info("Queued tunnel {} was reserved on another node; this node queues its webhooks too", name);
            }
        }
    }
}
