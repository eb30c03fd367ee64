// Opens SESSIONS WebSocket sessions to a relay, binds TUNNELS HTTP tunnels on each, and keeps them idle (answering
// the relay's pings) until it is killed. Speaks protocol v1 directly (shared/PROTOCOL.md §1-4) with the JDK's own
// WebSocket client, so thousands of sessions cost one JVM and a handful of threads, not one engine each.
// Run from bench/idle-tunnels.sh: java IdleClients.java WS_URL TOKEN SESSIONS TUNNELS
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
        HttpClient http = HttpClient.newHttpClient();
        long start = System.nanoTime();
        List<Session> batch = new ArrayList<>();
        for (int s = 0; s < sessions; s++) {
            Session session = new Session(token, "s" + s, tunnels);
            batch.add(session);
            session.open(http, url);
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
                            b.reopen(http, url);
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
        System.out.printf("idle-clients: %d of %d tunnels bound on %d sessions in %.1f s (%d refused%s, %d sessions closed or refused)%n",
                bound.get(), want, sessions, (System.nanoTime() - start) / 1e9, refused.get(),
                lastRefusal.isEmpty() ? "" : ": " + lastRefusal, closed.get());
        System.out.println(bound.get() == want ? "idle-clients: ready" : "idle-clients: incomplete");
        Thread.sleep(Long.MAX_VALUE);   // hold the sessions until the script stops this process
    }

    static ByteBuffer control(String json) {
        byte[] p = json.getBytes(StandardCharsets.UTF_8);
        return ByteBuffer.allocate(5 + p.length).put(CONTROL).putInt(0).put(p).flip();
    }

    /** One session: hello, then TUNNELS binds after welcome; pongs for pings; counts bound and refused. */
    static final class Session implements WebSocket.Listener {
        final String token;
        final String prefix;
        final int tunnels;
        /** The JDK WebSocket allows one send at a time: every send waits for the one before. */
        private CompletableFuture<WebSocket> sending;
        /** Completed when all tunnels are bound; failed when the session ends before. */
        volatile CompletableFuture<Void> ready = new CompletableFuture<>();
        private int boundHere;

        Session(String token, String prefix, int tunnels) {
            this.token = token;
            this.prefix = prefix;
            this.tunnels = tunnels;
        }

        void open(HttpClient http, URI url) {
            http.newWebSocketBuilder().connectTimeout(java.time.Duration.ofSeconds(30)).buildAsync(url, this)
                    .whenComplete((ws, e) -> {
                        if (e != null) {
                            closed.incrementAndGet();
                            lastRefusal = "handshake failed: " + e;
                            ready.completeExceptionally(e);
                        }
                    });
        }

        synchronized void reopen(HttpClient http, URI url) {
            bound.addAndGet(-boundHere);
            boundHere = 0;
            sending = null;
            ready = new CompletableFuture<>();
            open(http, url);
        }

        synchronized void send(WebSocket ws, ByteBuffer frame) {
            sending = (sending == null ? CompletableFuture.completedFuture(ws) : sending).thenCompose(w -> w.sendBinary(frame, true));
        }

        @Override
        public void onOpen(WebSocket ws) {
            send(ws, control("{\"type\":\"hello\",\"versions\":[1],\"token\":\"" + token + "\",\"client\":\"idle-bench/1\"}"));
            ws.request(1);
        }

        @Override
        public CompletionStage<?> onBinary(WebSocket ws, ByteBuffer data, boolean last) {
            // Control frames are small: each arrives in one piece here.
            if (data.remaining() > 5 && data.get(0) == CONTROL) {
                byte[] p = new byte[data.remaining() - 5];
                data.position(5).get(p);
                String json = new String(p, StandardCharsets.UTF_8);
                if (json.contains("\"type\":\"welcome\"")) {
                    for (int t = 0; t < tunnels; t++) {
                        String bind = "{\"type\":\"bind\",\"id\":\"" + t + "\",\"kind\":\"http\",\"name\":\"" + prefix + "t" + t + "\"}";
                        send(ws, control(bind));
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
                    send(ws, control(json.replace("\"type\":\"ping\"", "\"type\":\"pong\"")));
                }
            }
            ws.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket ws, int code, String reason) {
            closed.incrementAndGet();
            lastRefusal = "closed " + code + " " + reason;
            ready.completeExceptionally(new IllegalStateException(lastRefusal));
            return null;
        }

        @Override
        public void onError(WebSocket ws, Throwable error) {
            closed.incrementAndGet();
            lastRefusal = String.valueOf(error);
            ready.completeExceptionally(error);
        }
    }
}
