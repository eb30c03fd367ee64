package dev.portway.desktop.engine;

import dev.failsafe.Failsafe;
import dev.failsafe.RetryPolicy;
import dev.portway.shared.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ReconnectPolicyTest {

    @Test
    void defaultsDoubleFromTwoSecondsUpToAMinute() {
        ReconnectPolicy p = ReconnectPolicy.defaults();

        assertThat(List.of(1, 2, 3, 4, 5, 6, 7, 10).stream().map(p::nominalDelay).map(Duration::toSeconds).toList())
                .containsExactly(2L, 4L, 8L, 16L, 32L, 60L, 60L, 60L);
        assertThat(p.maxAttempts()).isEqualTo(10);
        assertThat(p.jitter()).isEqualTo(0.3);
    }

    @Test
    void failsafePolicyCarriesTheBackoffJitterAndAttempts() {
        RetryPolicy<Object> policy = Reconnect.policy(ReconnectPolicy.defaults(), (a, d) -> { });

        assertThat(policy.getConfig().getDelay()).isEqualTo(Duration.ofSeconds(2));
        assertThat(policy.getConfig().getMaxDelay()).isEqualTo(Duration.ofSeconds(60));
        assertThat(policy.getConfig().getDelayFactor()).isEqualTo(2.0);
        assertThat(policy.getConfig().getJitterFactor()).isEqualTo(0.3);
        assertThat(policy.getConfig().getMaxAttempts()).isEqualTo(10);
        assertThat(Reconnect.policy(new ReconnectPolicy(Duration.ofSeconds(1), 2, 0, Duration.ofSeconds(5), -1), (a, d) -> { })
                .getConfig().getMaxRetries()).isEqualTo(-1);
    }

    @Test
    void retriesWithGrowingDelaysThenGivesUp() {
        ReconnectPolicy p = new ReconnectPolicy(Duration.ofMillis(10), 2, 0, Duration.ofMillis(30), 4);
        List<Duration> delays = new ArrayList<>();
        List<Integer> attempts = new ArrayList<>();
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> Failsafe.with(Reconnect.<Object>policy(p, (a, d) -> {
            attempts.add(a);
            delays.add(d);
        })).get(() -> {
            calls.incrementAndGet();
            throw ConnectFailure.network("down");
        })).isInstanceOf(ConnectFailure.class).hasMessage("down");

        assertThat(calls).hasValue(4);
        assertThat(attempts).containsExactly(2, 3, 4);
        assertThat(delays).containsExactly(Duration.ofMillis(10), Duration.ofMillis(20), Duration.ofMillis(30));
    }

    @Test
    void badTokenIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> Failsafe.with(Reconnect.<Object>policy(ReconnectPolicy.defaults(), (a, d) -> { })).get(() -> {
            calls.incrementAndGet();
            throw ConnectFailure.refused(ErrorCode.BAD_TOKEN, "wrong token");
        })).isInstanceOf(ConnectFailure.class);

        assertThat(calls).hasValue(1);
    }

    @Test
    void unsupportedVersionIsNotRetried() {
        AtomicInteger calls = new AtomicInteger();

        assertThatThrownBy(() -> Failsafe.with(Reconnect.<Object>policy(ReconnectPolicy.defaults(), (a, d) -> { })).get(() -> {
            calls.incrementAndGet();
            throw ConnectFailure.refused(ErrorCode.UNSUPPORTED_VERSION, "Relay speaks protocol 2, this app speaks 1 — update Portway.");
        })).isInstanceOf(ConnectFailure.class).satisfies(e -> {
            assertThat(((ConnectFailure) e).category).isEqualTo(dev.portway.shared.protocol.ErrorCategory.PROTOCOL);
            assertThat(((ConnectFailure) e).fatal).isTrue();
        });

        assertThat(calls).hasValue(1);
    }

    @Test
    void foreverKeepsRetryingPastAnyCount() {
        ReconnectPolicy p = new ReconnectPolicy(Duration.ofMillis(1), 1, 0, Duration.ofMillis(1), -1);
        AtomicInteger calls = new AtomicInteger();

        String result = Failsafe.with(Reconnect.<String>policy(p, (a, d) -> { })).get(() -> {
            if (calls.incrementAndGet() < 50) {
                throw ConnectFailure.network("down");
            }
            return "up";
        });

        assertThat(result).isEqualTo("up");
        assertThat(calls).hasValue(50);
    }

    @Test
    void rejectsNonsense() {
        assertThatThrownBy(() -> new ReconnectPolicy(Duration.ofSeconds(5), 2, 0.3, Duration.ofSeconds(1), 3))
                .isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> new ReconnectPolicy(Duration.ofSeconds(1), 2, 0.3, Duration.ofSeconds(5), 0))
                .isInstanceOf(IllegalArgumentException.class);
    }
}
