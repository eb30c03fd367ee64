package dev.portway.relay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portway.relay.console.ConsoleSettings;
import dev.portway.relay.store.IdentityStore;
import dev.portway.relay.store.Role;
import dev.portway.relay.store.Tier;
import dev.portway.shared.protocol.ControlMessage;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The console's Queues (count, bytes, the oldest request's age; purge with confirmation) on a real relay with a
 * real queued tunnel whose owner went away, and the same purge from the admin command line.
 */
class ConsoleQueueIT {
    static final String KEY = "installation-key-0123456789abcdef";
    final OkHttpClient http = new OkHttpClient();

    @TempDir
    Path tmp;
    Relay relay;
    IdentityStore ids;

    @BeforeEach
    void start() throws Exception {
        relay = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("local-secret").tcpPortFrom(0).tcpPortTo(0)
                .grace(Duration.ofMillis(300)).dataDir(tmp).console(new ConsoleSettings(0, "127.0.0.1")).build());
        ids = relay.store().identity();
        for (String[] u : new String[][]{{"root", "admin"}, {"alice", "user"}, {"bob", "user"}}) {
            ids.addUser(u[0], Tier.FREE, Role.parse(u[1]));
            ids.setPasswordHash(u[0], ConsoleApiIT.FAST.hash(u[0] + " password 1"));
        }
    }

    @AfterEach
    void stop() {
        relay.shutdown(Duration.ofMillis(200));
    }

    ConsoleClient signedIn(String user) {
        ConsoleClient c = new ConsoleClient(relay.consolePort());
        assertThat(c.signIn(user, user + " password 1").status()).isEqualTo(200);
        return c;
    }

    /** Alice binds a queued tunnel, goes away, and visitors post these bodies to it (each answered 202: stored). */
    void aliceQueueWith(String name, String... bodies) throws Exception {
        ids.reserveName("alice", name);
        try (ProtocolTestClient c = ProtocolTestClient.connect(relay, ids.createToken("alice", "hooks").secret(), null, KEY)) {
            c.control(ControlMessage.Welcome.class);
            assertThat(c.bind("1", "http", name, Map.of("queue", "on")).name()).isEqualTo(name);
            c.control(ControlMessage.QueueStatus.class);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> relay.sessionCount() == 0);
        for (String b : bodies) {
            assertThat(post(name, b)).isEqualTo(202);
        }
    }

    int post(String name, String body) throws Exception {
        try (Response r = http.newCall(new Request.Builder().url("http://127.0.0.1:" + relay.port() + "/t/" + name + "/hook")
                .post(RequestBody.create(body, MediaType.get("text/plain"))).build()).execute()) {
            return r.code();
        }
    }

    @Test
    void aQueueShowsCountBytesAndTheOldestRequestsAge() throws Exception {
        long before = System.currentTimeMillis();
        aliceQueueWith("alice-hooks", "hello", "world!");
        long after = System.currentTimeMillis();
        JsonNode q = signedIn("alice").get("/api/queues").body();
        assertThat(q).hasSize(1);
        assertThat(q.get(0).get("tunnel").asText()).isEqualTo("alice-hooks");
        assertThat(q.get(0).get("user").asText()).isEqualTo("alice");
        assertThat(q.get(0).get("count").asLong()).isEqualTo(2);
        assertThat(q.get(0).get("bytes").asLong()).isEqualTo(11);
        assertThat(q.get(0).get("oldestAt").asLong()).isBetween(before, after);
        assertThat(q.get(0).get("oldestAgeMs").asLong()).isBetween(0L, System.currentTimeMillis() - before);
        assertThat(q.get(0).get("level").asText()).isEqualTo("ok");
        assertThat(signedIn("root").get("/api/queues").body()).hasSize(1);
        assertThat(signedIn("bob").get("/api/queues").body()).isEmpty();
    }

    @Test
    void purgeIsRefusedForAnotherUsersQueueWithoutCsrfWithoutConfirmationAndForAnUnknownName() throws Exception {
        aliceQueueWith("alice-hooks", "hello", "world!");
        ConsoleClient bob = signedIn("bob");
        ConsoleClient alice = signedIn("alice");
        ConsoleClient root = signedIn("root");
        String confirm = "{\"confirm\":\"alice-hooks\"}";
        assertThat(bob.delete("/api/queues/alice-hooks", confirm).status()).as("another user's queue").isEqualTo(404);
        assertThat(alice.send("DELETE", "/api/queues/alice-hooks", confirm, "forged").status()).as("wrong CSRF token").isEqualTo(403);
        assertThat(alice.send("DELETE", "/api/queues/alice-hooks", confirm, false).status()).as("no CSRF token").isEqualTo(403);
        assertThat(alice.delete("/api/queues/alice-hooks", "{}").status()).as("no confirmation").isEqualTo(400);
        assertThat(alice.delete("/api/queues/alice-hooks", "{\"confirm\":\"other\"}").status()).as("wrong confirmation").isEqualTo(400);
        assertThat(root.delete("/api/queues/no-such-queue", "{\"confirm\":\"no-such-queue\"}").status()).as("unknown").isEqualTo(404);
        assertThat(relay.queuedCount("alice-hooks")).as("nothing changed").isEqualTo(2);
        assertThat(root.get("/api/audit?event=admin&limit=100").body().toString()).doesNotContain("queue_purge");
    }

    @Test
    void theOwnerPurgesTheirQueueItsCapacityIsFreeAgainAndTheAuditShowsIt() throws Exception {
        aliceQueueWith("alice-hooks", "hello", "world!");
        ConsoleClient alice = signedIn("alice");
        ConsoleClient.Answer a = alice.delete("/api/queues/alice-hooks", "{\"confirm\":\"alice-hooks\"}");
        assertThat(a.status()).isEqualTo(200);
        assertThat(a.body().get("count").asLong()).isEqualTo(2);
        assertThat(a.body().get("bytes").asLong()).isEqualTo(11);
        assertThat(relay.queuedCount("alice-hooks")).isZero();
        assertThat(alice.get("/api/queues").body()).isEmpty();
        assertThat(relay.queueStatus("alice-hooks").count()).as("the relay's capacity count").isZero();
        assertThat(post("alice-hooks", "again")).as("the reservation stays: queued again").isEqualTo(202);
        assertThat(alice.get("/api/queues").body().get(0).get("count").asLong()).isEqualTo(1);
        await().atMost(Duration.ofSeconds(5)).until(() -> signedIn("root").get("/api/audit?user=alice&event=admin&limit=100").body()
                .toString().contains("queue_purge"));
    }

    @Test
    void anAdminPurgesAQueueFromTheCommandLine() throws Exception {
        aliceQueueWith("alice-hooks", "hello", "world!");
        AdminCli cli = new AdminCli(tmp);
        assertThat(cli.run("queue", "list").out()).containsPattern("alice-hooks\\s+alice\\s+2 requests\\s+11 bytes\\s+oldest \\d+s ago");
        assertThat(cli.run("queue", "purge", "alice-hooks").err()).contains("add --yes to confirm");
        assertThat(cli.run("queue", "purge", "no-such-queue", "--yes").err()).contains("No queued tunnel named no-such-queue has stored requests");
        assertThat(relay.queuedCount("alice-hooks")).isEqualTo(2);
        assertThat(cli.run("queue", "purge", "alice-hooks", "--yes").out()).contains("Purged the queue of alice-hooks: 2 requests, 11 bytes.");
        assertThat(relay.queuedCount("alice-hooks")).isZero();
        assertThat(cli.run("queue", "list").out()).contains("No queued requests.");
        assertThat(cli.run("audit", "--user", "alice").out()).contains("queue_purge", "\"via\":\"cli\"");
    }
}
