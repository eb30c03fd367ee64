package dev.portway.desktop.ui.live;

import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.stream.IntStream;

import static dev.portway.desktop.ui.live.MetricsSamplerTest.request;
import static org.assertj.core.api.Assertions.assertThat;

class LiveViewModelTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    private static MetricsSampler.Sample sample(Instant at, int requests, int firstId) {
        MetricsSampler s = new MetricsSampler();
        IntStream.range(firstId, firstId + requests).forEach(i -> s.record(request(i, 5, i % 7 == 0 ? 404 : 200)));
        return s.sample(at);
    }

    @Test
    void totalsCountRequestsAndFailures() {
        LiveViewModel vm = new LiveViewModel(Clock.fixed(T0, ZoneOffset.UTC));
        vm.onSample(sample(T0.plusSeconds(1), 400, 0));
        vm.onSample(sample(T0.plusSeconds(2), 300, 400));
        assertThat(vm.totalsProperty().get()).isEqualTo("300 requests · 0 failed");
    }

    @Test
    void samplesFeedTheDashboardAndTheThroughputLine() {
        LiveViewModel vm = new LiveViewModel(Clock.fixed(T0, ZoneOffset.UTC));
        vm.onSample(sample(T0.plusSeconds(10), 3, 0));
        vm.onSample(sample(T0.plusSeconds(11), 0, 0));
        vm.onSample(sample(T0.plusSeconds(200), 3, 0));
        assertThat(vm.dashboard().viewProperty().get().requests()).isEqualTo(6);
        assertThat(vm.throughputProperty().get()).isEqualTo("0.6 req/s");
    }

    @Test
    void rowsSayWhatAPersonReads() {
        RequestRow row = RequestRow.of(request(3, 12, 200), ZoneOffset.UTC);
        assertThat(List.of(row.time(), row.method(), row.path(), row.status(), row.duration(), row.size()))
                .containsExactly("10:00:00.003", "GET", "/item/3", "200", "12 ms", "100 B");
        assertThat(RequestRow.bytes(1536)).isEqualTo("1.5 KiB");
    }
}
