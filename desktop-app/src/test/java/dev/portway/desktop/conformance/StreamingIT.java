package dev.portway.desktop.conformance;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Bodies that are streamed: an app that dies half-way, and server-sent events that must not be held back. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamingIT {
    /** How late an event may reach curl after the app wrote it. */
    private static final long SSE_SLACK_MS = 100;

    @TempDir
    static Path dir;
    private RecordingApp app;
    private Stack stack;
    private Curl curl;
    private String host;

    @BeforeAll
    void start() throws Exception {
        app = new RecordingApp();
        stack = Stack.start(Map.of("rec", app.port()));
        curl = new Curl(dir);
        host = stack.host("rec");
    }

    @AfterAll
    void stop() throws Exception {
        stack.close();
        app.close();
    }

    @Test
    void appDyingMidBodyGivesTheVisitorTheBytesThenAnAbort() throws Exception {
        Curl.Result direct = curl.at(app.port(), host, "/die");
        Curl.Result tunnel = curl.at(stack.relayPort(), host, "/die", "--raw");
        byte[] sent = RecordingApp.pattern(RecordingApp.DIE_AFTER);
        assertThat(direct.exit()).as("curl direct sees the short body (18 = partial file)").isEqualTo(18);
        assertThat(direct.body()).isEqualTo(sent);
        assertThat(tunnel.exit())
                .as("curl through the tunnel must see an aborted transfer, not a complete response; stderr: %s", tunnel.stderr())
                .isNotZero();
        HttpMessage head = tunnel.last();
        byte[] body = head.isChunked() ? dechunkPrefix(tunnel.body()) : tunnel.body();
        assertThat(body).as("bytes the visitor got before the abort (%d)", body.length).isEqualTo(sent);
    }

    /** The data of the complete chunks in a chunked body that was cut off (curl --raw keeps the framing). */
    private static byte[] dechunkPrefix(byte[] raw) {
        var out = new java.io.ByteArrayOutputStream();
        int i = 0;
        while (i < raw.length) {
            int eol = indexOfCrlf(raw, i);
            if (eol < 0) {
                break;
            }
            int size = Integer.parseInt(new String(raw, i, eol - i, StandardCharsets.ISO_8859_1).split(";")[0].strip(), 16);
            if (size == 0) {
                break;
            }
            if (eol + 2 + size > raw.length) {   // cut inside this chunk: keep what arrived
                out.write(raw, eol + 2, raw.length - eol - 2);
                break;
            }
            out.write(raw, eol + 2, size);
            i = eol + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static int indexOfCrlf(byte[] b, int from) {
        for (int i = from; i + 1 < b.length; i++) {
            if (b[i] == '\r' && b[i + 1] == '\n') {
                return i;
            }
        }
        return -1;
    }

    @Test
    void serverSentEventsArriveWhenSentNotAtTheEnd() throws Exception {
        List<Long> direct = sseArrivals(app.port(), "direct");
        assertThat(lateness("direct")).as("sanity: direct events late by (ms)").allMatch(ms -> ms < SSE_SLACK_MS);
        assertThat(direct).hasSize(5);
        List<Long> tunnel = sseArrivals(stack.relayPort(), "tunnel");
        assertThat(tunnel).as("events received through the tunnel").hasSize(5);
        assertThat(lateness("tunnel")).as("how late each event reached curl through the tunnel, in ms (limit %d)", SSE_SLACK_MS)
                .allMatch(ms -> ms < SSE_SLACK_MS);
    }

    private final Map<String, List<Long>> arrivals = new java.util.concurrent.ConcurrentHashMap<>();

    /** Runs {@code curl -N} and notes System.nanoTime() when each {@code data:} line comes out of it. */
    private List<Long> sseArrivals(int port, String id) throws Exception {
        Process p = new ProcessBuilder("curl", "--http1.1", "-sS", "-N", "--max-time", "20", "--connect-to",
                host + ":127.0.0.1:" + port, "http://" + host + "/sse?id=" + id).redirectErrorStream(true).start();
        List<Long> seen = new ArrayList<>();
        try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
            for (String line; (line = r.readLine()) != null; ) {
                if (line.startsWith("data: ")) {
                    seen.add(System.nanoTime());
                }
            }
        }
        assertThat(p.waitFor(25, TimeUnit.SECONDS)).isTrue();
        arrivals.put(id, seen);
        await().atMost(Duration.ofSeconds(5)).until(() -> app.sseSent.getOrDefault(id, List.of()).size() == 5);
        return seen;
    }

    private List<Long> lateness(String id) {
        List<Long> sent = app.sseSent.get(id);
        List<Long> got = arrivals.get(id);
        Long[] late = new Long[Math.min(sent.size(), got.size())];
        for (int i = 0; i < late.length; i++) {
            late[i] = TimeUnit.NANOSECONDS.toMillis(got.get(i) - sent.get(i));
        }
        return Arrays.asList(late);
    }
}
