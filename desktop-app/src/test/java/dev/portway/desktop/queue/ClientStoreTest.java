package dev.portway.desktop.queue;

import dev.portway.shared.protocol.Header;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Random;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ClientStoreTest {
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");

    @TempDir
    Path dir;

    @Test
    void aStoreAnotherProcessHoldsGetsOneLineSayingWhatToDo() {
        // What Flyway wraps around H2's lock error when another Portway holds engine.mv.db.
        RuntimeException locked = new RuntimeException("Unable to obtain connection from database: Database may be "
                + "already in use: \"/x/engine.mv.db\". Possible solutions\n----\nSQL State  : 90020\nError Code : 90020",
                new java.sql.SQLException("Database may be already in use", "90020", 90020));
        String m = ClientStore.cannotOpen("/x/engine.mv.db", locked);
        assertThat(m).doesNotContain("\n").doesNotContain("SQL State").contains("another Portway").contains("--data-dir");
        String other = ClientStore.cannotOpen("/x/engine.mv.db", new RuntimeException("outer",
                new java.io.IOException("Permission denied\n  at some.Frame")));
        assertThat(other).isEqualTo("Cannot open /x/engine.mv.db (Permission denied) — check that the directory is "
                + "writable and not used by another Portway.");
    }

    @Test
    void keepsRequestsBodiesAndTheClientKeyAcrossReopen() throws Exception {
        byte[] body = new byte[200_000]; // several parts
        new Random(1).nextBytes(body);
        String key;
        try (ClientStore store = ClientStore.open(dir, QueueLimits.defaults())) {
            key = store.clientKey();
            assertThat(store.store("d-1", "hooks", "normal", "POST", "/hook?x=1",
                    List.of(new Header("Content-Type", "application/json"), new Header("Portway-Delivery-Id", "d-1")),
                    T0, new ByteArrayInputStream(body))).isTrue();
        }
        try (ClientStore store = ClientStore.open(dir, QueueLimits.defaults())) {
            assertThat(store.clientKey()).isEqualTo(key).hasSizeGreaterThanOrEqualTo(22); // ≥128 bits base64url
            assertThat(store.count()).isEqualTo(1);
            assertThat(store.bytes()).isEqualTo(body.length);
            StoredRequest r = store.list().getFirst();
            assertThat(r.deliveryId()).isEqualTo("d-1");
            assertThat(r.target()).isEqualTo("/hook?x=1");
            assertThat(r.headers()).contains(new Header("Portway-Delivery-Id", "d-1"));
            assertThat(r.received()).isEqualTo(T0);
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            store.copyBody("d-1", out);
            assertThat(out.toByteArray()).isEqualTo(body);
        }
    }

    @Test
    void closeCompactsTheFileThatGrowsWhileOpenAndKeepsEveryRequest() throws Exception {
        try (ClientStore store = ClientStore.open(dir, QueueLimits.defaults())) {
            for (int i = 0; i < 150; i++) {
                store.store("d-" + i, "hooks", "normal", "POST", "/hook", List.of(), T0, new ByteArrayInputStream(new byte[2000]));
                if (i % 3 != 0) {
                    store.delivered("d-" + i);
                }
            }
            // every commit appended (REUSE_SPACE=FALSE): well over a MiB while open
            assertThat(java.nio.file.Files.size(dir.resolve("engine.mv.db"))).isGreaterThan(1L << 20);
        }
        assertThat(java.nio.file.Files.size(dir.resolve("engine.mv.db"))).isLessThan(512L << 10);
        try (ClientStore store = ClientStore.open(dir, QueueLimits.defaults())) {
            assertThat(store.count()).isEqualTo(50);
        }
    }

    @Test
    void ordersByPriorityThenArrival() throws Exception {
        try (ClientStore store = ClientStore.open(dir, QueueLimits.defaults())) {
            put(store, "low-1", "low");
            put(store, "normal-1", "normal");
            put(store, "high-1", "high");
            put(store, "normal-2", null);
            put(store, "high-2", "high");

            assertThat(store.list()).extracting(StoredRequest::deliveryId)
                    .containsExactly("high-1", "high-2", "normal-1", "normal-2", "low-1");
            assertThat(store.due(T0, 2, Set.of("high-1"))).extracting(StoredRequest::deliveryId)
                    .containsExactly("high-2", "normal-1");
        }
    }

    @Test
    void aFailedAttemptCountsAndWaitsUntilItsNextAttempt() throws Exception {
        try (ClientStore store = ClientStore.open(dir, QueueLimits.defaults())) {
            put(store, "d-1", "normal");
            store.failed("d-1", T0.plusSeconds(2), "Nothing is listening on localhost:3000");

            assertThat(store.due(T0.plusSeconds(1), 10, Set.of())).isEmpty();
            assertThat(store.nextDue()).isEqualTo(T0.plusSeconds(2));
            StoredRequest r = store.due(T0.plusSeconds(2), 10, Set.of()).getFirst();
            assertThat(r.attempts()).isEqualTo(1);
            assertThat(r.lastError()).contains("Nothing is listening");

            store.postpone("d-1", T0.plusSeconds(60), "breaker open");
            assertThat(store.list().getFirst().attempts()).isEqualTo(1);
            assertThat(store.retryNow("d-1")).isTrue();
            assertThat(store.due(T0, 10, Set.of())).hasSize(1);
        }
    }

    @Test
    void aRedeliveryIsNotStoredTwiceEvenAfterDelivery() throws Exception {
        try (ClientStore store = ClientStore.open(dir, QueueLimits.defaults())) {
            assertThat(put(store, "d-1", "normal")).isTrue();
            assertThat(put(store, "d-1", "normal")).isFalse();
            assertThat(store.count()).isEqualTo(1);

            assertThat(store.delivered("d-1")).isTrue();
            assertThat(store.count()).isZero();
            assertThat(store.isKnown("d-1")).isTrue();
            assertThat(put(store, "d-1", "normal")).isFalse();
            assertThat(store.list()).isEmpty();
        }
    }

    @Test
    void discardRemovesOnlyWhatIsAskedAndRemembersIt() throws Exception {
        try (ClientStore store = ClientStore.open(dir, QueueLimits.defaults())) {
            put(store, "d-1", "normal");
            put(store, "d-2", "normal");
            put(store, "d-3", "normal");

            assertThat(store.discard("d-2")).isTrue();
            assertThat(store.list()).extracting(StoredRequest::deliveryId).containsExactly("d-1", "d-3");
            assertThat(store.isKnown("d-2")).isTrue();
            assertThat(store.discardAll()).isEqualTo(2);
            assertThat(store.count()).isZero();
            assertThat(store.bytes()).isZero();
        }
    }

    @Test
    void refusesWhenFullOrTheBodyIsTooLargeAndStoresNothing() throws Exception {
        try (ClientStore store = ClientStore.open(dir, new QueueLimits(2, 1_000_000, 100_000))) {
            assertThatThrownBy(() -> store.store("big", "hooks", "normal", "POST", "/", List.of(), T0,
                    new ByteArrayInputStream(new byte[100_001]))).isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("larger");
            assertThat(store.isKnown("big")).isFalse();

            put(store, "d-1", "normal");
            put(store, "d-2", "normal");
            assertThatThrownBy(() -> put(store, "d-3", "normal")).isInstanceOf(QueueFullException.class)
                    .hasMessageContaining("full");
            assertThat(store.count()).isEqualTo(2);
            assertThat(put(store, "d-1", "normal")).isFalse(); // a redelivery is still acknowledged when full
        }
    }

    @Test
    void aBodyThatBreaksOffLeavesNoRow() throws Exception {
        try (ClientStore store = ClientStore.open(dir, QueueLimits.defaults())) {
            InputStream broken = new InputStream() {
                int n;

                @Override
                public int read() throws IOException {
                    if (n++ > 70_000) {
                        throw new IOException("stream reset");
                    }
                    return 1;
                }
            };
            assertThatThrownBy(() -> store.store("d-1", "hooks", "normal", "POST", "/", List.of(), T0, broken))
                    .isInstanceOf(IOException.class);
            assertThat(store.isKnown("d-1")).isFalse();
            assertThat(store.count()).isZero();
        }
    }

    @Test
    void anInMemoryStoreWorksWithoutADataDir() throws Exception {
        try (ClientStore store = ClientStore.open(null, QueueLimits.defaults())) {
            put(store, "d-1", "high");
            assertThat(store.list()).hasSize(1);
        }
    }

    private static boolean put(ClientStore store, String id, String priority) throws Exception {
        return store.store(id, "hooks", priority, "POST", "/hook", List.of(), T0, new ByteArrayInputStream(id.getBytes()));
    }
}
