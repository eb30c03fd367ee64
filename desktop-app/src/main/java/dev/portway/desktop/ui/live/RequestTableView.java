package dev.portway.desktop.ui.live;

import dev.portway.desktop.ui.common.Tables;
import atlantafx.base.theme.Styles;
import atlantafx.base.theme.Tweaks;
import dev.portway.desktop.ui.common.Icons;
import javafx.geometry.Pos;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableRow;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;

import java.util.function.Function;

/** The request inspector: the last requests, newest first, with a filter. */
public final class RequestTableView extends VBox {
    public RequestTableView(LiveViewModel vm) {
        getStyleClass().add("card-pane");
        setSpacing(8);
        Label title = new Label("Requests");
        title.getStyleClass().add(Styles.TITLE_4);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        TextField filter = new TextField();
        filter.setId("requestFilter");
        filter.setPromptText("Filter by path, method or status");
        filter.setPrefColumnCount(22);
        filter.textProperty().bindBidirectional(vm.filterProperty());
        HBox header = new HBox(10, title, grow, Icons.of(Feather.SEARCH), filter);
        header.setAlignment(Pos.CENTER_LEFT);

        TableView<RequestRow> table = new TableView<>(vm.visibleRows());
        table.setId("requestTable");
        table.getStyleClass().addAll(Styles.DENSE, Styles.STRIPED, Tweaks.EDGE_TO_EDGE);
        table.getColumns().addAll(java.util.List.of(
                column("Time", RequestRow::time, 120, 130),
                column("Method", RequestRow::method, 85, 100),
                column("Path", RequestRow::path, 200, Double.MAX_VALUE),
                column("Status", RequestRow::status, 75, 85),
                column("Duration", RequestRow::duration, 95, 110),
                column("Size", RequestRow::size, 80, 90)));
        table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_ALL_COLUMNS);
        table.getColumns().get(2).setPrefWidth(320);
        table.setRowFactory(t -> new TableRow<>() {
            @Override
            protected void updateItem(RequestRow row, boolean empty) {
                super.updateItem(row, empty);
                pseudoClassStateChanged(Styles.STATE_DANGER, !empty && row != null && row.failed());
            }
        });
        Label empty = new Label("No requests yet. Open the public URL and each request shows up here.");
        empty.getStyleClass().add(Styles.TEXT_MUTED);
        table.setPlaceholder(empty);
        table.setMinHeight(140);
        VBox.setVgrow(table, Priority.ALWAYS);
        getChildren().addAll(header, table);
    }

    private static TableColumn<RequestRow, String> column(String name, Function<RequestRow, String> value, double pref, double max) {
        return Tables.textColumn(name, value, pref, max);
    }
}
