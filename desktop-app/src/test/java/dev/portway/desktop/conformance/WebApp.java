package dev.portway.desktop.conformance;

import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.Response;
import okhttp3.WebSocket;
import okhttp3.WebSocketListener;
import okio.ByteString;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A local web app on OkHttp's MockWebServer: {@code /} is the browser test page (fetch + WebSocket), {@code /api/hello}
 * answers JSON, {@code /api/hold} answers once the page's script has posted {@code /api/done} (see the page), and {@code /ws} is a WebSocket echo that sends every message back and answers a close with the same
 * code and reason.
 */
final class WebApp implements AutoCloseable {
    private final MockWebServer server = new MockWebServer();
    /** One permit per page whose script has posted /api/done. */
    private final Semaphore done = new Semaphore(0);

    WebApp() throws IOException {
        String page;
        try (InputStream in = WebApp.class.getResourceAsStream("browser-page.html")) {
            page = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        String html = page;
        server.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                String target = request.getTarget();
                if (target.startsWith("/ws")) {
                    return new MockResponse.Builder().webSocketUpgrade(new Echo()).build();
                }
                if (target.startsWith("/api/done")) {
                    done.release();
                    return new MockResponse.Builder().body("ok").build();
                }
                if (target.startsWith("/api/hold")) {
                    // Holds the page's load event (and so Chromium's --dump-dom) until its script has finished.
                    boolean finished = done.tryAcquire(20, TimeUnit.SECONDS);
                    return new MockResponse.Builder().body(finished ? "done" : "timed out").build();
                }
                if (target.startsWith("/api/hello")) {
                    return new MockResponse.Builder().addHeader("Content-Type", "application/json")
                            .body("{\"hello\":\"from the local app\",\"target\":\"" + target.replace("\"", "") + "\"}").build();
                }
                return new MockResponse.Builder().addHeader("Content-Type", "text/html; charset=utf-8").body(html).build();
            }
        });
        server.start(InetAddress.getByName("127.0.0.1"), 0);
    }

    int port() {
        return server.getPort();
    }

    private static final class Echo extends WebSocketListener {
        @Override
        public void onMessage(WebSocket ws, String text) {
            ws.send(text);
        }

        @Override
        public void onMessage(WebSocket ws, ByteString bytes) {
            ws.send(bytes);
        }

        @Override
        public void onClosing(WebSocket ws, int code, String reason) {
            ws.close(code, reason);
        }

        @Override
        public void onFailure(WebSocket ws, Throwable t, Response response) {
            // the peer went away; nothing to echo
        }
    }

    @Override
    public void close() {
        try {
            server.close();
        } catch (RuntimeException e) {
            throw e;
        } catch (Exception e) {
            throw new UncheckedIOException(new IOException(e));
        }
    }
}
