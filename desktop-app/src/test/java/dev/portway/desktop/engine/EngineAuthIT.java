package dev.portway.desktop.engine;

import com.sun.net.httpserver.HttpServer;
import dev.portway.relay.IdentityConfig;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Tier;
import dev.portway.shared.protocol.ErrorCategory;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The engine with a user's API token: it refreshes its session JWT without reconnecting, and shows revocation. */
class EngineAuthIT {
    @TempDir
    Path tmp;
    private final OkHttpClient visitor = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
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
        local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        local.createContext("/", ex -> {
            byte[] body = "hi".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
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
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), token,
                List.of(TunnelSpec.http("app", local.getAddress().getPort()))), Runnable::run);
        engine.addListener(new EngineListener() {
            @Override
            public void onStatus(EngineStatus status) {
                statuses.add(status);
            }
        });
        engine.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
    }

    private int get() throws IOException {
        try (Response r = visitor.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/app/").build()).execute()) {
            return r.code();
        }
    }

    @Test
    void theEngineRefreshesItsJwtOverTheOpenSessionWithoutReconnecting() throws Exception {
        ids.addUser("alice", Tier.FREE);
        connect(ids.createToken("alice", "laptop").secret());
        // For two and a half JWT lifetimes the session stays up without a reconnect: it refreshes in place.
        await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(7)).until(() -> relay.sessionCount() == 1
                && statuses.stream().noneMatch(st -> st.state() == EngineState.RECONNECTING || st.state() == EngineState.FAILED));
        assertThat(get()).isEqualTo(200);
        assertThat(relay.sessionCount()).isEqualTo(1);
        assertThat(ids.audit(0, "alice", 100)).filteredOn(r -> r.event().equals("connect")).hasSize(1);
        assertThat(statuses).noneMatch(s -> s.state() == EngineState.RECONNECTING || s.state() == EngineState.FAILED);
    }

    @Test
    void aRevokedTokenStopsTheEngineWithWordsSayingWhatToDo() throws Exception {
        ids.addUser("alice", Tier.FREE);
        var token = ids.createToken("alice", "laptop");
        connect(token.secret());
        ids.revokeToken(token.token().id());
        await().atMost(Duration.ofSeconds(10)).until(() -> engine.status().state() == EngineState.FAILED);
        EngineStatus failed = engine.status();
        assertThat(failed.category()).isEqualTo(ErrorCategory.AUTH);
        assertThat(failed.message()).contains("The relay revoked this token — ask your relay's admin for a new one");
        assertThat(get()).isNotEqualTo(200);
    }

    @Test
    void theRelaysOwnTokenStillWorksAsTheLocalUser() throws Exception {
        connect("relay-secret");
        assertThat(get()).isEqualTo(200);
        assertThat(ids.audit(0, "local", 100)).anyMatch(r -> r.event().equals("auth_success"));
    }
}
