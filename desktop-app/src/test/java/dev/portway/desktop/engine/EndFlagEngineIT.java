package dev.portway.desktop.engine;

import com.sun.net.httpserver.HttpServer;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The engine against a scripted relay (a WebSocket that speaks the protocol frame by frame): with a relay that agrees
 * to the END flag (PROTOCOL.md §3.1) a small exchange ends with flags, with one that does not (an older relay) it
 * ends with FINs as before.
 */
class EndFlagEngineIT {
    private final BlockingQueue<Frame> fromEngine = new LinkedBlockingQueue<>();
    private final CompletableFuture<WebSocket> relaySide = new CompletableFuture<>();
    private MockWebServer relay;
    private HttpServer local;
    private TunnelEngine engine;

    @BeforeEach
    void start() throws Exception {
        local = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        local.createContext("/", ex -> {
            byte[] body = "small answer".getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (OutputStream out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        local.createContext("/empty", ex -> {
            ex.sendResponseHeaders(204, -1);
            ex.close();
        });
        local.start();
        relay = new MockWebServer();
        relay.enqueue(new MockResponse.Builder().webSocketUpgrade(new WebSocketListener() {
            @Override
            public void onOpen(WebSocket webSocket, Response response) {
                relaySide.complete(webSocket);
            }

            @Override
            public void onMessage(WebSocket webSocket, ByteString bytes) {
                try {
                    fromEngine.add(FrameCodec.decode(bytes.asByteBuffer()));
                } catch (Exception e) {
                    fromEngine.add(Frame.control(new ControlMessage.Notice("undecodable", e.toString())));
                }
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                webSocket.close(code, reason); // OkHttp leaves answering the close to the application
            }
        }).build());
        relay.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (engine != null) {
            engine.close();
        }
        relay.close();
        local.stop(0);
    }

    /** Connects the engine, answers its hello (agreeing to the END flag or not) and its bind. */
    private ControlMessage.Bind lastBind;

    private WebSocket welcomed(boolean agree) throws Exception {
        engine = new TunnelEngine(EngineConfig.of(URI.create("ws://127.0.0.1:" + relay.getPort()), "secret",
                List.of(TunnelSpec.http("app", local.getAddress().getPort()))), Runnable::run);
        engine.start();
        WebSocket ws = relaySide.get(15, TimeUnit.SECONDS);
        ControlMessage.Hello hello = (ControlMessage.Hello) control(next());
        assertThat(hello.offers(Protocol.FEATURE_END_FLAG)).as("the engine offers the END flag").isTrue();
        send(ws, Frame.control(new ControlMessage.Welcome(1, "s1", "resume-key", Protocol.DEFAULT_STREAM_WINDOW,
                Protocol.DEFAULT_SESSION_WINDOW, 60_000, 120_000, 30_000, agree ? "relay-lite/new" : "relay-lite/old", null, null,
                null, agree ? List.of(Protocol.FEATURE_END_FLAG, Protocol.FEATURE_REWRITE) : null)));
        ControlMessage.Bind bind = (ControlMessage.Bind) control(next());
        lastBind = bind;
        send(ws, Frame.control(new ControlMessage.Bound(bind.id(), "app", "http", "http://app.localhost/", null, null)));
        return ws;
    }

    private static OpenMessage get(String target) {
        return OpenMessage.http("app", "127.0.0.1:5000", "r-" + target, "GET", target, List.of(new Header("Host", "app.localhost")));
    }

    @Test
    void withARelayThatAgreesASmallAnswerIsReplyThenDataWithEndAndABodilessOneIsReplyWithEnd() throws Exception {
        WebSocket ws = welcomed(true);
        send(ws, Frame.open(1, get("/small")).withEnd());
        List<Frame> answer = streamFrames(1);
        assertThat(answer).extracting(Frame::type).containsExactly(FrameType.REPLY, FrameType.DATA);
        assertThat(answer.get(0).end()).isFalse();
        assertThat(answer.get(1).end()).isTrue();
        assertThat(new String(answer.get(1).payloadBytes(), StandardCharsets.UTF_8)).isEqualTo("small answer");

        send(ws, Frame.open(3, get("/empty")).withEnd());
        List<Frame> empty = streamFrames(3);
        assertThat(empty).extracting(Frame::type).containsExactly(FrameType.REPLY);
        assertThat(empty.get(0).end()).isTrue();
    }

    @Test
    void withAnOlderRelayTheEngineEndsStreamsWithFinAndTakesItsFin() throws Exception {
        WebSocket ws = welcomed(false);
        send(ws, Frame.open(1, get("/small")));
        send(ws, Frame.fin(1));
        List<Frame> answer = streamFrames(1);
        assertThat(answer).extracting(Frame::type).containsExactly(FrameType.REPLY, FrameType.DATA, FrameType.FIN);
        assertThat(answer).noneMatch(Frame::end);
    }

    @Test
    void theLocalOriginGoesOnlyToARelayThatAgreedToRewriting() throws Exception {
        welcomed(true);
        assertThat(lastBind.options()).containsEntry(Protocol.OPTION_LOCAL_ORIGIN,
                "http://localhost:" + local.getAddress().getPort());
    }

    @Test
    void anOlderRelayGetsNoOptionItDoesNotKnow() throws Exception {
        welcomed(false);
        assertThat(lastBind.options() == null ? java.util.Map.<String, String>of() : lastBind.options())
                .as("an older relay refuses a bind with an option it does not know")
                .doesNotContainKey(Protocol.OPTION_LOCAL_ORIGIN);
    }

    /** Frames of stream {@code id} until its end (a FIN, or a frame with END), skipping control and window frames. */
    private List<Frame> streamFrames(int id) throws Exception {
        List<Frame> out = new ArrayList<>();
        while (true) {
            Frame f = next();
            if (f.type() == FrameType.CONTROL || f.type() == FrameType.WINDOW_UPDATE) {
                continue;
            }
            assertThat(f.streamId()).as("frame %s", f).isEqualTo(id);
            assertThat(f.type()).as("frame %s", f).isNotEqualTo(FrameType.RST);
            out.add(f);
            if (f.type() == FrameType.FIN || f.end()) {
                return out;
            }
        }
    }

    private Frame next() throws InterruptedException {
        Frame f = fromEngine.poll(15, TimeUnit.SECONDS);
        if (f == null) {
            fail("no frame from the engine within 15 s");
        }
        return f;
    }

    private static ControlMessage control(Frame f) throws Exception {
        assertThat(f.type()).as("frame %s", f).isEqualTo(FrameType.CONTROL);
        return Json.read(f.payload(), ControlMessage.class);
    }

    private static void send(WebSocket ws, Frame f) {
        ws.send(ByteString.of(FrameCodec.encode(f)));
    }
}
