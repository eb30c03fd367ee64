package dev.portway.desktop.metrics;

import dev.portway.desktop.engine.EngineState;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static dev.portway.desktop.metrics.UptimeTimeline.Kind.DOWN;
import static dev.portway.desktop.metrics.UptimeTimeline.Kind.UP;
import static org.assertj.core.api.Assertions.assertThat;

class UptimeTimelineTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");

    private static Instant at(int seconds) {
        return T0.plusSeconds(seconds);
    }

    @Test
    void reconnectingAndFailedCountAsDownConnectingAndDisconnectedAsOff() {
        UptimeTimeline t = new UptimeTimeline(Duration.ofHours(24));
        t.state(EngineState.CONNECTING, at(0));
        t.state(EngineState.CONNECTED, at(10));
        t.state(EngineState.RECONNECTING, at(70));
        t.state(EngineState.FAILED, at(90));
        t.state(EngineState.DISCONNECTED, at(100));
        t.state(EngineState.CONNECTED, at(200));

        UptimeTimeline.Uptime u = t.uptime(at(0), at(260));
        assertThat(u.upMillis()).isEqualTo(120_000);  // 10..70 and 200..260
        assertThat(u.downMillis()).isEqualTo(30_000); // 70..100: reconnecting then failed, one period
        assertThat(u.ratio()).isEqualTo(0.8);
        assertThat(t.periods(at(0), at(260))).containsExactly(
                new UptimeTimeline.Period(at(10), at(70), UP),
                new UptimeTimeline.Period(at(70), at(100), DOWN),
                new UptimeTimeline.Period(at(200), at(260), UP));
    }

    @Test
    void anAppRestartIsAGapNotAnOutage() {
        UptimeTimeline before = new UptimeTimeline(Duration.ofHours(24));
        before.state(EngineState.CONNECTED, at(0));
        before.stop(at(60)); // the app closes while connected

        UptimeTimeline after = new UptimeTimeline(Duration.ofHours(24));
        for (UptimeTimeline.Period p : before.periods(at(0), at(60))) {
            after.addHistory(p.from(), p.to(), p.kind());
        }
        after.state(EngineState.CONNECTED, at(600)); // started again ten minutes later

        UptimeTimeline.Uptime u = after.uptime(at(0), at(660));
        assertThat(u.upMillis()).isEqualTo(120_000);
        assertThat(u.downMillis()).isZero();
        assertThat(u.ratio()).isEqualTo(1.0);
        assertThat(after.periods(at(0), at(660))).hasSize(2);
    }

    @Test
    void neverObservedHasNoRatio() {
        UptimeTimeline t = new UptimeTimeline(Duration.ofHours(1));
        t.state(EngineState.DISCONNECTED, at(0));
        assertThat(t.uptime(at(0), at(100)).ratio()).isNaN();
    }

    @Test
    void periodsAreClippedToTheWindowAndTheOpenOneRunsToItsEnd() {
        UptimeTimeline t = new UptimeTimeline(Duration.ofHours(1));
        t.state(EngineState.RECONNECTING, at(0));
        t.state(EngineState.CONNECTED, at(100));
        assertThat(t.periods(at(50), at(130))).containsExactly(
                new UptimeTimeline.Period(at(50), at(100), DOWN),
                new UptimeTimeline.Period(at(100), at(130), UP));
        assertThat(t.uptime(at(50), at(130)).upMillis()).isEqualTo(30_000);
    }

    @Test
    void historyNeverOverlapsLiveDataAndTouchingPeriodsMerge() {
        UptimeTimeline t = new UptimeTimeline(Duration.ofHours(24));
        t.state(EngineState.CONNECTED, at(120));
        t.addHistory(at(0), at(60), UP);
        t.addHistory(at(60), at(180), UP); // the last stored minute overlaps the live start: clipped to 120
        assertThat(t.periods(at(0), at(200))).containsExactly(
                new UptimeTimeline.Period(at(0), at(120), UP),
                new UptimeTimeline.Period(at(120), at(200), UP));
        assertThat(t.uptime(at(0), at(200)).upMillis()).isEqualTo(200_000);
    }

    @Test
    void oldPeriodsAreDroppedAndFlappingStaysBounded() {
        UptimeTimeline t = new UptimeTimeline(Duration.ofHours(24));
        for (int i = 0; i < 30_000; i++) {
            t.state(i % 2 == 0 ? EngineState.CONNECTED : EngineState.RECONNECTING, at(i));
        }
        assertThat(t.size()).isLessThanOrEqualTo(10_001);

        UptimeTimeline day = new UptimeTimeline(Duration.ofHours(1));
        day.state(EngineState.CONNECTED, at(0));
        day.state(EngineState.RECONNECTING, at(60));
        day.state(EngineState.CONNECTED, at(7200));
        day.state(EngineState.RECONNECTING, at(7300));
        assertThat(day.periods(at(0), at(7400))).extracting(UptimeTimeline.Period::from).containsExactly(at(60), at(7200), at(7300));
    }
}
