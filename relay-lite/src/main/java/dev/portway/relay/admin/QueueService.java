package dev.portway.relay.admin;

import dev.portway.relay.queue.DurableQueue;
import dev.portway.relay.store.QueueStats;
import dev.portway.relay.store.RelayStore;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.TunnelNames;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.function.Supplier;

/**
 * The durable queues of queued tunnels as the console and the admin command line see them: per tunnel its
 * stored requests (count, bytes, the oldest one's age) and purging them. A tunnel belongs to the user its
 * name is reserved for, or who has it bound now; a user sees and purges only their own (another user's
 * queue answers like an unknown one). Blocking (the store): call on a blocking thread.
 */
public final class QueueService {
    /** One tunnel's queue; the capacity and level are null where no relay runs in this process (the command line). */
    public record QueueInfo(String tunnel, String user, long count, long bytes, long oldestAt, long oldestAgeMs,
                            Integer maxCount, Long maxBytes, String level) {
    }

    /** What a purge deleted. */
    public record Purged(String tunnel, String user, long count, long bytes) {
    }

    private final RelayStore store;
    private final AdminAudit audit;
    private final DurableQueue queue;
    private final Supplier<Map<String, String>> liveOwners;
    private final String instance;

    /**
     * @param queue      the running relay's queues (their levels are given back on a purge), or null on the command line
     * @param liveOwners tunnel name to user of the tunnels bound now
     * @param instance   the running relay's id, audited with a purge so that its {@link ChangeWatch} knows it is
     *                   counted already; null on the command line (every running relay on the store counts it)
     */
    public QueueService(RelayStore store, AdminAudit audit, DurableQueue queue, Supplier<Map<String, String>> liveOwners,
                        String instance) {
        this.store = store;
        this.audit = audit;
        this.queue = queue;
        this.liveOwners = liveOwners;
        this.instance = instance;
    }

    /** Every queue with stored requests that the actor may see, by tunnel name. */
    public List<QueueInfo> list(Actor by) {
        Map<String, String> owners = owners();
        long now = System.currentTimeMillis();
        List<QueueInfo> out = new ArrayList<>();
        for (QueueStats s : join(store.queueStats())) {
            String owner = owners.get(s.tunnel());
            if (!by.admin() && !by.name().equals(owner)) {
                continue;
            }
            ControlMessage.QueueStatus level = queue == null ? null : queue.status(s.tunnel());
            out.add(new QueueInfo(s.tunnel(), owner, s.count(), s.bytes(), s.oldestAt(), Math.max(0, now - s.oldestAt()),
                    level == null ? null : level.maxCount(), level == null ? null : level.maxBytes(),
                    level == null ? null : level.level()));
        }
        return out;
    }

    /**
     * Deletes every stored request of a tunnel (its reservation stays; requests arriving later are queued
     * again), audited as {@code queue_purge} with what was deleted.
     *
     * @throws Actor.NotYours when the tunnel has no stored requests or is another user's and {@code by} is no admin
     */
    public Purged purge(Actor by, String tunnel) {
        String name = TunnelNames.normalize(tunnel);
        String owner = owners().get(name);
        boolean known = join(store.queueStats()).stream().anyMatch(s -> s.tunnel().equals(name));
        if (!known || (!by.admin() && !by.name().equals(owner))) {
            throw new Actor.NotYours(by.admin()
                    ? "No queued tunnel named " + name + " has stored requests — see them with: relay-lite queue list, or the console's Queues page."
                    : "No queue of yours named " + name + " has stored requests."); // the same for another user's queue
        }
        long[] gone = join(store.purge(name));
        if (queue != null) {
            queue.purged(name, gone[0], gone[1]);
        }
        audit.record(by, owner, "action", "queue_purge", "tunnel", name, "requests", gone[0], "bytes", gone[1], "relay", instance);
        return new Purged(name, owner, gone[0], gone[1]);
    }

    private Map<String, String> owners() {
        Map<String, String> owners = new TreeMap<>(store.identity().reservedNames());
        liveOwners.get().forEach(owners::putIfAbsent);
        return owners;
    }

    private static <T> T join(CompletableFuture<T> f) {
        try {
            return f.join();
        } catch (CompletionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            throw e;
        }
    }
}
