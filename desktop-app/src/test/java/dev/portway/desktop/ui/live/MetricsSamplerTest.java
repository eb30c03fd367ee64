package dev.portway.desktop.ui.live;

import dev.portway.desktop.engine.RequestEvent;
import dev.portway.shared.protocol.ErrorCode;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class MetricsSamplerTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    static RequestEvent request(int n, long millis, int status) {
        return new RequestEvent("r" + n, "my-app", "GET", "/item/" + n, status, Duration.ofMillis(millis), 0, 100,
                null, null, T0.plusMillis(n));
    }

    @Test
    void percentilesAreNearestRankOverTheRequestsOfOneTick() {
        MetricsSampler s = new MetricsSampler();
        for (int ms = 100; ms >= 1; ms--) {
            s.record(request(ms, ms, 200));
        }
        MetricsSampler.Sample sample = s.sample(T0);
        assertThat(sample.count()).isEqualTo(100);
        assertThat(sample.p50Ms()).isEqualTo(50.0);
        assertThat(sample.p95Ms()).isEqualTo(95.0);
        assertThat(sample.p99Ms()).isEqualTo(99.0);
    }

    @Test
    void nextTickStartsAfreshAndHasNoPercentilesWithoutRequests() {
        MetricsSampler s = new MetricsSampler();
        s.record(request(1, 7, 200));
        s.sample(T0);
        MetricsSampler.Sample idle = s.sample(T0.plusMillis(500));
        assertThat(idle.count()).isZero();
        assertThat(idle.p99Ms()).isNaN();
        assertThat(idle.newRequests()).isEmpty();
        assertThat(idle.total()).isEqualTo(1);
    }

    @Test
    void throughputIsRequestsPerSecondOverTheLastFiveSeconds() {
        MetricsSampler s = new MetricsSampler();
        for (int i = 0; i < 10; i++) {
            s.record(request(i, 1, 200));
        }
        assertThat(s.sample(T0).perSecond()).isEqualTo(2.0);
        assertThat(s.sample(T0.plusSeconds(4)).perSecond()).isEqualTo(2.0);
        assertThat(s.sample(T0.plusSeconds(6)).perSecond()).isZero();
    }

    @Test
    void countsFailuresAndKeepsOnlyTheNewestEventsForTheInspector() {
        MetricsSampler s = new MetricsSampler();
        for (int i = 0; i < MetricsSampler.MAX_FRESH + 20; i++) {
            s.record(request(i, 1, i % 2 == 0 ? 200 : 502));
        }
        s.record(new RequestEvent("x", "my-app", "GET", "/", 0, Duration.ofMillis(3), 0, 0, ErrorCode.TARGET_UNREACHABLE,
                "refused", T0));
        MetricsSampler.Sample sample = s.sample(T0);
        assertThat(sample.newRequests()).hasSize(MetricsSampler.MAX_FRESH);
        assertThat(sample.newRequests().getLast().id()).isEqualTo("x");
        assertThat(sample.failed()).isEqualTo((MetricsSampler.MAX_FRESH + 20) / 2 + 1);
    }

    @Test
    void manyRequestsInOneTickAreSampledWithinBoundedMemory() {
        MetricsSampler s = new MetricsSampler();
        for (int i = 0; i < 20_000; i++) {
            s.record(request(i, i % 100 + 1, 200));
        }
        MetricsSampler.Sample sample = s.sample(T0);
        assertThat(sample.count()).isEqualTo(20_000);
        assertThat(sample.p50Ms()).isBetween(40.0, 60.0);
        assertThat(sample.p99Ms()).isBetween(95.0, 100.0);
    }

    @Test
    void samplesCarryBytesErrorsPerCategoryAndRttSinceTheLastTick() {
        MetricsSampler s = new MetricsSampler();
        s.stats().onRequest(new RequestEvent("a", "my-app", "POST", "/up", 200, Duration.ofMillis(3), 5000, 20, null, null, T0));
        s.stats().onRequest(new RequestEvent("b", "my-app", "GET", "/", 502, Duration.ofMillis(1), 0, 80,
                ErrorCode.TARGET_UNREACHABLE, "down", T0));
        s.stats().onTunnelRefused(null, ErrorCode.NAME_TAKEN, "taken");
        s.stats().onRtt(Duration.ofMillis(12));
        MetricsSampler.Sample first = s.sample(T0);
        assertThat(first.bytesIn()).isEqualTo(5000);
        assertThat(first.bytesOut()).isEqualTo(100);
        assertThat(first.errors()[dev.portway.shared.protocol.ErrorCategory.TARGET.ordinal()]).isEqualTo(1);
        assertThat(first.errors()[dev.portway.shared.protocol.ErrorCategory.CONFIG.ordinal()]).isEqualTo(1);
        assertThat(first.rttMs()).isEqualTo(12.0);

        MetricsSampler.Sample next = s.sample(T0.plusMillis(500));
        assertThat(next.bytesIn()).isZero();
        assertThat(next.errors()).containsOnly(0L);
        assertThat(next.rttMs()).as("the last RTT stays until the next heartbeat").isEqualTo(12.0);
    }
}
