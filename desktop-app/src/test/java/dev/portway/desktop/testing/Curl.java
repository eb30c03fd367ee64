package dev.portway.desktop.testing;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/** The real curl as a visitor, verbose: what it printed of the heads (1xx, trailers included) and the body. */
public final class Curl {
    private Curl() {
    }

    /** {@code curl -sS -v OPTIONS URL}; fails the test unless curl exits 0. Returns stderr (the heads) then the body. */
    public static List<String> verbose(String url, String... options) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("curl", "-sS", "-v", "--max-time", "20"));
        cmd.addAll(Arrays.asList(options));
        cmd.add(url);
        Process p = new ProcessBuilder(cmd).start();
        p.getOutputStream().close();
        byte[] body = p.getInputStream().readAllBytes();
        String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.ISO_8859_1);
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).as("curl finished").isTrue();
        assertThat(p.exitValue()).as("curl: %s", err).isZero();
        return List.of(err, new String(body, StandardCharsets.UTF_8));
    }

    /** The response lines curl -v printed ({@code < ...}), in order, without the marker. */
    public static List<String> received(String verbose) {
        return verbose.lines().filter(l -> l.startsWith("< ")).map(l -> l.substring(2).strip()).filter(l -> !l.isEmpty()).toList();
    }
}
