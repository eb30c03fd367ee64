package dev.portway.desktop.e2e;

import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.store.PostgresServer;
import dev.portway.relay.testing.ClusterNodes;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A visitor's WebSocket (an app's live reload, a chat) on a node other than the tunnel's: two in-process relay nodes on
 * a real PostgreSQL, the real engine on node B only, a real WebSocket server behind it, and OkHttp's WebSocket client
 * on node A, so the upgrade and every message cross the node link both ways.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterWebSocketIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";

    @TempDir
    static Path tmp;
    private Relay a;
    private Relay b;
    private WebSocketEchoServer echo;
    private TunnelEngine engine;
    private final OkHttpClient visitor = TunnelHarness.visitor();

    @BeforeAll
    void start() throws Exception {
        String db = PG.newDatabase();
        a = node(db, "ws-a");
        b = node(db, "ws-b");
        echo = new WebSocketEchoServer();
        engine = new TunnelEngine(EngineConfig.of(URI.create(b.connectUrl()), "secret",
                List.of(TunnelSpec.http("live", echo.port()))), Runnable::run);
        engine.start();
        await().atMost(Duration.ofSeconds(20)).until(() -> !engine.tunnels().isEmpty());
        await().atMost(Duration.ofSeconds(20)).until(() -> a.cluster().servable("live"));
    }

    private Relay node(String db, String id) throws Exception {
        return ClusterNodes.start(tmp, db, id, SECRET);
    }

    @AfterAll
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
        if (a != null) {
            a.close();
        }
        if (b != null) {
            b.close();
        }
        if (echo != null) {
            echo.close();
        }
    }

    @Test
    void aWebSocketOnTheOtherNodeEchoesTextAndLargeBinaryMessagesAcrossTheLink() throws Exception {
        LinkedBlockingQueue<Object> received = new LinkedBlockingQueue<>();
        WebSocket socket = visitor.newWebSocket(new Request.Builder().url("ws://live.localhost:" + a.port() + "/ws").build(),
                new WebSocketListener() {
                    @Override
                    public void onOpen(WebSocket webSocket, Response response) {
                        received.add("open " + response.code());
                    }

                    @Override
                    public void onMessage(WebSocket webSocket, String text) {
                        received.add(text);
                    }

                    @Override
                    public void onMessage(WebSocket webSocket, ByteString bytes) {
                        received.add(bytes);
                    }

                    @Override
                    public void onClosing(WebSocket webSocket, int code, String reason) {
                        received.add("closing " + code + " " + reason);
                        webSocket.close(code, reason);
                    }

                    @Override
                    public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                        received.add(t);
                    }
                });
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("open 101");
        socket.send("hello from node A");
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("echo: hello from node A");
        // 40 binary messages of 60 KiB (the local server's frame limit is 64 KiB): well over a stream window (1 MiB)
        // crosses the link each way, byte-exact, while credit comes and goes.
        Random random = new Random(3);
        for (int i = 0; i < 40; i++) {
            byte[] bytes = new byte[60 * 1024];
            random.nextBytes(bytes);
            ByteString message = ByteString.of(bytes);
            assertThat(socket.send(message)).isTrue();
            assertThat(received.poll(10, TimeUnit.SECONDS)).as("echo %d", i).isEqualTo(message);
        }
        socket.close(1000, "done");
        assertThat(received.poll(10, TimeUnit.SECONDS)).isEqualTo("closing 1000 done");
    }
}
