package dev.portway.relay;

import dev.portway.relay.store.RelayStore;
import dev.portway.relay.testing.SmallDisk;
import dev.portway.shared.protocol.ControlMessage;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The relay's H2 store on a real small disk — a 40 MiB tmpfs ({@link SmallDisk}; needs root to mount, as
 * on CI, else skipped) — with relay-lite in its own process: what it answered 202 for stays on disk when the
 * disk fills, every webhook gets an answer meanwhile, and the relay comes back by itself once there is room.
 */
class StoreDurabilityIT {
    static final String TOKEN = "durable-t0ken";
    static final String KEY = "installation-key-0123456789abcdef";
    final OkHttpClient http = new OkHttpClient.Builder().readTimeout(Duration.ofSeconds(20)).build();

    @TempDir
    Path tmp;

    RelayProcess start(Path dataDir, String... jvmOptions) throws Exception {
        Path jar = Path.of("target", "relay-lite.jar").toAbsolutePath();
        assertThat(jar).as("built by the package phase").exists();
        List<String> command = new ArrayList<>(List.of(RelayProcess.java(), "-Xmx128m"));
        command.addAll(List.of(jvmOptions));
        command.addAll(List.of("-jar", jar.toString(), "--host", "127.0.0.1", "--port", "0", "--tcp-ports", "0-0",
                "--grace", "1s", "--data-dir", dataDir.toString()));
        return new RelayProcess(command, Map.of("PORTWAY_TOKEN", TOKEN), tmp);
    }

    /** Binds queued tunnel {@code name} and goes away: the name stays reserved, its requests are stored. */
    static void reserve(int port, String name) {
        try (ProtocolTestClient c = hello(port)) {
            c.control(ControlMessage.Welcome.class);
            assertThat(c.bind("1", "http", name, Map.of("queue", "on")).name()).isEqualTo(name);
            c.control(ControlMessage.QueueStatus.class);
        }
    }

    static ProtocolTestClient hello(int port) {
        return ProtocolTestClient.connect("ws://127.0.0.1:" + port + "/api/tunnel/connect", TOKEN, KEY);
    }

    /** A whole answer, read before the connection goes back to the pool. */
    record Answer(int code, String retryAfter, String body) {
    }

    Answer post(int port, String name, String body) throws Exception {
        return call(new Request.Builder().url("http://127.0.0.1:" + port + "/t/" + name + "/hook")
                .post(RequestBody.create(body, MediaType.get("text/plain"))).build());
    }

    Answer health(int port) throws Exception {
        return call(new Request.Builder().url("http://127.0.0.1:" + port + "/api/tunnel/health").build());
    }

    Answer call(Request request) throws Exception {
        try (Response r = http.newCall(request).execute()) {
            return new Answer(r.code(), r.header("Retry-After"), r.body().string());
        }
    }

    /**
     * Webhooks of 200 kB on a full disk until one is refused. (H2 fits small ones into free space inside its
     * file; a large one needs a new chunk, and the write that then failed half-way lost older commits.)
     *
     * @return how many were answered 202 before the 503
     */
    int postUntilRefused(int port, String name) throws Exception {
        String body = "x".repeat(200_000);
        for (int i = 0; i < 200; i++) {
            Answer r = post(port, name, body);
            if (r.code() == 503) {
                assertThat(r.body()).contains("disk is full");
                return i;
            }
            assertThat(r.code()).as("webhook %d on a full disk", i).isEqualTo(202);
        }
        throw new AssertionError("200 webhooks of 200 kB stored on a full disk of 40 MiB: it was not full");
    }

    /** {reservations, queued requests} in a copy of the relay's database file, opened apart from the relay. */
    long[] countInCopy(Path dataDir) throws Exception {
        Path copy = Files.createDirectories(tmp.resolve("copy-" + System.nanoTime()));
        Files.copy(dataDir.resolve("relay.mv.db"), copy.resolve("relay.mv.db"));
        try (Connection c = DriverManager.getConnection("jdbc:h2:file:" + copy.resolve("relay"))) {
            return new long[]{count(c, "reservation"), count(c, "queued_request")};
        }
    }

