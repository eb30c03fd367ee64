package dev.portway.desktop.ui.queue;

import dev.portway.desktop.ui.common.Tables;
import atlantafx.base.controls.Message;
import atlantafx.base.theme.Styles;
import atlantafx.base.theme.Tweaks;
import dev.portway.desktop.ui.common.Icons;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;

import java.util.List;
import java.util.function.Function;

/** The client queue card: webhooks waiting for the local app, with retry and discard. */
public final class QueueView extends VBox {
    private final QueueViewModel vm;

    public QueueView(QueueViewModel vm) {
        this.vm = vm;
        getStyleClass().add("card-pane");
        setSpacing(8);

        Label title = new Label("Queue");
        title.getStyleClass().add(Styles.TITLE_4);
        Label badge = new Label();
        badge.setId("queueCount");
        badge.textProperty().bind(vm.countProperty().asString());
        badge.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_BOLD);
        badge.setStyle("-fx-background-color: -color-accent-subtle; -fx-background-radius: 8; -fx-padding: 0 6 0 6;");
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        Button retry = button("queueRetry", "Retry now", Feather.ROTATE_CW);
        retry.setOnAction(e -> vm.retrySelected());
        Button discard = button("queueDiscard", "Discard", Feather.TRASH_2);
        discard.setOnAction(e -> confirm("Discard this request?",
                "It is removed without reaching your local app and cannot be brought back.", vm::discardSelected));
        Button retryAll = button("queueRetryAll", "Retry all", Feather.REFRESH_CW);
        retryAll.setOnAction(e -> vm.retryAll());
        Button discardAll = button("queueDiscardAll", "Discard all", Feather.X_CIRCLE);
        discardAll.getStyleClass().add(Styles.DANGER);
        discardAll.setOnAction(e -> confirm("Discard all " + vm.countProperty().get() + " queued requests?",
                "They are removed without reaching your local app and cannot be brought back.", vm::discardAll));
        retry.disableProperty().bind(vm.selectedProperty().isNull());
        discard.disableProperty().bind(vm.selectedProperty().isNull());
        retryAll.disableProperty().bind(vm.countProperty().isEqualTo(0));
        discardAll.disableProperty().bind(vm.countProperty().isEqualTo(0));
        HBox header = new HBox(8, title, badge, grow, retry, discard, retryAll, discardAll);
        header.setAlignment(Pos.CENTER_LEFT);

        Message relay = new Message("", "", Icons.of(Feather.ALERT_TRIANGLE));
        relay.titleProperty().bind(vm.relayWarningTitleProperty());
        relay.setId("queueRelayWarning");
        relay.getStyleClass().add(Styles.WARNING);
        relay.descriptionProperty().bind(vm.relayWarningProperty());
        showWhenNotEmpty(relay, vm.relayWarningProperty().isNotEmpty());

        Label waiting = new Label();
        waiting.setId("relayWaiting");
        waiting.textProperty().bind(vm.relayWaitingProperty());
        waiting.setGraphic(Icons.of(Feather.INBOX));
        waiting.setWrapText(true);
        showWhenNotEmpty(waiting, vm.relayWaitingProperty().isNotEmpty());

        Label breaker = new Label();
        breaker.textProperty().bind(vm.breakerProperty());
        breaker.getStyleClass().add(Styles.WARNING);
        breaker.setWrapText(true);
        showWhenNotEmpty(breaker, vm.breakerProperty().isNotEmpty());
        Label problem = new Label();
        problem.textProperty().bind(vm.problemProperty());
        problem.getStyleClass().add(Styles.DANGER);
        problem.setWrapText(true);
        showWhenNotEmpty(problem, vm.problemProperty().isNotEmpty());

        TableView<QueueRow> table = new TableView<>(vm.rows());
        table.setId("queueTable");
        table.getStyleClass().addAll(Styles.DENSE, Styles.STRIPED, Tweaks.EDGE_TO_EDGE);
        table.getColumns().addAll(List.of(
                column("Priority", QueueRow::priority, 75, 90),
                column("Request", QueueRow::request, 220, 420),
                column("Attempts", QueueRow::attempts, 90, 100),
                column("Next retry", QueueRow::nextRetry, 100, 120),
                column("Last error", QueueRow::lastError, 200, Double.MAX_VALUE)));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        // Both ways without a binding: a refresh replaces the rows and the view model selects the same request again.
        table.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> vm.selectedProperty().set(now));
        vm.selectedProperty().addListener((o, was, now) -> {
            if (now != table.getSelectionModel().getSelectedItem()) {
                table.getSelectionModel().select(now);
            }
        });
        Label empty = new Label("Nothing waiting. Webhooks your local app has not accepted yet wait here and are retried.");
        empty.getStyleClass().add(Styles.TEXT_MUTED);
        empty.setWrapText(true);
        table.setPlaceholder(empty);
        table.setMinHeight(120);
        table.setPrefHeight(160);
        getChildren().addAll(header, waiting, relay, breaker, problem, table);
        vm.refresh();
    }

    private static void showWhenNotEmpty(javafx.scene.Node n, javafx.beans.binding.BooleanBinding show) {
        n.visibleProperty().bind(show);
        n.managedProperty().bind(show);
    }

    private static Button button(String id, String text, Feather icon) {
        Button b = new Button(text, Icons.of(icon));
        b.setId(id);
        b.getStyleClass().addAll(Styles.BUTTON_OUTLINED, Styles.SMALL);
        return b;
    }

    private void confirm(String header, String text, Runnable then) {
        ButtonType discard = new ButtonType("Discard", ButtonBar.ButtonData.OK_DONE);
        Alert ask = new Alert(Alert.AlertType.CONFIRMATION, text, discard, ButtonType.CANCEL);
        ask.setTitle("Discard queued requests");
        ask.setHeaderText(header);
        if (getScene() != null) {
            ask.initOwner(getScene().getWindow());
        }
        // The destructive button is not the default: Enter (or a stray click on the default) keeps everything.
        ((javafx.scene.control.Button) ask.getDialogPane().lookupButton(discard)).setDefaultButton(false);
        ((javafx.scene.control.Button) ask.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        ask.showAndWait().filter(discard::equals).ifPresent(b -> then.run());
    }

    private static TableColumn<QueueRow, String> column(String name, Function<QueueRow, String> value, double pref, double max) {
        return Tables.textColumn(name, value, pref, max);
    }
}
