package dev.portway.desktop.ui.queue;

import dev.portway.desktop.engine.QueuedRequest;
import dev.portway.desktop.engine.RelayQueueStatus;
import javafx.beans.property.IntegerProperty;
import javafx.beans.property.ObjectProperty;
import javafx.beans.property.ReadOnlyIntegerProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleIntegerProperty;
import javafx.beans.property.SimpleObjectProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Clock;
import java.time.ZoneId;
import java.util.List;
import java.util.concurrent.CompletionStage;

/**
 * One profile's client queue: the webhook deliveries the relay handed over that the local app has not accepted
 * yet, the relay's own queue level, and commands to retry or discard. FX thread only; no toolkit needed.
 *
 * <p>The list is read again when the engine reports a change; reports that arrive while a read is under way
 * are folded into one more read after it, so a burst of changes costs at most two reads.
 */
public final class QueueViewModel {
    private final QueueOperations ops;
    private final Clock clock;
    private final ZoneId zone;
    private final ObservableList<QueueRow> rows = FXCollections.observableArrayList();
    private final ObjectProperty<QueueRow> selected = new SimpleObjectProperty<>();
    private final IntegerProperty count = new SimpleIntegerProperty();
    private final StringProperty relayWarning = new SimpleStringProperty("");
    private final StringProperty relayWarningTitle = new SimpleStringProperty("");
    private final StringProperty breaker = new SimpleStringProperty("");
    private final StringProperty problem = new SimpleStringProperty("");
    private final StringProperty relayWaiting = new SimpleStringProperty("");
    /** The count comes from {@link #onRelayWaiting} (the embedded relay, polled) rather than queue_status. */
    private boolean followed;
    private boolean reading;
    private boolean readAgain;

    public QueueViewModel(QueueOperations ops, Clock clock, ZoneId zone) {
        this.ops = ops;
        this.clock = clock;
        this.zone = zone;
    }

    /** Reads the queue (off the FX thread); a read already under way is followed by one more. */
    public void refresh() {
        if (reading) {
            readAgain = true;
            return;
        }
        reading = true;
        ops.list().whenComplete((list, error) -> {
            reading = false;
            if (error != null) {
                problem.set("Could not read the queue: " + messageOf(error));
            } else {
                show(list);
            }
            if (readAgain) {
                readAgain = false;
                refresh();
            }
        });
    }

    private void show(List<QueuedRequest> list) {
        String keep = selected.get() == null ? null : selected.get().deliveryId();
        var now = clock.instant();
        rows.setAll(list.stream().map(r -> QueueRow.of(r, now, zone)).toList());
        count.set(rows.size());
        selected.set(rows.stream().filter(r -> r.deliveryId().equals(keep)).findFirst().orElse(null));
    }

    public void retrySelected() {
        QueueRow row = selected.get();
        if (row != null) {
            run(ops.retryNow(row.deliveryId()), "retry");
        }
    }

    /** Discards the selected request (the view has asked the person first). */
    public void discardSelected() {
        QueueRow row = selected.get();
        if (row != null) {
            run(ops.discard(row.deliveryId()), "discard");
        }
    }

    public void retryAll() {
        run(ops.retryAll(), "retry");
    }

    /** Discards every queued request (the view has asked the person first). */
    public void discardAll() {
        run(ops.discardAll(), "discard");
    }

    private void run(CompletionStage<Void> stage, String verb) {
        stage.whenComplete((ok, error) -> {
            if (error != null) {
                problem.set("Could not " + verb + ": " + messageOf(error));
            } else {
                problem.set("");
                refresh();
            }
        });
    }

    // ---- engine events (FX thread)

    /** The engine's queue size changed (already coalesced by the engine). */
    public void onQueueChanged(int size) {
        count.set(size);
        refresh();
    }

    /** How many requests the relay keeps for this profile's tunnel right now (its durable queue). */
    public void onRelayWaiting(int n) {
        followed = true;
        relayWaiting.set(waitingText(n));
    }

    static String waitingText(int n) {
        return n <= 0 ? "" : n + (n == 1 ? " request waits" : " requests wait") + " at the relay; they are delivered here once connected.";
    }

    public void onRelayQueue(RelayQueueStatus s) {
        if (!followed) { // queue_status counts only at bind and level changes; a followed count stays current
            relayWaiting.set(waitingText(s.count()));
        }
        relayWarning.set(warningFor(s));
        relayWarningTitle.set(switch (s.level()) {
            case "full" -> "Relay queue full";
            case "pressure" -> "Relay queue filling up";
            default -> "";
        });
    }

    public void onBreaker(String tunnel, String state) {
        breaker.set(switch (state) {
            case "open" -> "Deliveries to your local app are paused: it kept failing. Portway tries again shortly.";
            case "half_open" -> "Trying one delivery to see whether your local app has recovered…";
            default -> "";
        });
    }

    /** Forgets the relay's level and the breaker, e.g. when the profile disconnects. */
    public void reset() {
        relayWarning.set("");
        relayWarningTitle.set("");
        breaker.set("");
        refresh();
    }

    static String warningFor(RelayQueueStatus s) {
        return switch (s.level()) {
            case "full" -> "The relay's queue for “" + s.tunnel() + "” is full (" + s.count() + " requests): new webhooks"
                    + " are turned away with 503 until queued ones reach your app. Start your local app, or discard requests.";
            case "pressure" -> "The relay's queue for “" + s.tunnel() + "” is " + percent(s) + " % full (" + s.count()
                    + " requests). When it is full, new webhooks are turned away with 503 — start your local app so it drains.";
            default -> "";
        };
    }

    private static long percent(RelayQueueStatus s) {
        double byCount = s.maxCount() > 0 ? (double) s.count() / s.maxCount() : 0;
        double byBytes = s.maxBytes() > 0 ? (double) s.bytes() / s.maxBytes() : 0;
        return Math.round(Math.max(byCount, byBytes) * 100);
    }

    private static String messageOf(Throwable error) {
        Throwable cause = error instanceof java.util.concurrent.CompletionException && error.getCause() != null ? error.getCause() : error;
        return cause.getMessage() != null ? cause.getMessage() : cause.toString();
    }

    // ---- properties

    public ObservableList<QueueRow> rows() {
        return rows;
    }

    public ObjectProperty<QueueRow> selectedProperty() {
        return selected;
    }

    /** How many requests wait in the client queue (the badge). */
    public ReadOnlyIntegerProperty countProperty() {
        return count;
    }

    /** What the relay's queue level means, in words; empty when it is ok. */
    public ReadOnlyStringProperty relayWarningProperty() {
        return relayWarning;
    }

    /** A heading for {@link #relayWarningProperty()}. */
    public ReadOnlyStringProperty relayWarningTitleProperty() {
        return relayWarningTitle;
    }

    /** "3 requests wait at the relay…" (queue_status, or the embedded relay's queue); empty when none. */
    public ReadOnlyStringProperty relayWaitingProperty() {
        return relayWaiting;
    }

    /** Whether delivery to the local app is paused by the circuit breaker, in words; empty when not. */
    public ReadOnlyStringProperty breakerProperty() {
        return breaker;
    }

    /** What went wrong with the last command, in words; empty when nothing. */
    public ReadOnlyStringProperty problemProperty() {
        return problem;
    }
}
