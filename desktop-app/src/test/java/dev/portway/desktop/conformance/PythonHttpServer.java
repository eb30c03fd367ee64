package dev.portway.desktop.conformance;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * {@code python3 -m http.server} as a person starts it (HTTP/1.0, one connection per answer), on a port the
 * kernel picks, serving one folder. It prints "Serving HTTP on … port N"; that is where it listens.
 */
final class PythonHttpServer implements AutoCloseable {
    private static final Pattern SERVING = Pattern.compile("Serving HTTP on \\S+ port (\\d+)");

    private final Process process;
    private final int port;

    PythonHttpServer(Path dir) throws Exception {
        assumeTrue(Tools.has("python3"), "python3 is not installed: apt-get install python3");
        Path www = Files.createDirectories(dir.resolve("py-www"));
        Files.writeString(www.resolve("hello.txt"), "hello from python\n");
        process = new ProcessBuilder("python3", "-u", "-m", "http.server", "0", "--bind", "127.0.0.1", "--directory", www.toString())
                .redirectErrorStream(true).start();
        CompletableFuture<Integer> found = new CompletableFuture<>();
        Thread.ofVirtual().name("python-http-server-log").start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                for (String line; (line = r.readLine()) != null; ) {
                    Matcher m = SERVING.matcher(line);
                    if (m.find()) {
                        found.complete(Integer.parseInt(m.group(1)));
                    }
                }
            } catch (IOException ignored) {
                // the process ended
            }
            found.completeExceptionally(new IllegalStateException("python3 -m http.server ended without serving"));
        });
        port = found.get(20, TimeUnit.SECONDS);
    }

    int port() {
        return port;
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }
}
