package dev.portway.desktop.ui.live;

import atlantafx.base.theme.Styles;
import javafx.collections.ListChangeListener;
import javafx.collections.WeakListChangeListener;
import javafx.geometry.Pos;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

import java.util.List;

/** Latency p50/p95/p99 over the last two minutes and the throughput, for one profile. */
public final class LatencyChartView extends VBox {
    private final XYChart.Series<Number, Number> p50 = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> p95 = new XYChart.Series<>();
    private final XYChart.Series<Number, Number> p99 = new XYChart.Series<>();
    // Held here: the list holds only a weak reference, so a replaced view can be collected.
    private final ListChangeListener<LiveViewModel.LatencyPoint> onPoints = this::onPoints;

    public LatencyChartView(LiveViewModel vm) {
        getStyleClass().add("card-pane");
        setSpacing(6);
        Label title = new Label("Latency");
        title.getStyleClass().add(Styles.TITLE_4);
        Label totals = new Label();
        totals.textProperty().bind(vm.totalsProperty());
        totals.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        Label throughput = new Label();
        throughput.setId("throughput");
        throughput.textProperty().bind(vm.throughputProperty());
        throughput.getStyleClass().addAll(Styles.TITLE_3, "throughput");
        HBox header = new HBox(12, title, totals, grow, throughput);
        header.setAlignment(Pos.BASELINE_LEFT);

        NumberAxis x = new NumberAxis();
        x.setAutoRanging(false);
        x.setTickUnit(30);
        x.setMinorTickVisible(false);
        x.lowerBoundProperty().bind(vm.windowEndProperty().subtract(LiveViewModel.WINDOW.toSeconds()));
        x.upperBoundProperty().bind(vm.windowEndProperty());
        x.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number n) {
                // Ticks sit every 30 s from the left edge; snap so a tick drawn just before the window moved reads right.
                long ago = Math.round((vm.windowEndProperty().get() - n.doubleValue()) / 30.0) * 30;
                return ago <= 0 ? "now" : "-" + ago + " s";
            }

            @Override
            public Number fromString(String s) {
                return 0;
            }
        });
        NumberAxis y = new NumberAxis();
        y.setLabel("ms");
        y.setForceZeroInRange(true);
        y.setMinorTickVisible(false);
        LineChart<Number, Number> chart = new LineChart<>(x, y);
        chart.setId("latencyChart");
        chart.setAnimated(false);
        chart.setCreateSymbols(false);
        chart.setLegendSide(javafx.geometry.Side.TOP);
        chart.setHorizontalGridLinesVisible(true);
        chart.setVerticalGridLinesVisible(false);
        chart.setVerticalZeroLineVisible(false); // x = 0 is when the app started: meaningless to a person
        chart.setMinHeight(120);
        chart.setPrefHeight(165);
        p50.setName("p50");
        p95.setName("p95");
        p99.setName("p99");
        chart.getData().addAll(List.of(p50, p95, p99));
        for (LiveViewModel.LatencyPoint p : vm.points()) {
            append(p);
        }
        vm.points().addListener(new WeakListChangeListener<>(onPoints));
        getChildren().addAll(header, chart);
    }

    private void onPoints(ListChangeListener.Change<? extends LiveViewModel.LatencyPoint> c) {
        while (c.next()) {
            if (c.wasRemoved()) {
                for (XYChart.Series<Number, Number> s : List.of(p50, p95, p99)) {
                    s.getData().remove(c.getFrom(), c.getFrom() + c.getRemovedSize());
                }
            }
            if (c.wasAdded()) {
                c.getAddedSubList().forEach(this::append);
            }
        }
    }

    private void append(LiveViewModel.LatencyPoint p) {
        p50.getData().add(new XYChart.Data<>(p.t(), p.p50()));
        p95.getData().add(new XYChart.Data<>(p.t(), p.p95()));
        p99.getData().add(new XYChart.Data<>(p.t(), p.p99()));
    }
}
