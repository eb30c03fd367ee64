package dev.portway.desktop.ui.main;

import atlantafx.base.theme.Styles;
import dev.portway.desktop.ui.common.Icons;
import dev.portway.desktop.ui.connect.ConnectionView;
import dev.portway.desktop.ui.live.LatencyChartView;
import dev.portway.desktop.ui.live.RequestTableView;
import dev.portway.desktop.ui.profiles.ProfileItemViewModel;
import dev.portway.desktop.ui.queue.QueueView;
import dev.portway.desktop.ui.queue.QueueViewModel;
import dev.portway.shared.protocol.Protocol;
import javafx.beans.binding.Bindings;
import javafx.beans.binding.BooleanBinding;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;

/**
 * The right pane for one profile: header with Edit / Duplicate / Delete, the connection card, the live chart, the
 * client queue (for profiles with {@code queue=on}) and the inspector.
 */
final class ProfileDetailView extends VBox {
    ProfileDetailView(ProfileItemViewModel item, QueueViewModel queueVm, Runnable edit, Runnable duplicate, Runnable delete) {
        getStyleClass().add("detail-pane");
        setSpacing(12);
        setPadding(new Insets(16, 24, 16, 24));

        Label name = new Label();
        name.setId("profileTitle");
        name.textProperty().bind(item.nameBinding());
        name.getStyleClass().add(Styles.TITLE_2);
        Label summary = new Label();
        summary.textProperty().bind(item.summaryBinding());
        summary.getStyleClass().add(Styles.TEXT_MUTED);
        VBox titles = new VBox(2, name, summary);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        Button editButton = new Button("Edit", Icons.of(Feather.EDIT_2));
        editButton.setId("editButton");
        editButton.setOnAction(e -> edit.run());
        Button duplicateButton = new Button(null, Icons.of(Feather.COPY));
        duplicateButton.setId("duplicateButton");
        duplicateButton.setTooltip(new Tooltip("Duplicate this profile"));
        duplicateButton.setOnAction(e -> duplicate.run());
        Button deleteButton = new Button(null, Icons.of(Feather.TRASH_2));
        deleteButton.setId("deleteButton");
        deleteButton.setTooltip(new Tooltip("Delete this profile"));
        deleteButton.getStyleClass().add(Styles.DANGER);
        deleteButton.setOnAction(e -> delete.run());
        for (Button b : new Button[]{editButton, duplicateButton, deleteButton}) {
            b.getStyleClass().add(Styles.BUTTON_OUTLINED);
        }
        HBox header = new HBox(8, titles, grow, editButton, duplicateButton, deleteButton);
        header.setAlignment(Pos.CENTER_LEFT);

        RequestTableView requests = new RequestTableView(item.live());
        VBox.setVgrow(requests, Priority.ALWAYS);
        QueueView queue = new QueueView(queueVm);
        BooleanBinding queued = Bindings.createBooleanBinding(
                () -> "on".equals(item.profile().options().get(Protocol.OPTION_QUEUE)), item.profileProperty());
        queue.visibleProperty().bind(queued);
        queue.managedProperty().bind(queued);
        getChildren().addAll(header, new ConnectionView(item.connection()), new LatencyChartView(item.live()), queue, requests);
    }
}
