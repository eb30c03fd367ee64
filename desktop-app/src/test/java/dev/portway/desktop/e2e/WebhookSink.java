package dev.portway.desktop.e2e;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local app that receives webhooks and deduplicates them by {@code Portway-Delivery-Id}, as the
 * README tells app authors to. It can be switched "down" (answers 503) without closing its port.
 */
final class WebhookSink implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor();
    /** delivery id → how many times it arrived. */
    final Map<String, Integer> received = new ConcurrentHashMap<>();
    /** delivery id → the body that arrived with it. */
    final Map<String, String> bodies = new ConcurrentHashMap<>();
    final AtomicInteger requestsWithoutId = new AtomicInteger();
    final AtomicBoolean failing = new AtomicBoolean();

    WebhookSink() throws IOException {
        this(0);
    }

    WebhookSink(int port) throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", port), 200);
        server.setExecutor(executor);
        server.createContext("/", ex -> {
            try (ex; InputStream in = ex.getRequestBody()) {
                String body = new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
                if (failing.get()) {
                    ex.sendResponseHeaders(503, -1);
                    return;
                }
                String id = ex.getRequestHeaders().getFirst("Portway-Delivery-Id");
                if (id == null) {
                    requestsWithoutId.incrementAndGet();
                } else {
                    received.merge(id, 1, Integer::sum);
                    bodies.putIfAbsent(id, body);
                }
                ex.sendResponseHeaders(200, -1);
            }
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    int distinct() {
        return received.size();
    }

    int duplicates() {
        return received.values().stream().mapToInt(n -> n - 1).sum();
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
