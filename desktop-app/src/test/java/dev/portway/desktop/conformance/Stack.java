package dev.portway.desktop.conformance;

import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.engine.ReconnectPolicy;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.ingress.VisitorLimits;

import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.awaitility.Awaitility.await;

/**
 * A real relay on port 0 and the real engine with one HTTP tunnel per local app, as a user runs them.
 * The relay has no per-IP request limit (the suite sends a few hundred requests from one address).
 */
final class Stack implements AutoCloseable {
    private static final String TOKEN = "conformance-token";

    private final Relay relay;
    private final TunnelEngine engine;

    private Stack(Relay relay, TunnelEngine engine) {
        this.relay = relay;
        this.engine = engine;
    }

    /** Starts relay and engine with a tunnel {@code name → localhost:port} for each entry, and waits until all are bound. */
    static Stack start(Map<String, Integer> tunnels) throws Exception {
        Relay relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TOKEN)
                .visitorLimits(VisitorLimits.DEFAULTS.withRatePerMinute(0)).build());
        List<TunnelSpec> specs = new ArrayList<>();
        new LinkedHashMap<>(tunnels).forEach((name, port) -> specs.add(TunnelSpec.http(name, port)));
        EngineConfig config = EngineConfig.of(URI.create(relay.connectUrl()), TOKEN, specs)
                .withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 2, 0.3, Duration.ofSeconds(1), 20));
        TunnelEngine engine = new TunnelEngine(config, Runnable::run);
        engine.start();
        try {
            await().atMost(Duration.ofSeconds(20)).until(() ->
                    engine.status().state() == EngineState.CONNECTED && engine.tunnels().size() == specs.size());
        } catch (RuntimeException e) {
            engine.close();
            relay.close();
            throw e;
        }
        return new Stack(relay, engine);
    }

    int relayPort() {
        return relay.port();
    }

    /** The Host a visitor uses for tunnel {@code name}: {@code name.localhost:<relay port>}. */
    String host(String name) {
        return name + ".localhost:" + relay.port();
    }

    @Override
    public void close() {
        engine.close();
        relay.close();
    }
}
