package dev.portway.desktop.ui.live;

import atlantafx.base.theme.Styles;
import dev.portway.shared.protocol.ErrorCategory;
import javafx.beans.value.ChangeListener;
import javafx.beans.value.WeakChangeListener;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.chart.LineChart;
import javafx.scene.chart.NumberAxis;
import javafx.scene.chart.StackedAreaChart;
import javafx.scene.chart.XYChart;
import javafx.scene.control.Label;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.ToggleGroup;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.RowConstraints;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.ToDoubleFunction;

/**
 * The Overview tab: a range switch (15 min / 1 h / 24 h), uptime as a percentage and a strip, and four
 * charts — latency (p50/p95/p99 and heartbeat RTT), requests per second, bytes per second in and out, and
 * errors per category. Redrawn whenever the view model publishes a new {@link DashboardViewModel.View}
 * (at most once a second); each series holds one point per slot of the range, so it stays bounded.
 */
public final class DashboardView extends VBox {
    private final DashboardViewModel vm;
    private final List<NumberAxis> xAxes = new ArrayList<>();
    private final XYChart.Series<Number, Number> p50 = series("p50");
    private final XYChart.Series<Number, Number> p95 = series("p95");
    private final XYChart.Series<Number, Number> p99 = series("p99");
    private final XYChart.Series<Number, Number> rtt = series("heartbeat RTT");
    private final XYChart.Series<Number, Number> requests = series("requests/s");
    private final XYChart.Series<Number, Number> bytesIn = series("in (from visitors)");
    private final XYChart.Series<Number, Number> bytesOut = series("out (to visitors)");
    private final List<XYChart.Series<Number, Number>> errors = new ArrayList<>();
    private final UptimeStrip strip = new UptimeStrip();
    private final Label uptime = new Label();
    private final Label summary = new Label();
    private final Label stripStart = new Label();
    // Held here: the property holds only a weak reference, so a replaced view can be collected.
    private final ChangeListener<DashboardViewModel.View> onView = (o, was, now) -> show(now);

    public DashboardView(LiveViewModel live) {
        this.vm = live.dashboard();
        setId("dashboard");
        setSpacing(10);

        uptime.setId("uptimeText");
        uptime.getStyleClass().add(Styles.TITLE_4);
        summary.setId("dashboardSummary");
        summary.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        Label throughput = new Label();
        throughput.setId("throughput");
        throughput.textProperty().bind(live.throughputProperty());
        throughput.getStyleClass().addAll(Styles.TEXT_BOLD, "throughput");
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        Node ranges = rangeSwitch();
        HBox header = new HBox(12, uptime, summary, grow, ranges);
        // The words give way (cut with "…", whole in the view model) before the range buttons do.
        uptime.setMinWidth(0);
        summary.setMinWidth(0);
        ((Region) ranges).setMinWidth(Region.USE_PREF_SIZE);
        header.setAlignment(Pos.CENTER_LEFT);

        stripStart.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        Label now = new Label("now");
        now.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        HBox.setHgrow(strip, Priority.ALWAYS);
        strip.setId("uptimeStrip");
        HBox stripRow = new HBox(8, stripStart, strip, now);
        stripRow.setAlignment(Pos.CENTER);

        GridPane grid = new GridPane();
        grid.setHgap(10);
        grid.setVgap(10);
        for (int i = 0; i < 2; i++) {
            ColumnConstraints c = new ColumnConstraints();
            c.setPercentWidth(50);
            grid.getColumnConstraints().add(c);
            RowConstraints r = new RowConstraints();
            r.setVgrow(Priority.ALWAYS);
            r.setPercentHeight(50);
            grid.getRowConstraints().add(r);
        }
        LineChart<Number, Number> latency = line("latencyChart", "ms", null, p50, p95, p99, rtt);
        LineChart<Number, Number> perSecond = line("requestsChart", "per s", null, requests);
        LineChart<Number, Number> bytes = line("bytesChart", null, BYTES, bytesIn, bytesOut);
        for (ErrorCategory c : ErrorCategory.values()) {
            errors.add(series(c == ErrorCategory.TARGET ? "local app" : c.wireName()));
        }
        StackedAreaChart<Number, Number> errorChart = errorChart();
        grid.add(card("Latency", latency, "chart-line-symbol", null), 0, 0);
        grid.add(card("Requests", perSecond, "chart-line-symbol", throughput), 1, 0);
        grid.add(card("Bytes", bytes, "chart-line-symbol", null), 0, 1);
        grid.add(card("Errors per minute", errorChart, "chart-area-symbol", null), 1, 1);
        // Enough height for four readable charts; the Overview scrolls when the window is smaller than that.
        grid.setMinHeight(420);
        VBox.setVgrow(grid, Priority.ALWAYS);

        hover.setId("chartHover");
        hover.getStyleClass().addAll(Styles.TEXT_SMALL, "chart-hover");
        hover.setMinHeight(Region.USE_PREF_SIZE);
        hoverOn(latency, p -> "latency p50 " + ms(p.p50Ms()) + " · p95 " + ms(p.p95Ms()) + " · p99 " + ms(p.p99Ms())
                + " · heartbeat " + ms(p.rttMs()));
        hoverOn(perSecond, p -> String.format(Locale.ROOT, "%.2f requests/s", p.requestsPerSecond()));
        hoverOn(bytes, p -> "in " + BYTES.toString(p.bytesInPerSecond()) + " · out " + BYTES.toString(p.bytesOutPerSecond()));
        hoverOn(errorChart, this::errorText);

        getChildren().addAll(header, stripRow, hover, grid);
        vm.viewProperty().addListener(new WeakChangeListener<>(onView));
        show(vm.viewProperty().get());
    }

