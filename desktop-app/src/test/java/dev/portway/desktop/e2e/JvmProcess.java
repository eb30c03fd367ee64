package dev.portway.desktop.e2e;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The relay or the client as a separate JVM, started from the jars the build just packaged, so a
 * test can kill it hard ({@code kill -9}) and start it again on the same data folder.
 */
final class JvmProcess implements AutoCloseable {
    private final List<String> command;
    private final Path log;
    private Process process;
    private long logStart;

    private JvmProcess(List<String> command, Path log) {
        this.command = command;
        this.log = log;
    }

    /** relay-lite.jar on {@code port} with its store in {@code dataDir}. */
    static JvmProcess relay(int port, Path dataDir, String token, Path log, String... extra) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx128m", "-jar", jar("../relay-lite/target/relay-lite.jar").toString(),
                "--host", "127.0.0.1", "--port", String.valueOf(port), "--token", token, "--data-dir", dataDir.toString()));
        cmd.addAll(List.of(extra));
        return new JvmProcess(cmd, log);
    }

    /** portway.jar connect … with its store in {@code dataDir}. */
    static JvmProcess client(int relayPort, String token, Path dataDir, Path log, String... args) {
        List<String> cmd = new ArrayList<>(List.of(java(), "-Xmx128m", "-jar", jar("target/portway.jar").toString(),
                "connect", "--relay", "ws://127.0.0.1:" + relayPort, "--token", token, "--data-dir", dataDir.toString(), "-q"));
        cmd.addAll(List.of(args));
        return new JvmProcess(cmd, log);
    }

    JvmProcess start() throws IOException {
        // The log may hold an earlier run's output (a restart appends): this process's output starts here.
        logStart = Files.exists(log) ? Files.size(log) : 0;
        process = new ProcessBuilder(command).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
        return this;
    }

    /** SIGKILL: no shutdown hook runs, nothing is flushed or closed. */
    void killHard() throws InterruptedException {
        process.destroyForcibly();
        process.waitFor(10, TimeUnit.SECONDS);
    }

    /** SIGTERM: the program's shutdown hook runs. */
    void stop() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(20, TimeUnit.SECONDS)) {
            process.destroyForcibly();
        }
    }

    boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Waits until the process's output contains {@code text}; fails at once if the process exits. */
    void awaitOutput(String text, Duration timeout) {
        org.awaitility.Awaitility.await().atMost(timeout).pollInterval(Duration.ofMillis(50)).until(() -> {
            if (output().contains(text)) {
                return true;
            }
            if (!process.isAlive()) {
                throw new IllegalStateException("process exited (" + process.exitValue() + "): " + output());
            }
            return false;
        });
    }

    /** What this process wrote to its log since {@link #start()}. */
    String output() throws IOException {
        if (!Files.exists(log)) {
            return "";
        }
        byte[] all = Files.readAllBytes(log);
        int from = (int) Math.min(logStart, all.length);
        return new String(all, from, all.length - from, java.nio.charset.StandardCharsets.UTF_8);
    }

    private static String java() {
        return ProcessHandle.current().info().command().orElse("java");
    }

    private static Path jar(String relative) {
        Path p = Path.of(relative).toAbsolutePath().normalize();
        if (!Files.exists(p)) {
            throw new IllegalStateException(p + " is missing: the package phase builds it before the integration tests");
        }
        return p;
    }

    @Override
    public void close() throws InterruptedException {
        if (isAlive()) {
            killHard();
        }
    }
}
