package dev.portway.relay.acme;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.Protocol;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/** A tunnel client over wss to a relay with a self-signed fallback certificate (trusted blindly: a test only). */
final class TlsTunnelClient implements AutoCloseable {
    private final BlockingQueue<ControlMessage> controls = new LinkedBlockingQueue<>();
    private final WebSocket ws;

    TlsTunnelClient(String connectUrl, String token) throws Exception {
        OkHttpClient http = dev.portway.relay.testing.TrustAnything.okHttp();
        ws = http.newWebSocket(new Request.Builder().url(connectUrl).build(), new WebSocketListener() {
            @Override
            public void onMessage(WebSocket webSocket, ByteString bytes) {
                try {
                    Frame f = FrameCodec.decode(bytes.asByteBuffer());
                    if (f.type() == FrameType.CONTROL) {
                        ControlMessage m = Json.read(f.payload(), ControlMessage.class);
                        if (!(m instanceof ControlMessage.Ping) && !(m instanceof ControlMessage.Pong)) {
                            controls.add(m);
                        }
                    }
                } catch (Exception ignored) {
                    // not a control message: these tests send no visitors through the tunnel
                }
            }
        });
        send(new ControlMessage.Hello(List.of(Protocol.VERSION), token, "test/1", null, null, null, null));
        expect(ControlMessage.Welcome.class);
    }

    void bindHttp(String name) throws Exception {
        send(new ControlMessage.Bind("b-" + name, Protocol.KIND_HTTP, name, null, Map.of()));
        expect(ControlMessage.Bound.class);
    }

    private void send(ControlMessage m) {
        ws.send(ByteString.of(FrameCodec.encode(Frame.control(m))));
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
