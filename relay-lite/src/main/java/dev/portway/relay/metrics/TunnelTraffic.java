package dev.portway.relay.metrics;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;

/**
 * Visitor traffic per bound tunnel, for the console's live page (never exported to Prometheus: metrics carry
 * no per-tunnel labels). A visitor handler looks its tunnel's {@link Counters} up once per request or TCP
 * connection and then only adds to {@link LongAdder}s per chunk. Counters belong to one binding of a name
 * (the tunnel object): a new binding of the same name starts from zero.
 *
 * <p>Thread-safe. Bounded by the tunnels bound: {@link #retain} (every 30 s) drops the counters of
 * bindings that are gone.
 */
public final class TunnelTraffic {
    /** One binding's counters; body and raw bytes only (request and response heads are not counted). */
    public static final class Counters {
        /** Counts nothing: a request whose tunnel went away meanwhile. */
        public static final Counters NONE = new Counters(null);
        final Object binding;
        private final LongAdder in = new LongAdder();
        private final LongAdder out = new LongAdder();
        private final LongAdder requests = new LongAdder();

        Counters(Object binding) {
            this.binding = binding;
        }

        /** Bytes from a visitor towards the tunnel's client. */
        public void in(long bytes) {
            if (this != NONE) {
                in.add(bytes);
            }
        }

        /** Bytes from the tunnel's client towards a visitor. */
        public void out(long bytes) {
            if (this != NONE) {
                out.add(bytes);
            }
        }

        /** One HTTP request or TCP connection carried to the client. */
        public void request() {
            if (this != NONE) {
                requests.increment();
            }
        }

        public long bytesIn() {
            return in.sum();
        }

        public long bytesOut() {
            return out.sum();
        }

        public long requests() {
            return requests.sum();
        }
    }

    private final Map<String, Counters> byName = new ConcurrentHashMap<>();

    /**
     * The counters of a binding, made on first use.
     *
     * @param binding the bound tunnel (compared by identity), or null for {@link Counters#NONE}
     */
    public Counters of(String name, Object binding) {
        if (binding == null) {
            return Counters.NONE;
        }
        Counters c = byName.get(name);
        if (c != null && c.binding == binding) {
            return c;
        }
        return byName.compute(name, (n, old) -> old != null && old.binding == binding ? old : new Counters(binding));
    }

    /** The counters of this binding so far, or {@link Counters#NONE} (all zero) when it carried nothing yet. */
    public Counters peek(String name, Object binding) {
        Counters c = byName.get(name);
        return c != null && c.binding == binding ? c : Counters.NONE;
    }

    /** Drops the counters whose binding is no longer the one bound under its name ({@code bound}: name to tunnel or null). */
    public void retain(Function<String, Object> bound) {
        byName.entrySet().removeIf(e -> bound.apply(e.getKey()) != e.getValue().binding);
    }

    /** Names with counters now (tests). */
    int size() {
        return byName.size();
    }
}
