package dev.portway.relay.ingress.h2;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Header;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.OpenMessage;
import dev.portway.shared.protocol.Protocol;
import dev.portway.shared.protocol.ReplyMessage;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * A tunnel client for tests that answers every request itself: 200 with a text body naming the method, the target
 * and the request's header names (or, for {@code /page…}, a page for a browser), as the local app would see them. Over ws or wss (trusting the relay blindly).
 */
final class EchoTunnel implements AutoCloseable {
    /** For a browser: writes the protocol its navigation used ({@code h2}, {@code http/1.1}) into the DOM. */
    static final String PAGE = "<!doctype html><html><body><p id=\"proto\"></p><script>document.getElementById('proto')"
            + ".textContent = 'proto=' + performance.getEntriesByType('navigation')[0].nextHopProtocol;</script></body></html>";
    private final BlockingQueue<ControlMessage> controls = new LinkedBlockingQueue<>();
    private final WebSocket ws;

    EchoTunnel(String connectUrl, String token, String name) throws Exception {
        OkHttpClient http = dev.portway.relay.testing.TrustAnything.okHttp();
        ws = http.newWebSocket(new Request.Builder().url(connectUrl).build(), new WebSocketListener() {
            @Override
            public void onMessage(WebSocket webSocket, ByteString bytes) {
                try {
                    on(FrameCodec.decode(bytes.asByteBuffer()));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }
        });
        send(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), token, "test/1", null, null, null, null)));
        expect(ControlMessage.Welcome.class);
        send(Frame.control(new ControlMessage.Bind("b", Protocol.KIND_HTTP, name, null, Map.of())));
        expect(ControlMessage.Bound.class);
    }

    private void on(Frame f) throws Exception {
        switch (f.type()) {
            case CONTROL -> {
                ControlMessage m = Json.read(f.payload(), ControlMessage.class);
                if (m instanceof ControlMessage.Ping p) {
                    send(Frame.control(new ControlMessage.Pong(p.seq(), p.time())));
                } else if (!(m instanceof ControlMessage.Pong)) {
                    controls.add(m);
                }
            }
            case OPEN -> {
                OpenMessage open = Json.read(f.payload(), OpenMessage.class);
                String names = open.headers().stream().map(h -> h.name().toLowerCase()).collect(Collectors.joining(","));
                boolean page = open.target().startsWith("/page");
                byte[] body = (page ? PAGE : open.method() + " " + open.target() + "\nheaders: " + names + "\n")
                        .getBytes(StandardCharsets.UTF_8);
                send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of(
                        new Header("Content-Type", page ? "text/html; charset=utf-8" : "text/plain"),
                        new Header("Content-Length", String.valueOf(body.length))))));
                send(Frame.data(f.streamId(), body, 0, body.length));
                send(Frame.fin(f.streamId()));
            }
            case DATA -> {
                int n = f.payloadBytes().length;
                send(Frame.windowUpdate(f.streamId(), n));
                send(Frame.windowUpdate(0, n));
            }
            default -> {
            }
        }
    }

    private void send(Frame f) {
        ws.send(ByteString.of(FrameCodec.encode(f)));
    }

    private <T extends ControlMessage> T expect(Class<T> type) throws Exception {
        ControlMessage m = controls.poll(10, TimeUnit.SECONDS);
        if (!type.isInstance(m)) {
            throw new AssertionError("expected " + type.getSimpleName() + ", got " + m);
        }
        return type.cast(m);
    }

    @Override
    public void close() {
        ws.cancel();
    }
}
