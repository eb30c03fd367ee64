package dev.portway.desktop.engine.local;

import dev.portway.desktop.testing.RawHttpApp;
import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/** The local leg alone, against real loopback sockets: what it sends, where it connects, when it reuses and retries. */
class LocalLegTest {
    private final LocalLeg leg = new LocalLeg("test-local", 1, Duration.ofSeconds(5));

    @AfterEach
    void close() {
        leg.close();
    }

    private static RequestHead get(String target, int port) {
        return new RequestHead("GET", target, List.of(new Header("Host", "127.0.0.1:" + port)));
    }

    private String exchange(LocalCall call, RequestHead head) throws IOException {
        try (call) {
            LocalResponse r = call.send(head, LocalCall.Framing.NONE, LocalBody.NONE);
            StringBuilder body = new StringBuilder();
            byte[] buf = new byte[1024];
            for (int n; (n = call.read(buf)) != -1; ) {
                body.append(new String(buf, 0, n, StandardCharsets.ISO_8859_1));
            }
            return r.status() + " " + body;
        }
    }

    @Test
    void theTargetNeverChoosesWhereTheRequestGoesOnlyTheGivenHostAndPortDo() throws Exception {
        AtomicInteger otherAccepted = new AtomicInteger();
        try (RawHttpApp app = new RawHttpApp(RawHttpApp.OK);
             ServerSocket other = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            Thread.ofVirtual().start(() -> {
                try (Socket s = other.accept()) {
                    otherAccepted.incrementAndGet();
                } catch (IOException ignored) {
                    // closed at the end of the test
                }
            });
            int x = other.getLocalPort();
            for (String target : List.of("@127.0.0.1:" + x + "/secret", "http://127.0.0.1:" + x + "/", "*", ".x", "//127.0.0.1:" + x + "/")) {
                assertThat(exchange(leg.call("127.0.0.1", app.port()), get(target, app.port()))).isEqualTo("200 ok");
            }
            assertThat(app.received).extracting(RawHttpApp.Received::requestLine).containsExactly(
                    "GET @127.0.0.1:" + x + "/secret HTTP/1.1", "GET http://127.0.0.1:" + x + "/ HTTP/1.1", "GET * HTTP/1.1",
                    "GET .x HTTP/1.1", "GET //127.0.0.1:" + x + "/ HTTP/1.1");
            assertThat(otherAccepted).hasValue(0);
        }
    }

    @Test
    void targetsAndHeadersThatCouldSplitTheRequestAreRefusedBeforeSending() {
        for (String bad : List.of("/a\r\nX-Injected: 1", "/a\nb", "/a\u0000", "/a b", "/a\u0001", "/a\u007f", "/a\tb")) {
            assertThat(new RequestHead("GET", bad, List.of()).problem()).as(bad).isNotNull();
        }
        assertThat(new RequestHead("GET", "/", List.of(new Header("X-A", "1\r\nX-B: 2"))).problem()).isNotNull();
        assertThat(new RequestHead("GET", "/", List.of(new Header("Bad Name", "1"))).problem()).isNotNull();
        assertThat(new RequestHead("GE T", "/", List.of()).problem()).isNotNull();
        for (String ok : List.of("*", ".x", "@127.0.0.1:1/secret", "/a/./x/../y//z?raw=\u00e2\u009c\u0093&q=\"x\"")) {
            assertThat(new RequestHead("GET", ok, List.of(new Header("X-A", "tab\tok"))).problem()).as(ok).isNull();
        }
    }

    @Test
    void theHeadIsWrittenByteForByteAsReceived() {
        RequestHead head = new RequestHead("PROPFIND", "/a/./x/../y//z?raw=\u00e2\u009c\u0093&typed=\u2713",
                List.of(new Header("host", "h"), new Header("X-Dup", "1"), new Header("x-dup", "2")));
        byte[] expected = concat("PROPFIND /a/./x/../y//z?raw=".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xE2, (byte) 0x9C, (byte) 0x93}, "&typed=".getBytes(StandardCharsets.US_ASCII),
                new byte[] {(byte) 0xE2, (byte) 0x9C, (byte) 0x93},
                " HTTP/1.1\r\nhost: h\r\nX-Dup: 1\r\nx-dup: 2\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(head.encode()).isEqualTo(expected);
    }

