package dev.portway.desktop.e2e;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A real local HTTP service behind the tunnel (the JDK's HttpServer on a loopback port), with
 * endpoints that stream: nothing here holds a whole body in memory either.
 */
final class LocalHttpApp implements AutoCloseable {
    /** One request as the local app saw it. */
    record Seen(String method, String uri, Map<String, List<String>> headers) {
        String header(String name) {
            Headers h = new Headers();
            h.putAll(headers);
            return h.getFirst(name);
        }
    }

    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    final ConcurrentLinkedQueue<Seen> seen = new ConcurrentLinkedQueue<>();
    /** The SSE endpoint sends its second event only after the test counts this down. */
    final CountDownLatch sseGo = new CountDownLatch(1);

    LocalHttpApp() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 200);
        server.setExecutor(executor);
        server.createContext("/", this::handle);
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    private void handle(HttpExchange ex) throws IOException {
        seen.add(new Seen(ex.getRequestMethod(), ex.getRequestURI().toString(), Map.copyOf(ex.getRequestHeaders())));
        String path = ex.getRequestURI().getPath();
        try (ex) {
            switch (path) {
                case "/hello" -> text(ex, 200, "hello from the local app");
                case "/echo" -> echo(ex);
                case "/digest" -> digest(ex);
                case "/download" -> download(ex, Long.parseLong(query(ex, "size")));
                case "/noise" -> noise(ex, Integer.parseInt(query(ex, "size")));
                case "/sse" -> sse(ex);
                case "/status/204" -> ex.sendResponseHeaders(204, -1);
                case "/status/304" -> {
                    ex.getResponseHeaders().add("ETag", "\"v1\"");
                    ex.sendResponseHeaders(304, -1);
                }
                default -> text(ex, 404, "local 404 for " + path);
            }
        }
    }

    private static String query(HttpExchange ex, String key) {
        for (String kv : ex.getRequestURI().getRawQuery().split("&")) {
            if (kv.startsWith(key + "=")) {
                return kv.substring(key.length() + 1);
            }
        }
        throw new IllegalArgumentException("missing " + key);
    }

    private static void text(HttpExchange ex, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        ex.getResponseHeaders().add("Content-Type", "text/plain; charset=utf-8");
        boolean head = ex.getRequestMethod().equals("HEAD");
        ex.sendResponseHeaders(status, head ? -1 : bytes.length);
        if (!head) {
            ex.getResponseBody().write(bytes);
        }
    }

    /** Streams the request body straight back, chunked. */
    private static void echo(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, 0);
        try (InputStream in = ex.getRequestBody(); OutputStream out = ex.getResponseBody()) {
            in.transferTo(out);
        }
    }

    /** Reads the whole request body, answering its length and SHA-256 — for big uploads. */
    private static void digest(HttpExchange ex) throws IOException {
        MessageDigest sha = sha256();
        long n = 0;
        byte[] buf = new byte[64 * 1024];
        try (InputStream in = ex.getRequestBody()) {
            for (int r; (r = in.read(buf)) > 0; ) {
                sha.update(buf, 0, r);
                n += r;
            }
        }
        text(ex, 200, n + " " + HexFormat.of().formatHex(sha.digest()));
    }

    /** {@code size} incompressible bytes, {@link #noise(int)}, with a Content-Length (like a JPEG or a zip). */
    private static void noise(HttpExchange ex, int size) throws IOException {
        byte[] body = noise(size);
        ex.getResponseHeaders().add("Content-Type", "image/jpeg");
        ex.sendResponseHeaders(200, size);
        try (OutputStream out = ex.getResponseBody()) {
            out.write(body);
        }
    }

    /** The same {@code size} pseudo-random bytes every time for a size. */
    static byte[] noise(int size) {
        byte[] b = new byte[size];
        new java.util.Random(size).nextBytes(b);
        return b;
    }

    /** Streams {@code size} bytes of {@link #pattern} with a Content-Length. */
    private static void download(HttpExchange ex, long size) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "application/octet-stream");
        ex.sendResponseHeaders(200, size);
        try (OutputStream out = ex.getResponseBody()) {
            byte[] buf = new byte[64 * 1024];
            for (long sent = 0; sent < size; ) {
                int n = (int) Math.min(buf.length, size - sent);
                fill(buf, sent, n);
                out.write(buf, 0, n);
                sent += n;
            }
        }
    }

    /** Two events; the second only after the test saw the first, which proves events are not buffered. */
    private void sse(HttpExchange ex) throws IOException {
        ex.getResponseHeaders().add("Content-Type", "text/event-stream");
        ex.getResponseHeaders().add("Cache-Control", "no-cache");
        ex.sendResponseHeaders(200, 0);
        OutputStream out = ex.getResponseBody();
        out.write("data: first\n\n".getBytes(StandardCharsets.UTF_8));
        out.flush();
        try {
            if (!sseGo.await(30, TimeUnit.SECONDS)) {
                return;
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        out.write("data: second\n\n".getBytes(StandardCharsets.UTF_8));
        out.close();
    }

    /** The deterministic byte at position {@code i} of every download. */
    static byte patternAt(long i) {
        return (byte) ((i * 31 + (i >>> 13)) & 0xff);
    }

    static void fill(byte[] buf, long offset, int n) {
        for (int i = 0; i < n; i++) {
            buf[i] = patternAt(offset + i);
        }
    }

    static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
