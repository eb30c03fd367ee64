package dev.portway.desktop.e2e;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import dev.portway.desktop.engine.EngineConfig;
import dev.portway.desktop.engine.TunnelEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Response rewriting (PROTOCOL.md §4.1) with the real curl following redirects through a real relay and engine to an
 * app that logs people in the usual way: {@code /} redirects to {@code /login} (root-relative), which sets a cookie
 * for {@code Path=/account} on the host it was called by and redirects to {@code http://<its Host>/account}, which
 * needs the cookie.
 */
class PathRoutingRewriteIT {
    @TempDir
    Path dir;
    private HttpServer app;
    private Relay relay;
    private TunnelEngine engine;

    @BeforeEach
    void start() throws IOException {
        assumeTrue(new ProcessBuilder("sh", "-c", "command -v curl").inheritIO().redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .start().onExit().join().exitValue() == 0, "curl is not installed (.ci/run installs it)");
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token("secret").build());
        app = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        app.createContext("/", ex -> {
            String host = ex.getRequestHeaders().getFirst("Host");
            String path = ex.getRequestURI().getPath();
            switch (path) {
                case "/" -> redirect(ex, "/login");
                case "/login" -> {
                    String domain = host.contains(":") ? host.substring(0, host.lastIndexOf(':')) : host;
                    ex.getResponseHeaders().add("Set-Cookie", "sid=42; Path=/account; Domain=" + domain + "; HttpOnly");
                    redirect(ex, "http://" + host + "/account");
                }
                case "/account" -> {
                    String cookie = String.valueOf(ex.getRequestHeaders().getFirst("Cookie"));
                    send(ex, cookie.contains("sid=42") ? 200 : 401,
                            (cookie.contains("sid=42") ? "account page" : "no cookie") + " via "
                                    + ex.getRequestHeaders().getFirst("X-Forwarded-Host"));
                }
                default -> send(ex, 404, "no page " + path);
            }
        });
        app.start();
    }

    private static void redirect(HttpExchange ex, String location) throws IOException {
        ex.getResponseHeaders().add("Location", location);
        ex.getResponseHeaders().add("Server", "TestApp/1.0");
        ex.sendResponseHeaders(302, -1);
        ex.close();
    }

    private static void send(HttpExchange ex, int status, String text) throws IOException {
        byte[] body = text.getBytes(StandardCharsets.UTF_8);
        ex.sendResponseHeaders(status, body.length);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    @AfterEach
    void stop() {
        if (engine != null) {
            engine.close();
        }
        if (relay != null) {
            relay.close();
        }
        if (app != null) {
            app.stop(0);
        }
    }

    private void tunnel(String name, Map<String, String> options) {
        engine = new TunnelEngine(EngineConfig.of(URI.create(relay.connectUrl()), "secret",
                List.of(new TunnelSpec("http", name, "127.0.0.1", app.getAddress().getPort(), options))), Runnable::run);
        engine.start();
        await().atMost(Duration.ofSeconds(10)).until(() -> !engine.tunnels().isEmpty());
    }

    /** {@code curl -L} with a cookie jar; returns the final body, then the last URL curl fetched, then the headers. */
    private List<String> curlFollowing(String url, String... options) throws Exception {
        return curl(true, url, options);
    }

    private List<String> curl(boolean follow, String url, String... options) throws Exception {
        Path jar = dir.resolve("cookies-" + System.nanoTime());
        Path headers = dir.resolve("headers-" + System.nanoTime());
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "--max-redirs", "5", "--max-time", "20",
                "-c", jar.toString(), "-b", jar.toString(), "-D", headers.toString(), "-w", "\n%{url_effective}"));
        if (follow) {
            cmd.add("-L");
        }
        cmd.addAll(List.of(options));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        p.getOutputStream().close();
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl finished").isTrue();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as("curl: %s", out).isZero();
        int nl = out.lastIndexOf('\n');
        return List.of(out.substring(0, nl), out.substring(nl + 1), Files.readString(headers));
    }

    @Test
    void curlFollowingRedirectsThroughThePathFormEndsAtTheAppsPageWithItsCookie() throws Exception {
        tunnel("shop", Map.of());
        String relayHost = "127.0.0.1:" + relay.port();

        List<String> r = curlFollowing("http://" + relayHost + "/t/shop/");

        assertThat(r.get(0)).isEqualTo("account page via " + relayHost);
        assertThat(r.get(1)).isEqualTo("http://" + relayHost + "/t/shop/account");
        assertThat(r.get(2)).contains("Location: /t/shop/login", "Path=/t/shop/account", "Server: TestApp/1.0");
    }

    @Test
    void hostRoutingWithHostRewriteSendsTheVisitorBackToThePublicNameNotToTheLocalApp() throws Exception {
        tunnel("shop", Map.of(TunnelSpec.OPTION_HOST_HEADER, TunnelSpec.HOST_HEADER_REWRITE, "strip_headers", "Server"));
        String publicHost = "shop.localhost:" + relay.port();

        List<String> r = curlFollowing("http://" + publicHost + "/", "--connect-to", "shop.localhost:" + relay.port()
                + ":127.0.0.1:" + relay.port());

        assertThat(r.get(0)).isEqualTo("account page via " + publicHost);
        assertThat(r.get(1)).isEqualTo("http://" + publicHost + "/account");
        assertThat(r.get(2)).doesNotContain("Domain=", "Server:");
    }

    @Test
    void rewritingOffLeavesTheAppsHeadersAlone() throws Exception {
        tunnel("raw", Map.of("rewrite_redirects", "off", "rewrite_cookies", "off"));

        List<String> r = curl(false, "http://127.0.0.1:" + relay.port() + "/t/raw/");

        assertThat(r.get(2)).contains("Location: /login");
        r = curl(false, "http://127.0.0.1:" + relay.port() + "/t/raw/login");
        assertThat(r.get(2)).contains("Location: http://127.0.0.1:" + relay.port() + "/account", "Path=/account");
    }
}
