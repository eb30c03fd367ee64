package dev.portway.relay.store;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Cluster nodes starting at the same moment on one fresh PostgreSQL: each makes sure the single-token relay's user
 * exists ({@link IdentityStore#ensureUser}); none may fail because another node created it first.
 */
class ConcurrentStartIT {
    @RegisterExtension
    static final PostgresServer PG = new PostgresServer();

    @Test
    void nodesEnsuringTheSameUserAtOnceAllGetIt() throws Exception {
        String url = PG.newDatabase();
        java.util.concurrent.ExecutorService two = java.util.concurrent.Executors.newFixedThreadPool(2);
        try (RelayStore a = RelayStore.open(url, "postgres", null, null);
             RelayStore b = RelayStore.open(url, "postgres", null, null)) {
            for (int round = 0; round < 40; round++) {
                String name = "user-" + round;
                CyclicBarrier together = new CyclicBarrier(2);
                CompletableFuture<IdentityRecords.User> onA = CompletableFuture.supplyAsync(() -> ensure(a, name, together), two);
                CompletableFuture<IdentityRecords.User> onB = CompletableFuture.supplyAsync(() -> ensure(b, name, together), two);
                assertThat(onA.get(10, TimeUnit.SECONDS).name()).isEqualTo(name);
                assertThat(onB.get(10, TimeUnit.SECONDS).name()).isEqualTo(name);
            }
        } finally {
            two.shutdownNow();
        }
    }

    private static IdentityRecords.User ensure(RelayStore store, String name, CyclicBarrier together) {
        try {
            together.await(5, TimeUnit.SECONDS);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
        return store.identity().ensureUser(name, Tier.FREE);
    }
}