    /** What the pointer is over on a chart: the slot's time and its values; a hint while it is over none. */
    private final Label hover = new Label(HOVER_HINT);
    private static final String HOVER_HINT = "Point at a chart to read its values.";

    private void hoverOn(XYChart<Number, Number> chart, java.util.function.Function<DashboardViewModel.Point, String> text) {
        chart.setOnMouseMoved(e -> {
            NumberAxis x = (NumberAxis) chart.getXAxis();
            javafx.geometry.Point2D at = x.sceneToLocal(e.getSceneX(), e.getSceneY());
            if (at == null || at.getX() < 0 || at.getX() > x.getWidth()) {
                hover.setText(HOVER_HINT);
                return;
            }
            DashboardViewModel.Point p = nearest(x.getValueForDisplay(at.getX()).doubleValue());
            hover.setText(p == null ? HOVER_HINT : ago(-p.x()) + ": " + text.apply(p));
        });
        chart.setOnMouseExited(e -> hover.setText(HOVER_HINT));
    }

    /** The slot of the view now that contains second {@code x} (zero or negative), or the nearest. */
    private DashboardViewModel.Point nearest(double x) {
        DashboardViewModel.View v = vm.viewProperty().get();
        if (v == null || v.points().isEmpty()) {
            return null;
        }
        DashboardViewModel.Point best = v.points().getFirst();
        for (DashboardViewModel.Point p : v.points()) {
            if (p.x() <= x) {
                best = p;
            }
        }
        return best;
    }

    private String errorText(DashboardViewModel.Point p) {
        StringBuilder b = new StringBuilder();
        double total = 0;
        for (ErrorCategory c : ErrorCategory.values()) {
            double n = p.errorsPerMinute()[c.ordinal()];
            total += n;
            if (n > 0) {
                b.append(" · ").append(c == ErrorCategory.TARGET ? "local app" : c.wireName()).append(' ').append(perMinute(n));
            }
        }
        return perMinute(total) + " errors/min" + b;
    }

    static String perMinute(double n) {
        return n == Math.rint(n) ? String.valueOf((long) n) : String.format(Locale.ROOT, "%.1f", n);
    }

    private static String ms(double v) {
        return Double.isNaN(v) ? "—" : String.format(Locale.ROOT, v < 10 ? "%.1f ms" : "%.0f ms", v);
    }

