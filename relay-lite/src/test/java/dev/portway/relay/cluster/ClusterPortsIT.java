package dev.portway.relay.cluster;

import dev.portway.relay.store.PostgresServer;
import dev.portway.relay.store.RelayStore;
import dev.portway.relay.tunnel.SharedNames.Verdict;
import dev.portway.relay.tunnel.VisitorProtection;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The database's side of TCP tunnels across a cluster ({@code V15__cluster_binding_port.sql}): a public port is never
 * two names' on live nodes, however the claims race; one client's bindings of a name on two nodes share one port; a
 * dead node's port is free again. Real PostgreSQL; nodes are {@link ClusterDb}s as the relay runs them.
 */
class ClusterPortsIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();
    private static final ProtectionSeal SEAL = new ProtectionSeal("cluster-secret-of-the-tests-0123456789");
    @TempDir
    Path tmp;

    private String database() throws Exception {
        String url = PG.newDatabase();
        RelayStore.open(url, "postgres", null, tmp).close(); // the relay's migrations, V15 among them
        return url;
    }

    private static ClusterDb node(String url, String id, Duration lease) throws Exception {
        ClusterDb db = new ClusterDb(url, "postgres", null, id, id + "-run", lease, SEAL);
        db.join("127.0.0.1:1", null);
        return db;
    }

    private static Verdict bind(ClusterDb db, String name, String owner) throws Exception {
        return db.claim(name, "tcp", name + "-session", "alice", owner, VisitorProtection.NONE, 0, 0);
    }

    @Test
    void racingNodesNeverGiveOnePortToTwoNames() throws Exception {
        String url = database();
        int nodes = 4;
        List<ClusterDb> dbs = new ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            ClusterDb db = node(url, "n" + i, Duration.ofSeconds(30));
            dbs.add(db);
            assertThat(bind(db, "tunnel-" + i, "key-" + i)).isEqualTo(Verdict.GRANTED);
        }
        ExecutorService pool = Executors.newFixedThreadPool(nodes);
        try {
            for (int round = 0; round < 20; round++) {
                int port = 30_000 + round;
                CyclicBarrier start = new CyclicBarrier(nodes);
                List<Future<Verdict>> verdicts = new ArrayList<>();
                for (int i = 0; i < nodes; i++) {
                    ClusterDb db = dbs.get(i);
                    String name = "tunnel-" + i;
                    Callable<Verdict> claim = () -> {
                        start.await();
                        return db.claimPort(name, port);
                    };
                    verdicts.add(pool.submit(claim));
                }
                int granted = 0;
                for (Future<Verdict> v : verdicts) {
                    granted += v.get() == Verdict.GRANTED ? 1 : 0;
                }
                assertThat(granted).as("claims of port %d granted", port).isEqualTo(1);
                String holder = null;
                for (Located l : dbs.getFirst().directory()) {
                    if (l.port() == port) {
                        assertThat(holder).as("port %d held twice", port).isNull();
                        holder = l.name();
                    }
                }
                assertThat(holder).isNotNull();
                int owner = Integer.parseInt(holder.substring(holder.indexOf('-') + 1));
                dbs.get(owner).release(holder); // bound again without a port: every tunnel takes part in the next round
                assertThat(bind(dbs.get(owner), holder, "key-" + owner)).isEqualTo(Verdict.GRANTED);
            }
        } finally {
            pool.shutdownNow();
            dbs.forEach(ClusterDb::close);
        }
    }

    @Test
    void oneClientsTwoBindingsShareThePortAndADeadNodesPortIsFreeAgain() throws Exception {
        String url = database();
        ClusterDb a = node(url, "a", Duration.ofSeconds(30));
        ClusterDb b = node(url, "b", Duration.ofSeconds(30));
        ClusterDb c = node(url, "c", Duration.ofSeconds(2));
        try {
            assertThat(bind(a, "ssh", "key-1")).isEqualTo(Verdict.GRANTED);
            assertThat(bind(b, "ssh", "key-1")).as("the same client on a second node").isEqualTo(Verdict.GRANTED);
            assertThat(a.claimPort("ssh", 30_100)).isEqualTo(Verdict.GRANTED);
            assertThat(b.claimPort("ssh", 30_101)).as("its other binding has another port").isEqualTo(Verdict.TAKEN);
            assertThat(b.claimPort("ssh", 30_100)).isEqualTo(Verdict.GRANTED);
            assertThat(a.directory()).extracting(Located::port).containsOnly(30_100);

            // A node whose lease runs out holds nothing: its port goes to another name.
            assertThat(bind(c, "db", "key-2")).isEqualTo(Verdict.GRANTED);
            assertThat(c.claimPort("db", 30_200)).isEqualTo(Verdict.GRANTED);
            assertThat(bind(a, "web", "key-3")).isEqualTo(Verdict.GRANTED);
            assertThat(a.claimPort("web", 30_200)).isEqualTo(Verdict.TAKEN);
            org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(200))
                    .until(() -> a.claimPort("web", 30_200) == Verdict.GRANTED); // once c's 2 s lease ran out
            // …and the dead node cannot claim a port any more.
            assertThat(c.claimPort("db", 30_201)).isEqualTo(Verdict.UNAVAILABLE);

            // A new bind of a name starts without a port (its listener may get another one); a released name has none.
            assertThat(bind(a, "ssh", "key-1")).isEqualTo(Verdict.GRANTED);
            assertThat(a.locate("ssh")).filteredOn(l -> l.nodeId().equals("a")).extracting(Located::port).containsExactly(0);
            a.release("web");
            assertThat(b.claimPort("ssh", 30_200)).as("the port of a released name is free").isEqualTo(Verdict.GRANTED);
        } finally {
            a.close();
            b.close();
            c.close();
        }
    }
}
