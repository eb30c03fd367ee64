package dev.portway.desktop.ui.live;

import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * One profile's live numbers: the Overview {@link DashboardViewModel}, throughput, and the request
 * inspector (the last {@value #MAX_ROWS} requests, newest first, with a text filter). Fed by
 * {@link MetricsSampler.Sample}s a few times a second. FX thread only; no toolkit needed.
 */
public final class LiveViewModel {
    public static final int MAX_ROWS = 500;

    private final ZoneId zone;
    private final DashboardViewModel dashboard;
    private final StringProperty throughput = new SimpleStringProperty("0 req/s");
    private final StringProperty totals = new SimpleStringProperty("No requests yet");
    private final ObservableList<RequestRow> rows = FXCollections.observableArrayList();
    private final FilteredList<RequestRow> visibleRows = new FilteredList<>(rows);
    private final StringProperty filter = new SimpleStringProperty("");

    public LiveViewModel(Clock clock, ZoneId zone) {
        this.zone = zone;
        this.dashboard = new DashboardViewModel(clock);
        filter.addListener((o, was, now) -> {
            String f = now == null ? "" : now.strip().toLowerCase(Locale.ROOT);
            visibleRows.setPredicate(f.isEmpty() ? null : r -> r.matches(f));
        });
    }

    public void onSample(MetricsSampler.Sample s) {
        dashboard.onSample(s);
        throughput.set(s.perSecond() < 10 ? String.format(Locale.ROOT, "%.1f req/s", s.perSecond())
                : String.format(Locale.ROOT, "%.0f req/s", s.perSecond()));
        if (s.total() > 0) {
            totals.set(s.total() + (s.total() == 1 ? " request" : " requests") + " · " + s.failed() + " failed");
        }
        if (!s.newRequests().isEmpty()) {
            List<RequestRow> fresh = new ArrayList<>(s.newRequests().size());
            for (int i = s.newRequests().size() - 1; i >= 0; i--) {
                fresh.add(RequestRow.of(s.newRequests().get(i), zone));
            }
            if (fresh.size() > MAX_ROWS) {
                fresh = fresh.subList(0, MAX_ROWS);
            }
            int overflow = rows.size() + fresh.size() - MAX_ROWS;
            if (overflow > 0) {
                rows.remove(rows.size() - overflow, rows.size());
            }
            rows.addAll(0, fresh);
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

    /** All rows, newest first. */
    public ObservableList<RequestRow> rows() {
        return rows;
    }

    /** The rows that match {@link #filterProperty()}. */
    public ObservableList<RequestRow> visibleRows() {
        return visibleRows;
    }

    public StringProperty filterProperty() {
        return filter;
    }
}
