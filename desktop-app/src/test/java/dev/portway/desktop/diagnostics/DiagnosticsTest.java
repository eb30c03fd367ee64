package dev.portway.desktop.diagnostics;

import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.diagnostics.StepResult.Outcome;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import okhttp3.OkHttpClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Function;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** Diagnostics against real peers: a relay on port 0, a real local HTTP server, closed ports, a silent server. */
class DiagnosticsTest {
    private static final String TOKEN = "diag-secret-token";
    private final Diagnostics diagnostics = new Diagnostics(new OkHttpClient(), Duration.ofSeconds(2), "portway-test/1");
    private Relay relay;
    private HttpServer local;

    @BeforeEach
    void start() throws IOException {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TOKEN).build());
        local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        local.createContext("/", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        local.start();
    }

    @AfterEach
    void stop() {
        relay.close();
        local.stop(0);
    }

    private DiagnosticTarget target(String relayUrl, String token, String kind, int localPort) {
        return new DiagnosticTarget(URI.create(relayUrl), token, kind, "127.0.0.1", localPort, false);
    }

    private DiagnosticTarget healthy() {
        return target("ws://127.0.0.1:" + relay.port(), TOKEN, "http", local.getAddress().getPort());
    }

    private static Map<Check, StepResult> byCheck(List<StepResult> steps) {
        return steps.stream().collect(Collectors.toMap(StepResult::check, Function.identity()));
    }

    @Test
    void everyStepPassesAgainstARunningRelayAndLocalApp() {
        List<StepResult> streamed = new CopyOnWriteArrayList<>();
        List<StepResult> steps = diagnostics.run(healthy(), streamed::add);

        assertThat(streamed).containsExactlyElementsOf(steps);
        assertThat(steps).extracting(StepResult::check).containsExactly(Check.values());
        Map<Check, StepResult> r = byCheck(steps);
        assertThat(r.get(Check.TLS).outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(r.get(Check.TLS).detail()).contains("ws://");
        assertThat(steps).filteredOn(s -> s.check() != Check.TLS).extracting(StepResult::outcome).containsOnly(Outcome.PASS);
        assertThat(r.get(Check.DNS).detail()).contains("127.0.0.1");
        assertThat(r.get(Check.WEBSOCKET).detail()).contains("HTTP 101").contains("/api/tunnel/connect");
        assertThat(r.get(Check.AUTH).detail()).contains("protocol 1").contains("session");
        assertThat(r.get(Check.RTT).detail()).matches("avg \\d+\\.\\d ms \\(min .*\\) over 5 pings");
        assertThat(r.get(Check.LOCAL_ANSWERS).detail()).contains("HTTP 204");
    }

    @Test
    void aClosedRelayPortFailsTcpAndSkipsTheRelayStepsThatNeedIt() throws IOException {
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        Map<Check, StepResult> r = byCheck(diagnostics.run(target("ws://127.0.0.1:" + closed, TOKEN, "http",
                local.getAddress().getPort()), s -> { }));

        assertThat(r.get(Check.DNS).outcome()).isEqualTo(Outcome.PASS);
        assertThat(r.get(Check.TCP).outcome()).isEqualTo(Outcome.FAIL);
        assertThat(r.get(Check.TCP).detail()).contains("refused");
        assertThat(r.get(Check.TCP).hint()).contains("Is the relay running on port " + closed);
        for (Check c : List.of(Check.TLS, Check.WEBSOCKET, Check.AUTH, Check.RTT)) {
            assertThat(r.get(c).outcome()).as(c.name()).isEqualTo(Outcome.SKIPPED);
            assertThat(r.get(c).detail()).as(c.name()).isEqualTo("skipped: “TCP connects” failed");
        }
        // the local app does not depend on the relay: still checked
        assertThat(r.get(Check.LOCAL_TCP).outcome()).isEqualTo(Outcome.PASS);
        assertThat(r.get(Check.LOCAL_ANSWERS).outcome()).isEqualTo(Outcome.PASS);
    }

    @Test
    void aWrongTokenFailsAuthWithAHintAboutTheToken() {
        Map<Check, StepResult> r = byCheck(diagnostics.run(target("ws://127.0.0.1:" + relay.port(), "wrong", "http",
                local.getAddress().getPort()), s -> { }));

        assertThat(r.get(Check.WEBSOCKET).outcome()).isEqualTo(Outcome.PASS);
        assertThat(r.get(Check.AUTH).outcome()).isEqualTo(Outcome.FAIL);
        assertThat(r.get(Check.AUTH).detail()).startsWith("refused: ");
        assertThat(r.get(Check.AUTH).hint()).contains("does not accept this token");
        assertThat(r.get(Check.RTT).outcome()).isEqualTo(Outcome.SKIPPED);
        assertThat(r.get(Check.RTT).detail()).contains("“Auth accepted” failed");
    }

    @Test
    void aDeadLocalTargetFailsTheLocalStepAndSkipsTheHttpCheck() throws IOException {
        int dead;
        try (ServerSocket s = new ServerSocket(0)) {
            dead = s.getLocalPort();
        }
        Map<Check, StepResult> r = byCheck(diagnostics.run(target("ws://127.0.0.1:" + relay.port(), TOKEN, "http", dead), s -> { }));

        assertThat(r.get(Check.RTT).outcome()).isEqualTo(Outcome.PASS);
        assertThat(r.get(Check.LOCAL_TCP).outcome()).isEqualTo(Outcome.FAIL);
        assertThat(r.get(Check.LOCAL_TCP).detail()).isEqualTo("port " + dead + " on 127.0.0.1 refused the connection");
        assertThat(r.get(Check.LOCAL_TCP).hint()).contains("Is your app running?");
        assertThat(r.get(Check.LOCAL_ANSWERS).outcome()).isEqualTo(Outcome.SKIPPED);
    }

    @Test
    void anUnresolvableRelayHostFailsDnsAndSkipsEveryRelayStep() {
        Map<Check, StepResult> r = byCheck(diagnostics.run(target("wss://no-such-relay.invalid", TOKEN, "http",
                local.getAddress().getPort()), s -> { }));

        assertThat(r.get(Check.DNS).outcome()).isEqualTo(Outcome.FAIL);
        assertThat(r.get(Check.DNS).detail()).isEqualTo("no-such-relay.invalid does not resolve");
        assertThat(r.get(Check.DNS).hint()).contains("typos");
        for (Check c : List.of(Check.TCP, Check.TLS, Check.WEBSOCKET, Check.AUTH, Check.RTT)) {
            assertThat(r.get(c).outcome()).as(c.name()).isEqualTo(Outcome.SKIPPED);
            assertThat(r.get(c).detail()).as(c.name()).contains("“Relay address resolves” failed");
        }
    }

    @Test
    void anHttpServerThatIsNotARelayFailsTheUpgradeWithItsStatus() {
        Map<Check, StepResult> r = byCheck(diagnostics.run(target("ws://127.0.0.1:" + local.getAddress().getPort(), TOKEN, "http",
                local.getAddress().getPort()), s -> { }));

        assertThat(r.get(Check.TCP).outcome()).isEqualTo(Outcome.PASS);
        assertThat(r.get(Check.WEBSOCKET).outcome()).isEqualTo(Outcome.FAIL);
        assertThat(r.get(Check.WEBSOCKET).detail()).startsWith("HTTP 204 instead of a WebSocket");
        assertThat(r.get(Check.AUTH).outcome()).isEqualTo(Outcome.SKIPPED);
    }

    @Test
    void aSilentServerFailsTheUpgradeWhenItsTimeIsUp() throws Exception {
        List<Socket> held = new ArrayList<>();
        try (ServerSocket silent = new ServerSocket(0)) {
            Thread.ofVirtual().start(() -> {
                try {
                    while (true) {
                        held.add(silent.accept()); // accept, never answer
                    }
                } catch (IOException closed) {
                    // test over
                }
            });
            Diagnostics quick = new Diagnostics(new OkHttpClient(), Duration.ofMillis(700), "portway-test/1");
            Map<Check, StepResult> r = byCheck(quick.run(target("ws://127.0.0.1:" + silent.getLocalPort(), TOKEN, "tcp",
                    local.getAddress().getPort()), s -> { }));

            assertThat(r.get(Check.TCP).outcome()).isEqualTo(Outcome.PASS);
            assertThat(r.get(Check.WEBSOCKET).outcome()).isEqualTo(Outcome.FAIL);
            assertThat(r.get(Check.WEBSOCKET).detail()).isEqualTo("no answer within 700 ms");
            assertThat(r.get(Check.WEBSOCKET).duration()).isLessThan(Duration.ofSeconds(3));
            // a TCP profile's service is not asked HTTP
            assertThat(r.get(Check.LOCAL_ANSWERS).outcome()).isEqualTo(Outcome.SKIPPED);
            assertThat(r.get(Check.LOCAL_ANSWERS).detail()).contains("TCP tunnel");
        } finally {
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void theReportNamesEveryStepAndNeverTheToken() {
        DiagnosticTarget t = healthy();
        List<StepResult> steps = diagnostics.run(t, s -> { });
        AppInfo app = new AppInfo("1.2.3", 1, "25", "26", "Linux", Path.of("/tmp/portway"));

        String report = DiagnosticReport.format(app, Instant.parse("2026-11-22T05:00:00.123Z"), "“My app” http 127.0.0.1", t, steps);

        assertThat(report).startsWith("Portway diagnostics, 2026-11-22T05:00:00Z\nPortway 1.2.3\n");
        assertThat(report).contains("Relay: ws://127.0.0.1:" + relay.port() + "/api/tunnel/connect");
        for (Check c : Check.values()) {
            assertThat(report).contains(c.title());
        }
        assertThat(report).contains("PASS    Auth accepted").contains("SKIPPED TLS handshake").endsWith("All checks passed.\n");
        assertThat(report).doesNotContain(TOKEN);
    }
}
