package dev.portway.desktop.cli;

import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;

import java.io.IOException;
import java.net.URI;
import java.security.SecureRandom;
import java.util.HexFormat;

/** A relay running inside this process, for {@code portway connect} without {@code --relay}. */
final class EmbeddedRelay implements AutoCloseable {
    private final Relay relay;
    private final String token;

    private EmbeddedRelay(Relay relay, String token) {
        this.relay = relay;
        this.token = token;
    }

    /**
     * Starts a relay on 127.0.0.1:{@code port} with a random token only this process knows.
     *
     * @throws IOException when the port cannot be bound (the message says what to do)
     */
    static EmbeddedRelay start(int port) throws IOException {
        byte[] secret = new byte[16];
        new SecureRandom().nextBytes(secret);
        String token = HexFormat.of().formatHex(secret);
        Relay relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(port).token(token)
                // One local user on loopback, where every visitor is 127.0.0.1: no request rate limits (size, time
                // and connection limits stay).
                .visitorLimits(dev.portway.relay.ingress.VisitorLimits.DEFAULTS.withRatePerMinute(0))
                .identity(dev.portway.relay.IdentityConfig.DEFAULTS.withRates(0, 0, 0)).build());
        return new EmbeddedRelay(relay, token);
    }

    URI connectUrl() {
        return URI.create(relay.connectUrl());
    }

    String token() {
        return token;
    }

    @Override
    public void close() {
        relay.close();
    }
}
