package dev.portway.desktop.e2e;

import dev.portway.desktop.e2e.TunnelHarness.RecordingEngine;
import dev.portway.desktop.engine.TunnelSpec;
import dev.portway.relay.Relay;
import dev.portway.relay.RelayConfig;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * permessage-deflate between a real engine and a real relay (PROTOCOL.md §1.1), with a counting TCP proxy on the
 * WebSocket between them: a 10 MiB JSON-like upload and a 10 MiB download arrive byte for byte (credit counts the inflated
 * DATA payload, so the windows neither stall nor overflow) and costs far fewer bytes on the wire when both ends
 * have it on; with it off on either end the session runs uncompressed and still works. A visitor's WebSocket
 * through the tunnel echoes as before.
 */
class WsCompressionIT {
    private static final int SIZE = 10 * 1024 * 1024;
    private final OkHttpClient visitor = TunnelHarness.visitor();
    private Relay relay;
    private TcpProxy wire;
    private LocalHttpApp app;
    private WebSocketEchoServer ws;
    private RecordingEngine engine;

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : new AutoCloseable[]{engine, wire, ws, app}) {
            if (c != null) {
                c.close();
            }
        }
        if (relay != null) {
            relay.close();
        }
    }

    /** JSON-ish text: records with repeated keys and varying values, as APIs send (compresses about 5:1). */
    static byte[] json(int size) {
        Random r = new Random(42);
        StringBuilder s = new StringBuilder(size + 200).append('[');
        for (int i = 0; s.length() < size; i++) {
            s.append("{\"id\":").append(i).append(",\"name\":\"user-").append(r.nextInt(100_000))
                    .append("\",\"email\":\"u").append(r.nextInt(1_000_000)).append("@example.com\",\"active\":")
                    .append(r.nextBoolean()).append(",\"score\":").append(r.nextDouble()).append("},\n");
        }
        return s.substring(0, size).getBytes(StandardCharsets.UTF_8);
    }

    @ParameterizedTest(name = "relay {0}, engine {1}")
    @CsvSource({"on, on, true", "off, on, false", "on, off, false"})
    void tenMiBEachWayArriveIntactAndAreCompressedOnlyWhenBothAgree(String relayOn, String engineOn,
                                                                        boolean compressed) throws Exception {
        relay = Relay.start(RelayConfig.builder().bindHost("127.0.0.1").port(0).token(TunnelHarness.TOKEN)
                .wsCompression(relayOn.equals("on")).build());
        wire = new TcpProxy(relay.port());
        app = new LocalHttpApp();
        ws = new WebSocketEchoServer();
        engine = new RecordingEngine(RecordingEngine.config("ws://127.0.0.1:" + wire.port(), TunnelHarness.TOKEN,
                TunnelSpec.http("zip", app.port()), TunnelSpec.http("zipws", ws.port())).withWsCompression(engineOn.equals("on")));
        engine.awaitBound(2);

        byte[] body = json(SIZE);
        long before = wire.forwarded();
        try (Response r = visitor.newCall(new Request.Builder().url("http://zip.localhost:" + relay.port() + "/digest")
                .post(RequestBody.create(body, MediaType.get("application/json"))).build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().string()).as("the app got the text body byte for byte")
                    .isEqualTo(SIZE + " " + java.util.HexFormat.of().formatHex(LocalHttpApp.sha256().digest(body)));
        }
        try (Response r = visitor.newCall(new Request.Builder().url("http://zip.localhost:" + relay.port() + "/download?size=" + SIZE)
                .build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            byte[] back = r.body().bytes();
            byte[] expected = new byte[SIZE];
            LocalHttpApp.fill(expected, 0, SIZE);
            assertThat(back.length).isEqualTo(SIZE);
            assertThat(back).as("the download came back byte for byte").isEqualTo(expected);
        }
        long onTheWire = wire.forwarded() - before;
        // Incompressible bodies (JPEG-like) both ways: deflated frames come out a little over MAX_FRAME.
        byte[] noise = LocalHttpApp.noise(2 * 1024 * 1024);
        try (Response r = visitor.newCall(new Request.Builder().url("http://zip.localhost:" + relay.port() + "/digest")
                .post(RequestBody.create(noise, MediaType.get("image/jpeg"))).build()).execute()) {
            assertThat(r.body().string()).isEqualTo(noise.length + " " + java.util.HexFormat.of().formatHex(LocalHttpApp.sha256().digest(noise)));
        }
        try (Response r = visitor.newCall(new Request.Builder().url("http://zip.localhost:" + relay.port() + "/noise?size=" + noise.length)
                .build()).execute()) {
            assertThat(r.code()).isEqualTo(200);
            assertThat(r.body().bytes()).as("the incompressible download came back byte for byte").isEqualTo(noise);
        }
        if (compressed) {
            assertThat(onTheWire).as("both ways, deflated").isLessThan(2L * SIZE / 3);
        } else {
            assertThat(onTheWire).as("both ways, as is").isGreaterThan(2L * SIZE);
        }

        LinkedBlockingQueue<Object> echoed = new LinkedBlockingQueue<>();
        okhttp3.WebSocket socket = visitor.newWebSocket(new Request.Builder().url("ws://zipws.localhost:" + relay.port() + "/ws").build(),
                new okhttp3.WebSocketListener() {
                    @Override
                    public void onMessage(okhttp3.WebSocket webSocket, String text) {
                        echoed.add(text);
                    }

                    @Override
                    public void onMessage(okhttp3.WebSocket webSocket, ByteString bytes) {
                        echoed.add(bytes);
                    }
                });
        String text = new String(json(40_000), StandardCharsets.UTF_8);
        ByteString binary = ByteString.of(json(50_000));
        socket.send(text);
        socket.send(binary);
        assertThat(echoed.poll(20, TimeUnit.SECONDS)).isEqualTo("echo: " + text);
        assertThat(echoed.poll(20, TimeUnit.SECONDS)).isEqualTo(binary);
        socket.close(1000, "done");
    }
}
