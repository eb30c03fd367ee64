package dev.portway.desktop.engine;

import dev.failsafe.Failsafe;
import dev.portway.shared.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReconnectTest {
    final List<Duration> delays = new CopyOnWriteArrayList<>();

    @Test
    void aRateLimitedRefusalIsRetriedNoSoonerThanItsRetryAfterEvenWithJitter() {
        ReconnectPolicy p = new ReconnectPolicy(Duration.ofMillis(10), 2.0, 0.3, Duration.ofMillis(50), 3);
        AtomicInteger calls = new AtomicInteger();
        long start = System.nanoTime();
        String result = Failsafe.with(Reconnect.<String>policy(p, (attempt, delay) -> delays.add(delay))).get(() -> {
            if (calls.incrementAndGet() == 1) {
                throw ConnectFailure.refused(ErrorCode.RATE_LIMITED, "Too many failed logins", 400L);
            }
            return "welcome";
        });
        assertThat(result).isEqualTo("welcome");
        assertThat(delays).hasSize(1);
        assertThat(delays.getFirst()).isGreaterThanOrEqualTo(Duration.ofMillis(400));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    }

    @Test
    void otherFailuresKeepTheBackoffAndFatalOnesAreNotRetried() {
        ReconnectPolicy p = new ReconnectPolicy(Duration.ofMillis(10), 2.0, 0, Duration.ofMillis(50), 3);
        AtomicInteger calls = new AtomicInteger();
        assertThatThrownBy(() -> Failsafe.with(Reconnect.<String>policy(p, (attempt, delay) -> delays.add(delay))).get(() -> {
            calls.incrementAndGet();
            throw ConnectFailure.network("down");
        })).isInstanceOf(ConnectFailure.class);
        assertThat(delays).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20));
        calls.set(0);
        assertThatThrownBy(() -> Failsafe.with(Reconnect.<String>policy(p, (attempt, delay) -> { })).get(() -> {
            calls.incrementAndGet();
            throw ConnectFailure.refused(ErrorCode.TOKEN_REVOKED, "revoked");
        })).isInstanceOf(ConnectFailure.class);
        assertThat(calls.get()).isEqualTo(1);
    }
}
