package dev.portway.desktop.ui.queue;

import dev.portway.desktop.engine.QueuedRequest;
import dev.portway.desktop.engine.RelayQueueStatus;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

import static org.assertj.core.api.Assertions.assertThat;

/** The queue view's logic against an in-memory queue; everything runs inline. */
class QueueViewModelTest {
    private static final Instant NOW = Instant.parse("2026-01-01T12:00:00Z");

    /** A client queue in a list, completing every stage at once; counts reads. */
    static final class MemoryQueue implements QueueOperations {
        final List<QueuedRequest> requests = new ArrayList<>();
        final List<String> retried = new ArrayList<>();
        int reads;
        CompletableFuture<List<QueuedRequest>> pendingRead;

        void add(String id, String priority, String method, String target, int attempts, String error) {
            requests.add(new QueuedRequest(id, "hooks", priority, method, target, 10, attempts, NOW.minusSeconds(60),
                    NOW.plusSeconds(30), error));
        }

        @Override
        public CompletionStage<List<QueuedRequest>> list() {
            reads++;
            if (pendingRead != null) {
                return pendingRead;
            }
            return CompletableFuture.completedFuture(List.copyOf(requests));
        }

        @Override
        public CompletionStage<Void> retryNow(String deliveryId) {
            retried.add(deliveryId);
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> retryAll() {
            requests.forEach(r -> retried.add(r.deliveryId()));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> discard(String deliveryId) {
            requests.removeIf(r -> r.deliveryId().equals(deliveryId));
            return CompletableFuture.completedFuture(null);
        }

        @Override
        public CompletionStage<Void> discardAll() {
            requests.clear();
            return CompletableFuture.completedFuture(null);
        }
    }

    private final MemoryQueue queue = new MemoryQueue();
    private final QueueViewModel vm = new QueueViewModel(queue, Clock.fixed(NOW, ZoneOffset.UTC), ZoneOffset.UTC);

    @Test
    void queuedRequestsShowAsRowsWithTheirCountOnTheBadge() {
        queue.add("d1", "high", "POST", "/hooks/stripe", 3, "Port 3000 on localhost refused the connection");
        queue.add("d2", "normal", "PUT", "/hooks/github?x=1", 0, null);
        vm.onQueueChanged(2);

        assertThat(vm.rows()).containsExactly(
                new QueueRow("d1", "high", "POST /hooks/stripe", "3", "12:00:30", "Port 3000 on localhost refused the connection"),
                new QueueRow("d2", "normal", "PUT /hooks/github?x=1", "0", "12:00:30", "—"));
        assertThat(vm.countProperty().get()).isEqualTo(2);
    }

    @Test
    void retryNowAndDiscardActOnTheSelectedRow() {
        queue.add("d1", "high", "POST", "/a", 1, "boom");
        queue.add("d2", "low", "POST", "/b", 1, "boom");
        vm.refresh();

        vm.selectedProperty().set(vm.rows().get(1));
        vm.retrySelected();
        assertThat(queue.retried).containsExactly("d2");

        vm.discardSelected();
        assertThat(vm.rows()).extracting(QueueRow::deliveryId).containsExactly("d1");
        assertThat(vm.countProperty().get()).isEqualTo(1);
        assertThat(vm.selectedProperty().get()).as("the discarded row is no longer selected").isNull();
    }

    @Test
    void retryAllAndDiscardAllEmptyTheQueue() {
        queue.add("d1", "high", "POST", "/a", 1, "boom");
        queue.add("d2", "low", "POST", "/b", 1, "boom");
        vm.refresh();
        vm.retryAll();
        assertThat(queue.retried).containsExactly("d1", "d2");

        vm.discardAll();
        assertThat(vm.rows()).isEmpty();
        assertThat(vm.countProperty().get()).isZero();
    }

    @Test
    void changesDuringARead_costOneMoreReadNotOneEach() {
        queue.pendingRead = new CompletableFuture<>();
        CompletableFuture<List<QueuedRequest>> first = queue.pendingRead;
        vm.onQueueChanged(1);
        vm.onQueueChanged(2);
        vm.onQueueChanged(3);
        assertThat(queue.reads).isEqualTo(1);

        queue.pendingRead = null;
        queue.add("d1", "normal", "POST", "/a", 0, null);
        first.complete(List.of());
        assertThat(queue.reads).isEqualTo(2);
        assertThat(vm.rows()).hasSize(1);
    }

    @Test
    void relayUnderPressureShowsAWarningThatSaysWhatHappensNext() {
        vm.onRelayQueue(new RelayQueueStatus("hooks", 850, 1000, 1000, 1_000_000, "pressure"));
        assertThat(vm.relayWarningProperty().get())
                .contains("85 % full").contains("503").contains("start your local app");
        assertThat(vm.relayWarningTitleProperty().get()).isEqualTo("Relay queue filling up");

        vm.onRelayQueue(new RelayQueueStatus("hooks", 1000, 1000, 1000, 1_000_000, "full"));
        assertThat(vm.relayWarningProperty().get()).contains("is full").contains("turned away with 503");
        assertThat(vm.relayWarningTitleProperty().get()).isEqualTo("Relay queue full");

        vm.onRelayQueue(new RelayQueueStatus("hooks", 10, 1000, 1000, 1_000_000, "ok"));
        assertThat(vm.relayWarningProperty().get()).isEmpty();
    }

    @Test
    void anOpenBreakerSaysDeliveryIsPaused() {
        vm.onBreaker("hooks", "open");
        assertThat(vm.breakerProperty().get()).contains("paused");
        vm.onBreaker("hooks", "closed");
        assertThat(vm.breakerProperty().get()).isEmpty();
    }

    @Test
    void aFailedReadSaysSo() {
        queue.pendingRead = CompletableFuture.failedFuture(new IllegalStateException("disk full"));
        vm.refresh();
        assertThat(vm.problemProperty().get()).isEqualTo("Could not read the queue: disk full");
    }
}