    @Test
    void aKeepAliveConnectionIsReusedAndAClosedOneLeavesThePoolAtOnce() throws Exception {
        try (RawHttpApp app = new RawHttpApp(RawHttpApp.OK)) {
            assertThat(exchange(leg.call("127.0.0.1", app.port()), get("/1", app.port()))).isEqualTo("200 ok");
            assertThat(leg.idle("127.0.0.1", app.port())).isEqualTo(1);
            assertThat(exchange(leg.call("127.0.0.1", app.port()), get("/2", app.port()))).isEqualTo("200 ok");
            assertThat(app.connections).hasValue(1);

            app.dropConnections();

            await().atMost(Duration.ofSeconds(5)).until(() -> leg.idle("127.0.0.1", app.port()) == 0);
        }
    }

    /**
     * Each reuse used to leave its predecessor's idle timer queued on the event loop until it ran out (the busy app's
     * heap held 27,000 of them after 30 s of 1,300 requests/s): the pool keeps one timer per idle connection.
     */
    @Test
    void aConnectionReusedManyTimesLeavesOneIdleTimerOnItsEventLoop() throws Exception {
        io.netty.channel.EventLoopGroup group = new io.netty.channel.MultiThreadIoEventLoopGroup(1, io.netty.channel.nio.NioIoHandler.newFactory());
        try (RawHttpApp app = new RawHttpApp(RawHttpApp.OK); LocalLeg own = new LocalLeg(group, Duration.ofSeconds(5))) {
            for (int i = 0; i < 300; i++) {
                assertThat(exchange(own.call("127.0.0.1", app.port()), get("/" + i, app.port()))).isEqualTo("200 ok");
            }
            assertThat(app.connections).hasValue(1);
            io.netty.util.concurrent.EventExecutor loop = group.next();
            java.lang.reflect.Field f = io.netty.util.concurrent.AbstractScheduledEventExecutor.class.getDeclaredField("scheduledTaskQueue");
            f.setAccessible(true);
            await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
                int pending = loop.submit(() -> {
                    java.util.Queue<?> q = (java.util.Queue<?>) f.get(loop);
                    return q == null ? 0 : q.size();
                }).get();
                assertThat(pending).as("scheduled tasks on the local leg's loop").isLessThanOrEqualTo(3);
            });
        } finally {
            group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS);
        }
    }

    @Test
    void http10CloseAndCloseDelimitedAnswersAreNeverPooled() throws Exception {
        List<String> answers = List.of("HTTP/1.0 200 OK\r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.1 200 OK\r\nConnection: close\r\nContent-Length: 2\r\n\r\nok",
                "HTTP/1.1 200 OK\r\n\r\nok");
        for (String answer : answers) {
            try (RawHttpApp app = new RawHttpApp((r, out) -> {
                out.write(answer.getBytes(StandardCharsets.ISO_8859_1));
                return answer.contains("Length"); // keeps the connection open unless the body ends with it
            })) {
                assertThat(exchange(leg.call("127.0.0.1", app.port()), get("/", app.port()))).isEqualTo("200 ok");
                assertThat(leg.idle("127.0.0.1", app.port())).as(answer).isZero();
            }
        }
    }

    @Test
    void aReusedConnectionTheAppClosedWithoutAnsweringIsRetriedOnceOnAFreshOne() throws Exception {
        // Connection 1 answers its first request, then closes on the second without a byte; connection 2 answers.
        try (RawHttpApp app = new RawHttpApp(new RawHttpApp.Responder() {
            private final AtomicInteger onFirst = new AtomicInteger();

            @Override
            public boolean respond(RawHttpApp.Received r, OutputStream out) throws IOException {
                if (r.connection() == 1 && onFirst.incrementAndGet() == 2) {
                    return false;
                }
                return RawHttpApp.OK.respond(r, out);
            }
        })) {
            assertThat(exchange(leg.call("127.0.0.1", app.port()), get("/1", app.port()))).isEqualTo("200 ok");
            try (LocalCall call = leg.call("127.0.0.1", app.port())) {
                LocalResponse r = call.send(new RequestHead("POST", "/2", List.of(new Header("Host", "h"), new Header("Content-Length", "5"))),
                        LocalCall.Framing.LENGTH, LocalBody.of("hello".getBytes(StandardCharsets.US_ASCII)));
                assertThat(r.status()).isEqualTo(200);
            }
            assertThat(app.connections).hasValue(2);
            assertThat(app.received).extracting(RawHttpApp.Received::bodyText).containsExactly("", "hello", "hello");
        }
    }

    @Test
    void aFreshConnectionThatClosesWithoutAnsweringIsTheAppsFailureAndNotRetried() throws Exception {
        try (RawHttpApp app = new RawHttpApp((r, out) -> false)) {
            assertThatThrownBy(() -> exchange(leg.call("127.0.0.1", app.port()), get("/", app.port())))
                    .isInstanceOf(IOException.class).hasMessageContaining("closed the connection before answering");
            assertThat(app.connections).hasValue(1);
        }
    }

    @Test
    void nothingListeningIsAConnectFailure() throws Exception {
        int dead;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            dead = s.getLocalPort();
        }
        int port = dead;
        assertThatThrownBy(() -> exchange(leg.call("127.0.0.1", port), get("/", port))).isInstanceOf(ConnectException.class);
    }

    @Test
    void aBodyCutShortGivesTheBytesThatCameThenATruncation() throws Exception {
        try (RawHttpApp app = new RawHttpApp((r, out) -> {
            out.write("HTTP/1.1 200 OK\r\nContent-Length: 100000\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            out.write(new byte[50_000]);
            return false;
        })) {
            try (LocalCall call = leg.call("127.0.0.1", app.port())) {
                assertThat(call.send(get("/", app.port()), LocalCall.Framing.NONE, LocalBody.NONE).status()).isEqualTo(200);
                long got = 0;
                byte[] buf = new byte[64 * 1024];
                try {
                    for (int n; (n = call.read(buf)) != -1; ) {
                        got += n;
                    }
                    throw new AssertionError("a complete body was reported");
                } catch (LocalCall.TruncatedResponse expected) {
                    assertThat(got).isEqualTo(50_000);
                }
            }
        }
    }

    @Test
    void anAppThatAnswersBeforeReadingTheBodyGetsItsAnswerPassedOnAndTheConnectionIsNotKept() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            java.util.concurrent.CountDownLatch done = new java.util.concurrent.CountDownLatch(1);
            Thread.ofVirtual().start(() -> {
                try (Socket s = server.accept()) {
                    java.io.InputStream in = s.getInputStream();
                    int state = 0;
                    while (state < 4) { // the head only: the body is never read
                        int c = in.read();
                        state = c == '\r' ? (state == 2 ? 3 : 1) : c == '\n' ? (state == 1 || state == 3 ? state + 1 : 0) : 0;
                    }
                    s.getOutputStream().write("HTTP/1.1 413 Payload Too Large\r\nContent-Length: 0\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                    s.getOutputStream().flush();
                    done.await();
                } catch (IOException | InterruptedException ignored) {
                    // the test is over
                }
            });
            long total = 256L * 1024 * 1024; // far beyond any socket buffer
            java.nio.ByteBuffer chunk = java.nio.ByteBuffer.allocate(64 * 1024).asReadOnlyBuffer();
            LocalBody big = new LocalBody() {
                long left = total;

                @Override
                public java.nio.ByteBuffer next() {
                    if (left <= 0) {
                        return null;
                    }
                    left -= chunk.capacity();
                    return chunk.duplicate();
                }

                @Override
                public void sent(int n) {
                }
            };
            try (LocalCall call = leg.call("127.0.0.1", server.getLocalPort())) {
                LocalResponse r = call.send(new RequestHead("PUT", "/upload", List.of(new Header("Host", "h"),
                        new Header("Content-Length", Long.toString(total)))), LocalCall.Framing.LENGTH, big);
                assertThat(r.status()).isEqualTo(413);
                assertThat(r.reason()).isEqualTo("Payload Too Large");
                assertThat(call.read(new byte[16])).isEqualTo(-1);
            } finally {
                done.countDown();
            }
            assertThat(leg.idle("127.0.0.1", server.getLocalPort())).isZero();
        }
    }

    private static byte[] concat(byte[]... parts) {
        int n = 0;
        for (byte[] p : parts) {
            n += p.length;
        }
        byte[] out = new byte[n];
        int off = 0;
        for (byte[] p : parts) {
            System.arraycopy(p, 0, out, off, p.length);
            off += p.length;
        }
        return out;
    }
}
