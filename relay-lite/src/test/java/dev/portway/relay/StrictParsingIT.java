package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.ReplyMessage;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Request heads the relay refuses before anything reaches a tunnel (RFC 9112): a 400 (or 414) relay page, then the
 * connection is closed. Each refusal is followed by a good request; the tunnel's first OPEN must be that one.
 */
class StrictParsingIT {
    static final String TOKEN = "s3cret";
    Relay relay;
    ProtocolTestClient client;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token(TOKEN).tcpPortFrom(0).tcpPortTo(0).build());
        client = ProtocolTestClient.connect(relay, TOKEN, null);
        client.control(ControlMessage.Welcome.class);
        client.bind("1", "http", "app", null);
    }

    @AfterEach
    void stop() {
        client.close();
        relay.shutdown(Duration.ofMillis(200));
    }

    String host() {
        return "app.localhost:" + relay.port();
    }

    /** Sends a raw request and reads until the relay closes the connection. */
    String exchange(String raw) throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.socket.setSoTimeout(3000);
            v.send(raw);
            return v.readAll();
        }
    }

    /** The relay answered with its own page and status, and closed the connection (readAll returned). */
    static void assertRefused(String response, int status) {
        assertThat(response).startsWith("HTTP/1.1 " + status + " ");
        assertThat(response).contains("Served by the Portway relay (" + status + ")");
        assertThat(response.toLowerCase()).contains("connection: close");
    }

    /** Nothing of the refused request reached the tunnel: the next OPEN its client sees is a probe sent now. */
    void assertNothingReachedTheTunnel() throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send("GET /probe HTTP/1.1\r\nHost: " + host() + "\r\n\r\n");
            Frame f = client.next();
            assertThat(f.type()).isEqualTo(FrameType.OPEN);
            assertThat(Json.read(f.payload(), OpenMessage.class).target()).isEqualTo("/probe");
            client.send(Frame.reply(f.streamId(), ReplyMessage.http(204, null, List.of())));
            client.send(Frame.fin(f.streamId()));
            assertThat(v.readHead()).startsWith("HTTP/1.1 204");
        }
    }

    @Test
    void twoHostHeadersGet400() throws Exception {
        assertRefused(exchange("GET / HTTP/1.1\r\nHost: " + host() + "\r\nHost: other.localhost\r\n\r\n"), 400);
        assertNothingReachedTheTunnel();
    }

    @Test
    void http11RequestWithoutHostGets400() throws Exception {
        String response = exchange("GET /t/app/ HTTP/1.1\r\n\r\n");
        assertRefused(response, 400);
        assertThat(response).contains("Host");
        assertNothingReachedTheTunnel();
    }

    @Test
    void http10RequestWithoutHostIsStillServed() throws Exception {
        assertThat(exchange("GET / HTTP/1.0\r\n\r\n")).startsWith("HTTP/1.1 200");
    }

    @Test
    void invalidHostValueGets400() throws Exception {
        assertRefused(exchange("GET / HTTP/1.1\r\nHost: app.localhost/evil\r\n\r\n"), 400);
        assertNothingReachedTheTunnel();
    }

    @Test
    void contentLengthTogetherWithTransferEncodingGets400() throws Exception {
        assertRefused(exchange("POST / HTTP/1.1\r\nHost: " + host() + "\r\nContent-Length: 5\r\n"
                + "Transfer-Encoding: chunked\r\n\r\n0\r\n\r\n"), 400);
        assertNothingReachedTheTunnel();
    }

    @Test
    void differingContentLengthsGet400() throws Exception {
        assertRefused(exchange("POST / HTTP/1.1\r\nHost: " + host() + "\r\nContent-Length: 3\r\nContent-Length: 5\r\n\r\nabcde"), 400);
        assertNothingReachedTheTunnel();
    }

    @Test
    void contentLengthListGets400() throws Exception {
        assertRefused(exchange("POST / HTTP/1.1\r\nHost: " + host() + "\r\nContent-Length: 3, 3\r\n\r\nabc"), 400);
        assertNothingReachedTheTunnel();
    }

    @ParameterizedTest
    @ValueSource(strings = {"+3", "-3", "0x3", "3.0", "three"})
    void contentLengthThatIsNotAPlainNumberGets400(String value) throws Exception {
        assertRefused(exchange("POST / HTTP/1.1\r\nHost: " + host() + "\r\nContent-Length: " + value + "\r\n\r\nabc"), 400);
        assertNothingReachedTheTunnel();
    }

    @ParameterizedTest
    @ValueSource(strings = {"gzip", "chunked, gzip", "chunked\r\nTransfer-Encoding: gzip"})
    void transferEncodingWhoseFinalCodingIsNotChunkedGets400(String value) throws Exception {
        assertRefused(exchange("POST / HTTP/1.1\r\nHost: " + host() + "\r\nTransfer-Encoding: " + value + "\r\n\r\nabc"), 400);
        assertNothingReachedTheTunnel();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\nHost: %s\n\n", "GET / HTTP/1.1\r\nHost: %s\nX-A: b\r\n\r\n"})
    void bareLineFeedsInTheHeadGet400(String raw) throws Exception {
        assertRefused(exchange(raw.formatted(host())), 400);
        assertNothingReachedTheTunnel();
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET / HTTP/1.1\r\nHost: %s\r\nX-A: b\r\n c\r\n\r\n", "GET / HTTP/1.1\r\nHost: %s\r\nX-A: b\r\n\tc\r\n\r\n",
            "GET / HTTP/1.1\r\n X-A: b\r\nHost: %s\r\n\r\n"})
    void obsoleteLineFoldingGets400(String raw) throws Exception {
        String response = exchange(raw.formatted(host()));
        assertRefused(response, 400);
        assertThat(response).contains("folding");
        assertNothingReachedTheTunnel();
    }

    @Test
    void aKeptAliveConnectionChecksEachHead() throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send("GET / HTTP/1.1\r\nHost: x\r\n\r\nPOST / HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nx\r\n b"
                    + "GET / HTTP/1.1\r\nHost: x\r\nX-A: b\r\n c\r\n\r\n");
            String all = v.readAll();
            assertThat(all).startsWith("HTTP/1.1 200");
            assertThat(all.split("HTTP/1.1 200", -1)).hasSize(3); // a body that looks like a fold is a body
            assertThat(all).contains("HTTP/1.1 400");
        }
    }

    @Test
    void tooLongTargetGets414() throws Exception {
        String response = exchange("GET /" + "a".repeat(9000) + " HTTP/1.1\r\nHost: " + host() + "\r\n\r\n");
        assertRefused(response, 414);
        assertNothingReachedTheTunnel();
    }

    @Test
    void absoluteFormIsRoutedByItsAuthorityAndForwardedInOriginForm() throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send("GET http://" + host() + "/echo?x=1 HTTP/1.1\r\nHost: other.localhost\r\n\r\n");
            Frame f = client.next();
            OpenMessage open = Json.read(f.payload(), OpenMessage.class);
            assertThat(open.tunnel()).isEqualTo("app");
            assertThat(open.target()).isEqualTo("/echo?x=1");
            assertThat(open.headers().stream().filter(h -> h.name().equalsIgnoreCase("Host")).map(h -> h.value()).toList())
                    .containsExactly(host());
            client.send(Frame.reply(f.streamId(), ReplyMessage.http(204, null, List.of())));
            client.send(Frame.fin(f.streamId()));
            assertThat(v.readHead()).startsWith("HTTP/1.1 204");
        }
    }

    @Test
    void absoluteFormWithoutPathIsForwardedAsSlash() throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send("GET HTTP://" + host() + "?q HTTP/1.1\r\nHost: " + host() + "\r\n\r\n");
            Frame f = client.next();
            assertThat(Json.read(f.payload(), OpenMessage.class).target()).isEqualTo("/?q");
            client.send(Frame.reply(f.streamId(), ReplyMessage.http(204, null, List.of())));
            client.send(Frame.fin(f.streamId()));
            assertThat(v.readHead()).startsWith("HTTP/1.1 204");
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET @127.0.0.1:22023/secret", "GET *", "GET .x", "GET app.localhost:80", "POST 127.0.0.1:22",
            "GET http://user@app.localhost/", "GET http:///x", "GET ftp://app.localhost/", "GET /a\u0001b", "GET /a\u007fb"})
    void targetsThatAreNotOriginFormGet400BeforeLeavingTheRelay(String requestLine) throws Exception {
        assertRefused(exchange(requestLine + " HTTP/1.1\r\nHost: " + host() + "\r\n\r\n"), 400);
        assertNothingReachedTheTunnel();
    }

    @Test
    void manyAsteriskRequestsNeverReachTheEngine() throws Exception {
        for (int i = 0; i < 6; i++) {
            assertRefused(exchange("GET * HTTP/1.1\r\nHost: " + host() + "\r\n\r\n"), 400);
        }
        assertNothingReachedTheTunnel();
    }

    @Test
    void optionsAsteriskIsAnsweredByTheRelay() throws Exception {
        try (RawVisitor v = new RawVisitor(relay.port())) {
            v.send("OPTIONS * HTTP/1.1\r\nHost: " + host() + "\r\n\r\n");
            String head = v.readHead();
            assertThat(head).startsWith("HTTP/1.1 200").contains("Allow:");
        }
        assertNothingReachedTheTunnel();
    }
}
