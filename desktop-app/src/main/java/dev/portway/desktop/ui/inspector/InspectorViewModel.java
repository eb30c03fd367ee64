package dev.portway.desktop.ui.inspector;

import dev.portway.desktop.engine.CapturedExchange;
import dev.portway.desktop.engine.RequestEvent;
import dev.portway.desktop.history.HistoryEntry;
import dev.portway.desktop.history.RequestHistory;
import dev.portway.desktop.profiles.Profile;
import dev.portway.desktop.ui.live.MetricsSampler;
import dev.portway.desktop.ui.live.RequestRow;
import dev.portway.shared.protocol.Header;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.binding.StringBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import javafx.collections.transformation.FilteredList;

import java.time.ZoneId;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Executor;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * One profile's request inspector: the last requests (newest first, at most {@value #MAX_ROWS} and
 * {@value #MAX_BODY_BYTES} bytes of captured bodies), a filter, the selected request's details, and the commands
 * Replay, Edit and replay, Copy as curl and Clear history. Fed by {@link MetricsSampler.Sample}s a few times a
 * second; loads the profile's history when made and hands every new request to it in one batch per sample.
 * FX thread only; no toolkit needed.
 */
public final class InspectorViewModel {
    public static final int MAX_ROWS = 500;
    public static final long MAX_BODY_BYTES = 16L * 1024 * 1024;

    private final Supplier<Profile> profile;
    private final RequestHistory history;
    private final Replayer replayer;
    private final Executor fx;
    private final Consumer<String> clipboard;
    private final ZoneId zone;
    private final CaptureLimit captureLimit;
    private final InspectorLayout layout;

    private final ObservableList<Exchange> rows = FXCollections.observableArrayList();
    private final FilteredList<Exchange> visibleRows = new FilteredList<>(rows);
    private final StringProperty filter = new SimpleStringProperty("");
    private final ObjectProperty<Exchange> selected = new SimpleObjectProperty<>();
    private final StringProperty requestLine = new SimpleStringProperty("");
    private final StringProperty requestHeaders = new SimpleStringProperty("");
    private final ObjectProperty<BodyText.Rendered> requestBody = new SimpleObjectProperty<>(BodyText.render(
            dev.portway.desktop.engine.CapturedBody.EMPTY, List.of()));
    private final StringProperty responseLine = new SimpleStringProperty("");
    private final StringProperty responseHeaders = new SimpleStringProperty("");
    private final ObjectProperty<BodyText.Rendered> responseBody = new SimpleObjectProperty<>(requestBody.get());
    private final StringProperty feedback = new SimpleStringProperty("");
    private final ObservableList<Header> requestHeaderRows = FXCollections.observableArrayList();
    private final ObservableList<Header> responseHeaderRows = FXCollections.observableArrayList();
    private final BooleanProperty follow = new SimpleBooleanProperty(true);
    /** Requests that came while {@link #followProperty()} was off, oldest first; they join the table when it is on again. */
    private final List<HistoryEntry> pending = new ArrayList<>();
    private final IntegerProperty pendingCount = new SimpleIntegerProperty();
    private final StringBinding countText;
    private final StringBinding emptyText;
    private final BooleanBinding canReplay;
    private final javafx.beans.binding.StringBinding whyNoReplay;
    private long bodyBytes;

    /**
     * @param profile   the profile now (its local target may change when edited)
     * @param clipboard puts text on the system clipboard
     */
    public InspectorViewModel(Supplier<Profile> profile, RequestHistory history, Replayer replayer, Executor fx,
                              Consumer<String> clipboard, ZoneId zone) {
        this(profile, history, replayer, fx, clipboard, zone, new CaptureLimit(dev.portway.desktop.engine.EngineConfig.DEFAULT_CAPTURE_LIMIT, n -> {
        }));
    }

    /** @param captureLimit the app's capture setting, shown and changed in the inspector */
    public InspectorViewModel(Supplier<Profile> profile, RequestHistory history, Replayer replayer, Executor fx,
                              Consumer<String> clipboard, ZoneId zone, CaptureLimit captureLimit) {
        this(profile, history, replayer, fx, clipboard, zone, captureLimit, InspectorLayout.inMemory());
    }

    /** @param layout the app's remembered divider position, shared by every profile's inspector */
    public InspectorViewModel(Supplier<Profile> profile, RequestHistory history, Replayer replayer, Executor fx,
                              Consumer<String> clipboard, ZoneId zone, CaptureLimit captureLimit, InspectorLayout layout) {
        this.captureLimit = captureLimit;
        this.layout = layout;
        this.profile = profile;
        this.history = history;
        this.replayer = replayer;
        this.fx = fx;
        this.clipboard = clipboard;
        this.zone = zone;
        filter.addListener((o, was, now) -> {
            String f = now == null ? "" : now.strip().toLowerCase(Locale.ROOT);
            visibleRows.setPredicate(f.isEmpty() ? null : x -> x.matches(f));
        });
        // A request the filter hides is not shown in the detail either: the detail always belongs to a visible row.
        visibleRows.addListener((javafx.collections.ListChangeListener<Exchange>) c -> {
            if (selected.get() != null && !visibleRows.contains(selected.get())) {
                selected.set(null);
            }
        });
        countText = Bindings.createStringBinding(() -> {
            String n = rows.size() + (rows.size() == 1 ? " request" : " requests");
            return filterText().isEmpty() ? n : visibleRows.size() + " of " + n;
        }, rows, visibleRows, filter);
        emptyText = Bindings.createStringBinding(() -> filterText().isEmpty()
                ? "No requests yet. Open the public URL and each request shows up here."
                : "No requests match “" + filterText() + "”.", filter);
        follow.addListener((o, was, now) -> {
            if (now && !pending.isEmpty()) {
                List<HistoryEntry> flush = new ArrayList<>(pending);
                pending.clear();
                pendingCount.set(0);
                addNewest(flush);
            }
        });
        selected.addListener((o, was, now) -> showDetail(now));
        canReplay = Bindings.createBooleanBinding(() -> selected.get() != null && selected.get().captured(), selected);
        whyNoReplay = Bindings.createStringBinding(() -> whyNoReplay(selected.get(), profile.get().kind()), selected);
        history.load(profile.get().id()).whenComplete((older, error) -> {
            if (older != null) {
                addOlder(older);
            }
        });
    }

    /** The requests finished since the previous sample join the top of the table, and the history. */
    public void onSample(MetricsSampler.Sample s) {
        if (s.newRequests().isEmpty()) {
            return;
        }
        List<HistoryEntry> batch = new ArrayList<>(s.newRequests().size());
        for (RequestEvent e : s.newRequests()) {
            batch.add(new HistoryEntry(e, false));
        }
        if (follow.get()) {
            addNewest(batch);
        } else {
            pending.addAll(batch);
            if (pending.size() > MAX_ROWS) {
                pending.subList(0, pending.size() - MAX_ROWS).clear();
            }
            pendingCount.set(pending.size());
        }
        history.append(profile.get().id(), batch);
    }

    /** Newest entries (given oldest first) go on top; the oldest rows go when a bound is reached. */
    private void addNewest(List<HistoryEntry> oldestFirst) {
        List<Exchange> fresh = new ArrayList<>(oldestFirst.size());
        for (int i = oldestFirst.size() - 1; i >= 0 && fresh.size() < MAX_ROWS; i--) {
            Exchange x = new Exchange(oldestFirst.get(i).event(), oldestFirst.get(i).replay());
            fresh.add(x);
            bodyBytes += x.capturedBytes();
        }
        rows.addAll(0, fresh);
        int keep = rows.size();
        while (keep > 1 && (keep > MAX_ROWS || bodyBytes > MAX_BODY_BYTES)) {
            keep--;
            bodyBytes -= rows.get(keep).capturedBytes();
        }
        if (keep < rows.size()) {
            rows.remove(keep, rows.size());
        }
    }

    /** Entries from the history (newest first) go below what is there, as long as the bounds allow. */
    private void addOlder(List<HistoryEntry> newestFirst) {
        List<Exchange> older = new ArrayList<>();
        for (HistoryEntry h : newestFirst) {
            Exchange x = new Exchange(h.event(), h.replay());
            if (rows.size() + older.size() >= MAX_ROWS || bodyBytes + x.capturedBytes() > MAX_BODY_BYTES) {
                break;
            }
            older.add(x);
            bodyBytes += x.capturedBytes();
        }
        rows.addAll(older);
    }

    private void showDetail(Exchange x) {
        if (x == null) {
            requestLine.set("");
            responseLine.set("");
            requestHeaders.set("");
            responseHeaders.set("");
            requestBody.set(BodyText.render(dev.portway.desktop.engine.CapturedBody.EMPTY, List.of()));
            responseBody.set(requestBody.get());
            requestHeaderRows.clear();
            responseHeaderRows.clear();
            return;
        }
        RequestEvent e = x.event();
        CapturedExchange c = x.capture();
        requestLine.set(e.method() + " " + e.path() + (x.replay() ? "   · replayed to the local target" : ""));
        requestHeaders.set(x.captured() ? lines(c.requestHeaders()) : "Nothing captured for this " + (e.method().equals("TCP") ? "connection." : "request."));
        requestHeaderRows.setAll(c.requestHeaders());
        responseHeaderRows.setAll(c.responseHeaders());
        requestBody.set(BodyText.render(c.requestBody(), c.requestHeaders()));
        String took = e.duration() == null ? "" : " · " + x.row(zone).duration();
        int visitor = RequestRow.visitorStatus(e);
        if (e.error() != null) {
            String got = e.status() > 0 ? e.status() + " " + c.reason() + " · "
                    : visitor > 0 ? visitor + " from the relay · " : "";
            responseLine.set(got + "failed: " + e.errorMessage());
        } else {
            responseLine.set((e.status() == 0 ? "—" : e.status() + " " + c.reason()).strip() + took);
        }
        responseHeaders.set(lines(c.responseHeaders()));
        responseBody.set(BodyText.render(c.responseBody(), c.responseHeaders()));
    }

    private static String lines(List<Header> headers) {
        StringBuilder b = new StringBuilder();
        for (Header h : headers) {
            b.append(h.name()).append(": ").append(h.value()).append('\n');
        }
        return b.toString();
    }

    /**
     * Sends the selected request again, as it was sent, to the profile's local target (not through the relay).
     * Returns false and says why when it cannot be sent as it was (a body cut by the capture: use Edit and replay).
     */
    public boolean replay() {
        Exchange x = selected.get();
        if (x == null) {
            return false;
        }
        String why = ReplayRequest.whyNotAsSent(x);
        if (why != null) {
            feedback.set(why);
            return false;
        }
        send(ReplayRequest.asSent(x));
        return true;
    }

    /** The editor for "Edit and replay", filled from the selected request; null when none is selected. */
    public EditReplayViewModel editReplay() {
        Exchange x = selected.get();
        return x == null || !x.captured() ? null : new EditReplayViewModel(x);
    }

    /** Sends an edited request; its result shows up as a new row marked replay. */
    public void send(ReplayRequest r) {
        Profile p = profile.get();
        String target = p.localHost() + ":" + p.localPort();
        feedback.set("Replaying " + r.method() + " " + r.path() + " to " + target + "…");
        replayer.send(r, p.requestedName(), p.localHost(), p.localPort(),
                dev.portway.desktop.engine.TunnelSpec.HOST_HEADER_REWRITE.equals(p.options().get(dev.portway.desktop.engine.TunnelSpec.OPTION_HOST_HEADER)))
                .whenCompleteAsync((event, error) -> {
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                feedback.set(cause.getMessage());
                return;
            }
            HistoryEntry entry = new HistoryEntry(event, true);
            addNewest(List.of(entry));
            history.append(p.id(), List.of(entry));
            feedback.set(event.error() != null ? "Replay failed: " + event.errorMessage()
                    : "Replayed " + r.method() + " " + r.path() + ": " + event.status() + " " + event.exchange().reason()
                    + " in " + RequestRow.of(event, zone).duration() + ".");
        }, fx);
    }

    /** Copies a curl command for the selected request at the public URL it came in on. */
    public void copyCurl() {
        Exchange x = selected.get();
        if (x == null || !x.captured()) {
            return;
        }
        String base = CurlCommand.publicBase(x.capture());
        if (base == null) {
            feedback.set("This request has no Host header to build the public URL from — use Copy as curl (local target).");
            return;
        }
        clipboard.accept(CurlCommand.of(x.event().method(), x.event().path(), x.capture(), base));
        feedback.set("Copied a curl command for " + base + ".");
    }

    /** Copies a curl command for the selected request sent straight to the local target. */
    public void copyCurlLocal() {
        Exchange x = selected.get();
        if (x == null || !x.captured()) {
            return;
        }
        Profile p = profile.get();
        String base = "http://" + p.localHost() + ":" + p.localPort();
        clipboard.accept(CurlCommand.of(x.event().method(), x.event().path(), x.capture(), base));
        feedback.set("Copied a curl command for " + base + ".");
    }

    /** Forgets every request of this profile, here and in the saved history. */
    public void clearHistory() {
        rows.clear();
        pending.clear();
        pendingCount.set(0);
        bodyBytes = 0;
        selected.set(null);
        history.clear(profile.get().id()).whenComplete((v, error) ->
                feedback.set(error == null ? "History cleared." : "Could not clear the saved history: " + error.getMessage()));
    }

    /**
     * Writes the rows the filter shows, oldest first, as a HAR 1.2 file on a thread of its own, and says how it went
     * in {@link #feedbackProperty()}.
     *
     * @return completes on the FX executor once the file is written or the feedback says why not
     */
    public java.util.concurrent.CompletableFuture<Void> exportHar(java.nio.file.Path file) {
        List<Exchange> oldestFirst = new ArrayList<>(visibleRows);
        java.util.Collections.reverse(oldestFirst);
        Profile p = profile.get();
        String fallback = "http://" + p.localHost() + ":" + p.localPort();
        java.util.concurrent.CompletableFuture<Void> done = new java.util.concurrent.CompletableFuture<>();
        Thread.ofVirtual().name("portway-har-export").start(() -> {
            String said;
            try {
                HarExport.write(file, oldestFirst, fallback, dev.portway.desktop.diagnostics.AppInfo.buildVersion());
                said = "Exported " + oldestFirst.size() + (oldestFirst.size() == 1 ? " request" : " requests") + " to " + file.getFileName() + ".";
            } catch (java.io.IOException | RuntimeException e) {
                said = "Could not write " + file + ": " + e.getMessage() + " — choose a folder you can write to.";
            }
            String message = said;
            fx.execute(() -> {
                feedback.set(message);
                done.complete(null);
            });
        });
        return done;
    }

    /** Whether new requests join the top of the table as they come (on) or wait until it is turned on again (off). */
    public BooleanProperty followProperty() {
        return follow;
    }

    /** How many requests are waiting while {@link #followProperty()} is off. */
    public ReadOnlyIntegerProperty pendingCountProperty() {
        return pendingCount;
    }

    /** "3 requests", or with a filter "1 of 3 requests". */
    public StringBinding countTextBinding() {
        return countText;
    }

    /** What an empty table says: nothing came yet, or nothing matches the filter. */
    public StringBinding emptyTextBinding() {
        return emptyText;
    }

    /** The selected request's headers, one row each, as they passed. */
    public ObservableList<Header> requestHeaderRows() {
        return requestHeaderRows;
    }

    public ObservableList<Header> responseHeaderRows() {
        return responseHeaderRows;
    }

    private String filterText() {
        return filter.get() == null ? "" : filter.get().strip();
    }

    /** All rows, newest first. */
    public ObservableList<Exchange> rows() {
        return rows;
    }

    /** The rows that match {@link #filterProperty()}. */
    public ObservableList<Exchange> visibleRows() {
        return visibleRows;
    }

    public StringProperty filterProperty() {
        return filter;
    }

    public ObjectProperty<Exchange> selectedProperty() {
        return selected;
    }

    public ReadOnlyStringProperty requestLineProperty() {
        return requestLine;
    }

    public ReadOnlyStringProperty requestHeadersProperty() {
        return requestHeaders;
    }

    public ObjectProperty<BodyText.Rendered> requestBodyProperty() {
        return requestBody;
    }

    public ReadOnlyStringProperty responseLineProperty() {
        return responseLine;
    }

    public ReadOnlyStringProperty responseHeadersProperty() {
        return responseHeaders;
    }

    public ObjectProperty<BodyText.Rendered> responseBodyProperty() {
        return responseBody;
    }

    /** What the last command did or why it could not; empty at first. */
    public ReadOnlyStringProperty feedbackProperty() {
        return feedback;
    }

    /** Whether a request with captured headers is selected (Replay, Edit and replay, Copy as curl). */
    public BooleanBinding canReplayBinding() {
        return canReplay;
    }

    /** Why Replay, Edit and replay and Copy as curl are greyed out, for their tooltip; empty while they are not. */
    public javafx.beans.binding.StringBinding whyNoReplayBinding() {
        return whyNoReplay;
    }

    static String whyNoReplay(Exchange x, Profile.Kind kind) {
        if (x == null) {
            return "Select a request to replay it or copy it as curl.";
        }
        if (kind == Profile.Kind.FOLDER) {
            return "Portway serves this folder itself: open the address in a browser to ask again.";
        }
        if (x.captured()) {
            return "";
        }
        if (kind == Profile.Kind.TCP) {
            return "A TCP connection has no HTTP request to send again.";
        }
        if (x.event().error() != null) {
            String answer = x.event().status() > 0 ? " (" + x.event().status() + ")" : "";
            return "Portway answered this request itself" + answer + " and it never reached your app, so nothing of it was kept to send again.";
        }
        return "Nothing of this request was kept, so there is nothing to send again.";
    }

    /** The app's capture setting (bytes of each body kept; 0 = headers only). */
    public CaptureLimit captureLimit() {
        return captureLimit;
    }

    /** The app's divider position between list and detail. */
    public InspectorLayout layout() {
        return layout;
    }

    public ZoneId zone() {
        return zone;
    }
}
