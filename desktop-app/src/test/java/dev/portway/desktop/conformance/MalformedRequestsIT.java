package dev.portway.desktop.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Requests HTTP/1.1 forbids get the answer nginx (direct) gives them, from the relay, and never reach the app:
 * two Host fields, no Host, an 8 KiB target, {@code GET *}, and a userinfo-looking target that would otherwise
 * make the local leg call another port.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MalformedRequestsIT {
    @TempDir
    static Path dir;
    private NginxApp nginx;
    private RecordingApp app;
    private RecordingApp canary;
    private Stack stack;

    @BeforeAll
    void start() throws Exception {
        nginx = new NginxApp(dir);
        app = new RecordingApp();
        canary = new RecordingApp();
        stack = Stack.start(Map.of("site", nginx.port(), "rec", app.port()));
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
        canary.close();
        app.close();
        nginx.close();
    }

    private int status(int port, String request) throws Exception {
        List<HttpMessage> answers = RawHttp.exchange(port, request, "GET");
        assertThat(answers).as("an answer to %s", request.lines().findFirst().orElse("")).hasSize(1);
        return answers.getFirst().status();
    }

    @Test
    void twoHostHeadersAre400() throws Exception {
        String request = "GET /page.html HTTP/1.1\r\nHost: " + stack.host("site") + "\r\nHost: other.example\r\nConnection: close\r\n\r\n";
        assertThat(status(nginx.port(), request)).as("nginx direct").isEqualTo(400);
        assertThat(status(stack.relayPort(), request)).as("through the tunnel").isEqualTo(400);
    }

    @Test
    void missingHostOnHttp11Is400() throws Exception {
        assertThat(status(nginx.port(), "GET /page.html HTTP/1.1\r\nConnection: close\r\n\r\n")).as("nginx direct").isEqualTo(400);
        assertThat(status(stack.relayPort(), "GET /t/site/page.html HTTP/1.1\r\nConnection: close\r\n\r\n"))
                .as("through the tunnel (path routing, no Host)").isEqualTo(400);
    }

    @Test
    void eightKibTargetIs414() throws Exception {
        String request = "GET /page.html?q=" + "a".repeat(8 * 1024) + " HTTP/1.1\r\nHost: " + stack.host("site")
                + "\r\nConnection: close\r\n\r\n";
        assertThat(status(nginx.port(), request)).as("nginx direct").isEqualTo(414);
        assertThat(status(stack.relayPort(), request)).as("through the tunnel").isEqualTo(414);
    }

    @Test
    void asteriskTargetOnGetIs400() throws Exception {
        String request = "GET * HTTP/1.1\r\nHost: " + stack.host("site") + "\r\nConnection: close\r\n\r\n";
        assertThat(status(nginx.port(), request)).as("nginx direct").isEqualTo(400);
        assertThat(status(stack.relayPort(), request)).as("through the tunnel").isEqualTo(400);
    }

    @Test
    void userinfoLookingTargetIs400AndReachesNoOtherPort() throws Exception {
        int before = app.received.size();
        String request = "GET @127.0.0.1:" + canary.port() + "/secret HTTP/1.1\r\nHost: " + stack.host("rec")
                + "\r\nConnection: close\r\n\r\n";
        int status = status(stack.relayPort(), request);
        assertThat(canary.accepted.get()).as("connections that reached port %d (answered %d)", canary.port(), status).isZero();
        assertThat(status).as("through the tunnel").isEqualTo(400);
        assertThat(app.received.size()).as("requests that reached the app").isEqualTo(before);
    }
}
