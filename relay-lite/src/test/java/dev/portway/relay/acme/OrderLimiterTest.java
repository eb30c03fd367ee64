package dev.portway.relay.acme;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;

class OrderLimiterTest {
    final AtomicLong now = new AtomicLong(1_000);
    final OrderLimiter limiter = new OrderLimiter(3, Duration.ofMinutes(60), now::get);

    void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void oneOrderPerNameIsInFlightAtATime() {
        assertThat(limiter.tryStart("a.example")).isNull();
        assertThat(limiter.tryStart("a.example")).isEqualTo("an order for a.example is already in progress");
        limiter.finished("a.example", false);
        assertThat(limiter.inFlight("a.example")).isFalse();
        assertThat(limiter.tryStart("a.example")).isNull();
    }

    @Test
    void refusedNameWaitsBeforeItIsOrderedAgain() {
        assertThat(limiter.tryStart("a.example")).isNull();
        limiter.finished("a.example", true);
        advance(Duration.ofMinutes(59));
        assertThat(limiter.tryStart("a.example")).isEqualTo("the last order for a.example was refused less than 60 minutes ago");
        assertThat(limiter.tryStart("b.example")).isNull();
        advance(Duration.ofMinutes(1));
        assertThat(limiter.tryStart("a.example")).isNull();
    }

    @Test
    void ordersPerHourAreCappedOverAllNamesAndFreeUpAfterAnHour() {
        for (String n : new String[]{"a", "b", "c"}) {
            assertThat(limiter.tryStart(n)).isNull();
            limiter.finished(n, false);
        }
        assertThat(limiter.tryStart("d")).isEqualTo("the relay has started 3 orders in the last hour (its limit)");
        advance(Duration.ofMinutes(60));
        assertThat(limiter.tryStart("d")).isNull();
    }
}