    static long count(Connection c, String table) throws Exception {
        try (ResultSet rs = c.createStatement().executeQuery("SELECT COUNT(*) FROM " + table)) {
            rs.next();
            return rs.getLong(1);
        }
    }

    @Test
    void acknowledgedWebhooksStayOnDiskWhenTheDiskFillsAfterAMinuteOfUptime() throws Exception {
        // The real condition: up longer than H2's 45 s retention time, so the space of old chunks is reused.
        fillFreeAndRestart(Duration.ofSeconds(60));
    }

    @Test
    void theStoreComesBackByItselfOnceSpaceIsFreedRightAfterStart() throws Exception {
        // The same at once after start, with H2's retention time 0 so freed chunks are reusable at once (as
        // they are after 45 s of uptime). Commits kept their place here even before the fix; what failed was
        // the rest: the relay stayed at 503 and ready:false after space was freed, until restarted.
        fillFreeAndRestart(Duration.ZERO, "-D" + RelayStore.RETENTION_PROPERTY + "=0");
    }

    /** 202s, fill the disk, 503s, free it, the relay recovers by itself, restart: everything acknowledged is there. */
    void fillFreeAndRestart(Duration uptime, String... jvmOptions) throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 40)) {
            Path data = disk.path().resolve("data");
            int acknowledged;
            try (RelayProcess relay = start(data, jvmOptions)) {
                int port = relay.port();
                reserve(port, "hooks");
                long upSince = System.nanoTime();
                await().atMost(uptime.plusSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> System.nanoTime() - upSince >= uptime.toNanos());
                for (int i = 1; i <= 3; i++) {
                    assertThat(post(port, "hooks", "event " + i).code()).isEqualTo(202);
                }

                disk.fill();
                acknowledged = 3 + postUntilRefused(port, "hooks");
                Answer refused = post(port, "hooks", "event on a full disk");
                assertThat(refused.code()).isEqualTo(503);
                assertThat(refused.retryAfter()).isNotNull();
                assertThat(refused.body()).contains("disk is full", "send it again");
                assertThat(countInCopy(data)).as("{reservations, queued requests} on disk while the disk is full")
                        .containsExactly(1, acknowledged);
                Answer notReady = health(port);
                assertThat(notReady.code()).isEqualTo(503);
                assertThat(notReady.body()).contains("\"ready\":false");

                disk.free();
                await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500))
                        .until(() -> health(port).code() == 200);
                assertThat(health(port).body()).contains("\"ready\":true");
                try (ProtocolTestClient client = hello(port)) {
                    assertThat(client.control(ControlMessage.Welcome.class).session()).isNotBlank();
                }
                await().atMost(Duration.ofSeconds(10)).until(() -> post(port, "hooks", "event after").code() == 202);
                acknowledged++;
                assertThat(relay.stop()).isIn(0, 143);
            }
            assertThat(countInCopy(data)).as("{reservations, queued requests} after the relay stopped")
                    .containsExactly(1, acknowledged);
            String loaded = "1 queued tunnels reserved, " + acknowledged + " requests queued";
            try (RelayProcess again = start(data, jvmOptions)) {
                int port = again.port();
                assertThat(again.lines).anyMatch(l -> l.contains(loaded));
                assertThat(post(port, "hooks", "event after the restart").code()).isEqualTo(202);
                again.stop();
            }
        }
    }

    @Test
    void aReadOnlyDataFolderIsRefusedAtStartWithThatReason() throws Exception {
        try (SmallDisk disk = SmallDisk.mount(tmp.resolve("disk"), 40)) {
            Path data = disk.path().resolve("data");
            try (RelayProcess relay = start(data)) {
                reserve(relay.port(), "hooks");
                relay.stop();
            }
            disk.readOnly(true);
            try (RelayProcess relay = start(data)) {
                assertThat(relay.process.waitFor(60, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
                assertThat(relay.process.exitValue()).isNotZero();
                await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(String.join("\n", relay.lines))
                        .contains("The relay cannot write to " + data, "not read-only")
                        .doesNotContain("another relay"));
            } finally {
                disk.readOnly(false);
            }
        }
    }
}
