package dev.portway.desktop.engine.relay;

import dev.portway.relay.testing.PermessageDeflate;
import dev.portway.shared.protocol.FrameCodec;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.security.KeyStore;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The engine's WebSocket against a hostile relay played by hand on a plain socket: the engine offers
 * permessage-deflate (or not, when it is off), and a small compressed message that inflates beyond MAX_FRAME is
 * refused with close 1009 and a failure that says why, not inflated into the heap.
 */
class RelayDeflateIT {
    private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());

    @AfterEach
    void stop() {
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private static X509TrustManager systemTrust() throws Exception {
        TrustManagerFactory f = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        f.init((KeyStore) null);
        return (X509TrustManager) f.getTrustManagers()[0];
    }

    /** What the fake relay saw: the engine's upgrade request, and the status code of its close frame (-1: none). */
    record Seen(String request, int closeCode) {
    }

    /** Records the socket's outcome. */
    static final class Outcome implements RelaySocket.Listener {
        final CompletableFuture<Void> connected = new CompletableFuture<>();
        final CompletableFuture<Throwable> failed = new CompletableFuture<>();

        @Override
        public void onConnected() {
            connected.complete(null);
        }

        @Override
        public void onMessage(ByteBuffer message) {
        }

        @Override
        public void onText() {
        }

        @Override
        public void onClosing(int code, String reason) {
        }

        @Override
        public void onClosed(int code, String reason) {
            failed.complete(new IllegalStateException("closed politely " + code));
        }

        @Override
        public void onFailure(Throwable cause, int httpStatus) {
            failed.complete(cause);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        StringBuilder s = new StringBuilder();
        while (!s.toString().endsWith("\r\n\r\n")) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("closed during the handshake: " + s);
            }
            s.append((char) b);
        }
        return s.toString();
    }

    /**
     * Accepts one engine, answers its upgrade (with {@code extensions} as the relay's Sec-WebSocket-Extensions, if
     * any), sends {@code message} as one binary frame (RSV1 when {@code compressed}), and reads the engine's frames
     * until its close frame.
     */
    private static CompletableFuture<Seen> fakeRelay(ServerSocket server, String extensions, byte[] message, boolean compressed) {
        CompletableFuture<Seen> seen = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (Socket s = server.accept()) {
                s.setSoTimeout(20_000);
                InputStream in = s.getInputStream();
                OutputStream out = s.getOutputStream();
                String req = readHead(in);
                String key = req.lines().filter(l -> l.toLowerCase().startsWith("sec-websocket-key:"))
                        .map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElseThrow();
                String accept = Base64.getEncoder().encodeToString(MessageDigest.getInstance("SHA-1")
                        .digest((key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11").getBytes(StandardCharsets.US_ASCII)));
                // The answer and the frame in one write: the engine may close as soon as it sees the frame's first
                // byte (RSV1 unagreed), and a later write of ours would then fail with a broken pipe.
                java.io.ByteArrayOutputStream all = new java.io.ByteArrayOutputStream();
                all.write(("HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                        + "Sec-WebSocket-Accept: " + accept + "\r\n"
                        + (extensions == null ? "" : "Sec-WebSocket-Extensions: " + extensions + "\r\n") + "\r\n")
                        .getBytes(StandardCharsets.US_ASCII));
                all.write(0x80 | (compressed ? 0x40 : 0) | 0x2);
                all.write(126);
                all.write(message.length >>> 8);
                all.write(message.length & 0xff);
                all.write(message);
                out.write(all.toByteArray());
                out.flush();
                DataInputStream data = new DataInputStream(in);
                for (;;) {
                    int b0 = data.read();
                    if (b0 < 0) { // hung up without a close frame
                        seen.complete(new Seen(req, -1));
                        return;
                    }
                    int len = data.readUnsignedByte() & 0x7f;
                    long n = len == 126 ? data.readUnsignedShort() : len == 127 ? data.readLong() : len;
                    byte[] mask = data.readNBytes(4);
                    byte[] payload = data.readNBytes((int) n);
                    for (int i = 0; i < payload.length; i++) {
                        payload[i] ^= mask[i & 3];
                    }
                    if ((b0 & 0x0f) == 0x8) {
                        seen.complete(new Seen(req, payload.length < 2 ? 1005 : ((payload[0] & 0xff) << 8) | (payload[1] & 0xff)));
                        return;
                    }
                }
            } catch (Exception e) {
                seen.completeExceptionally(e);
            }
        });
        return seen;
    }

    @Test
    void aCompressedMessageFromTheRelayThatInflatesBeyondTheLargestFrameIsRefusedWith1009() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            byte[] bomb = PermessageDeflate.deflate(new byte[16 * 1024 * 1024]);
            assertThat(bomb.length).isLessThan(65_536);
            CompletableFuture<Seen> seen = fakeRelay(server,
                    "permessage-deflate; server_no_context_takeover; client_no_context_takeover", bomb, true);
            Outcome outcome = new Outcome();
            new RelayConnector(group, systemTrust(), false, Duration.ofSeconds(10), "test/1", true)
                    .connect(URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/api/tunnel/connect"), outcome);

            Seen relay = seen.get(30, TimeUnit.SECONDS);
            assertThat(relay.request()).containsIgnoringCase("Sec-WebSocket-Extensions: permessage-deflate")
                    .contains("server_no_context_takeover");
            assertThat(relay.closeCode()).isEqualTo(1009);
            assertThat(outcome.connected).isDone();
            assertThat(outcome.failed.get(10, TimeUnit.SECONDS)).hasMessageContaining("larger than " + FrameCodec.MAX_FRAME);
        }
    }

    @Test
    void withCompressionOffTheEngineOffersNothingAndACompressedMessageIsAProtocolError() throws Exception {
        try (ServerSocket server = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            CompletableFuture<Seen> seen = fakeRelay(server, null, PermessageDeflate.deflate(new byte[200]), true);
            Outcome outcome = new Outcome();
            new RelayConnector(group, systemTrust(), false, Duration.ofSeconds(10), "test/1", false)
                    .connect(URI.create("ws://127.0.0.1:" + server.getLocalPort() + "/api/tunnel/connect"), outcome);

            Seen relay = seen.get(30, TimeUnit.SECONDS);
            assertThat(relay.request()).doesNotContainIgnoringCase("Sec-WebSocket-Extensions");
            assertThat(relay.closeCode()).as("1002, or a hang-up without a close frame").isIn(1002, -1);
            assertThat(outcome.failed.get(10, TimeUnit.SECONDS)).isNotNull();
            assertThat(outcome.connected).isDone();
        }
    }
}
