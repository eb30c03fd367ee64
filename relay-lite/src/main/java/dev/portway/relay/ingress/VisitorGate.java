package dev.portway.relay.ingress;

import dev.portway.relay.metrics.RelayMetrics;
import dev.portway.relay.metrics.RelayMetrics.Refusal;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaders;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;

/**
 * The relay-wide visitor limits every public port shares: the per-address request rate and the connection
 * counts (see {@link VisitorLimits}). Thread-safe; nothing here blocks.
 */
public final class VisitorGate {
    /** Addresses the rate limiter tracks at most (measured: about 270 bytes each, so at most ~27 MB). */
    static final int MAX_TRACKED_ADDRESSES = 100_000;
    private static final Pattern IP_LITERAL = Pattern.compile("[0-9a-fA-F:.]+");

    private final VisitorLimits limits;
    private final RelayMetrics metrics;
    private final VisitorRateLimiter rate;
    private final ConnectionLimiter connections;

    public VisitorGate(VisitorLimits limits, RelayMetrics metrics) {
        this.limits = limits;
        this.metrics = metrics;
        this.rate = limits.ratePerMinute() > 0 ? new VisitorRateLimiter(limits.ratePerMinute(), MAX_TRACKED_ADDRESSES) : null;
        this.connections = new ConnectionLimiter(limits.maxConnections(), limits.maxConnectionsPerIp());
    }

    public VisitorLimits limits() {
        return limits;
    }

    RelayMetrics metrics() {
        return metrics;
    }

    /** Takes a request permit for the visitor; always allowed when the rate limit is off. */
    VisitorRateLimiter.Decision rate(InetAddress visitor) {
        if (rate == null) {
            return new VisitorRateLimiter.Decision(true, 0);
        }
        VisitorRateLimiter.Decision d = rate.acquire(visitor);
        if (!d.allowed()) {
            metrics.refused(Refusal.RATE);
        }
        return d;
    }

    /** Forgets idle addresses; the relay runs this every 30 s. */
    public void sweep() {
        if (rate != null) {
            rate.sweep();
        }
    }

    /**
     * Counts a new visitor connection and releases it when the channel closes.
     *
     * @return false when a connection limit refuses it (counted); the caller closes the channel
     */
    public boolean admit(Channel ch) {
        if (!(ProxyProtocol.remote(ch) instanceof InetSocketAddress remote)) {
            return true;
        }
        InetAddress address = remote.getAddress();
        if (connections.tryOpen(address) != ConnectionLimiter.Admission.OK) {
            metrics.refused(Refusal.CONNECTIONS);
            return false;
        }
        ch.closeFuture().addListener(f -> connections.closed(address));
        return true;
    }

    /** Open visitor connections now. */
    public int openConnections() {
        return connections.open();
    }

    /**
     * The visitor's address: the socket's peer, or with {@code --trust-proxy} the last {@code X-Forwarded-For}
     * entry (the one the operator's proxy added), when it is an IP literal.
     */
    InetAddress visitor(Channel ch, HttpHeaders headers) {
        if (limits.trustProxy() && headers != null) {
            List<String> all = headers.getAll("X-Forwarded-For");
            if (!all.isEmpty()) {
                String last = all.getLast();
                int comma = last.lastIndexOf(',');
                String ip = (comma < 0 ? last : last.substring(comma + 1)).trim();
                if (!ip.isEmpty() && IP_LITERAL.matcher(ip).matches() && (ip.contains(".") || ip.contains(":"))) {
                    try {
                        return InetAddress.getByName(ip); // a literal: no DNS lookup
                    } catch (UnknownHostException ignored) {
                        // fall through to the socket address
                    }
                }
            }
        }
        return socketAddress(ch);
    }

    static InetAddress socketAddress(Channel ch) {
        if (ProxyProtocol.remote(ch) instanceof InetSocketAddress a) {
            return a.getAddress();
        }
        return InetAddress.getLoopbackAddress();
    }
}
