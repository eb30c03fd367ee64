package dev.portway.desktop.ui.live;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;

import java.time.Clock;
import java.util.Locale;

/**
 * One profile's live numbers: the Overview {@link DashboardViewModel}, throughput and totals (the requests
 * themselves are the inspector's). Fed by {@link MetricsSampler.Sample}s a few times a second. FX thread only;
 * no toolkit needed.
 */
public final class LiveViewModel {
    private final DashboardViewModel dashboard;
    private final StringProperty throughput = new SimpleStringProperty("0 req/s");
    private final StringProperty totals = new SimpleStringProperty("No requests yet");

    public LiveViewModel(Clock clock) {
        this.dashboard = new DashboardViewModel(clock);
    }

    public void onSample(MetricsSampler.Sample s) {
        dashboard.onSample(s);
        throughput.set(s.perSecond() < 10 ? String.format(Locale.ROOT, "%.1f req/s", s.perSecond())
                : String.format(Locale.ROOT, "%.0f req/s", s.perSecond()));
        if (s.total() > 0) {
            totals.set(s.total() + (s.total() == 1 ? " request" : " requests") + " · " + s.failed() + " failed");
        }
    }

    public DashboardViewModel dashboard() {
        return dashboard;
    }

    public ReadOnlyStringProperty throughputProperty() {
        return throughput;
    }

    public ReadOnlyStringProperty totalsProperty() {
        return totals;
    }
}
