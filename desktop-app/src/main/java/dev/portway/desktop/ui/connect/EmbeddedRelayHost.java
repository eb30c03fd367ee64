package dev.portway.desktop.ui.connect;

import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;

import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;

/**
 * The one relay inside the app, started on first need and shared by every profile in EMBEDDED mode:
 * loopback only, port {@code preferredPort} if free else any free port, a random token only this
 * process knows. Thread-safe; {@link #endpoint()} blocks while the relay starts (call it off the FX thread).
 */
public final class EmbeddedRelayHost implements AutoCloseable {
    /** Where the relay listens and the token it wants. */
    public record Endpoint(URI connectUrl, String token, int port) {
    }

    private static final org.slf4j.Logger LOG = org.slf4j.LoggerFactory.getLogger(EmbeddedRelayHost.class);
    private final int preferredPort;
    /** Runs once, on the thread that started the relay, when it is up (the app's start-up timeline). */
    private final Runnable onStarted;
    /** Written under the lock, read without it by {@link #queuedCount} (which must not wait for a start). */
    private volatile Relay relay;
    private Endpoint endpoint;
    private boolean closed;

    public EmbeddedRelayHost(int preferredPort) {
        this(preferredPort, () -> { });
    }

    public EmbeddedRelayHost(int preferredPort, Runnable onStarted) {
        this.preferredPort = preferredPort;
        this.onStarted = onStarted;
    }

    /** Whether the relay is up; false before the first {@link #endpoint()} (which starts it) and after close. */
    public boolean started() {
        return relay != null;
    }

    public synchronized Endpoint endpoint() throws IOException {
        if (closed) {
            throw new IOException("Portway is shutting down.");
        }
        if (endpoint == null) {
            byte[] secret = new byte[16];
            new SecureRandom().nextBytes(secret);
            String token = HexFormat.of().formatHex(secret);
            long t0 = System.nanoTime();
            try {
                relay = start(preferredPort, token);
            } catch (IOException portTaken) {
                relay = start(0, token);
            }
            endpoint = new Endpoint(URI.create(relay.connectUrl()), token, relay.port());
            LOG.info("embedded relay started on port {} in {} ms", relay.port(), (System.nanoTime() - t0) / 1_000_000);
            onStarted.run();
        }
        return endpoint;
    }

    private static Relay start(int port, String token) throws IOException {
        return Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(port).token(token)
                // One local user on loopback, where every visitor is 127.0.0.1: no request rate limits (size, time
                // and connection limits stay).
                .visitorLimits(dev.portway.relay.ingress.VisitorLimits.DEFAULTS.withRatePerMinute(0))
                .identity(dev.portway.relay.IdentityConfig.DEFAULTS.withRates(0, 0, 0)).build());
    }

    /**
     * Requests the embedded relay keeps in its durable queue for {@code tunnel} (PROTOCOL.md §9.3): webhooks that
     * arrived while the profile was away; 0 while the relay has not started. Blocks on the relay's store: off the FX thread.
     */
    public int queuedCount(String tunnel) {
        Relay r = relay;
        if (r == null || tunnel == null || tunnel.isEmpty()) {
            return 0;
        }
        try {
            return r.queuedCount(tunnel);
        } catch (RuntimeException e) {
            return 0; // closing
        }
    }

    @Override
    public synchronized void close() {
        closed = true;
        if (relay != null) {
            relay.close();
            relay = null;
        }
    }
}
