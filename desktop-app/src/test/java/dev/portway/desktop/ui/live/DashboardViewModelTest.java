package dev.portway.desktop.ui.live;

import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.metrics.Bucket;
import dev.portway.desktop.metrics.MutableClock;
import dev.portway.desktop.metrics.UptimeTimeline;
import dev.portway.shared.protocol.ErrorCategory;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

class DashboardViewModelTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private final MutableClock clock = new MutableClock(T0);
    private final DashboardViewModel vm = new DashboardViewModel(clock);

    private static MetricsSampler.Sample sample(Instant at, int count, double p50, double p99, long in, long out, long[] errors) {
        return new MetricsSampler.Sample(at, count, p50, p99, p99, 0, 0, 0, List.of(), in, out, errors, 0, Double.NaN);
    }

    private static long[] errors(ErrorCategory c, long n) {
        long[] e = new long[ErrorCategory.values().length];
        e[c.ordinal()] = n;
        return e;
    }

    private static long[] none() {
        return new long[ErrorCategory.values().length];
    }

    private DashboardViewModel.View feed(MetricsSampler.Sample s) {
        clock.set(s.at());
        vm.onSample(s);
        return vm.viewProperty().get();
    }

    @Test
    void fifteenMinutesShowTenSecondSlotsWithRatesPerSecond() {
        feed(sample(T0.plusSeconds(1), 10, 5, 9, 1000, 5000, none()));
        feed(sample(T0.plusSeconds(5), 10, 5, 9, 1000, 5000, none()));
        DashboardViewModel.View v = feed(sample(T0.plusSeconds(12), 5, 5, 9, 0, 0, none()));

        assertThat(v.range()).isEqualTo(DashboardViewModel.Range.MINUTES_15);
        assertThat(v.points()).hasSize(90);
        DashboardViewModel.Point full = v.points().get(88);
        assertThat(full.x()).isEqualTo(-12.0);
        assertThat(full.requestsPerSecond()).isEqualTo(2.0);
        assertThat(full.bytesInPerSecond()).isEqualTo(200.0);
        assertThat(full.bytesOutPerSecond()).isEqualTo(1000.0);
        DashboardViewModel.Point filling = v.points().getLast();
        assertThat(filling.x()).isEqualTo(-2.0);
        assertThat(filling.requestsPerSecond()).isEqualTo(2.5); // 5 requests in the 2 s of the slot so far
        assertThat(v.points().getFirst().requestsPerSecond()).isZero();
        assertThat(v.requests()).isEqualTo(25);
    }

    @Test
    void latencyOfASlotWeighsMediansAndKeepsTheWorstTail() {
        feed(sample(T0.plusSeconds(1), 10, 10, 100, 0, 0, none()));
        DashboardViewModel.View v = feed(sample(T0.plusSeconds(3), 30, 20, 50, 0, 0, none()));
        // No new slot has begun, so force a rebuild a second later with an idle tick.
        v = feed(sample(T0.plusSeconds(4), 0, Double.NaN, Double.NaN, 0, 0, none()));
        DashboardViewModel.Point p = v.points().getLast();
        assertThat(p.p50Ms()).isEqualTo(17.5);
        assertThat(p.p99Ms()).isEqualTo(100.0);
        assertThat(v.points().get(88).p50Ms()).isNaN(); // no request: no latency, not zero
    }

    @Test
    void errorsAreCountedPerCategoryPerSlot() {
        feed(sample(T0.plusSeconds(1), 1, 1, 1, 0, 0, errors(ErrorCategory.TARGET, 3)));
        feed(sample(T0.plusSeconds(2), 1, 1, 1, 0, 0, errors(ErrorCategory.AUTH, 1)));
        DashboardViewModel.View v = feed(sample(T0.plusSeconds(11), 1, 1, 1, 0, 0, errors(ErrorCategory.TARGET, 2)));

        assertThat(v.points().get(88).errors()).containsExactly(0, 1, 0, 0, 0, 3);
        assertThat(v.points().get(89).errors()).containsExactly(0, 0, 0, 0, 0, 2);
        assertThat(v.errors()).isEqualTo(6);
        assertThat(v.summary()).isEqualTo("3 requests · 6 errors · 0 reconnects");
    }

    @Test
    void longerRangesUseMinuteAndTenMinuteSlots() {
        for (int s = 0; s < 3600; s += 5) {
            feed(sample(T0.plusSeconds(s), 1, 1, 1, 0, 0, none()));
        }
        vm.rangeProperty().set(DashboardViewModel.Range.HOUR_1);
        DashboardViewModel.View hour = vm.viewProperty().get();
        assertThat(hour.points()).hasSize(60);
        assertThat(hour.points().get(58).requestsPerSecond()).isEqualTo(0.2);
        assertThat(hour.requests()).isEqualTo(720);

        vm.rangeProperty().set(DashboardViewModel.Range.HOURS_24);
        DashboardViewModel.View day = vm.viewProperty().get();
        assertThat(day.points()).hasSize(144);
        assertThat(day.requests()).isEqualTo(720);
        assertThat(day.points().get(142).requestsPerSecond()).isEqualTo(0.2);
    }

    @Test
    void bucketsStayBoundedOverMoreThanADay() {
        for (int s = 0; s < 26 * 3600; s += 10) {
            feed(sample(T0.plusSeconds(s), 1, 1, 1, 10, 10, none()));
        }
        int[] sizes = vm.sizes();
        assertThat(sizes[0]).isLessThanOrEqualTo(362);
        assertThat(sizes[1]).isLessThanOrEqualTo(1442);
    }

    @Test
    void uptimeCountsDownTimeButNotTimeDisconnected() {
        vm.onStatus(EngineState.CONNECTING, T0);
        vm.onStatus(EngineState.CONNECTED, T0.plusSeconds(1));
        vm.onStatus(EngineState.RECONNECTING, T0.plusSeconds(61));
        vm.onStatus(EngineState.CONNECTED, T0.plusSeconds(91));
        vm.onStatus(EngineState.DISCONNECTED, T0.plusSeconds(121));
        DashboardViewModel.View v = feed(sample(T0.plusSeconds(300), 0, Double.NaN, Double.NaN, 0, 0, none()));

        assertThat(v.uptime()).isEqualTo(0.75);
        assertThat(v.uptimeText()).isEqualTo("75.0 % up in the last 15 min");
        List<UptimeTimeline.Kind> kinds = new ArrayList<>();
        v.strip().forEach(s -> kinds.add(s.kind()));
        assertThat(kinds).containsExactly(null, UptimeTimeline.Kind.UP, UptimeTimeline.Kind.DOWN, UptimeTimeline.Kind.UP, null);
        DashboardViewModel.Segment down = v.strip().get(2);
        assertThat(down.from()).isCloseTo((900 - 300 + 61) / 900.0, within(2.0 / DashboardViewModel.STRIP_CELLS));
        assertThat(v.strip().getLast().to()).isEqualTo(1.0);
    }

    @Test
    void historyShowsOnTheLongerRangesAndInTheUptimeStrip() {
        clock.set(T0);
        List<Bucket> history = new ArrayList<>();
        for (int m = 40; m > 30; m--) {
            Bucket b = new Bucket(T0.minus(Duration.ofMinutes(m)), 60, errors(ErrorCategory.TARGET, 1), 100, 200,
                    5, 8, 9, 1.5, 60_000, 0, 0);
            history.add(b);
        }
        history.add(new Bucket(T0.minus(Duration.ofMinutes(30)), 0, errors(ErrorCategory.NETWORK, 4), 0, 0,
                Double.NaN, Double.NaN, Double.NaN, Double.NaN, 0, 60_000, 1));
        vm.loadHistory(history);

        vm.rangeProperty().set(DashboardViewModel.Range.HOUR_1);
        DashboardViewModel.View v = vm.viewProperty().get();
        assertThat(v.requests()).isEqualTo(600);
        assertThat(v.errors()).isEqualTo(14);
        assertThat(v.reconnects()).isEqualTo(1);
        assertThat(v.uptime()).isCloseTo(10 / 11.0, within(1e-9));
        assertThat(v.uptimeText()).isEqualTo("90.9 % up in the last 1 h");
        assertThat(v.points().get(59 - 35).p99Ms()).isEqualTo(9.0);
        assertThat(v.points().get(59 - 35).rttMs()).isEqualTo(1.5);
        assertThat(v.strip()).extracting(DashboardViewModel.Segment::kind)
                .containsExactly(null, UptimeTimeline.Kind.UP, UptimeTimeline.Kind.DOWN, null);

        vm.rangeProperty().set(DashboardViewModel.Range.MINUTES_15);
        assertThat(vm.viewProperty().get().requests()).isZero(); // older than 15 min
    }

    @Test
    void afterARestartTheFifteenMinuteViewShowsTheStoredMinutesAsTheHourViewDoes() {
        clock.set(T0);
        List<Bucket> history = new ArrayList<>();
        for (int m = 10; m > 5; m--) { // five minutes of traffic, ending five minutes ago, before the restart
            history.add(new Bucket(T0.minus(Duration.ofMinutes(m)), 45, errors(ErrorCategory.TARGET, 3), 600, 1200,
                    5, 8, 9, 1.5, 60_000, 0, 0));
        }
        vm.loadHistory(history);

        vm.rangeProperty().set(DashboardViewModel.Range.HOUR_1);
        DashboardViewModel.View hour = vm.viewProperty().get();
        vm.rangeProperty().set(DashboardViewModel.Range.MINUTES_15);
        DashboardViewModel.View quarter = vm.viewProperty().get();
        assertThat(hour.requests()).isEqualTo(225);
        assertThat(quarter.requests()).isEqualTo(hour.requests());
        assertThat(quarter.errors()).isEqualTo(hour.errors());
        // 45 requests in the minute that began 10 min ago: 0.75/s in each of its six 10-second slots.
        DashboardViewModel.Point tenMinutesAgo = quarter.points().get(89 - 60);
        assertThat(tenMinutesAgo.x()).isEqualTo(-600.0);
        assertThat(tenMinutesAgo.requestsPerSecond()).isEqualTo(0.75);
        assertThat(quarter.points().get(89 - 55).requestsPerSecond()).isEqualTo(0.75);
        assertThat(quarter.points().get(89 - 54).requestsPerSecond()).isEqualTo(0.75);
        assertThat(quarter.points().get(89 - 30).requestsPerSecond()).isZero();
        assertThat(tenMinutesAgo.p99Ms()).isEqualTo(9.0);
    }

    @Test
    void errorsAreARatePerMinuteInEveryRange() {
        feed(sample(T0.plusSeconds(1), 1, 1, 1, 0, 0, errors(ErrorCategory.TARGET, 3)));
        DashboardViewModel.View v = feed(sample(T0.plusSeconds(61), 1, 1, 1, 0, 0, none()));
        int target = ErrorCategory.TARGET.ordinal();
        // 3 errors in one 10-second slot: 18 a minute; the same 3 in a one-minute slot: 3 a minute.
        assertThat(v.points().get(89 - 6).errorsPerMinute()[target]).isEqualTo(18.0);
        vm.rangeProperty().set(DashboardViewModel.Range.HOUR_1);
        assertThat(vm.viewProperty().get().points().get(58).errorsPerMinute()[target]).isEqualTo(3.0);
        vm.rangeProperty().set(DashboardViewModel.Range.HOURS_24);
        assertThat(vm.viewProperty().get().points().get(143).errorsPerMinute()[target]).isCloseTo(3.0 * 60 / 61, within(1e-9));
    }

    @Test
    void fiveMinuteRangeShowsABurstAcrossSeveralSlots() {
        for (int s = 0; s < 20; s++) {
            feed(sample(T0.plusSeconds(280 + s), 50, 1, 1, 0, 0, none()));
        }
        vm.rangeProperty().set(DashboardViewModel.Range.MINUTES_5);
        DashboardViewModel.View v = vm.viewProperty().get();
        assertThat(v.points()).hasSize(30);
        assertThat(v.points().stream().filter(p -> p.requestsPerSecond() > 0).count()).isGreaterThanOrEqualTo(2);
        assertThat(v.requests()).isEqualTo(1000);
    }

    @Test
    void aPercentBelowOneHundredNeverReadsAsOneHundred() {
        assertThat(DashboardViewModel.percent(0.9996)).isEqualTo("99.9 %");
        assertThat(DashboardViewModel.percent(1.0)).isEqualTo("100 %");
        assertThat(DashboardViewModel.percent(0.5)).isEqualTo("50.0 %");
    }
}
