package dev.portway.desktop.ui.live;

import dev.portway.desktop.metrics.UptimeTimeline;
import javafx.scene.layout.Region;

import java.util.List;

/**
 * A horizontal bar of connected (green), down (red) and off (background) stretches across the chosen range;
 * left is the start of the range, right is now. One child region per {@link DashboardViewModel.Segment}
 * (at most {@link DashboardViewModel#STRIP_CELLS}); colours come from the theme via CSS.
 */
final class UptimeStrip extends Region {
    private List<DashboardViewModel.Segment> segments = List.of();

    UptimeStrip() {
        getStyleClass().add("uptime-strip");
        setMinHeight(14);
        setPrefHeight(14);
    }

    void show(List<DashboardViewModel.Segment> all) {
        segments = all;
        getChildren().clear();
        for (DashboardViewModel.Segment s : all) {
            if (s.kind() == null) {
                continue;
            }
            Region r = new Region();
            r.getStyleClass().add(s.kind() == UptimeTimeline.Kind.UP ? "uptime-up" : "uptime-down");
            r.setUserData(s);
            getChildren().add(r);
        }
        requestLayout();
    }

    List<DashboardViewModel.Segment> segments() {
        return segments;
    }

    @Override
    protected void layoutChildren() {
        double w = getWidth() - snappedLeftInset() - snappedRightInset();
        double h = getHeight() - snappedTopInset() - snappedBottomInset();
        for (var n : getChildren()) {
            DashboardViewModel.Segment s = (DashboardViewModel.Segment) n.getUserData();
            double x = snapPositionX(snappedLeftInset() + s.from() * w);
            double right = snapPositionX(snappedLeftInset() + s.to() * w);
            // A short outage still shows: at least one pixel wide.
            n.resizeRelocate(x, snappedTopInset(), Math.max(1, right - x), h);
        }
    }
}
