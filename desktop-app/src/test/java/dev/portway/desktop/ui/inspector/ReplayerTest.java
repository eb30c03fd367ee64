package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.testing.RawHttpApp;
import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;

import static org.assertj.core.api.Assertions.assertThat;

/** Replays through the engine's local leg to a raw socket app that records the exact bytes. */
class ReplayerTest {

    @Test
    void aReplayKeepsTheOriginalHostAndHeaderOrderAndAddsOnlyItsContentLength() throws Exception {
        try (RawHttpApp app = new RawHttpApp(RawHttpApp.OK); Replayer replayer = new Replayer(1024)) {
            ReplayRequest r = new ReplayRequest("POST", "/hooks?raw=\u00e2\u009c\u0093", List.of(new Header("x-first", "1"),
                    new Header("Host", "my-app.example.com"), new Header("X-Dup", "a"), new Header("X-Dup", "b")),
                    "hello".getBytes(StandardCharsets.US_ASCII));

            RequestEvent e = replayer.send(r, "my-app", "127.0.0.1", app.port()).get();

            assertThat(e.error()).as(e.errorMessage()).isNull();
            assertThat(e.status()).isEqualTo(200);
            RawHttpApp.Received got = app.received.getFirst();
            assertThat(got.requestLine()).isEqualTo("POST /hooks?raw=\u00e2\u009c\u0093 HTTP/1.1");
            assertThat(got.headerNames()).containsExactly("x-first", "Host", "X-Dup", "X-Dup", "Content-Length");
            assertThat(got.headText()).contains("\r\nHost: my-app.example.com\r\n").contains("\r\nContent-Length: 5\r\n");
            assertThat(got.bodyText()).isEqualTo("hello");

            replayer.send(r, "my-app", "127.0.0.1", app.port(), true).get();

            assertThat(app.received.get(1).headText()).contains("\r\nHost: 127.0.0.1:" + app.port() + "\r\n");
            assertThat(app.received.get(1).headerNames()).map(n -> n.toLowerCase(Locale.ROOT)).doesNotContain("user-agent", "accept-encoding");
        }
    }

    @Test
    void anAsSentReplayKeepsTheCapturedHost() {
        List<Header> sendable = ReplayRequest.sendable(List.of(new Header("Host", "my-app.localhost:8080"), new Header("X-A", "1"),
                new Header("Content-Length", "2"), new Header("Portway-Request-Id", "r1")));
        assertThat(sendable).containsExactly(new Header("Host", "my-app.localhost:8080"), new Header("X-A", "1"));
    }

    @Test
    void aReplayLeavesOutHopByHopFieldsAndTheOnesConnectionNames() {
        List<Header> sendable = ReplayRequest.sendable(List.of(new Header("Connection", "keep-alive, X-Hop"),
                new Header("X-Hop", "1"), new Header("Transfer-Encoding", "chunked"), new Header("TE", "trailers"),
                new Header("X-Forwarded-For", "10.0.0.1"), new Header("X-B", "2")));
        assertThat(sendable).containsExactly(new Header("X-Forwarded-For", "10.0.0.1"), new Header("X-B", "2"));
    }

    @Test
    void nothingListeningIsReportedLikeTheEngineDoes() throws Exception {
        int dead;
        try (java.net.ServerSocket s = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        try (Replayer replayer = new Replayer(1024)) {
            RequestEvent e = replayer.send(new ReplayRequest("GET", "/", List.of(), new byte[0]), "t", "127.0.0.1", dead)
                    .get(10, java.util.concurrent.TimeUnit.SECONDS);
            assertThat(e.errorMessage()).isEqualTo("Nothing is listening on 127.0.0.1:" + dead + " — is your app running?");
        }
    }
}
