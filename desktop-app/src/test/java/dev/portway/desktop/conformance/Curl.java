package dev.portway.desktop.conformance;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Runs the real curl ({@code curl --http1.1 -sS --path-as-is}) once at the tunnel and once at the local app, with
 * the same URL and Host: only {@code --connect-to} differs. Every call is bounded by {@code --max-time}.
 */
final class Curl {
    private final Path dir;
    private int calls;

    Curl(Path dir) {
        assumeTrue(Tools.has("curl"), "curl is not installed: apt-get install curl (.ci/run installs it)");
        this.dir = dir;
    }

    /** What curl printed: every head it received (interim 1xx first), the body as written, its exit code and stderr. */
    record Result(int exit, List<HttpMessage> heads, byte[] body, String stderr) {
        HttpMessage last() {
            if (heads.isEmpty()) {
                throw new AssertionError("curl got no response (exit " + exit + "): " + stderr);
            }
            HttpMessage head = heads.getLast();
            return new HttpMessage(head.startLine(), head.headers(), body);
        }
    }

    /** curl at {@code 127.0.0.1:port} for the URL {@code http://<host><path>}, plus the given options. */
    Result at(int port, String host, String path, String... options) throws IOException, InterruptedException {
        int n = ++calls;
        Path headers = dir.resolve("curl-" + n + ".head");
        Path body = dir.resolve("curl-" + n + ".body");
        List<String> cmd = new ArrayList<>(List.of("curl", "--http1.1", "-sS", "--path-as-is", "--max-time", "20",
                "-D", headers.toString(), "-o", body.toString(),
                "--connect-to", host + ":127.0.0.1:" + port));
        cmd.addAll(List.of(options));
        cmd.add("http://" + host + path);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(false).start();
        p.getOutputStream().close();
        if (!p.waitFor(30, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("curl did not finish in 30 s: " + cmd);
        }
        String stderr = new String(p.getErrorStream().readAllBytes());
        List<HttpMessage> heads = new ArrayList<>();
        if (Files.exists(headers)) {
            String all = Files.readString(headers, java.nio.charset.StandardCharsets.ISO_8859_1);
            for (String block : all.split("\r?\n\r?\n")) {
                if (block.startsWith("HTTP/")) {
                    heads.add(HttpMessage.parseHead(block.getBytes(java.nio.charset.StandardCharsets.ISO_8859_1), new byte[0]));
                }
            }
        }
        byte[] bytes = Files.exists(body) ? Files.readAllBytes(body) : new byte[0];
        return new Result(p.exitValue(), List.copyOf(heads), bytes, stderr);
    }
}
