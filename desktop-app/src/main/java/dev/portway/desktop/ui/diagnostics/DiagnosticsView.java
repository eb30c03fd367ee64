package dev.portway.desktop.ui.diagnostics;

import atlantafx.base.theme.Styles;
import dev.portway.desktop.ui.common.Icons;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;
import org.kordamp.ikonli.javafx.FontIcon;

/** The Diagnostics tab: Run / Copy report, the summary, and one line per step with its detail and hint. */
public final class DiagnosticsView extends VBox {
    private final VBox steps = new VBox(2);

    public DiagnosticsView(DiagnosticsViewModel vm) {
        getStyleClass().add("diagnostics-view");
        setSpacing(10);
        setPadding(new Insets(12, 4, 4, 4));

        Button run = new Button("Run diagnostics", Icons.of(Feather.PLAY_CIRCLE));
        run.setId("runDiagnostics");
        run.getStyleClass().add(Styles.ACCENT);
        run.disableProperty().bind(vm.runningProperty());
        run.setOnAction(e -> vm.run());
        Button copy = new Button("Copy report", Icons.of(Feather.CLIPBOARD));
        copy.setId("copyDiagnostics");
        copy.getStyleClass().add(Styles.BUTTON_OUTLINED);
        copy.disableProperty().bind(vm.hasReportBinding().not());
        copy.setOnAction(e -> vm.copyReport());
        Label summary = new Label();
        summary.setId("diagnosticsSummary");
        summary.textProperty().bind(vm.summaryProperty());
        summary.setWrapText(true);
        Label feedback = new Label();
        feedback.textProperty().bind(vm.feedbackProperty());
        feedback.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.SUCCESS);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox bar = new HBox(10, run, copy, feedback, grow);
        bar.setAlignment(Pos.CENTER_LEFT);

        vm.rows().addListener((ListChangeListener<StepRow>) c -> render(vm));
        render(vm);
        ScrollPane scroll = new ScrollPane(steps);
        scroll.setFitToWidth(true);
        scroll.getStyleClass().add("edge-to-edge");
        VBox.setVgrow(scroll, Priority.ALWAYS);
        getChildren().addAll(bar, summary, scroll);
    }

    private void render(DiagnosticsViewModel vm) {
        steps.getChildren().setAll(vm.rows().stream().map(DiagnosticsView::row).toList());
    }

    private static Node row(StepRow r) {
        FontIcon icon = Icons.of(switch (r.state()) {
            case WAITING -> Feather.CIRCLE;
            case RUNNING -> Feather.LOADER;
            case PASS -> Feather.CHECK_CIRCLE;
            case FAIL -> Feather.X_CIRCLE;
            case SKIPPED -> Feather.MINUS_CIRCLE;
        });
        icon.getStyleClass().add("step-" + r.state().name().toLowerCase(java.util.Locale.ROOT));
        Label title = new Label(r.title());
        title.getStyleClass().add(Styles.TEXT_BOLD);
        Label time = new Label(r.duration());
        time.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        Label state = new Label(switch (r.state()) {
            case WAITING -> "";
            case RUNNING -> "running";
            case PASS -> "passed";
            case FAIL -> "failed";
            case SKIPPED -> "skipped";
        });
        state.setId("diagState-" + r.check().name());
        state.getStyleClass().addAll(Styles.TEXT_SMALL, switch (r.state()) {
            case PASS -> Styles.SUCCESS;
            case FAIL -> Styles.DANGER;
            default -> Styles.TEXT_MUTED;
        });
        Label detail = new Label(r.detail());
        detail.setId("diagDetail-" + r.check().name());
        detail.getStyleClass().add(Styles.TEXT_MUTED);
        detail.setMinWidth(0);
        detail.setTooltip(r.detail().isEmpty() ? null : new javafx.scene.control.Tooltip(r.detail()));
        for (Label l : new Label[]{title, state, time}) {
            l.setMinWidth(Label.USE_PREF_SIZE);
        }
        HBox head = new HBox(8, icon, title, state, time, detail);
        head.setAlignment(Pos.CENTER_LEFT);
        VBox box = new VBox(2, head);
        box.setId("diagStep-" + r.check().name());
        box.getStyleClass().add("diagnostics-step");
        if (!r.hint().isEmpty()) {
            Label hint = new Label(r.hint(), Icons.of(Feather.INFO));
            hint.setId("diagHint-" + r.check().name());
            hint.setWrapText(true);
            hint.getStyleClass().add(Styles.WARNING);
            hint.setPadding(new Insets(0, 0, 0, 24));
            box.getChildren().add(hint);
        }
        return box;
    }
}
