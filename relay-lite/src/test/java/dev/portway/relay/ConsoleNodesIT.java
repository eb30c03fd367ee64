package dev.portway.relay;

import com.fasterxml.jackson.databind.JsonNode;
import dev.portway.relay.cluster.ClusterConfig;
import dev.portway.relay.console.ConsoleSettings;
import dev.portway.relay.store.PostgresServer;
import dev.portway.relay.store.Role;
import dev.portway.relay.store.Tier;
import dev.portway.shared.protocol.ControlMessage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The console's Nodes page of a cluster: two relays on one real PostgreSQL, the console on one of them. */
class ConsoleNodesIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    @TempDir
    Path tmp;

    private Relay node(String url, String id, boolean console) throws Exception {
        Path dir = Files.createDirectories(tmp.resolve(id));
        RelayConfig.Builder b = RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(dir).identity(IdentityConfig.DEFAULTS.withDb(url, "postgres", null));
        if (console) {
            b.console(new ConsoleSettings(0, "127.0.0.1"));
        }
        return Relay.start(b.build(), null, new ClusterConfig(id, "127.0.0.1:" + ClusterHopIT.freePort(),
                "cluster-secret-of-the-tests-0123456789", Duration.ofSeconds(3)));
    }

    static JsonNode byId(JsonNode nodes, String id) {
        for (JsonNode n : nodes) {
            if (n.get("id").asText().equals(id)) {
                return n;
            }
        }
        throw new AssertionError("no node " + id + " in " + nodes);
    }

    @Test
    void theNodesPageListsEveryNodeOfTheClusterWithItsLeaseClientsTunnelsAndHealth() throws Exception {
        String url = PG.newDatabase();
        try (Relay a = node(url, "relay-a", true)) {
            Relay b = node(url, "relay-b", false);
            a.store().identity().addUser("root", Tier.FREE, Role.ADMIN);
            a.store().identity().setPasswordHash("root", ConsoleApiIT.FAST.hash("root password 1"));
            ConsoleClient root = new ConsoleClient(a.consolePort());
            assertThat(root.signIn("root", "root password 1").status()).isEqualTo(200);
            JsonNode nodes = root.get("/api/nodes").body();
            assertThat(nodes).hasSize(2);
            JsonNode self = byId(nodes, "relay-a");
            assertThat(self.get("self").asBoolean()).isTrue();
            assertThat(self.get("version").asText()).isEqualTo(Relay.VERSION);
            assertThat(self.get("health").asText()).isEqualTo("ok");
            assertThat(self.get("lease").asLong()).isGreaterThan(System.currentTimeMillis());
            assertThat(self.get("address").asText()).startsWith("127.0.0.1:");
            JsonNode other = byId(nodes, "relay-b");
            assertThat(other.get("self").asBoolean()).isFalse();
            assertThat(other.get("health").asText()).isEqualTo("ok");
            try (ProtocolTestClient c = ProtocolTestClient.connect(b, "secret", null)) {
                c.control(ControlMessage.Welcome.class);
                c.bind("1", "http", "on-b", Map.of());
                // Counts come with the next renewal (every third of the lease).
                await().atMost(Duration.ofSeconds(8)).untilAsserted(() -> {
                    JsonNode n = byId(root.get("/api/nodes").body(), "relay-b");
                    assertThat(n.get("clients").asInt()).isEqualTo(1);
                    assertThat(n.get("tunnels").asInt()).isEqualTo(1);
                });
            }
            b.close();
            await().atMost(Duration.ofSeconds(8)).untilAsserted(() ->
                    assertThat(byId(root.get("/api/nodes").body(), "relay-b").get("health").asText()).startsWith("lease expired"));
            assertThat(byId(root.get("/api/nodes").body(), "relay-a").get("health").asText()).isEqualTo("ok");
        }
    }
}
