package dev.portway.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The runnable jar with {@code log-format json}: every output line is a JSON object, and a request's line has its ids. */
class JsonLogIT {
    static final ObjectMapper MAPPER = new ObjectMapper();
    static final String TOKEN = "json-logs-token";

    @Test
    void requestThroughATunnelIsLoggedAsJsonWithItsIds(@TempDir Path dir) throws Exception {
        Path jar = Path.of("target", "relay-lite.jar").toAbsolutePath();
        assertThat(jar).as("built by the package phase").exists();
        Path config = Files.writeString(dir.resolve("relay.properties"), "host = 127.0.0.1\nport = 0\ntcp-ports = 0-0\n");
        // log-format from the environment, the rest from the file: the whole path a systemd unit or Docker takes
        try (RelayProcess relay = new RelayProcess(List.of(RelayProcess.java(), "-jar", jar.toString(), "--config", config.toString(),
                "--data-dir", dir.resolve("data").toString()), Map.of("PORTWAY_LOG_FORMAT", "json", "PORTWAY_TOKEN", TOKEN), dir)) {
            int port = relay.port();
            ProtocolTestClient client = ProtocolTestClient.connect("ws://127.0.0.1:" + port + "/api/tunnel/connect", TOKEN);
            String sessionId = client.control(ControlMessage.Welcome.class).session();
            client.bind("1", "http", "shop", null);

            OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();
            Request request = new Request.Builder().url("http://127.0.0.1:" + port + "/t/shop/cart?secret=1")
                    .header("X-Request-Id", "order-4711").build();
            CompletableFuture<Integer> status = CompletableFuture.supplyAsync(() -> {
                try (Response r = http.newCall(request).execute()) {
                    return r.code();
                } catch (Exception e) {
                    throw new RuntimeException(e);
                }
            });
            Frame f;
            do {
                f = client.next();
            } while (f.type() != FrameType.OPEN);
            OpenMessage open = Json.read(f.payload(), OpenMessage.class);
            client.send(Frame.reply(f.streamId(), ReplyMessage.http(201, "Created", List.of())));
            client.send(Frame.fin(f.streamId()));
            assertThat(status.get(20, TimeUnit.SECONDS)).isEqualTo(201);

            JsonNode access = await().atMost(Duration.ofSeconds(20)).until(() -> accessLine(relay.lines), a -> a != null);
            assertThat(access.get("level").asText()).isEqualTo("INFO");
            assertThat(access.get("logger_name").asText()).isEqualTo("dev.portway.relay.access");
            assertThat(access.get("message").asText()).isEqualTo("GET /cart 201 " + access.get("duration_ms").asText()
                    + " ms (tunnel shop, request order-4711)");
            assertThat(access.get("tunnel").asText()).isEqualTo("shop");
            assertThat(access.get("correlation_id").asText()).isEqualTo("order-4711");
            assertThat(access.get("request_id").asText()).isEqualTo(open.requestId());
            assertThat(access.get("session").asText()).isEqualTo(sessionId);
            assertThat(access.get("connection").asText()).isNotBlank();
            assertThat(access.get("status").asText()).isEqualTo("201");
            assertThat(access.get("path").asText()).as("no query string: it may carry secrets").isEqualTo("/cart");
            String timestamp = access.get("@timestamp").asText();
            assertThat(timestamp).as("UTC").endsWith("Z");
            assertThat(Instant.parse(timestamp)).isBetween(Instant.now().minusSeconds(120), Instant.now());
            client.close();

            assertThat(relay.stop()).as("SIGTERM is a clean stop").isIn(0, 143);
            List<JsonNode> parsed = new ArrayList<>();
            for (String line : relay.lines) {
                parsed.add(MAPPER.readTree(line)); // fails on any line that is not JSON
            }
            assertThat(parsed).anySatisfy(n -> assertThat(n.get("message").asText()).startsWith("relay-lite listening on"));
            assertThat(parsed).anySatisfy(n -> assertThat(n.get("message").asText()).isEqualTo("relay-lite stopped"));
            // MDC fields do not leak from the request onto later lines of the same event loop
            assertThat(parsed).filteredOn(n -> !n.get("logger_name").asText().equals("dev.portway.relay.access"))
                    .allSatisfy(n -> assertThat(n.has("correlation_id")).as(n.toString()).isFalse());
        }
    }

    static JsonNode accessLine(List<String> lines) throws Exception {
        for (String line : lines) {
            if (line.contains("dev.portway.relay.access")) {
                return MAPPER.readTree(line);
            }
        }
        return null;
    }
}
