package dev.portway.desktop.engine;

import com.sun.net.httpserver.HttpServer;
import dev.portway.relay.IdentityConfig;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.store.IdentityRecords;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Tier;
import dev.portway.shared.protocol.ErrorCategory;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * PROTOCOL.md §2.3: after {@code token_revoked} or {@code user_disabled} — also when it ends a live session at a
 * JWT refresh — the engine stops at once: not one more hello, against a real relay.
 */
class NoRetryAfterRevocationIT {
    @TempDir
    Path tmp;
    private final List<EngineStatus> statuses = new CopyOnWriteArrayList<>();
    private HttpServer local;
    private Relay relay;
    private TunnelEngine engine;
    private IdentityStore ids;

    @BeforeEach
    void start() throws IOException {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("relay-secret").dataDir(tmp)
                .identity(IdentityConfig.DEFAULTS.withJwtLifetime(Duration.ofSeconds(2))).build());
        ids = relay.store().identity();
        ids.addUser("alice", Tier.FREE);
        local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        local.createContext("/", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        local.start();
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        local.stop(0);
        relay.close();
    }

    private void connect(String token) {
        // Quick retries, so a wrong retry would happen well within the test's wait.
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), token,
                        List.of(TunnelSpec.http("app", local.getAddress().getPort())))
                .withReconnect(new ReconnectPolicy(Duration.ofMillis(100), 1.0, 0, Duration.ofMillis(100), 10)), Runnable::run);
        engine.addListener(new EngineListener() {
            @Override
            public void onStatus(EngineStatus status) {
                statuses.add(status);
            }
        });
        engine.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
    }

    /** Hellos the relay refused for alice (its refresh refusal is recorded with {@code at: refresh}). */
    private long refusedHellos() {
        return ids.audit(0, "alice", 1000).stream().filter(r -> r.event().equals("auth_failure"))
                .map(IdentityRecords.AuditRow::fieldsJson).filter(f -> !f.contains("\"at\"")).count();
    }

    @Test
    void aTokenRevokedDuringTheSessionEndsItWithoutAReconnect() throws Exception {
        var token = ids.createToken("alice", "laptop");
        connect(token.secret());
        ids.revokeToken(token.token().id());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.status().state() == EngineState.FAILED);
        assertThat(engine.status().category()).isEqualTo(ErrorCategory.AUTH);
        assertThat(engine.status().message()).contains("revoked this token");
        // Long enough for several retries of the 100 ms policy: none comes.
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> refusedHellos() == 0);
        assertThat(statuses).noneMatch(s -> s.state() == EngineState.RECONNECTING);
        assertThat(engine.status().state()).isEqualTo(EngineState.FAILED);
    }

    @Test
    void aUserDisabledDuringTheSessionEndsItWithoutAReconnect() throws Exception {
        connect(ids.createToken("alice", "laptop").secret());
        ids.setDisabled("alice", true);
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.status().state() == EngineState.FAILED);
        assertThat(engine.status().message()).contains("disabled the user alice");
        await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(2)).until(() -> refusedHellos() == 0);
        assertThat(statuses).noneMatch(s -> s.state() == EngineState.RECONNECTING);
    }
}
