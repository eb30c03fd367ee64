package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.BreakerPolicy;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.shared.protocol.ErrorCode;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.net.ServerSocket;
import java.time.Duration;

import static dev.portway.desktop.e2e.TunnelHarness.RecordingEngine;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The circuit breaker per tunnel (PROTOCOL.md §9.4) with a real relay, engine and visitor. */
class BreakerIT {
    private final OkHttpClient visitor = TunnelHarness.visitor();
    private Relay relay;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TunnelHarness.TOKEN).build());
    }

    @AfterEach
    void stop() {
        relay.close();
    }

    @Test
    void afterRepeatedFailuresNewRequestsAreRefusedAtOnceWithoutTryingTheLocalApp() throws Exception {
        int deadPort;
        try (ServerSocket s = new ServerSocket(0)) {
            deadPort = s.getLocalPort();
        }
        try (RecordingEngine engine = new RecordingEngine(RecordingEngine.config(relay.connectUrl(), TunnelHarness.TOKEN,
                TunnelSpec.http("flaky", deadPort)).withBreaker(new BreakerPolicy(2, Duration.ofSeconds(60))))) {
            engine.awaitTunnel();

            assertThat(get("/one")).isEqualTo(502);
            assertThat(get("/two")).isEqualTo(502);
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.breakers.contains("flaky open"));

            int status = get("/three");

            assertThat(status).isGreaterThanOrEqualTo(500);
            await().atMost(Duration.ofSeconds(5)).until(() -> engine.requests.size() == 3);
            RequestEvent third = engine.requests.stream().filter(e -> e.path().equals("/three")).findFirst().orElseThrow();
            assertThat(third.error()).isEqualTo(ErrorCode.TARGET_FAILING);
            assertThat(third.errorMessage()).contains("localhost:" + deadPort + " failed 2 times in a row");
            assertThat(engine.requests).filteredOn(e -> e.error() == ErrorCode.TARGET_UNREACHABLE).hasSize(2);
        }
    }

    private int get(String path) throws Exception {
        try (Response r = visitor.newCall(new Request.Builder().url("http://flaky.localhost:" + relay.port() + path).build()).execute()) {
            return r.code();
        }
    }
}
