package dev.portway.desktop.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.abort;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Node's {@code ws} package (installed from npm into a temp folder at test time) against a WebSocket echo app:
 * text, binary, a 2 MiB message and a close code come back through the tunnel exactly as they do directly.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WebSocketIT {
    @TempDir
    static Path dir;
    private WebApp app;
    private Stack stack;
    private Path script;
    private Path wsModule;

    @BeforeAll
    void start() throws Exception {
        assumeTrue(Tools.has("node") && Tools.has("npm"), "node and npm are not installed: apt-get install nodejs npm");
        Process npm = new ProcessBuilder("npm", "install", "--prefix", dir.toString(), "--no-audit", "--no-fund",
                "--loglevel=error", "ws").redirectErrorStream(true).start();
        npm.getOutputStream().close();
        boolean done = npm.waitFor(180, TimeUnit.SECONDS);
        String npmOut = new String(npm.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!done || npm.exitValue() != 0) {
            npm.destroyForcibly();
            abort("npm install ws failed, so the WebSocket conformance cases cannot run: " + npmOut);
        }
        wsModule = dir.resolve("node_modules/ws");
        script = dir.resolve("ws-client.js");
        try (InputStream in = WebSocketIT.class.getResourceAsStream("ws-client.js")) {
            Files.write(script, in.readAllBytes());
        }
        app = new WebApp();
        stack = Stack.start(Map.of("ws", app.port()));
    }

    @AfterAll
    void stop() {
        if (stack != null) {
            stack.close();
        }
        if (app != null) {
            app.close();
        }
    }

    private String run(String url) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("node", script.toString(), wsModule.toString(), url).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("node ws client finished").isTrue();
        return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
    }

    @Test
    void echoOfTextBinaryLargeMessageAndCloseCodeIsTheSameAsDirect() throws Exception {
        String direct = run("ws://127.0.0.1:" + app.port() + "/ws");
        assertThat(direct).as("sanity: the ws client against the app directly").contains("\"closeCode\":4000").doesNotContain("error");
        String tunnel = run("ws://" + stack.host("ws") + "/ws");
        assertThat(tunnel).as("ws client through the tunnel (actual) vs direct (expected)").isEqualTo(direct);
        assertThat(tunnel).contains("{\"text\":\"hello ✓ text\"}", "\"binary\":256", "\"binary\":2097152", "\"closeReason\":\"bye\"");
    }
}
