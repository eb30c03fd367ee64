package dev.portway.desktop.ui.inspector;

import atlantafx.base.theme.Styles;
import atlantafx.base.theme.Tweaks;
import dev.portway.desktop.ui.common.Icons;
import dev.portway.desktop.ui.common.Tables;
import dev.portway.desktop.ui.live.RequestRow;
import dev.portway.shared.protocol.Header;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import javafx.collections.ObservableList;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.MenuItem;
import javafx.scene.control.SplitMenuButton;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import org.kordamp.ikonli.feather.Feather;

import java.io.File;
import java.util.List;
import java.util.function.Function;

/**
 * The request inspector, laid out like ngrok's: the requests (newest first) on the left and the selected one's
 * request and response on the right, with a divider the app remembers. Below {@value #SIDE_BY_SIDE} px of width (the
 * usual case in a small window) they still stand side by side, as in a browser's network panel with a request open:
 * the list drops its Time column and keeps just the width its other columns need, and the detail's commands show
 * only their icons. Stacking the two instead left a short window (800×600) one or two rows of the list. The columns
 * other than Path have fixed widths and Path takes the rest, so Status, Duration and Size never leave the table.
 */
public final class InspectorView extends VBox {
    /** Narrower than this, list and detail stack instead of standing side by side. */
    static final double SIDE_BY_SIDE = 980;
    private static final double SCROLLBAR = 18;

    private final InspectorViewModel vm;
    private final TableView<Exchange> table;
    private final SplitPane split;
    /** Narrower than {@link #SIDE_BY_SIDE}: the narrow list and the icon-only commands. */
    private final javafx.beans.property.BooleanProperty narrow = new javafx.beans.property.SimpleBooleanProperty();
    /** The list's width when narrow: its columns without Time, Path at its minimum, the scroll bar and the borders. */
    private double narrowListWidth;
    private boolean syncing;

    public InspectorView(InspectorViewModel vm) {
        this.vm = vm;
        getStyleClass().addAll("card-pane", "inspector");
        setSpacing(8);
        table = table();
        keepSelection();
        split = new SplitPane(table);
        split.getItems().add(detail()); // the detail follows the split's orientation
        split.setId("inspectorSplit");
        split.setDividerPositions(position());
        // Remembered when the person lets go of the divider, not on every pixel of a drag (narrow, the list has a fixed width).
        split.addEventFilter(javafx.scene.input.MouseEvent.MOUSE_RELEASED, e -> {
            if (!narrow.get()) {
                vm.layout().dividerProperty().set(split.getDividers().getFirst().getPosition());
            }
        });
        vm.layout().dividerProperty().addListener((o, was, now) -> {
            if (Math.abs(split.getDividers().getFirst().getPosition() - position()) > 0.001) {
                split.setDividerPositions(position());
            }
        });
        widthProperty().addListener((o, was, now) -> fit(now.doubleValue()));
        fit(getWidth());
        VBox.setVgrow(split, Priority.ALWAYS);
        getChildren().addAll(header(), split);
    }

    private void fit(double width) {
        boolean want = width > 0 && width < SIDE_BY_SIDE;
        if (narrow.get() != want) {
            narrow.set(want);
            // Narrow, the split pane keeps the list at exactly its columns' width (min = max), the detail gets the rest.
            table.setMaxWidth(want ? narrowListWidth : Double.MAX_VALUE);
            table.setMinWidth(want ? narrowListWidth : 200);
            split.setDividerPositions(position());
        }
    }

    /** The remembered share; narrow, the list's fixed width decides and the position only has to allow it. */
    private double position() {
        return narrow.get() ? 0.3 : vm.layout().dividerProperty().get();
    }

    private HBox header() {
        Label count = new Label();
        count.setId("requestCount");
        count.textProperty().bind(vm.countTextBinding());
        count.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        count.setMinWidth(Region.USE_PREF_SIZE);
        ToggleButton follow = new ToggleButton();
        follow.setId("followToggle");
        follow.selectedProperty().bindBidirectional(vm.followProperty());
        follow.graphicProperty().bind(follow.selectedProperty().map(on -> Icons.of(on ? Feather.PAUSE : Feather.PLAY)));
        follow.textProperty().bind(vm.pendingCountProperty().map(n -> n.intValue() == 0 ? null : n + " new"));
        follow.setTooltip(new Tooltip("Pause: new requests wait here instead of pushing the list down. Press again to show them."));
        follow.getStyleClass().addAll(Styles.SMALL, Styles.BUTTON_OUTLINED);
        follow.setMinWidth(Region.USE_PREF_SIZE);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        TextField filter = new TextField();
        filter.setId("requestFilter");
        filter.setPromptText("Filter: path, method, status");
        filter.setPrefColumnCount(14);
        filter.setMinWidth(90);
        filter.textProperty().bindBidirectional(vm.filterProperty());
        Button export = iconButton("exportHarButton", Feather.DOWNLOAD, "Export the requests shown as a HAR file (opens in browser developer tools, Postman, HAR viewers)");
        export.setOnAction(e -> exportHar());
        Button clear = iconButton("clearHistoryButton", Feather.TRASH, "Clear this profile's request history");
        clear.setOnAction(e -> confirmClear());
        HBox header = new HBox(8, count, follow, grow, captureChoice(), Icons.of(Feather.SEARCH), filter, export, clear);
        header.setAlignment(Pos.CENTER_LEFT);
        return header;
    }

