package dev.portway.relay.ingress;

import java.net.InetAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Open visitor connections, over all addresses and per address, on the relay's HTTP port and every TCP tunnel
 * port. Thread-safe and lock-free apart from the per-address map's bins. Memory is bounded by the connections
 * themselves: an address's counter is removed when its last connection closes.
 */
public final class ConnectionLimiter {
    private final int maxTotal;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final Map<InetAddress, AtomicInteger> perAddress = new ConcurrentHashMap<>();

    public ConnectionLimiter(int maxTotal, int maxPerAddress) {
        this.maxTotal = maxTotal;
        this.maxPerAddress = maxPerAddress;
    }

    /** The outcome of {@link #tryOpen}: admitted, or which limit refused it. */
    public enum Admission { OK, TOTAL_FULL, ADDRESS_FULL }

    /** Counts a new connection if both limits allow it; an admitted connection must call {@link #closed} once. */
    public Admission tryOpen(InetAddress address) {
        if (total.incrementAndGet() > maxTotal) {
            total.decrementAndGet();
            return Admission.TOTAL_FULL;
        }
        boolean[] refused = {false};
        perAddress.compute(address, (a, n) -> {
            AtomicInteger c = n == null ? new AtomicInteger() : n;
            if (c.get() >= maxPerAddress) {
                refused[0] = true;
            } else {
                c.incrementAndGet();
            }
            return c.get() == 0 ? null : c;
        });
        if (refused[0]) {
            total.decrementAndGet();
            return Admission.ADDRESS_FULL;
        }
        return Admission.OK;
    }

    public void closed(InetAddress address) {
        perAddress.computeIfPresent(address, (a, c) -> c.decrementAndGet() <= 0 ? null : c);
        total.decrementAndGet();
    }

    public int open() {
        return total.get();
    }
}
