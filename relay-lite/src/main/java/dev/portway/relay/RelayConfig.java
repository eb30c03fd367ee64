package dev.portway.relay;

import dev.portway.shared.protocol.Protocol;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;

/**
 * Everything a {@link Relay} needs to start. Immutable; build one with {@link #builder()}.
 *
 * @param bindHost             interface to listen on ({@code 0.0.0.0} for all)
 * @param port                 HTTP port for visitors and clients; 0 picks a free one
 * @param domain               tunnel hosts are {@code <name>.<domain>}
 * @param token                the secret clients must present in {@code hello}
 * @param tcpPortFrom          first public port for TCP tunnels (inclusive)
 * @param tcpPortTo            last public port for TCP tunnels (inclusive); the range 0-0 means any free
 *                             port the operating system assigns, and any requested port
 * @param grace                how long a dropped session's names and ports are held for it
 * @param pingInterval         how often the relay pings each client
 * @param deadAfter            silence after which a client is declared dead
 * @param helloTimeout         time a new WebSocket has to send its hello
 * @param shutdownDeadline     default time in-flight streams get to finish on {@link Relay#close()}
 * @param streamWindow         the relay's receive window per stream (bytes)
 * @param sessionWindow        the relay's receive window per session (bytes)
 * @param maxStreamsPerSession open streams per session before visitors get 503
 * @param maxTunnelsPerSession tunnels per session before binds get {@code limit_reached}
 * @param publicScheme         scheme of public URLs and {@code X-Forwarded-Proto}
 * @param dataDir              where the relay keeps its database (queued requests, reservations of queued
 *                             tunnels); null keeps them in memory only, lost when the relay stops
 * @param holdTime             how long a request to a reconnecting tunnel is held before it gets 503 (§9.1)
 * @param holdCount            requests held per tunnel at most
 * @param holdBytes            bytes of request heads held per tunnel at most
 * @param queueMaxCount        requests stored per queued tunnel at most (§9.3)
 * @param queueMaxBytes        bytes of request bodies stored per queued tunnel at most
 * @param visitorLimits        rate, size, time and connection limits for visitors
 * @param tls                  whether and how the relay's port serves TLS
 * @param identity             users, tokens, JWTs and per-user limits
 * @param console              the web console's listener ({@link dev.portway.relay.console.ConsoleSettings#OFF} by default)
 * @param wsCompression        whether the clients' WebSocket may use permessage-deflate (PROTOCOL.md §1.1)
 */