    private static Button iconButton(String id, Feather icon, String tip) {
        Button b = new Button(null, Icons.of(icon));
        b.setId(id);
        b.setTooltip(new Tooltip(tip));
        b.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.BUTTON_OUTLINED, Styles.SMALL);
        b.setMinWidth(Region.USE_PREF_SIZE);
        return b;
    }

    private ComboBox<Integer> captureChoice() {
        ComboBox<Integer> capture = new ComboBox<>(javafx.collections.FXCollections.observableArrayList(CaptureLimit.CHOICES));
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
        capture.setTooltip(new Tooltip("How much of each request and response body to keep."
                + " Applies to tunnels connected from now on."));
        capture.setMinWidth(Region.USE_PREF_SIZE);
        return capture;
    }

    /** The marker column: ↻ for a replay, ⇣ for a webhook delivered from a queue, else nothing. */
    public static String marker(Exchange x) {
        return x.replay() ? "↻" : x.queued() ? "⇣" : "";
    }

    private TableView<Exchange> table() {
        TableView<Exchange> t = new TableView<>(vm.visibleRows());
        t.setId("requestTable");
        t.getStyleClass().addAll(Styles.DENSE, Styles.STRIPED, Tweaks.EDGE_TO_EDGE);
        TableColumn<Exchange, String> mark = Tables.textColumn("", InspectorView::marker, 28, 28);
        mark.setId("markColumn");
        TableColumn<Exchange, String> time = column("Time", RequestRow::time, 108);
        TableColumn<Exchange, String> method = Tables.textColumn("Method", x -> x.event().method(), 72, 72);
        TableColumn<Exchange, String> path = Tables.textColumn("Path", x -> x.event().path(), 80, Double.MAX_VALUE);
        TableColumn<Exchange, String> status = column("Status", RequestRow::status, 68);
        status.setCellFactory(c -> new StatusCell());
        TableColumn<Exchange, String> duration = column("Duration", RequestRow::duration, 86);
        TableColumn<Exchange, String> size = column("Size", RequestRow::size, 76);
        List<TableColumn<Exchange, String>> fixed = List.of(mark, time, method, status, duration, size);
        double fixedWidth = fixed.stream().mapToDouble(TableColumn::getPrefWidth).sum();
        time.visibleProperty().bind(narrow.not());
        path.prefWidthProperty().bind(javafx.beans.binding.Bindings.createDoubleBinding(() -> Math.max(80,
                t.getWidth() - fixedWidth - SCROLLBAR + (narrow.get() ? time.getPrefWidth() : 0)), t.widthProperty(), narrow));
        narrowListWidth = fixedWidth - time.getPrefWidth() + 80 + SCROLLBAR + 4;
        t.getColumns().addAll(List.of(mark, time, method, path, status, duration, size));
        t.setColumnResizePolicy(TableView.UNCONSTRAINED_RESIZE_POLICY);
        t.setRowFactory(v -> new TableRow<>() {
            @Override
            protected void updateItem(Exchange x, boolean empty) {
                super.updateItem(x, empty);
                setStyle(!empty && x != null && x.replay() ? "-fx-font-style: italic;" : "");
            }
        });
        Label empty = new Label();
        empty.textProperty().bind(vm.emptyTextBinding());
        empty.getStyleClass().add(Styles.TEXT_MUTED);
        empty.setWrapText(true);
        t.setPlaceholder(empty);
        t.setMinHeight(80);
        t.setMinWidth(200);
        return t;
    }

    /** A status coloured by its class: 2xx green, 3xx blue, 4xx amber, 5xx red. */
    private final class StatusCell extends TableCell<Exchange, String> {
        @Override
        protected void updateItem(String text, boolean empty) {
            super.updateItem(text, empty);
            getStyleClass().removeIf(c -> c.startsWith("status-"));
            Exchange x = empty ? null : getTableRow() == null ? null : getTableRow().getItem();
            setText(empty ? null : text);
            if (x != null) {
                getStyleClass().add(RequestRow.statusClass(RequestRow.visitorStatus(x.event())));
                setTooltip(x.event().error() == null ? null : new Tooltip(x.event().errorMessage()));
            } else {
                setTooltip(null);
            }
        }
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
        requestLine.setWrapText(true);
        Label responseLine = new Label();
        responseLine.setId("responseLine");
        responseLine.textProperty().bind(vm.responseLineProperty());
        responseLine.setMinWidth(0);
        responseLine.setWrapText(true);
        Button replay = new Button("Replay", Icons.of(Feather.ROTATE_CW));
        replay.setId("replayButton");
        replay.setTooltip(new Tooltip("Send this request again to the local target, as it was sent"));
        replay.setOnAction(e -> vm.replay());
        Button edit = new Button("Edit…", Icons.of(Feather.EDIT_3));
        edit.setId("editReplayButton");
        edit.setTooltip(new Tooltip("Edit and replay: change the method, path, headers or body, then send it to the local target"));
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
        curl.setText("curl");
        curl.setGraphic(Icons.of(Feather.TERMINAL));
        curl.setId("copyCurlButton");
        curl.setTooltip(new Tooltip("Copy as curl (public URL); the arrow has the local-target form"));
        curl.setOnAction(e -> vm.copyCurl());
        for (var b : List.of(replay, edit, curl)) {
            // Narrow, the icons alone (each has a tooltip), so the request and response lines keep room.
            b.contentDisplayProperty().bind(narrow.map(n -> n ? javafx.scene.control.ContentDisplay.GRAPHIC_ONLY
                    : javafx.scene.control.ContentDisplay.LEFT));
            b.getStyleClass().add(Styles.SMALL);
            b.setMinWidth(Region.USE_PREF_SIZE);
            b.disableProperty().bind(vm.canReplayBinding().not());
        }
        VBox lines = new VBox(2, requestLine, responseLine);
        lines.setMinWidth(0);
        HBox.setHgrow(lines, Priority.ALWAYS);
        Label feedback = new Label();
        feedback.setId("inspectorFeedback");
        feedback.textProperty().bind(vm.feedbackProperty());
        feedback.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        feedback.setMinWidth(0);
        feedback.setWrapText(true);
        // Takes a line only while it has something to say: the bodies below keep the height.
        feedback.managedProperty().bind(vm.feedbackProperty().isNotEmpty());
        feedback.visibleProperty().bind(vm.feedbackProperty().isNotEmpty());
        // A disabled button shows no tooltip (it gets no mouse events), so the commands' box says why they are greyed out.
        HBox commands = new HBox(8, replay, edit, curl);
        commands.setId("replayCommands");
        commands.setMinWidth(Region.USE_PREF_SIZE);
        Tooltip why = new Tooltip();
        why.textProperty().bind(vm.whyNoReplayBinding());
        why.setWrapText(true);
        why.setMaxWidth(360);
        vm.whyNoReplayBinding().addListener((o, was, now) -> {
            if (now.isEmpty() && !was.isEmpty()) {
                Tooltip.uninstall(commands, why);
            } else if (!now.isEmpty() && was.isEmpty()) {
                Tooltip.install(commands, why);
            }
        });
        if (!vm.whyNoReplayBinding().get().isEmpty()) {
            Tooltip.install(commands, why);
        }
        // The request and response lines and the commands on one row, so a small window keeps room for the bodies.
        HBox actions = new HBox(8, lines, commands);
        actions.setAlignment(Pos.CENTER_LEFT);

        TabPane request = side("Request", "request", vm.requestHeaderRows(), vm.requestHeadersProperty(), vm.requestBodyProperty());
        TabPane response = side("Response", "response", vm.responseHeaderRows(), vm.responseHeadersProperty(), vm.responseBodyProperty());
        SplitPane sides = new SplitPane(request, response);
        sides.setId("exchangeSides");
        sides.setDividerPositions(0.5);
        // Beside the list, the detail is narrow: request above response.
        sides.setOrientation(Orientation.VERTICAL);
        VBox.setVgrow(sides, Priority.ALWAYS);

        Label none = new Label("Select a request to see its headers and bodies.");
        none.getStyleClass().add(Styles.TEXT_MUTED);
        none.setWrapText(true);
        VBox box = new VBox(4, actions, feedback, sides);
        box.setMinHeight(100);
        box.visibleProperty().bind(vm.selectedProperty().isNotNull());
        none.visibleProperty().bind(vm.selectedProperty().isNull());
        StackPane stack = new StackPane(none, box);
        stack.setStyle("-fx-padding: 0 0 0 6;");
        stack.setMinWidth(220);
        return stack;
    }

    /** One side of the exchange: its body (wrapped, JSON pretty-printed, with a size / truncation note) and its headers as a table. */
    private static TabPane side(String name, String id, ObservableList<Header> headers, ObservableValue<String> emptyHeaders,
                                ObservableValue<BodyText.Rendered> body) {
        Label note = new Label();
        note.setId(id + "BodyNote");
        note.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        note.textProperty().bind(body.map(BodyText.Rendered::note));
        TextArea bodyText = new TextArea();
        bodyText.setId(id + "Body");
        bodyText.setEditable(false);
        bodyText.setWrapText(true);
        bodyText.getStyleClass().add("mono");
        bodyText.textProperty().bind(body.map(BodyText.Rendered::text));
        VBox bodyBox = new VBox(2, bodyText, note);
        VBox.setVgrow(bodyText, Priority.ALWAYS);
        Tab bodyTab = new Tab(name + " body", bodyBox);
        Tab headersTab = new Tab(name + " headers", headerTable(id + "Headers", headers, emptyHeaders));
        TabPane tabs = new TabPane(bodyTab, headersTab);
        tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
        tabs.getStyleClass().add(Styles.DENSE);
        tabs.setMinWidth(160);
        tabs.setMinHeight(60);
        return tabs;
    }

    private static TableView<Header> headerTable(String id, ObservableList<Header> headers, ObservableValue<String> emptyText) {
        TableView<Header> t = new TableView<>(headers);
        t.setId(id);
        t.getStyleClass().addAll(Styles.DENSE, Tweaks.EDGE_TO_EDGE, "mono");
        TableColumn<Header, String> name = new TableColumn<>("Name");
        name.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().name()));
        name.setPrefWidth(170);
        name.setSortable(false);
        TableColumn<Header, String> value = new TableColumn<>("Value");
        value.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().value()));
        value.setCellFactory(c -> new TableCell<>() {
            @Override
            protected void updateItem(String v, boolean empty) {
                super.updateItem(v, empty);
                setText(empty ? null : v);
                setTooltip(empty || v == null || v.length() < 40 ? null : new Tooltip(v));
            }
        });
        value.setSortable(false);
        t.getColumns().addAll(List.of(name, value));
        t.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
        Label none = new Label();
        none.textProperty().bind(emptyText.map(s -> s.startsWith("Nothing captured") ? s : "No headers"));
        none.getStyleClass().add(Styles.TEXT_MUTED);
        t.setPlaceholder(none);
        // Ctrl+C copies the selected header as "Name: value".
        t.setOnKeyPressed(e -> {
            if (e.isShortcutDown() && e.getCode() == javafx.scene.input.KeyCode.C && t.getSelectionModel().getSelectedItem() != null) {
                Header h = t.getSelectionModel().getSelectedItem();
                javafx.scene.input.ClipboardContent c = new javafx.scene.input.ClipboardContent();
                c.putString(h.name() + ": " + h.value());
                javafx.scene.input.Clipboard.getSystemClipboard().setContent(c);
            }
        });
        return t;
    }

    private void exportHar() {
        FileChooser chooser = new FileChooser();
        chooser.setTitle("Export requests as HAR");
        chooser.setInitialDirectory(new File(System.getProperty("user.home")));
        chooser.setInitialFileName("portway-requests.har");
        chooser.getExtensionFilters().add(new FileChooser.ExtensionFilter("HTTP Archive (*.har)", "*.har"));
        File f = chooser.showSaveDialog(getScene().getWindow());
        if (f != null) {
            vm.exportHar(f.toPath());
        }
    }

    private void confirmClear() {
        Alert a = new Alert(Alert.AlertType.CONFIRMATION);
        a.initOwner(getScene().getWindow());
        a.setTitle("Clear history");
        a.setHeaderText("Clear this profile's request history?");
        a.setContentText("The requests and their captured bodies are removed from this list and from disk.");
        ButtonType clear = new ButtonType("Clear history", ButtonBar.ButtonData.OK_DONE);
        a.getButtonTypes().setAll(ButtonType.CANCEL, clear);
        ((Button) a.getDialogPane().lookupButton(clear)).setDefaultButton(false);
        ((Button) a.getDialogPane().lookupButton(ButtonType.CANCEL)).setDefaultButton(true);
        a.resultProperty().addListener((o, was, now) -> {
            if (now == clear) {
                vm.clearHistory();
            }
        });
        a.show();
    }

    private TableColumn<Exchange, String> column(String name, Function<RequestRow, String> value, double width) {
        return Tables.textColumn(name, x -> value.apply(x.row(vm.zone())), width, width);
    }
}
