package dev.portway.desktop.engine;

import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.shared.protocol.ErrorCategory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Errors reach the charts with the right category: a real relay on port 0, a real engine, real requests. */
class EngineStatsIT {
    private final OkHttpClient visitor = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    private final EngineStats stats = new EngineStats(Clock.systemUTC());
    private Relay relay;
    private TunnelEngine engine;

    @BeforeEach
    void startRelay() throws IOException {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret").build());
    }

    @AfterEach
    void stopAll() {
        if (engine != null) {
            engine.close();
        }
        relay.close();
        visitor.dispatcher().executorService().shutdown();
        visitor.connectionPool().evictAll();
    }

    private void start(String token, TunnelSpec spec) {
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), token, List.of(spec)), Runnable::run);
        engine.addListener(stats);
        engine.start();
    }

    @Test
    void aLocalAppThatIsDownCountsAsATargetError() throws IOException {
        int downPort;
        try (ServerSocket s = new ServerSocket(0)) {
            downPort = s.getLocalPort();
        }
        start("secret", TunnelSpec.http("down", downPort));
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
        assertThat(stats.snapshot().state()).isEqualTo(EngineState.CONNECTED);

        for (int i = 0; i < 2; i++) {
            try (Response r = visitor.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/")
                    .header("Host", "down.localhost").build()).execute()) {
                assertThat(r.code()).isEqualTo(502);
            }
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> stats.snapshot().requests() == 2);
        EngineStats.Snapshot s = stats.snapshot();
        assertThat(s.errors(ErrorCategory.TARGET)).isEqualTo(2);
        assertThat(s.totalErrors()).isEqualTo(2);
        assertThat(s.reconnects()).isZero();
    }

    @Test
    void aWrongTokenCountsAsAnAuthErrorOnce() {
        start("not-the-token", TunnelSpec.http("nope", 3000));
        await().atMost(Duration.ofSeconds(10)).until(() -> stats.snapshot().state() == EngineState.FAILED);
        EngineStats.Snapshot s = stats.snapshot();
        assertThat(s.errors(ErrorCategory.AUTH)).isEqualTo(1);
        assertThat(s.totalErrors()).isEqualTo(1);
        assertThat(s.requests()).isZero();
    }

    @Test
    void aLostConnectionCountsAReconnectAndANetworkError() {
        start("secret", TunnelSpec.http("flaky", 3000));
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
        relay.close();
        await().atMost(Duration.ofSeconds(10)).until(() -> stats.snapshot().state() == EngineState.RECONNECTING);
        EngineStats.Snapshot s = stats.snapshot();
        assertThat(s.reconnects()).isEqualTo(1);
        assertThat(s.errors(ErrorCategory.AUTH)).isZero();
        assertThat(s.totalErrors()).isPositive();
    }
}
