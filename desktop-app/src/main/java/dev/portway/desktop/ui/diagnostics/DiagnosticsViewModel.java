package dev.portway.desktop.ui.diagnostics;

import dev.portway.desktop.diagnostics.Check;
import dev.portway.desktop.diagnostics.DiagnosticReport;
import dev.portway.desktop.diagnostics.StepResult;
import dev.portway.desktop.profiles.Profile;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.beans.property.BooleanProperty;
import javafx.beans.property.ReadOnlyBooleanProperty;
import javafx.beans.property.ReadOnlyStringProperty;
import javafx.beans.property.SimpleBooleanProperty;
import javafx.beans.property.SimpleStringProperty;
import javafx.beans.property.StringProperty;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

import java.time.Clock;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.function.Consumer;
import java.util.function.Supplier;

/**
 * The Diagnostics tab of one profile: one row per step, filled in as the steps finish, a summary line, and the
 * plain-text report for Copy. FX thread only; no toolkit needed.
 */
public final class DiagnosticsViewModel {
    private final Supplier<Profile> profile;
    private final DiagnosticsService service;
    private final Consumer<String> clipboard;
    private final Clock clock;
    private final ObservableList<StepRow> rows = FXCollections.observableArrayList();
    private final BooleanProperty running = new SimpleBooleanProperty();
    private final StringProperty summary = new SimpleStringProperty("Checks the relay and your local service, step by step.");
    private final StringProperty feedback = new SimpleStringProperty("");
    private final BooleanBinding hasReport;
    private String report = "";

    public DiagnosticsViewModel(Supplier<Profile> profile, DiagnosticsService service, Consumer<String> clipboard, Clock clock) {
        this.profile = profile;
        this.service = service;
        this.clipboard = clipboard;
        this.clock = clock;
        reset();
        hasReport = Bindings.createBooleanBinding(() -> !running.get() && !report.isEmpty(), running, summary);
    }

    private void reset() {
        rows.setAll(Arrays.stream(Check.values()).map(StepRow::waiting).toList());
    }

    /** Starts a run unless one is under way; returns at once. */
    public void run() {
        if (running.get()) {
            return;
        }
        Profile p = profile.get();
        running.set(true);
        feedback.set("");
        report = "";
        reset();
        rows.set(0, StepRow.running(Check.values()[0]));
        summary.set("Checking “" + p.name() + "”…");
        service.run(p, this::onStep).whenComplete((run, error) -> {
            running.set(false);
            if (error != null) {
                Throwable cause = error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
                summary.set("Diagnostics could not run: " + cause.getMessage());
                return;
            }
            report = DiagnosticReport.format(service.app(), clock.instant(), summaryOf(p), run.target(), run.steps());
            List<StepResult> failed = run.steps().stream().filter(s -> s.outcome() == StepResult.Outcome.FAIL).toList();
            summary.set(failed.isEmpty() ? "All checks passed."
                    : "Failed: " + String.join(", ", failed.stream().map(s -> s.check().title()).toList())
                    + ". The hint under each step says what to do.");
        });
    }

    private void onStep(StepResult r) {
        int i = r.check().ordinal();
        rows.set(i, StepRow.of(r));
        if (i + 1 < rows.size()) {
            rows.set(i + 1, StepRow.running(Check.values()[i + 1]));
        }
    }

    /** The profile for the report, never its token. */
    static String summaryOf(Profile p) {
        return "“" + p.name() + "”, " + (p.kind() == Profile.Kind.FOLDER ? "folder" : p.kind().wire()) + " → " + p.localTarget() + ", relay "
                + (p.relayMode() == Profile.RelayMode.EMBEDDED ? "embedded" : p.relayUrl())
                + (p.options().isEmpty() ? "" : ", options " + String.join(", ", p.options().keySet().stream().sorted().toList()));
    }

    public void copyReport() {
        if (!report.isEmpty()) {
            clipboard.accept(report);
            feedback.set("Report copied — paste it into your bug report.");
        }
    }

    /** The last finished run as plain text; empty before the first one ends. */
    public String report() {
        return report;
    }

    public ObservableList<StepRow> rows() {
        return rows;
    }

    public ReadOnlyBooleanProperty runningProperty() {
        return running;
    }

    public ReadOnlyStringProperty summaryProperty() {
        return summary;
    }

    public ReadOnlyStringProperty feedbackProperty() {
        return feedback;
    }

    public BooleanBinding hasReportBinding() {
        return hasReport;
    }
}
