package dev.portway.desktop.selftest;

import com.sun.net.httpserver.HttpServer;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * The self-test's local service: one small HTML page on 127.0.0.1 at a free port, carrying a random marker so
 * the test knows the page it fetched through the tunnel came from here. Served by the JDK's own HTTP server on
 * one named virtual-thread executor; closed with the test.
 */
final class LocalPage implements AutoCloseable {
    private final HttpServer server;
    private final ExecutorService executor;
    private final String marker;

    private LocalPage(HttpServer server, ExecutorService executor, String marker) {
        this.server = server;
        this.executor = executor;
        this.marker = marker;
    }

    static LocalPage start() throws IOException {
        byte[] random = new byte[12];
        new SecureRandom().nextBytes(random);
        String marker = "portway-self-test-" + HexFormat.of().formatHex(random);
        byte[] page = ("<!doctype html><title>Portway self-test</title><p>Hello through the tunnel: " + marker + "</p>\n")
                .getBytes(StandardCharsets.UTF_8);
        HttpServer server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 16);
        server.createContext("/", exchange -> {
            try (exchange; OutputStream body = exchange.getResponseBody()) {
                exchange.getResponseHeaders().set("Content-Type", "text/html; charset=utf-8");
                exchange.sendResponseHeaders(200, page.length);
                body.write(page);
            }
        });
        ExecutorService executor = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("portway-self-test-page-", 0).factory());
        server.setExecutor(executor);
        server.start();
        return new LocalPage(server, executor, marker);
    }

    URI url() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    String marker() {
        return marker;
    }

    @Override
    public void close() {
        server.stop(0);
        executor.shutdownNow();
    }
}
