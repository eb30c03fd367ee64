package dev.portway.relay;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.awaitility.Awaitility.await;

/** relay-lite started as a person would, in its own process; its output lines collected as they come. */
final class RelayProcess implements AutoCloseable {
    private static final Pattern LISTENING = Pattern.compile("relay-lite listening on http://\\*\\.[^:/]+:(\\d+)/");
    final Process process;
    final List<String> lines = new CopyOnWriteArrayList<>();
    private final Thread reader;

    RelayProcess(List<String> command, Map<String, String> env, Path workDir) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true).directory(workDir.toFile());
        pb.environment().keySet().removeIf(k -> k.startsWith("PORTWAY_") || k.equals("JAVA_HOME"));
        pb.environment().putAll(env);
        process = pb.start();
        reader = new Thread(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    lines.add(line);
                }
            } catch (IOException e) {
                // the process ended
            }
        }, "relay-process-output");
        reader.setDaemon(true);
        reader.start();
    }

    /** The test JVM's own java: a Java 25. */
    static String java() {
        return ProcessHandle.current().info().command().orElseThrow();
    }

    /** Waits for the line announcing the port (start-up is slow on a busy machine). */
    int port() {
        Matcher[] found = new Matcher[1];
        await().atMost(Duration.ofSeconds(90)).until(() -> {
            if (!process.isAlive()) {
                throw new AssertionError("relay-lite exited with " + process.exitValue() + ":\n" + String.join("\n", lines));
            }
            for (String line : lines) {
                Matcher m = LISTENING.matcher(line);
                if (m.find()) {
                    found[0] = m;
                    return true;
                }
            }
            return false;
        });
        return Integer.parseInt(found[0].group(1));
    }

    /** SIGTERM, as systemd and Docker stop it; the exit code. */
    int stop() throws InterruptedException {
        process.toHandle().destroy(); // not Process.destroy(): that also closes the pipe with the last lines in it
        if (!process.waitFor(30, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("relay-lite did not stop within 30 s of SIGTERM");
        }
        reader.join(10_000); // its last lines
        return process.exitValue();
    }

    @Override
    public void close() {
        process.destroyForcibly();
    }
}
