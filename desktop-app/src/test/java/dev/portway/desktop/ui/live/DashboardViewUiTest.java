package dev.portway.desktop.ui.live;

import atlantafx.base.theme.PrimerLight;
import dev.portway.desktop.DesktopApp;
import dev.portway.desktop.engine.EngineState;
import dev.portway.desktop.metrics.MutableClock;
import javafx.application.Application;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.testfx.api.FxRobot;
import org.testfx.api.FxToolkit;
import org.testfx.util.WaitForAsyncUtils;

import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Objects;

import static org.assertj.core.api.Assertions.assertThat;

/** The Overview dashboard at a window's minimum size, on the headless glass platform. */
@Tag("ui")
class DashboardViewUiTest {
    private static final Instant T0 = Instant.parse("2026-01-01T10:00:00Z");
    private final FxRobot robot = new FxRobot();
    private final MutableClock clock = new MutableClock(T0);
    private LiveViewModel live;

    @BeforeEach
    void show() throws Exception {
        live = new LiveViewModel(clock);
        FxToolkit.registerPrimaryStage();
        FxToolkit.setupStage(stage -> {
            Application.setUserAgentStylesheet(new PrimerLight().getUserAgentStylesheet());
            // About what the Overview tab gets in the smallest window the app allows (760 px: the sidebar folds).
            Scene scene = new Scene(new StackPane(DashboardView.scrolling(live)), 700, 330);
            scene.getStylesheets().add(Objects.requireNonNull(DesktopApp.class.getResource("ui/portway.css")).toExternalForm());
            stage.setScene(scene);
            stage.show();
        });
        WaitForAsyncUtils.waitForFxEvents();
    }

    @AfterEach
    void stop() throws Exception {
        FxToolkit.cleanupStages();
    }

    @Test
    void everyChartHasAVisibleLegendEvenWhenSmall() {
        List<String> names = robot.lookup(".dashboard-legend-item").queryAllAs(Label.class).stream()
                .filter(Node::isVisible).filter(l -> l.getWidth() > 0 && l.getHeight() > 0).map(Label::getText).toList();
        assertThat(names).containsExactly("p50", "p95", "p99", "heartbeat RTT", "requests/s", "in (from visitors)",
                "out (to visitors)", "network", "auth", "config", "server", "protocol", "local app");
    }

    @Test
    void rangeButtonsSwitchTheChartsAndTheStripFollowsTheState() {
        robot.interact(() -> {
            live.dashboard().onStatus(EngineState.CONNECTED, T0);
            clock.set(T0.plusSeconds(120));
            live.dashboard().onStatus(EngineState.RECONNECTING, clock.instant());
            clock.set(T0.plusSeconds(180));
            live.onSample(new MetricsSampler.Sample(clock.instant(), 0, Double.NaN, Double.NaN, Double.NaN, 0, 0, 0, List.of()));
        });
        assertThat(robot.lookup("#uptimeText").queryAs(Label.class).getText()).isEqualTo("66.6 % up in the last 15 min");
        List<String> strip = robot.lookup("#uptimeStrip").queryAs(Region.class).getChildrenUnmodifiable().stream()
                .map(n -> n.getStyleClass().getFirst()).toList();
        assertThat(strip).containsExactly("uptime-up", "uptime-down");

        robot.clickOn("#range-HOURS_24");
        assertThat(live.dashboard().rangeProperty().get()).isEqualTo(DashboardViewModel.Range.HOURS_24);
        XYChart<?, ?> requests = robot.lookup("#requestsChart").queryAs(XYChart.class);
        assertThat(requests.getData().getFirst().getData()).hasSize(144);
        assertThat(robot.lookup("#uptimeText").queryAs(Label.class).getText()).isEqualTo("66.6 % up in the last 24 h");
    }

    @Test
    void pointingAtAChartReadsTheValuesOfTheSlotUnderThePointer() {
        robot.interact(() -> {
            for (int t = 0; t <= 900; t += 10) {
                clock.set(T0.plusSeconds(t));
                live.onSample(new MetricsSampler.Sample(clock.instant(), 20, 4, 9, 9, 0, 0, 0, List.of()));
            }
        });
        Label hover = robot.lookup("#chartHover").queryAs(Label.class);
        assertThat(hover.getText()).isEqualTo("Point at a chart to read its values.");
        robot.moveTo("#requestsChart");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(hover.getText()).matches("-\\d+ min: 2\\.00 requests/s");
        robot.moveTo("#latencyChart");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(hover.getText()).contains("p50 4.0 ms").contains("p99 9.0 ms");
        robot.interact(() -> robot.lookup("#overviewScroll").queryAs(javafx.scene.control.ScrollPane.class).setVvalue(1));
        WaitForAsyncUtils.waitForFxEvents();
        robot.moveTo("#errorsChart");
        WaitForAsyncUtils.waitForFxEvents();
        assertThat(hover.getText()).contains("0 errors/min");
    }
}
