package dev.portway.relay.cluster;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClusterConfigTest {
    private static final String PG = "jdbc:postgresql://db:5432/portway";
    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final String SECRET = "0123456789abcdef0123";

    @Test
    void noNodeIdIsASingleRelay() {
        assertThat(ClusterConfig.of(null, null, null, null, LEASE, null)).isNull();
    }

    @Test
    void clusterOptionsWithoutNodeIdAreRefused() {
        assertThatThrownBy(() -> ClusterConfig.of(null, "10.0.0.1:7443", null, null, LEASE, PG))
                .hasMessageContaining("need --node-id");
    }

    @Test
    void clusterTlsIsANodeOptionAndIsKept() {
        assertThatThrownBy(() -> ClusterConfig.of(null, null, null, null, LEASE, null, true))
                .hasMessageContaining("--cluster-tls is for the links between cluster nodes");
        assertThat(ClusterConfig.of("relay-a", "10.0.0.1:7443", null, SECRET, LEASE, PG, true).tls()).isTrue();
        assertThat(ClusterConfig.of("relay-a", "10.0.0.1:7443", null, SECRET, LEASE, PG).tls()).isFalse();
    }

    @Test
    void aNodeNeedsPostgres() {
        assertThatThrownBy(() -> ClusterConfig.of("relay-a", "10.0.0.1:7443", null, SECRET, LEASE, null))
                .hasMessageContaining("--db jdbc:postgresql://");
        assertThatThrownBy(() -> ClusterConfig.of("relay-a", "10.0.0.1:7443", null, SECRET, LEASE, "jdbc:h2:mem:x"))
                .hasMessageContaining("PostgreSQL");
    }

    @Test
    void badNodeIdsAddressesSecretsAndLeasesSayWhatToUse() {
        assertThatThrownBy(() -> ClusterConfig.of("Relay_A", "10.0.0.1:7443", null, SECRET, LEASE, PG))
                .hasMessageContaining("lower-case letters, digits and dashes");
        assertThatThrownBy(() -> ClusterConfig.of("relay-a", "10.0.0.1", null, SECRET, LEASE, PG))
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> ClusterConfig.of("relay-a", "10.0.0.1:99999", null, SECRET, LEASE, PG))
                .hasMessageContaining("host:port");
        assertThatThrownBy(() -> ClusterConfig.of("relay-a", "10.0.0.1:7443", null, null, LEASE, PG))
                .hasMessageContaining("--cluster-secret-file").hasMessageContaining("PORTWAY_CLUSTER_SECRET");
        assertThatThrownBy(() -> ClusterConfig.of("relay-a", "10.0.0.1:7443", null, "short", LEASE, PG))
                .hasMessageContaining("at least 16");
        assertThatThrownBy(() -> ClusterConfig.of("relay-a", "10.0.0.1:7443", null, SECRET, Duration.ofSeconds(1), PG))
                .hasMessageContaining("between 3s and 5m");
    }

    @Test
    void theSecretComesFromItsFileBeforeTheEnvironmentAndIsNeverPrinted(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("secret"), "from-the-file-0123456789\n");
        ClusterConfig c = ClusterConfig.of("relay-a", "[::1]:7443", file, SECRET, LEASE, PG);
        assertThat(c.secret()).isEqualTo("from-the-file-0123456789");
        assertThat(c.toString()).doesNotContain("from-the-file");
        assertThatThrownBy(() -> ClusterConfig.of("relay-a", "10.0.0.1:7443", dir.resolve("missing"), null, LEASE, PG))
                .hasMessageContaining("Cannot read the cluster secret");
    }

    @Test
    void aClientUrlIsAWebSocketAddressAndNeedsANodeId() {
        assertThat(ClusterConfig.of("relay-a", "10.0.0.1:7443", null, SECRET, LEASE, PG, "wss://relay-a.example.com")
                .clientUrl()).isEqualTo("wss://relay-a.example.com");
        assertThat(ClusterConfig.of("relay-a", "10.0.0.1:7443", null, SECRET, LEASE, PG, null).clientUrl()).isNull();
        assertThatThrownBy(() -> ClusterConfig.of("relay-a", "10.0.0.1:7443", null, SECRET, LEASE, PG, "https://relay-a"))
                .hasMessageContaining("--client-url must be the ws:// or wss:// address");
        assertThatThrownBy(() -> ClusterConfig.of(null, null, null, null, LEASE, PG, "ws://relay-a:8080"))
                .hasMessageContaining("need --node-id");
    }
}
