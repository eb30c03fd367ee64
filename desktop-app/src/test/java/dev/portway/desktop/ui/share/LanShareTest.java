package dev.portway.desktop.ui.share;

import com.sun.net.httpserver.HttpServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.ConcurrentLinkedQueue;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assumptions.assumeThat;

/**
 * Share on this network, with real sockets on this machine's non-loopback address: a stand-in for the embedded relay
 * listens on loopback and routes by Host, as the relay does; visitors come in on the LAN address.
 */
class LanShareTest {
    private final ConcurrentLinkedQueue<String> hosts = new ConcurrentLinkedQueue<>();
    private HttpServer relay;
    private LanShare share;
    private InetAddress lan;

    @BeforeEach
    void start() throws IOException {
        lan = LanAddress.find().orElse(null);
        assumeThat(lan).as("this machine has a non-loopback IPv4 address").isNotNull();
        relay = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        relay.createContext("/", ex -> {
            String host = ex.getRequestHeaders().getFirst("Host");
            hosts.add(host);
            byte[] body = (host.startsWith("shop.localhost:") ? "shop says hi to " + ex.getRequestURI()
                    + " " + new String(ex.getRequestBody().readAllBytes(), StandardCharsets.UTF_8) : "no such tunnel").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(host.startsWith("shop.localhost:") ? 200 : 404, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        relay.start();
    }

    @AfterEach
    void stop() {
        if (share != null) {
            share.close();
        }
        if (relay != null) {
            relay.stop(0);
        }
    }

    @Test
    void aVisitorOnTheLanAddressReachesTheTunnelByItsLocalhostName() throws Exception {
        assertThat(lan.isLoopbackAddress()).isFalse();
        share = LanShare.start(lan, 0, relay.getAddress(), "shop.localhost:" + relay.getAddress().getPort());
        assertThat(share.url()).isEqualTo("http://" + lan.getHostAddress() + ":" + share.port() + "/");
        HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).connectTimeout(Duration.ofSeconds(5)).build();
        for (int i = 0; i < 3; i++) { // one after another, on new connections each time
            HttpResponse<String> r = client.send(HttpRequest.newBuilder(URI.create(share.url() + "orders/" + i))
                    .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("n=" + i)).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(r.statusCode()).isEqualTo(200);
            assertThat(r.body()).isEqualTo("shop says hi to /orders/" + i + " n=" + i);
        }
        assertThat(hosts).containsOnly("shop.localhost:" + relay.getAddress().getPort());
        assertThat(share.reachable(2000)).isTrue();
    }

    @Test
    void aPortThatDoesNotAnswerGetsTheFirewallHint() throws Exception {
        share = LanShare.start(lan, 0, relay.getAddress(), "shop.localhost:1");
        int port = share.port();
        share.close();
        try (java.net.Socket holder = new java.net.Socket()) { // keeps the port from being reused while we probe it
            holder.setReuseAddress(true);
            // the closed listener lets go of its port once its accept thread has left
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).ignoreExceptions()
                    .until(() -> { holder.bind(new InetSocketAddress(lan, port)); return true; });
            assertThat(share.reachable(1000)).isFalse();
        }
        assertThat(share.firewallHint()).contains("Port " + port).contains("firewall").contains(lan.getHostAddress());
    }

    @Test
    void aPortInUseGetsAMessageThatSaysWhatToDo() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, lan)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> LanShare.start(lan, taken.getLocalPort(), relay.getAddress(), "x"))
                    .isInstanceOf(IOException.class).hasMessageContaining("choose another port");
        }
    }

    @Test
    void theResponseHeadTellsTheVisitorTheConnectionCloses() {
        byte[] head = "HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(new String(LanShare.closing(head), StandardCharsets.ISO_8859_1))
                .isEqualTo("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n");
    }

    @Test
    void theRequestHeadGetsTheTunnelsHostAndAsksToClose() {
        byte[] head = "GET /a HTTP/1.1\r\nHost: 192.168.1.5:4000\r\nConnection: keep-alive\r\nAccept: */*\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(new String(LanShare.rewrite(head, "shop.localhost:8080"), StandardCharsets.ISO_8859_1))
                .isEqualTo("GET /a HTTP/1.1\r\nAccept: */*\r\nHost: shop.localhost:8080\r\nConnection: close\r\n\r\n");
        byte[] ws = "GET /ws HTTP/1.1\r\nHost: x\r\nConnection: Upgrade\r\nUpgrade: websocket\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1);
        assertThat(new String(LanShare.rewrite(ws, "shop.localhost:8080"), StandardCharsets.ISO_8859_1))
                .isEqualTo("GET /ws HTTP/1.1\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nHost: shop.localhost:8080\r\n\r\n");
    }
}