    /**
     * The Overview as the tab shows it: the dashboard fills the tab when there is room and scrolls when the window is
     * too small for four readable charts (they were clipped at 800×600).
     */
    public static javafx.scene.control.ScrollPane scrolling(LiveViewModel live) {
        javafx.scene.control.ScrollPane scroll = new javafx.scene.control.ScrollPane(new DashboardView(live));
        scroll.setId("overviewScroll");
        scroll.setFitToWidth(true);
        scroll.setFitToHeight(true);
        scroll.setHbarPolicy(javafx.scene.control.ScrollPane.ScrollBarPolicy.NEVER);
        scroll.getStyleClass().add("edge-to-edge");
        return scroll;
    }

    private Node rangeSwitch() {
        ToggleGroup group = new ToggleGroup();
        HBox box = new HBox();
        for (DashboardViewModel.Range r : DashboardViewModel.Range.values()) {
            ToggleButton b = new ToggleButton(r.label());
            b.setId("range-" + r.name());
            b.setToggleGroup(group);
            b.setUserData(r);
            b.setSelected(vm.rangeProperty().get() == r);
            b.getStyleClass().add(Styles.SMALL);
            if (r.ordinal() == 0) {
                b.getStyleClass().add(Styles.LEFT_PILL);
            } else if (r.ordinal() == DashboardViewModel.Range.values().length - 1) {
                b.getStyleClass().add(Styles.RIGHT_PILL);
            } else {
                b.getStyleClass().add(Styles.CENTER_PILL);
            }
            box.getChildren().add(b);
        }
        group.selectedToggleProperty().addListener((o, was, now) -> {
            if (now == null) {
                was.setSelected(true); // one range is always chosen
            } else {
                vm.rangeProperty().set((DashboardViewModel.Range) now.getUserData());
            }
        });
        return box;
    }

    /**
     * A chart with its title and its own legend above it. JavaFX hides a chart's built-in legend whenever the
     * plot would be left under 150 px or so — always, in a 2x2 grid — so the legend lives outside the chart,
     * with symbols styled like the chart's own ({@code default-colorN}, from the theme).
     */
    private static VBox card(String title, XYChart<Number, Number> chart, String symbolClass, Node right) {
        Label t = new Label(title);
        t.getStyleClass().add(Styles.TEXT_BOLD);
        t.setMinWidth(Region.USE_PREF_SIZE);
        javafx.scene.layout.FlowPane legend = new javafx.scene.layout.FlowPane(10, 2);
        legend.getStyleClass().add("dashboard-legend");
        for (int i = 0; i < chart.getData().size(); i++) {
            Region symbol = new Region();
            symbol.getStyleClass().addAll(symbolClass, "series" + i, "default-color" + (i % 8), "legend-symbol");
            Label item = new Label(chart.getData().get(i).getName(), symbol);
            item.getStyleClass().addAll(Styles.TEXT_SMALL, "dashboard-legend-item");
            legend.getChildren().add(item);
        }
        HBox.setHgrow(legend, Priority.ALWAYS);
        HBox head = new HBox(10, t, legend);
        head.setAlignment(Pos.CENTER_LEFT);
        if (right != null) {
            if (right instanceof Region r) {
                r.setMinWidth(Region.USE_PREF_SIZE);
            }
            head.getChildren().add(right);
        }
        VBox card = new VBox(2, head, chart);
        card.getStyleClass().addAll("card-pane", "chart-card");
        VBox.setVgrow(chart, Priority.ALWAYS);
        card.setMinHeight(0);
        return card;
    }

    @SafeVarargs
    private LineChart<Number, Number> line(String id, String yLabel, StringConverter<Number> yFormat,
                                           XYChart.Series<Number, Number>... all) {
        NumberAxis y = new NumberAxis();
        y.setLabel(yLabel);
        y.setForceZeroInRange(true);
        y.setMinorTickVisible(false);
        if (yFormat != null) {
            y.setTickLabelFormatter(yFormat);
        }
        LineChart<Number, Number> chart = new LineChart<>(xAxis(), y);
        chart.setCreateSymbols(false);
        style(chart, id);
        chart.getData().addAll(List.of(all));
        return chart;
    }

    private StackedAreaChart<Number, Number> errorChart() {
        NumberAxis y = new NumberAxis();
        // One unit in every range: errors per minute (a count per slot meant something else in each range).
        y.setLabel("per min");
        y.setForceZeroInRange(true);
        y.setMinorTickVisible(false);
        y.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number n) {
                return perMinute(n.doubleValue());
            }

