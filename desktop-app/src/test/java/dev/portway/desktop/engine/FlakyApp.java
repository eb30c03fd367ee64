package dev.portway.desktop.engine;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/** A real local app (JDK HttpServer) that answers {@link #failStatus} to the first {@link #failures} requests, then 200. */
final class FlakyApp implements AutoCloseable {
    /** What the app received: delivery id header, method, path, body. */
    record Received(String deliveryId, String method, String path, String body) {
    }

    final List<Received> received = new CopyOnWriteArrayList<>();
    final AtomicInteger failures = new AtomicInteger();
    volatile int failStatus = 503;
    volatile int okStatus = 200;
    private final HttpServer server;

    FlakyApp(int failures) throws IOException {
        this.failures.set(failures);
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.setExecutor(Executors.newVirtualThreadPerTaskExecutor());
        server.createContext("/", exchange -> {
            String body = new String(exchange.getRequestBody().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
            received.add(new Received(exchange.getRequestHeaders().getFirst("Portway-Delivery-Id"), exchange.getRequestMethod(),
                    exchange.getRequestURI().toString(), body));
            int status = this.failures.getAndDecrement() > 0 ? failStatus : okStatus;
            exchange.sendResponseHeaders(status, -1);
            exchange.close();
        });
        server.start();
    }

    int port() {
        return server.getAddress().getPort();
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
