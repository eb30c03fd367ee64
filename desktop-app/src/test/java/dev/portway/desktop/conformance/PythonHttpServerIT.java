package dev.portway.desktop.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code python3 -m http.server}: HTTP/1.0, a new connection per answer, 501 for POST. Through the tunnel a visitor
 * gets python's own answers, one after another — never a 502 for a connection python closed after its last answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class PythonHttpServerIT {
    @TempDir
    static Path dir;
    private PythonHttpServer python;
    private Stack stack;
    private Curl curl;

    @BeforeAll
    void start() throws Exception {
        python = new PythonHttpServer(dir);
        stack = Stack.start(Map.of("py", python.port()));
        curl = new Curl(dir);
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
        python.close();
    }

    @Test
    void getThenTenPostsGetPythonsOwn200And501() throws Exception {
        String host = stack.host("py");
        Curl.Result directGet = curl.at(python.port(), host, "/hello.txt");
        Curl.Result tunnelGet = curl.at(stack.relayPort(), host, "/hello.txt");
        assertThat(tunnelGet.exit()).as("curl through the tunnel: %s", tunnelGet.stderr()).isZero();
        Diff.assertSame("GET /hello.txt", directGet.last(), tunnelGet.last());
        assertThat(tunnelGet.last().status()).isEqualTo(200);
        for (int i = 1; i <= 10; i++) {
            Curl.Result direct = curl.at(python.port(), host, "/hello.txt", "--data-binary", "post " + i);
            Curl.Result tunnel = curl.at(stack.relayPort(), host, "/hello.txt", "--data-binary", "post " + i);
            assertThat(tunnel.exit()).as("POST %d through the tunnel: %s", i, tunnel.stderr()).isZero();
            assertThat(tunnel.last().status()).as("POST %d through the tunnel; body: %s", i, tunnel.last().bodyText())
                    .isEqualTo(501);
            Diff.assertSame("POST " + i, direct.last(), tunnel.last());
        }
    }
}