            @Override
            public Number fromString(String s) {
                return 0;
            }
        });
        StackedAreaChart<Number, Number> chart = new StackedAreaChart<>(xAxis(), y);
        chart.setCreateSymbols(false);
        style(chart, "errorsChart");
        chart.getData().addAll(errors);
        return chart;
    }

    private static void style(XYChart<Number, Number> chart, String id) {
        chart.setId(id);
        chart.setAnimated(false);
        chart.setLegendVisible(false); // see card()
        chart.setHorizontalGridLinesVisible(true);
        chart.setVerticalGridLinesVisible(false);
        chart.setVerticalZeroLineVisible(false);
        // Small enough that the 2x2 grid fits the window's minimum height; the rows share what there is.
        chart.setMinHeight(90);
        chart.setPrefHeight(200);
    }

    private NumberAxis xAxis() {
        NumberAxis x = new NumberAxis();
        x.setAutoRanging(false);
        x.setMinorTickVisible(false);
        x.setTickLabelFormatter(new StringConverter<>() {
            @Override
            public String toString(Number n) {
                return ago(-n.doubleValue());
            }

            @Override
            public Number fromString(String s) {
                return 0;
            }
        });
        xAxes.add(x);
        return x;
    }

    /** "now", "-3 min", "-4 h": ticks sit on whole multiples of the range's tick unit. */
    static String ago(double seconds) {
        long s = Math.round(seconds);
        if (s <= 0) {
            return "now";
        }
        return s < 3600 ? "-" + Math.round(s / 60.0) + " min" : "-" + Math.round(s / 3600.0) + " h";
    }

    private void show(DashboardViewModel.View v) {
        if (v == null) {
            return;
        }
        double span = v.range().span().toSeconds();
        for (NumberAxis x : xAxes) {
            x.setLowerBound(-span);
            x.setUpperBound(0);
            x.setTickUnit(v.range().tick().toSeconds());
        }
        uptime.setText(v.uptimeText());
        summary.setText(v.summary());
        stripStart.setText(ago(span));
        strip.show(v.strip());

        set(p50, v.points(), DashboardViewModel.Point::p50Ms);
        set(p95, v.points(), DashboardViewModel.Point::p95Ms);
        set(p99, v.points(), DashboardViewModel.Point::p99Ms);
        set(rtt, v.points(), DashboardViewModel.Point::rttMs);
        set(requests, v.points(), DashboardViewModel.Point::requestsPerSecond);
        set(bytesIn, v.points(), DashboardViewModel.Point::bytesInPerSecond);
        set(bytesOut, v.points(), DashboardViewModel.Point::bytesOutPerSecond);
        for (int c = 0; c < errors.size(); c++) {
            int category = c;
            set(errors.get(c), v.points(), p -> p.errorsPerMinute()[category]);
        }
    }

    /** One point per slot; slots without a value (NaN: no request in it) are left out, not drawn as 0. */
    private static void set(XYChart.Series<Number, Number> s, List<DashboardViewModel.Point> points,
                            ToDoubleFunction<DashboardViewModel.Point> value) {
        List<XYChart.Data<Number, Number>> data = new ArrayList<>(points.size());
        for (DashboardViewModel.Point p : points) {
            double y = value.applyAsDouble(p);
            if (!Double.isNaN(y)) {
                data.add(new XYChart.Data<>(p.x(), y));
            }
        }
        s.getData().setAll(data);
    }

    private static XYChart.Series<Number, Number> series(String name) {
        XYChart.Series<Number, Number> s = new XYChart.Series<>();
        s.setName(name);
        return s;
    }

    private static final StringConverter<Number> BYTES = new StringConverter<>() {
        @Override
        public String toString(Number n) {
            double b = n.doubleValue();
            if (b < 1024) {
                return String.format(Locale.ROOT, "%.0f B/s", b);
            }
            if (b < 1024 * 1024) {
                return String.format(Locale.ROOT, "%.0f KiB/s", b / 1024);
            }
            return String.format(Locale.ROOT, "%.1f MiB/s", b / (1024 * 1024));
        }

        @Override
        public Number fromString(String s) {
            return 0;
        }
    };
}
