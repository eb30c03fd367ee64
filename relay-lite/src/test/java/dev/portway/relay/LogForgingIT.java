package dev.portway.relay;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.Protocol;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The runnable jar, in both log formats, given a peer-supplied string with a newline and escape sequences
 * ({@code hello.client}): it is logged on exactly one line, escaped, and no forged line appears.
 */
class LogForgingIT {
    static final String TOKEN = "log-forging-token";
    static final String FORGED = "x\n2026-12-01 12:00:00 INFO fake line\u001b[2J\u0085";

    private RelayProcess start(Path dir, String format) throws Exception {
        Path jar = Path.of("target", "relay-lite.jar").toAbsolutePath();
        assertThat(jar).as("built by the package phase").exists();
        Path config = Files.writeString(dir.resolve("relay.properties"), "host = 127.0.0.1\nport = 0\ntcp-ports = 0-0\n");
        return new RelayProcess(List.of(RelayProcess.java(), "-jar", jar.toString(), "--config", config.toString(),
                "--data-dir", dir.resolve("data").toString()), Map.of("PORTWAY_LOG_FORMAT", format, "PORTWAY_TOKEN", TOKEN), dir);
    }

    /** Connects with the forged client string; returns the output lines that mention it, once the session line is out. */
    private List<String> connectAndFindLines(RelayProcess relay) throws Exception {
        ProtocolTestClient client = new ProtocolTestClient("ws://127.0.0.1:" + relay.port() + "/api/tunnel/connect");
        client.send(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), TOKEN, FORGED, null, null, null, null)));
        client.control(ControlMessage.Welcome.class);
        await().atMost(Duration.ofSeconds(20)).until(() -> relay.lines.stream().anyMatch(l -> l.contains("connected (x")));
        client.close();
        assertThat(relay.stop()).isIn(0, 143);
        return relay.lines.stream().filter(l -> l.contains("fake line")).toList();
    }

    @Test
    void newlineInAPeerStringStaysOnItsLineInTheTextLog(@TempDir Path dir) throws Exception {
        try (RelayProcess relay = start(dir, "text")) {
            List<String> lines = connectAndFindLines(relay);
            assertThat(lines).singleElement().asString()
                    .contains("connected (x\\n2026-12-01 12:00:00 INFO fake line\\e[2J\\u0085,")
                    .doesNotContain("\u001b", "\u0085");
            assertThat(relay.lines).noneMatch(l -> l.startsWith("2026-12-01"));
        }
    }

    @Test
    void newlineInAPeerStringStaysOnItsLineInTheJsonLog(@TempDir Path dir) throws Exception {
        try (RelayProcess relay = start(dir, "json")) {
            List<String> lines = connectAndFindLines(relay);
            assertThat(lines).hasSize(1);
            List<JsonNode> parsed = new ArrayList<>();
            for (String line : relay.lines) {
                parsed.add(new ObjectMapper().readTree(line)); // every line is one whole event
            }
            assertThat(parsed).filteredOn(n -> n.get("message").asText().contains("fake line")).singleElement()
                    .satisfies(n -> assertThat(n.get("message").asText())
                            .as("escaped in the value too, for tools that print the message")
                            .contains("connected (x\\n2026-12-01 12:00:00 INFO fake line\\e[2J\\u0085,"));
            assertThat(lines.getFirst()).doesNotContain("\u0085");
        }
    }

    @Test
    void peerStringsInTheAuditTrailAreEscapedInTheFileAndInTheAuditCommand(@TempDir Path dir) throws Exception {
        try (RelayProcess relay = start(dir, "text")) {
            connectAndFindLines(relay);
        }
        List<String> file = Files.readAllLines(dir.resolve("data").resolve("audit.log"));
        List<String> withClient = file.stream().filter(l -> l.contains("fake line")).toList();
        assertThat(withClient).as("auth_success and connect").hasSizeGreaterThanOrEqualTo(2)
                .allSatisfy(l -> assertThat(l).doesNotContain("\u0085", "\u001b")
                        .contains("fake line\\\\e[2J\\\\u0085"));
        Path jar = Path.of("target", "relay-lite.jar").toAbsolutePath();
        Process audit = new ProcessBuilder(RelayProcess.java(), "-jar", jar.toString(), "audit",
                "--data-dir", dir.resolve("data").toString()).redirectErrorStream(true).start();
        String out = new String(audit.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(audit.waitFor()).as(out).isZero();
        assertThat(out).contains("fake line").doesNotContain("\u0085", "\u001b");
    }
}
