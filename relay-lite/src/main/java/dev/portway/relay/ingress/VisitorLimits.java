package dev.portway.relay.ingress;

import java.time.Duration;

/**
 * What a visitor may do on the relay's public ports (relay-lite/README.md, "Visitor limits"). Immutable.
 *
 * @param ratePerMinute       requests per visitor IP (IPv6: per /64) and minute; 0 turns the rate limit off (429 beyond)
 * @param maxBodyBytes        request body bytes at most (413 beyond)
 * @param maxHeaderBytes      request header bytes at most (431 beyond)
 * @param maxHeaderCount      request header fields at most (431 beyond)
 * @param headerTimeout       time a visitor has to send a complete request head (408 and close beyond)
 * @param minBodyRate         bytes per second a request body must keep up while the relay reads it, measured over
 *                            {@code headerTimeout}; 0 turns the floor off
 * @param idleTimeout         a keep-alive connection with no request for this long is closed
 * @param maxConnections      open visitor connections over all addresses (503 / closed beyond)
 * @param maxConnectionsPerIp open visitor connections per address (503 / closed beyond)
 * @param trustProxy          take the visitor's address from the last {@code X-Forwarded-For} entry (behind a proxy
 *                            the operator runs) instead of the socket, for the rate limit and IP lists
 * @param proxyProtocol       every connection to the public port and the TCP tunnels' ports starts with a PROXY
 *                            protocol header (v1 or v2, {@code --proxy-protocol}: behind HAProxy's {@code send-proxy-v2}),
 *                            whose source address is the visitor's for every limit, IP list, log and X-Forwarded-For
 */
public record VisitorLimits(int ratePerMinute, long maxBodyBytes, int maxHeaderBytes, int maxHeaderCount,
                            Duration headerTimeout, long minBodyRate, Duration idleTimeout, int maxConnections,
                            int maxConnectionsPerIp, boolean trustProxy, boolean proxyProtocol) {

    public static final VisitorLimits DEFAULTS = new VisitorLimits(600, 100L * 1024 * 1024, 16 * 1024, 100,
            Duration.ofSeconds(10), 1024, Duration.ofSeconds(60), 10_000, 256, false, false);

    /** Without the PROXY protocol. */
    public VisitorLimits(int ratePerMinute, long maxBodyBytes, int maxHeaderBytes, int maxHeaderCount, Duration headerTimeout,
                         long minBodyRate, Duration idleTimeout, int maxConnections, int maxConnectionsPerIp,
                         boolean trustProxy) {
        this(ratePerMinute, maxBodyBytes, maxHeaderBytes, maxHeaderCount, headerTimeout, minBodyRate, idleTimeout,
                maxConnections, maxConnectionsPerIp, trustProxy, false);
    }

    public VisitorLimits {
        if (ratePerMinute < 0) {
            throw new IllegalArgumentException("--rate-limit must be 0 (off) or more requests per minute, not " + ratePerMinute + ".");
        }
        if (maxBodyBytes < 1) {
            throw new IllegalArgumentException("--max-body must be at least 1 byte, not " + maxBodyBytes + ".");
        }
        if (maxHeaderBytes < 1024) {
            throw new IllegalArgumentException("--max-header-size must be at least 1KiB, not " + maxHeaderBytes + " bytes.");
        }
        if (maxHeaderCount < 1) {
            throw new IllegalArgumentException("--max-header-count must be at least 1, not " + maxHeaderCount + ".");
        }
        if (headerTimeout == null || headerTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("--header-timeout must be more than 0, e.g. 10s.");
        }
        if (minBodyRate < 0) {
            throw new IllegalArgumentException("--min-body-rate must be 0 (off) or more bytes per second, not " + minBodyRate + ".");
        }
        if (idleTimeout == null || idleTimeout.toMillis() < 1) {
            throw new IllegalArgumentException("--idle-timeout must be more than 0, e.g. 60s.");
        }
        if (maxConnections < 1 || maxConnectionsPerIp < 1) {
            throw new IllegalArgumentException("--max-connections and --max-connections-per-ip must be at least 1.");
        }
    }

    public VisitorLimits withRatePerMinute(int v) {
        return new VisitorLimits(v, maxBodyBytes, maxHeaderBytes, maxHeaderCount, headerTimeout, minBodyRate, idleTimeout,
                maxConnections, maxConnectionsPerIp, trustProxy, proxyProtocol);
    }

    public VisitorLimits withMaxBodyBytes(long v) {
        return new VisitorLimits(ratePerMinute, v, maxHeaderBytes, maxHeaderCount, headerTimeout, minBodyRate, idleTimeout,
                maxConnections, maxConnectionsPerIp, trustProxy, proxyProtocol);
    }

    public VisitorLimits withHeaders(int bytes, int count) {
        return new VisitorLimits(ratePerMinute, maxBodyBytes, bytes, count, headerTimeout, minBodyRate, idleTimeout,
                maxConnections, maxConnectionsPerIp, trustProxy, proxyProtocol);
    }

    public VisitorLimits withTimeouts(Duration header, long bodyRate, Duration idle) {
        return new VisitorLimits(ratePerMinute, maxBodyBytes, maxHeaderBytes, maxHeaderCount, header, bodyRate, idle,
                maxConnections, maxConnectionsPerIp, trustProxy, proxyProtocol);
    }

    public VisitorLimits withConnections(int total, int perIp) {
        return new VisitorLimits(ratePerMinute, maxBodyBytes, maxHeaderBytes, maxHeaderCount, headerTimeout, minBodyRate,
                idleTimeout, total, perIp, trustProxy, proxyProtocol);
    }

    public VisitorLimits withTrustProxy(boolean v) {
        return new VisitorLimits(ratePerMinute, maxBodyBytes, maxHeaderBytes, maxHeaderCount, headerTimeout, minBodyRate,
                idleTimeout, maxConnections, maxConnectionsPerIp, v, proxyProtocol);
    }

    public VisitorLimits withProxyProtocol(boolean v) {
        return new VisitorLimits(ratePerMinute, maxBodyBytes, maxHeaderBytes, maxHeaderCount, headerTimeout, minBodyRate,
                idleTimeout, maxConnections, maxConnectionsPerIp, trustProxy, v);
    }
}
