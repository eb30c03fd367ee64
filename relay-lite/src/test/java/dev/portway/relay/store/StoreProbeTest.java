package dev.portway.relay.store;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class StoreProbeTest {
    final AtomicLong now = new AtomicLong();
    final AtomicInteger pings = new AtomicInteger();

    StoreProbe probe(java.util.function.Supplier<CompletableFuture<?>> answer) {
        return new StoreProbe(() -> {
            pings.incrementAndGet();
            return answer.get();
        }, Duration.ofSeconds(1), Duration.ofMillis(200), now::get);
    }

    @Test
    void answeringStoreIsReadyAndTheResultIsCached() {
        StoreProbe p = probe(() -> CompletableFuture.completedFuture(null));
        assertThat(p.check().join()).isTrue();
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(900));
        assertThat(p.check()).isCompletedWithValue(true);
        assertThat(pings).hasValue(1);
        now.addAndGet(TimeUnit.MILLISECONDS.toNanos(200));
        assertThat(p.check().join()).isTrue();
        assertThat(pings).hasValue(2);
    }

    @Test
    void failingStoreIsUnavailable() {
        StoreProbe p = probe(() -> CompletableFuture.failedFuture(new StoreException("disk gone", null)));
        assertThat(p.check().join()).isFalse();
    }

    @Test
    void storeThatDoesNotAnswerInTimeIsUnavailableAndNoSecondQueryQueuesBehindIt() throws Exception {
        CompletableFuture<Void> stuck = new CompletableFuture<>();
        StoreProbe p = probe(() -> stuck);
        assertThat(p.check().get(5, TimeUnit.SECONDS)).isFalse(); // after the 200 ms timeout
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(p.check()).isCompletedWithValue(false);
        assertThat(pings).hasValue(1);
        stuck.complete(null); // the store is back: the next check after the cache expires asks again
        now.addAndGet(TimeUnit.SECONDS.toNanos(2));
        assertThat(p.check().join()).isTrue();
        assertThat(pings).hasValue(2);
    }
}
