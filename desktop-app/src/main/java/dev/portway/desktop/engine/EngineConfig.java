package dev.portway.desktop.engine;

import dev.portway.desktop.queue.QueueLimits;
import dev.portway.shared.protocol.Protocol;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * Everything a {@link TunnelEngine} needs. {@code relayUrl} is the relay's {@code ws://} or
 * {@code wss://} address; when its path is empty the protocol's connect path is used.
 *
 * @param streamWindow        bytes the relay may send per stream before we grant more (our receive window)
 * @param sessionWindow       bytes the relay may send across all streams before we grant more
 * @param localConnectTimeout how long to wait for the local service to accept a connection
 * @param dataDir             where the engine keeps its client key and client queue ({@code engine.mv.db});
 *                            null = in memory, lost on close (tests, embedding)
 * @param queueLimits         capacity of the client queue
 * @param delivery            how queued requests are delivered to the local app
 * @param breaker             the circuit breaker per tunnel
 * @param captureLimit        bytes of each HTTP request and response body kept for the inspector
 *                            ({@link CapturedExchange}); 0 keeps headers only. Default {@value #DEFAULT_CAPTURE_LIMIT}.
 * @param wsCompression       offer permessage-deflate to the relay (PROTOCOL.md §1.1); off by default (docs/benchmarks.md)
 * @param haConnections       sessions kept to different nodes of a relay cluster that offers feature {@code ha}
 *                            (PROTOCOL.md §3.3), 1 to {@value #MAX_HA_CONNECTIONS}; 1 = one session, as to a single relay.
 *                            A single relay never offers {@code ha}: there it is always one. Default 2.
 */
public record EngineConfig(URI relayUrl, String token, List<TunnelSpec> tunnels, Duration pingInterval, Duration deadAfter,
                           ReconnectPolicy reconnect, int streamWindow, int sessionWindow, Duration localConnectTimeout,
                           Path dataDir, QueueLimits queueLimits, DeliveryPolicy delivery, BreakerPolicy breaker,
                           int captureLimit, boolean wsCompression, int haConnections) {
    public static final int DEFAULT_CAPTURE_LIMIT = 64 * 1024;
    public static final int DEFAULT_HA_CONNECTIONS = 2;
    public static final int MAX_HA_CONNECTIONS = 4;
    public static final int MAX_CAPTURE_LIMIT = 16 * 1024 * 1024;

    public EngineConfig {
        Objects.requireNonNull(relayUrl, "relayUrl");
        Objects.requireNonNull(pingInterval, "pingInterval");
        Objects.requireNonNull(deadAfter, "deadAfter");
        Objects.requireNonNull(reconnect, "reconnect");
        Objects.requireNonNull(localConnectTimeout, "localConnectTimeout");
        Objects.requireNonNull(queueLimits, "queueLimits");
        Objects.requireNonNull(delivery, "delivery");
        Objects.requireNonNull(breaker, "breaker");
        tunnels = List.copyOf(tunnels);
        if (streamWindow < Protocol.MIN_WINDOW || sessionWindow < Protocol.MIN_WINDOW) {
            throw new IllegalArgumentException("windows must be at least " + Protocol.MIN_WINDOW + " bytes");
        }
        if (captureLimit < 0 || captureLimit > MAX_CAPTURE_LIMIT) {
            throw new IllegalArgumentException("captureLimit must be from 0 to " + MAX_CAPTURE_LIMIT + " bytes, not " + captureLimit);
        }
        if (haConnections < 1 || haConnections > MAX_HA_CONNECTIONS) {
            throw new IllegalArgumentException("haConnections must be from 1 to " + MAX_HA_CONNECTIONS + ", not " + haConnections);
        }
    }

    public static EngineConfig of(URI relayUrl, String token, List<TunnelSpec> tunnels) {
        return new EngineConfig(relayUrl, token, tunnels,
                Duration.ofMillis(Protocol.DEFAULT_PING_INTERVAL_MS), Duration.ofMillis(Protocol.DEFAULT_DEAD_AFTER_MS),
                ReconnectPolicy.defaults(), Protocol.DEFAULT_STREAM_WINDOW, Protocol.DEFAULT_SESSION_WINDOW,
                Duration.ofSeconds(5), null, QueueLimits.defaults(), DeliveryPolicy.defaults(), BreakerPolicy.defaults(),
                DEFAULT_CAPTURE_LIMIT, dev.portway.shared.protocol.WsCompression.DEFAULT_ENABLED, DEFAULT_HA_CONNECTIONS);
    }

    public EngineConfig withReconnect(ReconnectPolicy p) {
        return new EngineConfig(relayUrl, token, tunnels, pingInterval, deadAfter, p, streamWindow, sessionWindow, localConnectTimeout,
                dataDir, queueLimits, delivery, breaker, captureLimit, wsCompression, haConnections);
    }

    public EngineConfig withHeartbeat(Duration ping, Duration deadAfter) {
        return new EngineConfig(relayUrl, token, tunnels, ping, deadAfter, reconnect, streamWindow, sessionWindow, localConnectTimeout,
                dataDir, queueLimits, delivery, breaker, captureLimit, wsCompression, haConnections);
    }

    /** @param dir where the client key and queue live (created if missing); null = in memory, not durable */
    public EngineConfig withDataDir(Path dir) {
        return new EngineConfig(relayUrl, token, tunnels, pingInterval, deadAfter, reconnect, streamWindow, sessionWindow,
                localConnectTimeout, dir, queueLimits, delivery, breaker, captureLimit, wsCompression, haConnections);
    }

    public EngineConfig withQueueLimits(QueueLimits limits) {
        return new EngineConfig(relayUrl, token, tunnels, pingInterval, deadAfter, reconnect, streamWindow, sessionWindow,
                localConnectTimeout, dataDir, limits, delivery, breaker, captureLimit, wsCompression, haConnections);
    }

    public EngineConfig withDelivery(DeliveryPolicy p) {
        return new EngineConfig(relayUrl, token, tunnels, pingInterval, deadAfter, reconnect, streamWindow, sessionWindow,
                localConnectTimeout, dataDir, queueLimits, p, breaker, captureLimit, wsCompression, haConnections);
    }

    public EngineConfig withBreaker(BreakerPolicy p) {
        return new EngineConfig(relayUrl, token, tunnels, pingInterval, deadAfter, reconnect, streamWindow, sessionWindow,
                localConnectTimeout, dataDir, queueLimits, delivery, p, captureLimit, wsCompression, haConnections);
    }

    /** @param bytes how much of each body the inspector keeps, 0 to {@link #MAX_CAPTURE_LIMIT}; 0 = headers only */
    public EngineConfig withCaptureLimit(int bytes) {
        return new EngineConfig(relayUrl, token, tunnels, pingInterval, deadAfter, reconnect, streamWindow, sessionWindow,
                localConnectTimeout, dataDir, queueLimits, delivery, breaker, bytes, wsCompression, haConnections);
    }

    /** @param on whether to offer permessage-deflate to the relay (off: every message goes uncompressed) */
    public EngineConfig withWsCompression(boolean on) {
        return new EngineConfig(relayUrl, token, tunnels, pingInterval, deadAfter, reconnect, streamWindow, sessionWindow,
                localConnectTimeout, dataDir, queueLimits, delivery, breaker, captureLimit, on, haConnections);
    }

    /** @param n sessions to different cluster nodes, 1 to {@link #MAX_HA_CONNECTIONS} (1: one session, as today) */
    public EngineConfig withHaConnections(int n) {
        return new EngineConfig(relayUrl, token, tunnels, pingInterval, deadAfter, reconnect, streamWindow, sessionWindow,
                localConnectTimeout, dataDir, queueLimits, delivery, breaker, captureLimit, wsCompression, n);
    }

    /** The full WebSocket URL to dial: {@link #relayUrl} with the connect path when it has none. */
    URI connectUri() {
        return connectUri(relayUrl);
    }

    /** {@code url} with the connect path when it has none (also a cluster node's own address, welcome {@code nodes}). */
    static URI connectUri(URI url) {
        String path = url.getPath();
        if (path == null || path.isEmpty() || path.equals("/")) {
            return url.resolve(Protocol.CONNECT_PATH);
        }
        return url;
    }
}
