package dev.portway.desktop.selftest;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

/** {@code PortwayDesktop --self-test}: a real embedded relay, the real engine, real sockets and OkHttp. */
class SelfTestIT {
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private HttpServer server;

    @AfterEach
    void stopServer() {
        if (server != null) {
            server.stop(0);
        }
    }

    private int run(String... args) {
        return SelfTest.run(List.of(args), new PrintWriter(out), new PrintWriter(err));
    }

    /** A local app on a free port; {@code body} is asked for each response. */
    private String serve(java.util.function.Supplier<String> body) throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> {
            byte[] b = (exchange.getRequestURI() + " " + body.get()).getBytes(StandardCharsets.UTF_8);
            try (exchange; OutputStream os = exchange.getResponseBody()) {
                exchange.sendResponseHeaders(200, b.length);
                os.write(b);
            }
        });
        server.start();
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    @Test
    void builtInPageIsFetchedThroughThePublicUrl() {
        assertThat(run("--self-test")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("Portway self-test", "local service", "(built in)", "embedded relay  ws://127.0.0.1:",
                "tunnel          \"My app\" http://my-app.localhost:", "GET http://my-app.localhost:",
                "-> 200,", "the local page's content", "Self-test passed in");
        assertThat(err.toString()).isEmpty();
    }

    @Test
    void givenTargetMustAnswerTheSameThroughTheTunnel() throws IOException {
        String base = serve(() -> "the same every time");
        assertThat(run("--self-test", "--self-test-target", base + "/docs/page?x=1")).as(err.toString()).isZero();
        assertThat(out.toString()).contains("/docs/page?x=1 -> 200, 34 bytes, the same bytes as " + base + "/docs/page?x=1",
                "Self-test passed");
    }

    @Test
    void failsWhenTheTunnelAnswerDiffersFromTheService() throws IOException {
        AtomicInteger n = new AtomicInteger();
        String base = serve(() -> "answer " + n.incrementAndGet());
        assertThat(run("--self-test", "--self-test-target", base + "/")).isEqualTo(SelfTest.FAILED);
        assertThat(err.toString().strip()).startsWith("Self-test failed: the public URL answered 200 (")
                .contains("but " + base + "/ answers 200 (");
        assertThat(out.toString()).doesNotContain("Self-test passed");
    }

    @Test
    void failsWithAReasonWhenTheTargetIsNotRunning() throws IOException {
        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = s.getLocalPort();
        }
        assertThat(run("--self-test", "--self-test-target", "http://127.0.0.1:" + port + "/")).isEqualTo(SelfTest.FAILED);
        assertThat(err.toString().strip()).startsWith("Self-test failed: fetching http://127.0.0.1:" + port + "/ directly failed:")
                .endsWith("is the service at --self-test-target running?");
    }

    @Test
    void badArgumentsAreRefusedWithUsage() {
        assertThat(run("--self-test", "--self-test-target", "ftp://example.com/")).isEqualTo(SelfTest.BAD_USAGE);
        assertThat(err.toString()).contains("--self-test-target must be an http:// URL", "usage: PortwayDesktop --self-test");
        assertThat(run("--self-test", "--self-test-target")).isEqualTo(SelfTest.BAD_USAGE);
        assertThat(run("--self-test", "--relay-port", "http")).isEqualTo(SelfTest.BAD_USAGE);
        assertThat(err.toString()).contains("--relay-port must be a port number from 0 to 65535");
        assertThat(out.toString()).isEmpty();
    }
}
