package dev.portway.desktop.ui.inspector;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portway.desktop.engine.CapturedBody;
import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.shared.protocol.ErrorCode;
import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** Export as HAR: the file parses back as HAR 1.2 with the fields viewers read. */
class HarExportTest {
    @TempDir
    Path dir;

    private static CapturedBody bytes(byte[] b, long size) {
        return new CapturedBody(b, size);
    }

    private static Exchange json() {
        byte[] req = "{\"amount\":42}".getBytes(StandardCharsets.UTF_8);
        byte[] res = "{\"ok\":true}".getBytes(StandardCharsets.UTF_8);
        return new Exchange(new RequestEvent("r1", "shop", "POST", "/hooks/pay?retry=1&who=a%20b", 201, Duration.ofMillis(12), req.length, res.length,
                null, null, Instant.parse("2026-01-01T12:00:00Z"),
                new CapturedExchange(List.of(new Header("Host", "shop.example.com"), new Header("X-Forwarded-Proto", "https"),
                        new Header("Content-Type", "application/json")), bytes(req, req.length), "Created",
                        List.of(new Header("Content-Type", "application/json")), bytes(res, res.length))), false);
    }

    private static Exchange binaryCut() {
        byte[] png = {(byte) 0x89, 'P', 'N', 'G', 0, 1, 2, 3};
        return new Exchange(new RequestEvent("r2", "shop", "GET", "/logo.png", 200, Duration.ofMillis(3), 0, 5000,
                null, null, Instant.parse("2026-01-01T12:00:01Z"),
                new CapturedExchange(List.of(new Header("Host", "shop.example.com")), CapturedBody.EMPTY, "OK",
                        List.of(new Header("Content-Type", "image/png")), bytes(png, 5000))), false);
    }

    private static Exchange refused() {
        return new Exchange(new RequestEvent("r3", "shop", "GET", "/down", 0, Duration.ofMillis(1), 0, 0,
                ErrorCode.TARGET_UNREACHABLE, "localhost:3000 refused the connection", Instant.parse("2026-01-01T12:00:02Z")), false);
    }

    @Test
    void writtenFileParsesBackAsHar12WithRequestsResponsesAndTimings() throws Exception {
        Path file = dir.resolve("out.har");
        HarExport.write(file, List.of(json(), binaryCut(), refused()), "http://localhost:3000", "1.2.3");
        JsonNode log = new ObjectMapper().readTree(Files.readString(file)).get("log");
        assertThat(log.get("version").asText()).isEqualTo("1.2");
        assertThat(log.get("creator").get("name").asText()).isEqualTo("Portway");
        assertThat(log.get("entries")).hasSize(3);

        JsonNode first = log.get("entries").get(0);
        assertThat(first.get("startedDateTime").asText()).isEqualTo("2026-01-01T12:00:00Z");
        assertThat(first.get("time").asDouble()).isEqualTo(12.0);
        JsonNode req = first.get("request");
        assertThat(req.get("method").asText()).isEqualTo("POST");
        assertThat(req.get("url").asText()).isEqualTo("https://shop.example.com/hooks/pay?retry=1&who=a%20b");
        assertThat(req.get("httpVersion").asText()).isEqualTo("HTTP/1.1");
        assertThat(req.get("headers").get(2).get("name").asText()).isEqualTo("Content-Type");
        assertThat(req.get("queryString").get(1).get("value").asText()).isEqualTo("a b");
        assertThat(req.get("postData").get("mimeType").asText()).isEqualTo("application/json");
        assertThat(req.get("postData").get("text").asText()).isEqualTo("{\"amount\":42}");
        assertThat(req.get("bodySize").asLong()).isEqualTo(13);
        JsonNode res = first.get("response");
        assertThat(res.get("status").asInt()).isEqualTo(201);
        assertThat(res.get("statusText").asText()).isEqualTo("Created");
        assertThat(res.get("content").get("text").asText()).isEqualTo("{\"ok\":true}");
        assertThat(res.get("content").get("size").asLong()).isEqualTo(11);
        assertThat(first.get("timings").get("wait").asDouble()).isEqualTo(12.0);
        assertThat(first.get("cache").isObject()).isTrue();
        for (String required : List.of("cookies", "headers", "headersSize", "bodySize")) {
            assertThat(req.has(required)).as("request." + required).isTrue();
            assertThat(res.has(required)).as("response." + required).isTrue();
        }

        JsonNode png = log.get("entries").get(1).get("response").get("content");
        assertThat(png.get("encoding").asText()).isEqualTo("base64");
        assertThat(Base64.getDecoder().decode(png.get("text").asText())).hasSize(8);
        assertThat(log.get("entries").get(1).get("comment").asText()).contains("Response body cut by the capture");
        assertThat(log.get("entries").get(1).get("request").has("postData")).isFalse();

        JsonNode down = log.get("entries").get(2);
        assertThat(down.get("request").get("url").asText()).isEqualTo("http://localhost:3000/down");
        assertThat(down.get("response").get("status").asInt()).isEqualTo(502);
        assertThat(down.get("comment").asText()).contains("refused the connection");
    }

    @Test
    void aFolderThatCannotBeWrittenLeavesNothingBehind() throws Exception {
        Path missing = dir.resolve("no-such-folder").resolve("out.har");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> HarExport.write(missing, List.of(json()), "http://localhost:3000", "1"))
                .isInstanceOf(java.io.IOException.class);
        try (var files = Files.list(dir)) {
            assertThat(files).isEmpty();
        }
    }
}
