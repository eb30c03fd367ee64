package dev.portway.desktop.conformance;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.TimeUnit;
import java.util.zip.GZIPOutputStream;

import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Debian's nginx (nginx-light) as the local app, with its own config and prefix in a temp folder and a free port on
 * loopback. It serves {@code /page.html}, {@code /data.bin} (64 KiB), {@code /data.json} with a gzip-precompressed
 * twin ({@code gzip_static}), {@code /empty} (204), and answers ranges and conditional GETs as nginx does.
 */
final class NginxApp implements AutoCloseable {
    static final Instant MODIFIED = Instant.parse("2026-01-02T03:04:05Z");

    private final Process process;
    private final int port;
    final Path www;

    NginxApp(Path dir) throws IOException {
        String nginx = Tools.find("nginx");
        assumeTrue(nginx != null, "nginx is not installed: apt-get install nginx-light (.ci/run installs it)");
        www = Files.createDirectories(dir.resolve("www"));
        Files.createDirectories(dir.resolve("tmp"));
        Files.writeString(www.resolve("page.html"), "<!doctype html><title>nginx page</title><p>Served by nginx ✓</p>\n");
        Files.write(www.resolve("data.bin"), RecordingApp.pattern(64 * 1024));
        StringBuilder json = new StringBuilder("[");
        for (int i = 0; i < 500; i++) {
            json.append(i == 0 ? "" : ",").append("{\"id\":").append(i).append(",\"name\":\"item ").append(i).append("\"}");
        }
        Files.writeString(www.resolve("data.json"), json.append("]\n"));
        try (GZIPOutputStream gz = new GZIPOutputStream(Files.newOutputStream(www.resolve("data.json.gz")))) {
            gz.write(Files.readAllBytes(www.resolve("data.json")));
        }
        try (var files = Files.list(www)) {
            for (Path f : files.toList()) {
                Files.setLastModifiedTime(f, FileTime.from(MODIFIED));
            }
        }
        port = freePort();
        boolean root = "root".equals(System.getProperty("user.name"));
        String t = dir.resolve("tmp").toString();
        Files.writeString(dir.resolve("nginx.conf"), """
                %s
                worker_processes 1;
                daemon off;
                pid %s/nginx.pid;
                error_log %s/error.log;
                events { worker_connections 256; }
                http {
                  access_log off;
                  types { text/html html; application/json json; application/octet-stream bin; }
                  default_type application/octet-stream;
                  client_body_temp_path %s/body; proxy_temp_path %s/proxy; fastcgi_temp_path %s/fastcgi;
                  uwsgi_temp_path %s/uwsgi; scgi_temp_path %s/scgi;
                  server {
                    listen 127.0.0.1:%d;
                    root %s;
                    gzip_static on;
                    location = /empty { return 204; }
                  }
                }
                """.formatted(root ? "user root;" : "", dir, dir, t, t, t, t, t, port, www), StandardCharsets.UTF_8);
        process = new ProcessBuilder(nginx, "-p", dir.toString(), "-c", dir.resolve("nginx.conf").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("nginx.out").toFile()).start();
        await().atMost(Duration.ofSeconds(15)).until(() -> {
            if (!process.isAlive()) {
                throw new IllegalStateException("nginx exited: " + Files.readString(dir.resolve("nginx.out")));
            }
            try (Socket s = new Socket("127.0.0.1", port)) {
                return true;
            } catch (IOException notYet) {
                return false;
            }
        });
    }

    int port() {
        return port;
    }

    static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket()) {
            s.bind(new InetSocketAddress("127.0.0.1", 0));
            return s.getLocalPort();
        }
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
