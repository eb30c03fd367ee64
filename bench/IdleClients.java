// Opens SESSIONS WebSocket sessions to a relay, binds TUNNELS HTTP tunnels on each, and keeps them idle (answering
// the relay's pings) until it is killed. Speaks protocol v1 directly (shared/PROTOCOL.md §1-4) with Netty's
// WebSocket client (as the engine does), so thousands of sessions cost one JVM and two threads, not one engine each.
// With DEFLATE = on it offers permessage-deflate the way the engine does and compresses every message it sends
// (the engine leaves those under 1 KiB alone): the relay's worst case, an inflater made and freed per message.
// Run from bench/idle-tunnels.sh: java -cp relay-lite.jar IdleClients.java WS_URL TOKEN SESSIONS TUNNELS [DEFLATE]
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.websocketx.BinaryWebSocketFrame;
import io.netty.handler.codec.http.websocketx.CloseWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PingWebSocketFrame;
import io.netty.handler.codec.http.websocketx.PongWebSocketFrame;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshaker;
import io.netty.handler.codec.http.websocketx.WebSocketClientHandshakerFactory;
import io.netty.handler.codec.http.websocketx.WebSocketVersion;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketClientExtensionHandler;
import io.netty.handler.codec.http.websocketx.extensions.WebSocketExtensionFilterProvider;
import io.netty.handler.codec.http.websocketx.extensions.compression.PerMessageDeflateClientExtensionHandshaker;

import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

public class IdleClients {
    static final byte CONTROL = 0x00;
    static final AtomicInteger bound = new AtomicInteger();
    static final AtomicInteger refused = new AtomicInteger();
    static final AtomicInteger closed = new AtomicInteger();
    static volatile String lastRefusal = "";

