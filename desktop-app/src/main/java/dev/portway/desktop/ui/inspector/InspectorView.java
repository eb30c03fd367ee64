package dev.portway.desktop.ui.inspector;

import atlantafx.base.theme.Styles;
import atlantafx.base.theme.Tweaks;
import dev.portway.desktop.ui.common.Icons;
import dev.portway.desktop.ui.common.Tables;
import dev.portway.desktop.ui.live.RequestRow;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitMenuButton;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;

import java.util.List;
import java.util.function.Function;

/**
 * The request inspector: the last requests (newest first) with a filter above, and below them the selected
 * request's request and response — headers and bodies — with Replay, Edit and replay and Copy as curl.
 */
public final class InspectorView extends VBox {
    private final InspectorViewModel vm;
    private final TableView<Exchange> table;
    private boolean syncing;

    public InspectorView(InspectorViewModel vm) {
        this.vm = vm;
        getStyleClass().add("card-pane");
        setSpacing(8);
        Label count = new Label();
        count.setId("requestCount");
        count.textProperty().bind(javafx.beans.binding.Bindings.size(vm.rows()).asString("%d requests kept"));
        count.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        TextField filter = new TextField();
        filter.setId("requestFilter");
        filter.setPromptText("Filter by path, method or status");
        filter.setPrefColumnCount(16);
        filter.textProperty().bindBidirectional(vm.filterProperty());
        Button clear = new Button("Clear history", Icons.of(Feather.TRASH));
        clear.setId("clearHistoryButton");
        clear.getStyleClass().addAll(Styles.BUTTON_OUTLINED, Styles.SMALL);
        clear.setOnAction(e -> confirmClear());
        javafx.scene.control.ComboBox<Integer> capture = new javafx.scene.control.ComboBox<>(
                javafx.collections.FXCollections.observableArrayList(CaptureLimit.CHOICES));
        capture.setId("captureLimitChoice");
        capture.getStyleClass().add(Styles.SMALL);
        capture.setConverter(new javafx.util.StringConverter<>() {
            @Override
            public String toString(Integer n) {
                return n == null ? "" : CaptureLimit.label(n);
            }

            @Override
            public Integer fromString(String s) {
                return null;
            }
        });
        capture.setValue(vm.captureLimit().bytesProperty().get());
        capture.valueProperty().addListener((o, was, now) -> {
            if (now != null) {
                vm.captureLimit().bytesProperty().set(now);
            }
        });
        vm.captureLimit().bytesProperty().addListener((o, was, now) -> capture.setValue(now.intValue()));
        capture.setTooltip(new javafx.scene.control.Tooltip("How much of each request and response body to keep."
                + " Applies to tunnels connected from now on."));
        HBox header = new HBox(10, count, grow, capture, Icons.of(Feather.SEARCH), filter, clear);
        header.setAlignment(Pos.CENTER_LEFT);

        table = new TableView<>(vm.visibleRows());
        table.setId("requestTable");
        table.getStyleClass().addAll(Styles.DENSE, Styles.STRIPED, Tweaks.EDGE_TO_EDGE);
        table.getColumns().addAll(List.of(
                column("Time", RequestRow::time, 110, 130),
                Tables.textColumn("Method", x -> x.replay() ? "↻ " + x.event().method() : x.event().method(), 85, 110),
                column("Path", RequestRow::path, 180, Double.MAX_VALUE),
                column("Status", RequestRow::status, 70, 85),
                column("Duration", RequestRow::duration, 85, 110),
                column("Size", RequestRow::size, 75, 90)));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        table.getColumns().get(2).setPrefWidth(300);
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(Exchange x, boolean empty) {
                super.updateItem(x, empty);
                boolean failed = !empty && x != null && (x.event().error() != null || x.event().status() >= 500);
                pseudoClassStateChanged(Styles.STATE_DANGER, failed);
                setStyle(!empty && x != null && x.replay() ? "-fx-font-style: italic;" : "");
            }
        });
        Label empty = new Label("No requests yet. Open the public URL and each request shows up here.");
        empty.getStyleClass().add(Styles.TEXT_MUTED);
        table.setPlaceholder(empty);
        table.setMinHeight(80);
        keepSelection();

        SplitPane split = new SplitPane(table, detail());
        split.setId("inspectorSplit");
        split.setOrientation(Orientation.VERTICAL);
        split.setDividerPositions(0.38);
        VBox.setVgrow(split, Priority.ALWAYS);
        getChildren().addAll(header, split);
    }

    /** The table and the view model agree on the selected request, through new rows arriving and filtering. */
    private void keepSelection() {
        table.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (!syncing && now != null) {
                vm.selectedProperty().set(now);
            }
        });
        vm.selectedProperty().addListener((o, was, now) -> reselect());
        vm.visibleRows().addListener((ListChangeListener<Exchange>) c -> reselect());
    }

    private void reselect() {
        Exchange want = vm.selectedProperty().get();
        if (table.getSelectionModel().getSelectedItem() == want) {
            return;
        }
        syncing = true;
        try {
            int i = want == null ? -1 : table.getItems().indexOf(want);
            if (i >= 0) {
                table.getSelectionModel().clearAndSelect(i);
            } else {
                table.getSelectionModel().clearSelection();
            }
        } finally {
            syncing = false;
        }
    }

    private Region detail() {
        Label requestLine = new Label();
        requestLine.setId("requestLine");
        requestLine.textProperty().bind(vm.requestLineProperty());
        requestLine.getStyleClass().add(Styles.TEXT_BOLD);
        requestLine.setMinWidth(0);
        Label responseLine = new Label();
        responseLine.setId("responseLine");
        responseLine.textProperty().bind(vm.responseLineProperty());
        responseLine.setMinWidth(0);
        Label arrow = new Label("→");
        arrow.getStyleClass().add(Styles.TEXT_MUTED);
        arrow.setMinWidth(Region.USE_PREF_SIZE);
        Button replay = new Button("Replay", Icons.of(Feather.ROTATE_CW));
        replay.setId("replayButton");
        replay.setTooltip(new javafx.scene.control.Tooltip("Send this request again to the local target, as it was sent"));
        replay.setOnAction(e -> vm.replay());
        Button edit = new Button("Edit and replay…", Icons.of(Feather.EDIT_3));
        edit.setId("editReplayButton");
        edit.setOnAction(e -> {
            EditReplayViewModel editor = vm.editReplay();
            if (editor != null) {
                new EditReplayDialog(editor, getScene().getWindow()).open(vm::send);
            }
        });
        MenuItem local = new MenuItem("Copy as curl (local target)");
        local.setId("copyCurlLocal");
        local.setOnAction(e -> vm.copyCurlLocal());
        SplitMenuButton curl = new SplitMenuButton(local);
        curl.setText("Copy as curl");
        curl.setGraphic(Icons.of(Feather.TERMINAL));
        curl.setId("copyCurlButton");
        curl.setOnAction(e -> vm.copyCurl());
        for (var b : List.of(replay, edit, curl)) {
            b.getStyleClass().add(Styles.SMALL);
            b.setMinWidth(Region.USE_PREF_SIZE);
            b.disableProperty().bind(vm.canReplayBinding().not());
        }
        HBox lines = new HBox(8, requestLine, arrow, responseLine);
        lines.setAlignment(Pos.CENTER_LEFT);
        Label feedback = new Label();
        feedback.setId("inspectorFeedback");
        feedback.textProperty().bind(vm.feedbackProperty());
        feedback.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        feedback.setMinWidth(0);
        HBox.setHgrow(feedback, Priority.ALWAYS);
        HBox actions = new HBox(8, replay, edit, curl, feedback);
        actions.setAlignment(Pos.CENTER_LEFT);

        TabPane request = side("Request", "request", vm.requestHeadersProperty(), vm.requestBodyProperty());
        TabPane response = side("Response", "response", vm.responseHeadersProperty(), vm.responseBodyProperty());
        SplitPane sides = new SplitPane(request, response);
        sides.setDividerPositions(0.5);
        VBox.setVgrow(sides, Priority.ALWAYS);

        Label none = new Label("Select a request to see its headers and bodies.");
        none.getStyleClass().add(Styles.TEXT_MUTED);
        VBox box = new VBox(6, lines, actions, sides);
        box.setMinHeight(120);
        box.visibleProperty().bind(vm.selectedProperty().isNotNull());
        none.visibleProperty().bind(vm.selectedProperty().isNull());
        javafx.scene.layout.StackPane stack = new javafx.scene.layout.StackPane(none, box);
        stack.setStyle("-fx-padding: 6 0 0 0;");
        return stack;
    }

    /** One side of the exchange: its body (with a size / truncation note) and its headers, in two tabs. */
    private static TabPane side(String name, String id, ObservableValue<String> headers, ObservableValue<BodyText.Rendered> body) {
        Label note = new Label();
        note.setId(id + "BodyNote");
        note.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        note.textProperty().bind(body.map(BodyText.Rendered::note));
        TextArea bodyText = area(id + "Body");
        bodyText.textProperty().bind(body.map(BodyText.Rendered::text));
        VBox bodyBox = new VBox(2, bodyText, note);
        VBox.setVgrow(bodyText, Priority.ALWAYS);
        TextArea headerText = area(id + "Headers");
        headerText.textProperty().bind(headers);
        Tab bodyTab = new Tab(name + " body", bodyBox);
        Tab headersTab = new Tab(name + " headers", headerText);
        TabPane tabs = new TabPane(bodyTab, headersTab);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getStyleClass().add(Styles.DENSE);
        tabs.setMinWidth(160);
        return tabs;
    }

    private static TextArea area(String id) {
        TextArea a = new TextArea();
        a.setId(id);
        a.setEditable(false);
        a.setWrapText(false);
        a.setStyle("-fx-font-family: monospace; -fx-font-size: 0.92em;");
        return a;
    }

    private void confirmClear() {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION);
        a.initOwner(getScene().getWindow());
        a.setTitle("Clear history");
        a.setHeaderText("Clear this profile's request history?");
        a.setContentText("The requests and their captured bodies are removed from this list and from disk.");
        ButtonType clear = new ButtonType("Clear history", ButtonBar.ButtonData.OK_DONE);
        a.getButtonTypes().setAll(ButtonType.CANCEL, clear);
        a.resultProperty().addListener((o, was, now) -> {
            if (now == clear) {
                vm.clearHistory();
            }
        });
        a.show();
    }

    private TableColumn<Exchange, String> column(String name, Function<RequestRow, String> value, double pref, double max) {
        return Tables.textColumn(name, x -> value.apply(x.row(vm.zone())), pref, max);
    }
}