public record RelayConfig(String bindHost, int port, String domain, String token,
                          int tcpPortFrom, int tcpPortTo, Duration grace, Duration pingInterval, Duration deadAfter,
                          Duration helloTimeout, Duration shutdownDeadline, int streamWindow, int sessionWindow,
                          int maxStreamsPerSession, int maxTunnelsPerSession, String publicScheme,
                          Path dataDir, Duration holdTime, int holdCount, long holdBytes,
                          int queueMaxCount, long queueMaxBytes,
                          dev.portway.relay.ingress.VisitorLimits visitorLimits, dev.portway.relay.tls.TlsSettings tls,
                          IdentityConfig identity, dev.portway.relay.console.ConsoleSettings console,
                          boolean wsCompression) {

    public static final Duration DEFAULT_HOLD_TIME = Duration.ofSeconds(10);
    public static final int DEFAULT_HOLD_COUNT = 100;
    public static final long DEFAULT_HOLD_BYTES = 1024 * 1024;
    public static final int DEFAULT_QUEUE_MAX_COUNT = 10_000;
    public static final long DEFAULT_QUEUE_MAX_BYTES = 64L * 1024 * 1024;

    /** The configuration of protocol §1-8 only, with the defaults of §9 (in-memory store). */
    public RelayConfig(String bindHost, int port, String domain, String token,
                       int tcpPortFrom, int tcpPortTo, Duration grace, Duration pingInterval, Duration deadAfter,
                       Duration helloTimeout, Duration shutdownDeadline, int streamWindow, int sessionWindow,
                       int maxStreamsPerSession, int maxTunnelsPerSession, String publicScheme) {
        this(bindHost, port, domain, token, tcpPortFrom, tcpPortTo, grace, pingInterval, deadAfter, helloTimeout,
                shutdownDeadline, streamWindow, sessionWindow, maxStreamsPerSession, maxTunnelsPerSession, publicScheme,
                null, DEFAULT_HOLD_TIME, DEFAULT_HOLD_COUNT, DEFAULT_HOLD_BYTES, DEFAULT_QUEUE_MAX_COUNT,
                DEFAULT_QUEUE_MAX_BYTES, dev.portway.relay.ingress.VisitorLimits.DEFAULTS, dev.portway.relay.tls.TlsSettings.OFF,
                IdentityConfig.DEFAULTS, dev.portway.relay.console.ConsoleSettings.OFF,
                dev.portway.shared.protocol.WsCompression.DEFAULT_ENABLED);
    }

    /** The configuration of protocol §1-9 with the default users, visitor limits and no TLS. */
    public RelayConfig(String bindHost, int port, String domain, String token,
                       int tcpPortFrom, int tcpPortTo, Duration grace, Duration pingInterval, Duration deadAfter,
                       Duration helloTimeout, Duration shutdownDeadline, int streamWindow, int sessionWindow,
                       int maxStreamsPerSession, int maxTunnelsPerSession, String publicScheme,
                       Path dataDir, Duration holdTime, int holdCount, long holdBytes,
                       int queueMaxCount, long queueMaxBytes) {
        this(bindHost, port, domain, token, tcpPortFrom, tcpPortTo, grace, pingInterval, deadAfter, helloTimeout,
                shutdownDeadline, streamWindow, sessionWindow, maxStreamsPerSession, maxTunnelsPerSession, publicScheme,
                dataDir, holdTime, holdCount, holdBytes, queueMaxCount, queueMaxBytes,
                dev.portway.relay.ingress.VisitorLimits.DEFAULTS, dev.portway.relay.tls.TlsSettings.OFF, IdentityConfig.DEFAULTS,
                dev.portway.relay.console.ConsoleSettings.OFF, dev.portway.shared.protocol.WsCompression.DEFAULT_ENABLED);
    }

    public RelayConfig {
        if (token == null || token.isBlank()) {
            throw new IllegalArgumentException("A token is required — set one with --token or PORTWAY_TOKEN.");
        }
        Objects.requireNonNull(bindHost, "bindHost");
        Objects.requireNonNull(domain, "domain");
        Objects.requireNonNull(publicScheme, "publicScheme");
        if (port < 0 || port > 65535) {
            throw new IllegalArgumentException("Port " + port + " is not a valid port (0-65535).");
        }
        boolean anyPort = tcpPortFrom == 0 && tcpPortTo == 0; // 0-0: ports picked by the OS (tests, embedded relays)
        if (!anyPort && (tcpPortFrom < 1 || tcpPortTo > 65535 || tcpPortFrom > tcpPortTo)) {
            throw new IllegalArgumentException("TCP port range " + tcpPortFrom + "-" + tcpPortTo + " is not valid — use e.g. 20000-20999.");
        }
        if (streamWindow < Protocol.MIN_WINDOW || sessionWindow < Protocol.MIN_WINDOW) {
            throw new IllegalArgumentException("Windows must be at least " + Protocol.MIN_WINDOW + " bytes.");
        }
        if (holdTime == null || holdTime.isNegative()) {
            throw new IllegalArgumentException("The hold time must be set and not negative (0 turns holding off).");
        }
        if (holdCount < 0 || holdBytes < 0) {
            throw new IllegalArgumentException("Hold limits must not be negative (0 turns holding off).");
        }
        if (queueMaxCount < 1) {
            throw new IllegalArgumentException("--queue-max-count must be at least 1, not " + queueMaxCount + ".");
        }
        if (queueMaxBytes < 1) {
            throw new IllegalArgumentException("--queue-max-bytes must be at least 1 byte, not " + queueMaxBytes + ".");
        }
        for (Duration d : new Duration[]{grace, pingInterval, deadAfter, helloTimeout, shutdownDeadline}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("Durations must be set and not negative.");
            }
        }
        if (identity == null) {
            identity = IdentityConfig.DEFAULTS;
        }
        if (console == null) {
            console = dev.portway.relay.console.ConsoleSettings.OFF;
        }
        domain = domain.toLowerCase(java.util.Locale.ROOT);
        Objects.requireNonNull(visitorLimits, "visitorLimits");
        Objects.requireNonNull(tls, "tls");
    }

    /** True when TCP tunnels get OS-assigned ports (range 0-0) instead of ports from a range. */
    public boolean anyTcpPort() {
        return tcpPortFrom == 0 && tcpPortTo == 0;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static final class Builder {
        private String bindHost = "0.0.0.0";
        private int port = 8080;
        private String domain = "localhost";
        private String token;
        private int tcpPortFrom = 20000;
        private int tcpPortTo = 20999;
        private Duration grace = Duration.ofSeconds(30);
        private Duration pingInterval = Duration.ofSeconds(30);
        private Duration deadAfter = Duration.ofSeconds(45);
        private Duration helloTimeout = Duration.ofSeconds(10);
        private Duration shutdownDeadline = Duration.ofSeconds(10);
        private int streamWindow = Protocol.DEFAULT_STREAM_WINDOW;
        private int sessionWindow = Protocol.DEFAULT_SESSION_WINDOW;
        private int maxStreamsPerSession = 1024;
        private int maxTunnelsPerSession = 32;
        private String publicScheme = "http";
        private Path dataDir;
        private Duration holdTime = DEFAULT_HOLD_TIME;
        private int holdCount = DEFAULT_HOLD_COUNT;
        private long holdBytes = DEFAULT_HOLD_BYTES;
        private int queueMaxCount = DEFAULT_QUEUE_MAX_COUNT;
        private long queueMaxBytes = DEFAULT_QUEUE_MAX_BYTES;
        private dev.portway.relay.ingress.VisitorLimits visitorLimits = dev.portway.relay.ingress.VisitorLimits.DEFAULTS;
        private dev.portway.relay.tls.TlsSettings tls = dev.portway.relay.tls.TlsSettings.OFF;
        private IdentityConfig identity = IdentityConfig.DEFAULTS;
        private dev.portway.relay.console.ConsoleSettings console = dev.portway.relay.console.ConsoleSettings.OFF;
        private boolean wsCompression = dev.portway.shared.protocol.WsCompression.DEFAULT_ENABLED;

        private Builder() {
        }

        public Builder bindHost(String v) { bindHost = v; return this; }
        public Builder port(int v) { port = v; return this; }
        public Builder domain(String v) { domain = v; return this; }
        public Builder token(String v) { token = v; return this; }
        public Builder tcpPortFrom(int v) { tcpPortFrom = v; return this; }
        public Builder tcpPortTo(int v) { tcpPortTo = v; return this; }
        public Builder grace(Duration v) { grace = v; return this; }
        public Builder pingInterval(Duration v) { pingInterval = v; return this; }
        public Builder deadAfter(Duration v) { deadAfter = v; return this; }
        public Builder helloTimeout(Duration v) { helloTimeout = v; return this; }
        public Builder shutdownDeadline(Duration v) { shutdownDeadline = v; return this; }
        public Builder streamWindow(int v) { streamWindow = v; return this; }
        public Builder sessionWindow(int v) { sessionWindow = v; return this; }
        public Builder maxStreamsPerSession(int v) { maxStreamsPerSession = v; return this; }
        public Builder maxTunnelsPerSession(int v) { maxTunnelsPerSession = v; return this; }
        public Builder publicScheme(String v) { publicScheme = v; return this; }
        /** Null (the default) keeps the queue and reservations in memory: they work, but do not survive a restart. */
        public Builder dataDir(Path v) { dataDir = v; return this; }
        public Builder holdTime(Duration v) { holdTime = v; return this; }
        public Builder holdCount(int v) { holdCount = v; return this; }
        public Builder holdBytes(long v) { holdBytes = v; return this; }
        public Builder queueMaxCount(int v) { queueMaxCount = v; return this; }
        public Builder queueMaxBytes(long v) { queueMaxBytes = v; return this; }
        public Builder visitorLimits(dev.portway.relay.ingress.VisitorLimits v) { visitorLimits = v; return this; }
        /** TLS on the relay's port; also makes public URLs https (unless {@link #publicScheme} is set after). */
        public Builder tls(dev.portway.relay.tls.TlsSettings v) { tls = v; if (v.enabled()) { publicScheme = "https"; } return this; }
        public Builder identity(IdentityConfig v) { identity = v; return this; }
        /** The web console's own listener (off by default). */
        public Builder console(dev.portway.relay.console.ConsoleSettings v) { console = v; return this; }
        /** permessage-deflate on the clients' WebSocket when a client offers it. */
        public Builder wsCompression(boolean v) { wsCompression = v; return this; }

        /** @throws IllegalArgumentException when the token is missing or a value is out of range */
        public RelayConfig build() {
            return new RelayConfig(bindHost, port, domain, token, tcpPortFrom, tcpPortTo, grace, pingInterval, deadAfter,
                    helloTimeout, shutdownDeadline, streamWindow, sessionWindow, maxStreamsPerSession,
                    maxTunnelsPerSession, publicScheme, dataDir, holdTime, holdCount, holdBytes, queueMaxCount, queueMaxBytes,
                    visitorLimits, tls, identity, console, wsCompression);
        }
    }
}