    public static void main(String[] args) throws Exception {
        URI url = URI.create(args[0] + "/api/tunnel/connect");
        String token = args[1];
        int sessions = Integer.parseInt(args[2]);
        int tunnels = Integer.parseInt(args[3]);
        deflate = args.length > 4 && args[4].equals("on");
        long start = System.nanoTime();
        List<Session> batch = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            Session session = new Session(token, "s" + s, tunnels);
            batch.add(session);
            session.open(url);
            // A few sessions at a time, each fully bound before the next batch: on a busy machine a flood of
            // connects would miss the relay's 10 s hello timeout. A session the relay closed is opened again (3 tries).
            if (batch.size() == 20 || s == sessions - 1) {
                for (Session b : batch) {
                    for (int attempt = 1; ; attempt++) {
                        try {
                            b.ready.get(60, TimeUnit.SECONDS);
                            break;
                        } catch (Exception e) {
                            if (attempt == 3) {
                                break;
                            }
                            b.reopen(url);
                        }
                    }
                }
                batch.clear();
                if ((s + 1) % 200 == 0) {
                    System.out.printf("idle-clients: %d sessions, %d tunnels bound after %.0f s%n", s + 1, bound.get(),
                            (System.nanoTime() - start) / 1e9);
                }
            }
        }
        int want = sessions * tunnels;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        while (bound.get() + refused.get() < want && System.nanoTime() < deadline) {
            Thread.sleep(200);
        }
        System.out.printf("idle-clients: %d of %d tunnels bound on %d sessions in %.1f s (%d refused%s, %d sessions closed or refused; "
                        + "permessage-deflate offered: %s, agreed on %d sessions)%n",
                bound.get(), want, sessions, (System.nanoTime() - start) / 1e9, refused.get(),
                lastRefusal.isEmpty() ? "" : ": " + lastRefusal, closed.get(), deflate ? "yes" : "no", negotiated.get());
        System.out.println(bound.get() == want ? "idle-clients: ready" : "idle-clients: incomplete");
        Thread.sleep(Long.MAX_VALUE);   // hold the sessions until the script stops this process
    }

    static final EventLoopGroup group = new MultiThreadIoEventLoopGroup(2, NioIoHandler.newFactory());
    static boolean deflate;
    static final AtomicInteger negotiated = new AtomicInteger();

    static ByteBuffer control(String json) {
        byte[] p = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + p.length).put(CONTROL).putInt(0).put(p).flip();
    }

    /** One session: hello, then TUNNELS binds after welcome; pongs for pings; counts bound and refused. */
    static final class Session {
        final String token;
        final String prefix;
        final int tunnels;
        private volatile Channel channel;
        /** Completed when all tunnels are bound; failed when the session ends before. */
        volatile CompletableFuture<Void> ready = new CompletableFuture<>();
        private int boundHere;

        Session(String token, String prefix, int tunnels) {
            this.token = token;
            this.prefix = prefix;
            this.tunnels = tunnels;
        }

        void open(URI url) {
            WebSocketClientHandshaker handshaker = WebSocketClientHandshakerFactory.newHandshaker(url, WebSocketVersion.V13,
                    null, deflate, new DefaultHttpHeaders(), 65_541);
            new Bootstrap().group(group).channel(NioSocketChannel.class).option(ChannelOption.TCP_NODELAY, true)
                    .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, 30_000)
                    .handler(new ChannelInitializer<SocketChannel>() {
                        @Override
                        protected void initChannel(SocketChannel ch) {
                            ch.pipeline().addLast(new HttpClientCodec(), new HttpObjectAggregator(64 * 1024));
                            if (deflate) { // the engine's offer (desktop-app RelayDeflate), without its 1 KiB floor
                                ch.pipeline().addLast(new WebSocketClientExtensionHandler(
                                        new PerMessageDeflateClientExtensionHandshaker(1, false, 15, true, true,
                                                WebSocketExtensionFilterProvider.DEFAULT, 2 * 65_541)));
                            }
                            ch.pipeline().addLast(new Handler(handshaker));
                        }
                    })
                    .connect(url.getHost(), url.getPort())
                    .addListener(f -> {
                        if (!f.isSuccess()) {
                            fail("connect failed: " + f.cause(), f.cause());
                        }
                    });
        }

        synchronized void reopen(URI url) {
            bound.addAndGet(-boundHere);
            boundHere = 0;
            Channel old = channel;
            if (old != null) {
                old.close();
            }
            ready = new CompletableFuture<>();
            open(url);
        }

        void send(ByteBuffer frame) {
            channel.writeAndFlush(new BinaryWebSocketFrame(Unpooled.wrappedBuffer(frame)));
        }

        void fail(String why, Throwable cause) {
            closed.incrementAndGet();
            lastRefusal = why;
            ready.completeExceptionally(cause);
        }

        void opened() {
            send(control("{\"type\":\"hello\",\"versions\":[1],\"token\":\"" + token + "\",\"client\":\"idle-bench/1\"}"));
        }

        void message(String json) {
            if (json.contains("\"type\":\"welcome\"")) {
                for (int t = 0; t < tunnels; t++) {
                    String bind = "{\"type\":\"bind\",\"id\":\"" + t + "\",\"kind\":\"http\",\"name\":\"" + prefix + "t" + t + "\"}";
                    send(control(bind));
                }
            } else if (json.contains("\"type\":\"bound\"")) {
                bound.incrementAndGet();
                synchronized (this) {
                    if (++boundHere == tunnels) {
                        ready.complete(null);
                    }
                }
            } else if (json.contains("\"type\":\"bind_refused\"") || json.contains("\"type\":\"refused\"")) {
                refused.incrementAndGet();
                lastRefusal = json;
                ready.complete(null);
            } else if (json.contains("\"type\":\"ping\"")) {
                send(control(json.replace("\"type\":\"ping\"", "\"type\":\"pong\"")));
            }
        }

        /** The pipeline's last handler: the upgrade answer, then frames. On the session's event loop. */
        final class Handler extends SimpleChannelInboundHandler<Object> {
            private final WebSocketClientHandshaker handshaker;

            Handler(WebSocketClientHandshaker handshaker) {
                this.handshaker = handshaker;
            }

            @Override
            public void channelActive(ChannelHandlerContext ctx) {
                channel = ctx.channel();
                handshaker.handshake(ctx.channel());
            }

            @Override
            protected void channelRead0(ChannelHandlerContext ctx, Object msg) {
                if (!handshaker.isHandshakeComplete()) {
                    FullHttpResponse res = (FullHttpResponse) msg;
                    String ext = res.headers().get("Sec-WebSocket-Extensions");
                    handshaker.finishHandshake(ctx.channel(), res);
                    if (ext != null && ext.contains("permessage-deflate")) {
                        negotiated.incrementAndGet();
                    }
                    opened();
                    return;
                }
                switch (msg) {
                    case BinaryWebSocketFrame b -> {
                        byte[] data = ByteBufUtil.getBytes(b.content());
                        if (data.length > 5 && data[0] == CONTROL) {
                            message(new String(data, 5, data.length - 5, StandardCharsets.UTF_8));
                        }
                    }
                    case PingWebSocketFrame p -> ctx.writeAndFlush(new PongWebSocketFrame(p.content().retain()));
                    case CloseWebSocketFrame c -> fail("closed " + c.statusCode() + " " + c.reasonText(), new IllegalStateException("closed"));
                    default -> { }
                }
            }

            @Override
            public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
                fail(String.valueOf(cause), cause);
                ctx.close();
            }
        }
    }
}
