package dev.portway.desktop.engine;

import com.sun.net.httpserver.HttpServer;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The engine's {@code host_header} option, through a real relay to a local app that echoes the Host it got. */
class HostHeaderIT {
    private final OkHttpClient visitor = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
    private HttpServer local;
    private Relay relay;
    private TunnelEngine engine;

    @BeforeEach
    void start() throws IOException {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret").build());
        local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        local.createContext("/", ex -> {
            byte[] body = (ex.getRequestHeaders().getFirst("Host") + "|" + ex.getRequestHeaders().getFirst("X-Forwarded-Host"))
                    .getBytes(StandardCharsets.UTF_8);
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
        relay.close();
        local.stop(0);
    }

    private String hostSeenThrough(String name, Map<String, String> options) throws IOException {
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), "secret",
                List.of(new TunnelSpec("http", name, "127.0.0.1", local.getAddress().getPort(), options))), Runnable::run);
        engine.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
        try (Response r = visitor.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/")
                .header("Host", name + ".localhost").build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            return r.body().string();
        }
    }

    @Test
    void rewriteGivesTheLocalAppItsOwnHostAndKeepsTheVisitorsInXForwardedHost() throws IOException {
        String seen = hostSeenThrough("rewritten", Map.of(TunnelSpec.OPTION_HOST_HEADER, TunnelSpec.HOST_HEADER_REWRITE));

        assertThat(seen).isEqualTo("127.0.0.1:" + local.getAddress().getPort() + "|rewritten.localhost");
    }

    @Test
    void preserveAndNoOptionPassTheVisitorsHostOn() throws IOException {
        assertThat(hostSeenThrough("kept", Map.of(TunnelSpec.OPTION_HOST_HEADER, TunnelSpec.HOST_HEADER_PRESERVE)))
                .isEqualTo("kept.localhost|kept.localhost");
        engine.close();
        engine = null;
        assertThat(hostSeenThrough("plain", Map.of())).isEqualTo("plain.localhost|plain.localhost");
    }
}
