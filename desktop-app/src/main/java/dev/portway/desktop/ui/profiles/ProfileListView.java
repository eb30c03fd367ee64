package dev.portway.desktop.ui.profiles;

import atlantafx.base.theme.Styles;
import atlantafx.base.theme.Tweaks;
import dev.portway.desktop.ui.common.Icons;
import dev.portway.desktop.ui.common.StatusDot;
import javafx.beans.property.ObjectProperty;
import javafx.collections.ObservableList;
import javafx.geometry.Pos;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.Tooltip;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.kordamp.ikonli.feather.Feather;

/** The left pane: every profile with a status dot, and a button for a new one. */
public final class ProfileListView extends VBox {
    public ProfileListView(ObservableList<ProfileItemViewModel> items, ObjectProperty<ProfileItemViewModel> selected,
                           Runnable newProfile) {
        this(items, selected, newProfile, null);
    }

    /** @param shareFolder opens "Share a folder…"; null for no such button */
    public ProfileListView(ObservableList<ProfileItemViewModel> items, ObjectProperty<ProfileItemViewModel> selected,
                           Runnable newProfile, Runnable shareFolder) {
        getStyleClass().add("profile-pane");
        Label title = new Label("Tunnels");
        title.getStyleClass().addAll(Styles.TITLE_4);
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        Button add = new Button(null, Icons.of(Feather.PLUS));
        add.setId("newProfileButton");
        add.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
        add.setTooltip(new Tooltip("New tunnel profile"));
        add.setOnAction(e -> newProfile.run());
        HBox header = new HBox(8, title, grow);
        if (shareFolder != null) {
            Button folder = new Button(null, Icons.of(Feather.FOLDER_PLUS));
            folder.setId("shareFolderButton");
            folder.getStyleClass().addAll(Styles.BUTTON_ICON, Styles.FLAT);
            folder.setTooltip(new Tooltip("Share a folder…"));
            folder.setOnAction(e -> shareFolder.run());
            header.getChildren().add(folder);
        }
        header.getChildren().add(add);
        header.setAlignment(Pos.CENTER_LEFT);
        header.getStyleClass().add("pane-header");

        ListView<ProfileItemViewModel> list = new ListView<>(items);
        list.setId("profileList");
        list.getStyleClass().addAll(Tweaks.EDGE_TO_EDGE, "profile-list");
        list.setCellFactory(v -> new Cell());
        Label empty = new Label("No tunnels yet.\nClick + to add one.");
        empty.getStyleClass().add(Styles.TEXT_MUTED);
        empty.setWrapText(true);
        list.setPlaceholder(empty);
        list.getSelectionModel().selectedItemProperty().addListener((o, was, now) -> {
            if (now != null) {
                selected.set(now);
            }
        });
        selected.addListener((o, was, now) -> list.getSelectionModel().select(now));
        list.getSelectionModel().select(selected.get());
        VBox.setVgrow(list, Priority.ALWAYS);
        getChildren().addAll(header, list);
    }

    private static final class Cell extends ListCell<ProfileItemViewModel> {
        Cell() {
            // As wide as the list, never wider: a long path or relay ends in "…" (with a tooltip) instead of
            // pushing a horizontal scroll bar under the list.
            setPrefWidth(0);
        }

        @Override
        protected void updateItem(ProfileItemViewModel item, boolean empty) {
            super.updateItem(item, empty);
            textProperty().unbind();
            if (empty || item == null) {
                setGraphic(null);
                setText(null);
                return;
            }
            Label name = new Label();
            name.textProperty().bind(item.nameBinding());
            if (item.profile().kind() == dev.portway.desktop.profiles.Profile.Kind.FOLDER) {
                name.setGraphic(Icons.of(Feather.FOLDER)); // a shared folder, not a local app
                name.getStyleClass().add("folder-share");
            }
            name.getStyleClass().addAll(Styles.TEXT_BOLD, "profile-name");
            Label summary = new Label();
            summary.textProperty().bind(item.summaryBinding());
            summary.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
            summary.setTextOverrun(javafx.scene.control.OverrunStyle.CENTER_ELLIPSIS); // keeps the kind and the relay
            Tooltip full = new Tooltip();
            full.textProperty().bind(item.summaryBinding());
            summary.setTooltip(full);
            Label status = new Label();
            status.textProperty().bind(item.connection().statusTextProperty());
            status.getStyleClass().addAll(Styles.TEXT_SMALL, "profile-status");
            VBox text = new VBox(2, name, summary, status);
            text.setMinWidth(0);
            StatusDot dot = new StatusDot(item.connection().stateProperty(), item.connection().targetDownProperty());
            HBox row = new HBox(10, dot, text);
            row.setAlignment(Pos.TOP_LEFT);
            setText(null);
            setGraphic(row);
        }
    }
}
