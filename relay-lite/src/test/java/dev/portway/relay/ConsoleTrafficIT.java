package dev.portway.relay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portway.relay.console.ConsoleSettings;
import dev.portway.relay.store.Role;
import dev.portway.relay.store.Tier;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The live page's traffic per tunnel (bytes in and out, requests) on a real relay with real visitors, HTTP and TCP. */
class ConsoleTrafficIT {
    @TempDir
    Path tmp;
    Relay relay;
    ConsoleClient root;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("local-secret").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(tmp).console(new ConsoleSettings(0, "127.0.0.1")).build());
        relay.store().identity().addUser("root", Tier.FREE, Role.ADMIN);
        relay.store().identity().setPasswordHash("root", ConsoleApiIT.FAST.hash("root password 1"));
        root = new ConsoleClient(relay.consolePort());
        assertThat(root.signIn("root", "root password 1").status()).isEqualTo(200);
    }

    @AfterEach
    void stop() {
        relay.shutdown(Duration.ofMillis(200));
    }

    JsonNode tunnel(String name) {
        for (JsonNode t : root.get("/api/tunnels").body()) {
            if (t.get("name").asText().equals(name)) {
                return t;
            }
        }
        throw new AssertionError("no live tunnel " + name);
    }

    @Test
    void anHttpTunnelCountsItsRequestsAndBodyBytesBothWays() throws Exception {
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, "local-secret", null)) {
            c.control(ControlMessage.Welcome.class);
            c.bind("1", "http", "app", null);
            assertThat(tunnel("app").get("requests").asLong()).isZero();
            OkHttpClient http = new OkHttpClient();
            CompletableFuture<String> visitor = CompletableFuture.supplyAsync(() -> {
                try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/app/in")
                        .post(RequestBody.create("12345", MediaType.get("text/plain"))).build()).execute()) {
                    return r.body().string();
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            });
            Frame open = c.expect(FrameType.OPEN);
            StringBuilder body = new StringBuilder();
            for (Frame f = c.next(); f.type() == FrameType.DATA; f = c.next()) {
                body.append(new String(f.payloadBytes(), StandardCharsets.UTF_8));
            }
            assertThat(body).hasToString("12345");
            c.send(Frame.reply(open.streamId(), ReplyMessage.http(200, "OK", List.of())));
            c.send(Frame.data(open.streamId(), "hello world".getBytes(StandardCharsets.UTF_8), 0, 11));
            c.send(Frame.fin(open.streamId()));
            assertThat(visitor.get(10, TimeUnit.SECONDS)).isEqualTo("hello world");
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                JsonNode t = tunnel("app");
                assertThat(t.get("requests").asLong()).isEqualTo(1);
                assertThat(t.get("bytesIn").asLong()).isEqualTo(5);
                assertThat(t.get("bytesOut").asLong()).isEqualTo(11);
            });
        }
    }

    @Test
    void aTcpTunnelCountsItsConnectionsAndBytesBothWays() throws Exception {
        try (ServerSocket echo = new ServerSocket(0, 5, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = echo.accept()) {
                    s.getInputStream().transferTo(s.getOutputStream());
                } catch (Exception ignored) {
                    // the test ended
                }
            });
            try (TcpTestEngine engine = new TcpTestEngine(relay, "local-secret", "db", Map.of(), echo.getLocalPort());
                 Socket visitor = new Socket(InetAddress.getLoopbackAddress(), engine.bound.port())) {
                visitor.getOutputStream().write("ping!".getBytes(StandardCharsets.UTF_8));
                InputStream in = visitor.getInputStream();
                assertThat(new String(in.readNBytes(5), StandardCharsets.UTF_8)).isEqualTo("ping!");
                await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                    JsonNode t = tunnel("db");
                    assertThat(t.get("kind").asText()).isEqualTo(Protocol.KIND_TCP);
                    assertThat(t.get("requests").asLong()).isEqualTo(1);
                    assertThat(t.get("bytesIn").asLong()).isEqualTo(5);
                    assertThat(t.get("bytesOut").asLong()).isEqualTo(5);
                });
            }
        }
    }
}
