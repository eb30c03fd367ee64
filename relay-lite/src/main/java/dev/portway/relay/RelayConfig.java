package dev.portway.relay;

import dev.portway.shared.protocol.Protocol;

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
 * @param tcpPortTo            last public port for TCP tunnels (inclusive)
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
 */
public record RelayConfig(String bindHost, int port, String domain, String token,
                          int tcpPortFrom, int tcpPortTo, Duration grace, Duration pingInterval, Duration deadAfter,
                          Duration helloTimeout, Duration shutdownDeadline, int streamWindow, int sessionWindow,
                          int maxStreamsPerSession, int maxTunnelsPerSession, String publicScheme) {

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
        if (tcpPortFrom < 1 || tcpPortTo > 65535 || tcpPortFrom > tcpPortTo) {
            throw new IllegalArgumentException("TCP port range " + tcpPortFrom + "-" + tcpPortTo + " is not valid — use e.g. 20000-20999.");
        }
        if (streamWindow < Protocol.MIN_WINDOW || sessionWindow < Protocol.MIN_WINDOW) {
            throw new IllegalArgumentException("Windows must be at least " + Protocol.MIN_WINDOW + " bytes.");
        }
        for (Duration d : new Duration[]{grace, pingInterval, deadAfter, helloTimeout, shutdownDeadline}) {
            if (d == null || d.isNegative()) {
                throw new IllegalArgumentException("Durations must be set and not negative.");
            }
        }
        domain = domain.toLowerCase(java.util.Locale.ROOT);
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

        /** @throws IllegalArgumentException when the token is missing or a value is out of range */
        public RelayConfig build() {
            return new RelayConfig(bindHost, port, domain, token, tcpPortFrom, tcpPortTo, grace, pingInterval, deadAfter,
                    helloTimeout, shutdownDeadline, streamWindow, sessionWindow, maxStreamsPerSession,
                    maxTunnelsPerSession, publicScheme);
        }
    }
}
