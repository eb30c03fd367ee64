package dev.portway.relay.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The queue a relay cluster shares (V11): two nodes' stores on one real PostgreSQL claim the same tunnel's requests
 * at the same time; no request is handed to both, a dead node's claims return, a postponed one is free again.
 */
class SharedQueueClaimIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    @Test
    void twoNodesClaimingAtOnceNeverGetTheSameRequest() throws Exception {
        String url = PG.newDatabase();
        try (RelayStore a = RelayStore.open(url, "postgres", null, null);
             RelayStore b = RelayStore.open(url, "postgres", null, null)) {
            liveNode(url, "node-a", 60);
            liveNode(url, "node-b", 60);
            a.deliverAs("node-a");
            b.deliverAs("node-b");
            for (int i = 0; i < 300; i++) {
                a.enqueue(request("d-" + i)).join();
            }
            // Both stores' threads claim in parallel, 16 at a time, each passing what it holds (as a pump passes its
            // deliveries in flight), until neither gets any more.
            CompletableFuture<Set<String>> byA = claimAll(a, ConcurrentHashMap.newKeySet());
            CompletableFuture<Set<String>> byB = claimAll(b, ConcurrentHashMap.newKeySet());
            CompletableFuture.allOf(byA, byB).join();
            Set<String> both = new HashSet<>(byA.join());
            both.retainAll(byB.join());
            System.out.println("Claimed by node-a " + byA.join().size() + ", by node-b " + byB.join().size() + ", by both "
                    + both.size());
            assertThat(both).as("claimed by two nodes at once").isEmpty();
            assertThat(byA.join().size() + byB.join().size()).isEqualTo(300);
            assertThat(b.next("hooks", 16, byB.join(), System.currentTimeMillis()).join())
                    .as("node-a's claims hold while its lease is live").isEmpty();
        }
    }

    @Test
    void aDeadNodesClaimsAndAPostponedRequestAreFreeForTheOthers() throws Exception {
        String url = PG.newDatabase();
        try (RelayStore a = RelayStore.open(url, "postgres", null, null);
             RelayStore b = RelayStore.open(url, "postgres", null, null)) {
            liveNode(url, "node-a", 60);
            liveNode(url, "node-b", 60);
            a.deliverAs("node-a");
            b.deliverAs("node-b");
            a.enqueue(request("first")).join();
            a.enqueue(request("second")).join();
            assertThat(a.next("hooks", 16, List.of(), System.currentTimeMillis()).join()).extracting(QueuedRequest::deliveryId)
                    .containsExactly("first", "second");
            a.postpone("second", 0).join(); // an RST: the claim goes back with it
            assertThat(b.next("hooks", 16, List.of(), System.currentTimeMillis()).join()).extracting(QueuedRequest::deliveryId)
                    .containsExactly("second");
            liveNode(url, "node-a", -1); // node-a's lease ran out (killed)
            assertThat(b.next("hooks", 16, List.of("second"), System.currentTimeMillis()).join())
                    .extracting(QueuedRequest::deliveryId).containsExactly("first");
            assertThat(b.releaseClaims("hooks").join()).isEqualTo(2); // b's client went away
            liveNode(url, "node-a", 60);
            assertThat(a.next("hooks", 16, List.of(), System.currentTimeMillis()).join()).hasSize(2);
        }
    }

    private static CompletableFuture<Set<String>> claimAll(RelayStore store, Set<String> held) {
        return store.next("hooks", 16, held, System.currentTimeMillis()).thenCompose(rows -> {
            if (rows.isEmpty()) {
                return CompletableFuture.completedFuture(held);
            }
            rows.forEach(r -> held.add(r.deliveryId()));
            return claimAll(store, held);
        });
    }

    private static QueuedRequest request(String id) {
        return new QueuedRequest(id, "hooks", 1, "req-" + id, "127.0.0.1", "POST", "/hook", List.of(), id.getBytes(),
                System.currentTimeMillis());
    }

    /** A node row with a lease of {@code seconds} from now (negative: expired), as ClusterDb keeps it. */
    private static void liveNode(String url, String id, int seconds) throws Exception {
        try (Connection c = DriverManager.getConnection(url, "postgres", null);
             PreparedStatement u = c.prepareStatement("INSERT INTO cluster_node (node_id, address, incarnation, started_at, "
                     + "lease_until) VALUES (?, '127.0.0.1:1', 'test', now(), now() + make_interval(secs => ?)) "
                     + "ON CONFLICT (node_id) DO UPDATE SET lease_until = EXCLUDED.lease_until")) {
            u.setString(1, id);
            u.setInt(2, seconds);
            u.executeUpdate();
        }
    }
}
