package dev.portway.relay;

import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import dev.portway.shared.protocol.FrameCodec;
import dev.portway.shared.protocol.FrameType;
import dev.portway.shared.protocol.Json;
import dev.portway.shared.protocol.Protocol;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** A tunnel client for tests: speaks the protocol frame by frame over an OkHttp WebSocket. */
final class ProtocolTestClient implements AutoCloseable {
    private static final OkHttpClient HTTP = new OkHttpClient();
    final BlockingQueue<Frame> frames = new LinkedBlockingQueue<>();
    final AtomicInteger closeCode = new AtomicInteger(-1);
    volatile String closeReason;
    private final WebSocket ws;

    ProtocolTestClient(String url) {
        this(url, java.util.Map.of());
    }

    /** With extra headers on the WebSocket handshake (e.g. the X-Forwarded-For a proxy in front would add). */
    ProtocolTestClient(String url, java.util.Map<String, String> headers) {
        Request.Builder request = new Request.Builder().url(url);
        headers.forEach(request::header);
        ws = HTTP.newWebSocket(request.build(), new WebSocketListener() {
            @Override
            public void onMessage(WebSocket webSocket, ByteString bytes) {
                try {
                    frames.add(FrameCodec.decode(bytes.asByteBuffer()));
                } catch (Exception e) {
                    frames.add(Frame.rst(Integer.MAX_VALUE, dev.portway.shared.protocol.ErrorCode.PROTOCOL_ERROR, e.toString()));
                }
            }

            @Override
            public void onClosing(WebSocket webSocket, int code, String reason) {
                closeReason = reason;
                closeCode.set(code);
                webSocket.close(1000, null);
            }

            @Override
            public void onFailure(WebSocket webSocket, Throwable t, Response response) {
                closeCode.compareAndSet(-1, 0);
            }
        });
    }

    static ProtocolTestClient connect(Relay relay, String token, String resume) {
        return connect(relay, token, resume, null);
    }

    /** @param clientKey the installation's stable key ({@code hello.client_key}), or null */
    static ProtocolTestClient connect(Relay relay, String token, String resume, String clientKey) {
        ProtocolTestClient c = new ProtocolTestClient(relay.connectUrl());
        c.send(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), token, "test/1", resume, null, null, clientKey)));
        return c;
    }

    /** Offering optional protocol features ({@code hello.features}, PROTOCOL.md §3.1). */
    static ProtocolTestClient connectOffering(Relay relay, String token, List<String> features) {
        ProtocolTestClient c = new ProtocolTestClient(relay.connectUrl());
        c.send(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), token, "test/1", null, null, null, null, features)));
        return c;
    }

    /** Offering feature {@code ha} (PROTOCOL.md §3.3) with the installation's stable key: one client on several nodes. */
    static ProtocolTestClient connectHa(Relay relay, String token, String clientKey) {
        ProtocolTestClient c = new ProtocolTestClient(relay.connectUrl());
        c.send(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), token, "test/1", null, null, null, clientKey,
                List.of(Protocol.FEATURE_HA))));
        return c;
    }

    /** To a relay in another process, by its WebSocket URL. */
    static ProtocolTestClient connect(String connectUrl, String token) {
        ProtocolTestClient c = new ProtocolTestClient(connectUrl);
        c.send(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), token, "test/1", null, null, null, null)));
        return c;
    }

    /** To a relay in another process, with the installation's stable key (needed to own a queued tunnel). */
    static ProtocolTestClient connect(String connectUrl, String token, String clientKey) {
        ProtocolTestClient c = new ProtocolTestClient(connectUrl);
        c.send(Frame.control(new ControlMessage.Hello(List.of(Protocol.VERSION), token, "test/1", null, null, null, clientKey)));
        return c;
    }

    void send(Frame frame) {
        ws.send(ByteString.of(FrameCodec.encode(frame)));
    }

    void sendRaw(byte[] bytes) {
        ws.send(ByteString.of(bytes));
    }

    void sendText(String text) {
        ws.send(text);
    }

    /** The next frame other than pings/pongs. */
    Frame next() {
        try {
            while (true) {
                Frame f = frames.poll(10, TimeUnit.SECONDS);
                if (f == null) {
                    fail("no frame within 10 s (close code " + closeCode.get() + ")");
                }
                if (f.type() == FrameType.CONTROL) {
                    ControlMessage m = Json.read(f.payload(), ControlMessage.class);
                    if (m instanceof ControlMessage.Ping || m instanceof ControlMessage.Pong) {
                        continue;
                    }
                }
                return f;
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    <T extends ControlMessage> T control(Class<T> type) {
        Frame f = next();
        assertThat(f.type()).as("frame %s", f).isEqualTo(FrameType.CONTROL);
        try {
            ControlMessage m = Json.read(f.payload(), ControlMessage.class);
            assertThat(m).isInstanceOf(type);
            return type.cast(m);
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    Frame expect(FrameType type) {
        Frame f = next();
        assertThat(f.type()).as("frame %s", f).isEqualTo(type);
        return f;
    }

    ControlMessage.Bound bind(String id, String kind, String name, java.util.Map<String, String> options) {
        send(Frame.control(new ControlMessage.Bind(id, kind, name, null, options)));
        return control(ControlMessage.Bound.class);
    }

    @Override
    public void close() {
        ws.cancel();
    }
}
