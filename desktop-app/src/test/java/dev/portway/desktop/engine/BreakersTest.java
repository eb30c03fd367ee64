package dev.portway.desktop.engine;

import dev.portway.shared.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class BreakersTest {
    private final List<String> changes = new CopyOnWriteArrayList<>();
    private final Breakers breakers = new Breakers(new BreakerPolicy(3, Duration.ofMillis(200)), (t, s) -> changes.add(t + " " + s));

    @Test
    void opensAfterConsecutiveFailuresThenLetsOneTrialThroughAndClosesOnItsSuccess() {
        fail(2);
        breakers.record("Hooks", false); // a success in between resets the count
        fail(2);
        assertThat(breakers.state("hooks")).isEqualTo("closed");

        fail(1);
        assertThat(changes).containsExactly("hooks open");
        assertThat(breakers.tryAcquire("hooks")).isFalse();

        await().atMost(Duration.ofSeconds(5)).until(() -> breakers.tryAcquire("hooks"));
        assertThat(changes).containsExactly("hooks open", "hooks half_open");
        assertThat(breakers.tryAcquire("hooks")).as("only one trial at a time").isFalse();

        breakers.record("hooks", false);
        assertThat(changes).containsExactly("hooks open", "hooks half_open", "hooks closed");
        assertThat(breakers.tryAcquire("hooks")).isTrue();
    }

    @Test
    void aFailedTrialOpensItAgain() {
        fail(3);
        await().atMost(Duration.ofSeconds(5)).until(() -> breakers.tryAcquire("hooks"));
        breakers.record("hooks", true);

        assertThat(breakers.state("hooks")).isEqualTo("open");
        assertThat(changes).containsExactly("hooks open", "hooks half_open", "hooks open");
    }

    @Test
    void tunnelsHaveTheirOwnBreakers() {
        fail(3);
        assertThat(breakers.tryAcquire("other")).isTrue();
    }

    @Test
    void onlyRefusedTimedOutOrBrokenBeforeAnAnswerCountNotTheAppsOwnAnswersRefusalsOrAVisitorLeaving() {
        assertThat(Breakers.isFailure(ErrorCode.TARGET_UNREACHABLE, 0)).isTrue();
        assertThat(Breakers.isFailure(ErrorCode.TARGET_TIMEOUT, 0)).isTrue();
        assertThat(Breakers.isFailure(ErrorCode.TARGET_ERROR, 0)).as("reset or closed before a response").isTrue();
        assertThat(Breakers.isFailure(ErrorCode.TARGET_ERROR, 200)).as("a response the app cut short").isFalse();
        assertThat(Breakers.isFailure(null, 503)).as("the app's own 5xx answer").isFalse();
        assertThat(Breakers.isFailure(null, 500)).isFalse();
        assertThat(Breakers.isFailure(null, 404)).isFalse();
        assertThat(Breakers.isFailure(ErrorCode.PROTOCOL_ERROR, 0)).as("a malformed request Portway refused").isFalse();
        assertThat(Breakers.isFailure(ErrorCode.CANCEL, 0)).isFalse();
        assertThat(Breakers.isFailure(null, 0)).as("a TCP connection that completed").isFalse();
    }

    private void fail(int n) {
        for (int i = 0; i < n; i++) {
            assertThat(breakers.tryAcquire("hooks")).isTrue();
            breakers.record("hooks", true);
        }
    }
}
