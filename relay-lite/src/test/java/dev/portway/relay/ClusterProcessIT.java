package dev.portway.relay;

import dev.portway.relay.cluster.ClusterConfig;
import dev.portway.relay.store.PostgresServer;
import dev.portway.shared.protocol.ControlMessage;
import dev.portway.shared.protocol.Frame;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** A cluster node in its own JVM, killed with kill -9: its lease runs out and its names are free for the other nodes. */
class ClusterProcessIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final String SECRET = "cluster-secret-of-the-tests-0123456789";
    @TempDir
    Path tmp;

    @Test
    void aKilledNodesNamesAreFreeForTheOthersOnceItsLeaseRunsOut() throws Exception {
        String url = PG.newDatabase();
        Path jar = Path.of("target", "relay-lite.jar").toAbsolutePath();
        assertThat(jar).as("built by the package phase").exists();
        Path dataA = Files.createDirectories(tmp.resolve("a"));
        String addressA = "127.0.0.1:" + ClusterHopIT.freePort();
        try (RelayProcess a = new RelayProcess(List.of(RelayProcess.java(), "-Xmx128m", "-jar", jar.toString(), "--host",
                "127.0.0.1", "--port", "0", "--tcp-ports", "0-0", "--data-dir", dataA.toString(), "--db", url, "--db-user",
                "postgres", "--node-id", "proc-a", "--cluster-address", addressA, "--cluster-lease", "3s"),
                Map.of("PORTWAY_TOKEN", "secret", "PORTWAY_CLUSTER_SECRET", SECRET), tmp);
             Relay b = Relay.start(RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0)
                     .tcpPortTo(0).dataDir(Files.createDirectories(tmp.resolve("b")))
                     .identity(IdentityConfig.DEFAULTS.withDb(url, "postgres", null)).build(), null,
                     new ClusterConfig("proc-b", "127.0.0.1:" + ClusterHopIT.freePort(), SECRET, Duration.ofSeconds(3)))) {
            int portA = a.port();
            Map<String, String> strict = Map.of("strict_name", "true");
            try (ProtocolTestClient onA = ProtocolTestClient.connect("ws://127.0.0.1:" + portA + "/api/tunnel/connect", "secret");
                 ProtocolTestClient onB = ProtocolTestClient.connect(b, "secret", null)) {
                onA.control(ControlMessage.Welcome.class);
                onB.control(ControlMessage.Welcome.class);
                assertThat(onA.bind("1", "http", "survivor", strict).name()).isEqualTo("survivor");
                onB.send(Frame.control(new ControlMessage.Bind("1", "http", "survivor", null, strict)));
                assertThat(onB.control(ControlMessage.BindRefused.class).code()).isEqualTo("name_taken");

                a.process.destroyForcibly(); // kill -9: no goodbye, its rows stay until the lease runs out
                assertThat(a.process.waitFor(10, TimeUnit.SECONDS)).isTrue();
                long killed = System.nanoTime();
                await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> assertThat(cli(url, "nodes", "list").out())
                        .containsPattern("proc-a\\s+127\\.0\\.0\\.1:\\d+\\s+.*expired \\d+ s ago")
                        .containsPattern("proc-b\\s+.*ok \\("));
                onB.send(Frame.control(new ControlMessage.Bind("2", "http", "survivor", null, strict)));
                assertThat(onB.control(ControlMessage.Bound.class).name()).isEqualTo("survivor");
                System.out.println("A node killed with kill -9: its name was free on another node after "
                        + TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - killed) + " ms (lease 3 s)");
                await().atMost(Duration.ofSeconds(2)).until(() -> b.cluster().locate("survivor") != null
                        && "proc-b".equals(b.cluster().locate("survivor").nodeId()));
            }
        }
    }

    @Test
    void aSecondRunOfALiveNodeIdIsRefusedWithWhatToDo() throws Exception {
        String url = PG.newDatabase();
        RelayConfig config = RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                .dataDir(Files.createDirectories(tmp.resolve("one"))).identity(IdentityConfig.DEFAULTS.withDb(url, "postgres", null))
                .build();
        ClusterConfig same = new ClusterConfig("twin", "127.0.0.1:" + ClusterHopIT.freePort(), SECRET, Duration.ofSeconds(10));
        try (Relay first = Relay.start(config, null, same)) {
            RelayConfig other = RelayConfig.builder().port(0).bindHost("127.0.0.1").token("secret").tcpPortFrom(0).tcpPortTo(0)
                    .dataDir(Files.createDirectories(tmp.resolve("two"))).identity(config.identity()).build();
            assertThat(org.assertj.core.api.Assertions.catchThrowable(() -> Relay.start(other, null, same)))
                    .isInstanceOf(java.io.IOException.class)
                    .hasMessageContaining("Node id twin is in use by a live node")
                    .hasMessageContaining("give each node its own --node-id");
            assertThat(first.cluster().accepting()).isTrue();
        }
    }

    private static AdminCli.Result cli(String url, String... args) {
        List<String> all = new ArrayList<>(List.of(args));
        all.addAll(List.of("--db", url, "--db-user", "postgres"));
        var cmd = RelayMain.commandLine();
        var out = new java.io.StringWriter();
        var err = new java.io.StringWriter();
        cmd.setOut(new java.io.PrintWriter(out, true));
        cmd.setErr(new java.io.PrintWriter(err, true));
        int exit = cmd.execute(all.toArray(String[]::new));
        return new AdminCli.Result(exit, out.toString(), err.toString());
    }
}
