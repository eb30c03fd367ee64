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
 * Or, made with {@link #forwarding}, the engine's part in small: each request, once its body is complete, goes to a
 * real local app over HTTP/1.1 and the app's answer comes back.
 */
final class EchoTunnel implements AutoCloseable {
    /**
     * For a browser: loads three scripts ({@code /res/…}), then writes into the DOM the protocol its navigation used
     * ({@code h2}, {@code http/1.1}), how many of the scripts came over h2, and how many ran.
     */
    static final String PAGE = "<!doctype html><html><body><p id=\"proto\"></p>"
            + "<script src=\"/res/1.js\"></script><script src=\"/res/2.js\"></script><script src=\"/res/3.js\"></script>"
            + "<script>document.getElementById('proto').textContent = 'proto=' + performance.getEntriesByType('navigation')[0]"
            + ".nextHopProtocol + ' resources=' + performance.getEntriesByType('resource').filter(e => e.name.includes('/res/')"
            + " && e.nextHopProtocol === 'h2').length + ' ran=' + window.ran;</script></body></html>";
    /** A sub-resource of {@link #PAGE}: counts that it ran. */
    static final String SCRIPT = "window.ran = (window.ran || 0) + 1;";
    private final BlockingQueue<ControlMessage> controls = new LinkedBlockingQueue<>();
    private final WebSocket ws;
    /** The local app requests are forwarded to, or null to answer them here. */
    private final java.net.URI app;
    private final java.net.http.HttpClient appClient;
    /** Forwarding: the requests whose body is still arriving, by stream. */
    private final Map<Integer, Pending> pending = new java.util.concurrent.ConcurrentHashMap<>();

    private record Pending(OpenMessage open, java.io.ByteArrayOutputStream body) {
    }

    EchoTunnel(String connectUrl, String token, String name) throws Exception {
        this(connectUrl, token, name, null);
    }

    /** A tunnel that carries each request to the app at {@code app} ({@code http://127.0.0.1:port}). */
    static EchoTunnel forwarding(String connectUrl, String token, String name, java.net.URI app) throws Exception {
        return new EchoTunnel(connectUrl, token, name, app);
    }

    private EchoTunnel(String connectUrl, String token, String name, java.net.URI app) throws Exception {
        this.app = app;
        this.appClient = app == null ? null : java.net.http.HttpClient.newBuilder()
                .version(java.net.http.HttpClient.Version.HTTP_1_1).build();
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
                if (app != null) {
                    pending.put(f.streamId(), new Pending(open, new java.io.ByteArrayOutputStream()));
                    return;
                }
                String names = open.headers().stream().map(h -> h.name().toLowerCase()).collect(Collectors.joining(","));
                boolean page = open.target().startsWith("/page");
                boolean script = open.target().startsWith("/res/");
                String text = page ? PAGE : script ? SCRIPT : open.method() + " " + open.target() + "\nheaders: " + names + "\n";
                byte[] body = text.getBytes(StandardCharsets.UTF_8);
                send(Frame.reply(f.streamId(), ReplyMessage.http(200, "OK", List.of(
                        new Header("Content-Type", page ? "text/html; charset=utf-8" : script ? "text/javascript" : "text/plain"),
                        new Header("Content-Length", String.valueOf(body.length))))));
                send(Frame.data(f.streamId(), body, 0, body.length));
                send(Frame.fin(f.streamId()));
            }
            case DATA -> {
                byte[] bytes = f.payloadBytes();
                Pending p = pending.get(f.streamId());
                if (p != null) {
                    p.body().write(bytes);
                }
                int n = bytes.length;
                send(Frame.windowUpdate(f.streamId(), n));
                send(Frame.windowUpdate(0, n));
            }
            case FIN -> {
                Pending p = pending.remove(f.streamId());
                if (p != null) {
                    Thread.ofVirtual().start(() -> forward(f.streamId(), p));
                }
            }
            default -> {
            }
        }
    }

    /** The request to the local app, and its answer back over the stream (the body in frames of at most 64 KiB). */
    private void forward(int streamId, Pending p) {
        try {
            var request = java.net.http.HttpRequest.newBuilder(app.resolve(p.open().target()))
                    .method(p.open().method(), java.net.http.HttpRequest.BodyPublishers.ofByteArray(p.body().toByteArray()));
            var response = appClient.send(request.build(), java.net.http.HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = response.body();
            send(Frame.reply(streamId, ReplyMessage.http(response.statusCode(), "OK", List.of(
                    new Header("Content-Type", response.headers().firstValue("Content-Type").orElse("application/octet-stream")),
                    new Header("Content-Length", String.valueOf(body.length))))));
            for (int off = 0; off < body.length; off += FrameCodec.MAX_PAYLOAD) {
                send(Frame.data(streamId, body, off, Math.min(FrameCodec.MAX_PAYLOAD, body.length - off)));
            }
            send(Frame.fin(streamId));
        } catch (Exception e) {
            send(Frame.rst(streamId, dev.portway.shared.protocol.ErrorCode.TARGET_ERROR, e.toString()));
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
