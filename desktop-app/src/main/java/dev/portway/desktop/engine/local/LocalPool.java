package dev.portway.desktop.engine.local;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Idle keep-alive connections per {@code host:port}: at most {@code idleMax} each, each closed after
 * {@code idleTimeout} unused, and dropped as soon as the app closes it. Newest first (a warm connection is the one
 * least likely to have been closed by the app's own idle timer). Thread-safe: guarded by {@code this}.
 */
final class LocalPool {
    private final int idleMax;
    private final Duration idleTimeout;
    private final Map<String, ArrayDeque<LocalConnection>> idle = new HashMap<>();
    private boolean closed;

    LocalPool(int idleMax, Duration idleTimeout) {
        this.idleMax = idleMax;
        this.idleTimeout = idleTimeout;
    }

    /** @return an idle open connection to {@code key}, no longer pooled; or null */
    LocalConnection take(String key) {
        while (true) {
            LocalConnection c;
            synchronized (this) {
                ArrayDeque<LocalConnection> q = idle.get(key);
                c = q == null ? null : q.pollFirst();
                if (q != null && q.isEmpty()) {
                    idle.remove(key);
                }
            }
            if (c == null) {
                return null;
            }
            cancelTimer(c);
            c.unpark();
            if (c.isOpen()) {
                return c;
            }
            c.close();
        }
    }

    void put(LocalConnection c) {
        boolean keep;
        synchronized (this) {
            ArrayDeque<LocalConnection> q = idle.computeIfAbsent(c.key, k -> new ArrayDeque<>());
            keep = !closed && q.size() < idleMax && c.isOpen();
            if (keep) {
                c.park();
                q.addFirst(c);
            }
        }
        if (!keep) {
            c.close();
            return;
        }
        if (!c.watched) {
            c.watched = true;
            c.channel.closeFuture().addListener(f -> remove(c));
        }
        int uses = c.uses;
        cancelTimer(c);
        c.idleTimer = c.channel.eventLoop().schedule(() -> {
            if (c.uses == uses && remove(c)) {
                c.close(); // idle too long
            }
        }, idleTimeout.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Cancels a pooled connection's idle timer. Without this every request left a timer behind until it ran out
     * (at 1,000 requests/s and a 60 s idle timeout, some 60,000 pending tasks on the event loops).
     */
    private static void cancelTimer(LocalConnection c) {
        java.util.concurrent.Future<?> t = c.idleTimer;
        if (t != null) {
            c.idleTimer = null;
            t.cancel(false);
        }
    }

    /** @return whether {@code c} was idle in the pool (and is no longer) */
    private synchronized boolean remove(LocalConnection c) {
        ArrayDeque<LocalConnection> q = idle.get(c.key);
        if (q == null || !q.remove(c)) {
            return false;
        }
        if (q.isEmpty()) {
            idle.remove(c.key);
        }
        return true;
    }

    synchronized int idle(String key) {
        ArrayDeque<LocalConnection> q = idle.get(key);
        return q == null ? 0 : q.size();
    }

    void closeAll() {
        ArrayDeque<LocalConnection> all = new ArrayDeque<>();
        synchronized (this) {
            closed = true;
            idle.values().forEach(all::addAll);
            idle.clear();
        }
        all.forEach(LocalConnection::close);
    }
}
