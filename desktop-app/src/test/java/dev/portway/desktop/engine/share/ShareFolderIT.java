package dev.portway.desktop.engine.share;

import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** A shared folder through a real relay, fetched with the real curl and with raw bytes for what curl would clean up. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ShareFolderIT {
    @TempDir
    static Path tmp;
    private Relay relay;
    private TunnelEngine engine;
    private byte[] big;
    private String base;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Files.isExecutable(Path.of("/usr/bin/curl")) || Files.isExecutable(Path.of("/bin/curl")),
                "curl is not installed (.ci/run installs it)");
        Path root = Files.createDirectories(tmp.resolve("site"));
        Files.writeString(tmp.resolve("secret.txt"), "outside");
        big = new byte[3 * 1024 * 1024 + 17]; // many frames, more than a stream window
        new Random(7).nextBytes(big);
        Files.write(root.resolve("big.bin"), big);
        Files.createDirectories(root.resolve("docs"));
        Files.writeString(root.resolve("docs/guide.txt"), "read me");
        Files.createSymbolicLink(root.resolve("out.txt"), tmp.resolve("secret.txt"));
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret").build());
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), "secret",
                List.of(TunnelSpec.folder("files", Map.of(FolderShare.OPTION_FOLDER, root.toString())))), Runnable::run);
        engine.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
        base = "http://127.0.0.1:" + relay.port() + "/t/files";
    }

    @AfterAll
    void stop() {
        if (engine != null) {
            engine.close();
        }
        if (relay != null) {
            relay.close();
        }
    }

    /** curl's stdout (the body, then what {@code -w} asks for). */
    private byte[] curl(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--path-as-is", "--max-time", "20"));
        cmd.addAll(List.of(args));
        Process p = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("curl %s", cmd).isZero();
        return out;
    }

    private String text(String... args) throws Exception {
        return new String(curl(args), StandardCharsets.UTF_8);
    }

    @Test
    void aBigFileArrivesWholeAndARangeArrivesAsAsked() throws Exception {
        assertThat(curl(base + "/big.bin")).isEqualTo(big);
        byte[] part = curl("-H", "Range: bytes=1000000-1000099", base + "/big.bin");
        assertThat(part).isEqualTo(java.util.Arrays.copyOfRange(big, 1_000_000, 1_000_100));
        assertThat(text("-o", "/dev/null", "-w", "%{http_code}", "-H", "Range: bytes=99999999-", base + "/big.bin"))
                .isEqualTo("416");
    }

    @Test
    void headAndConditionalRequestsAnswerWithoutABody() throws Exception {
        String head = text("-I", base + "/docs/guide.txt");
        assertThat(head).contains("HTTP/1.1 200", "Content-Length: 7", "Accept-Ranges: bytes");
        String etag = head.lines().filter(l -> l.startsWith("ETag:")).findFirst().orElseThrow().substring(5).trim();
        assertThat(text("-o", "/dev/null", "-w", "%{http_code} %{size_download}", "-H", "If-None-Match: " + etag,
                base + "/docs/guide.txt")).isEqualTo("304 0");
    }

    @Test
    void thePathFormWorksWithTheListingsRelativeLinksAndTheFolderRedirect() throws Exception {
        assertThat(text(base + "/")).contains("href=\"docs/\"", "href=\"big.bin\"").doesNotContain("out.txt");
        assertThat(text("-L", "-w", " %{url_effective}", base + "/docs")).contains("guide.txt", base + "/docs/");
    }

    @Test
    void traversalAndLinksOutAreRefusedThroughTheTunnel() throws Exception {
        assertThat(raw("/t/files/../secret.txt")).startsWith("HTTP/1.1 400");
        assertThat(raw("/t/files/%2e%2e/secret.txt")).startsWith("HTTP/1.1 400");
        assertThat(raw("/t/files/%252e%252e/secret.txt")).startsWith("HTTP/1.1 400");
        assertThat(raw("/t/files/..%5csecret.txt")).startsWith("HTTP/1.1 400");
        assertThat(raw("/t/files/out.txt")).startsWith("HTTP/1.1 404").doesNotContain("outside");
        assertThat(raw("/t/files/NUL")).startsWith("HTTP/1.1 404");
    }

    /** The status line and the rest of one response to a request sent byte for byte. */
    private String raw(String target) throws Exception {
        try (Socket s = new Socket("127.0.0.1", relay.port())) {
            s.setSoTimeout(10_000);
            OutputStream out = s.getOutputStream();
            out.write(("GET " + target + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
                    .getBytes(StandardCharsets.ISO_8859_1));
            out.flush();
            InputStream in = s.getInputStream();
            return new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
        }
    }
}
