package dev.portway.desktop.ui.log;

import atlantafx.base.theme.Styles;
import dev.portway.desktop.logging.LogBuffer.Entry;
import dev.portway.desktop.ui.common.Icons;
import javafx.animation.Animation;
import javafx.animation.KeyFrame;
import javafx.animation.Timeline;
import javafx.beans.binding.Bindings;
import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Scene;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.control.Tooltip;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.stage.FileChooser;
import javafx.stage.Stage;
import javafx.stage.Window;
import javafx.util.Duration;
import org.kordamp.ikonli.feather.Feather;

import java.io.File;
import java.util.List;

/**
 * The log window: level filter, search, Copy, Save, and the lines, newest at the bottom (followed while the
 * list is scrolled to the end). Pulls from the view model four times a second while it is showing.
 */
public final class LogView extends BorderPane {
    private final Timeline poll;

    public LogView(LogViewModel vm) {
        getStyleClass().add("log-view");
        ComboBox<LogViewModel.Level> level = new ComboBox<>();
        level.setId("logLevel");
        level.getItems().setAll(LogViewModel.Level.values());
        level.valueProperty().bindBidirectional(vm.levelProperty());
        level.setTooltip(new Tooltip("Show this level and more severe ones"));
        TextField search = new TextField();
        search.setId("logSearch");
        search.setPromptText("Search the log");
        search.textProperty().bindBidirectional(vm.searchProperty());
        HBox.setHgrow(search, Priority.ALWAYS);
        Button copy = new Button("Copy", Icons.of(Feather.COPY));
        copy.setId("logCopy");
        copy.setOnAction(e -> vm.copy());
        Button save = new Button("Save…", Icons.of(Feather.SAVE));
        save.setId("logSave");
        save.setOnAction(e -> {
            FileChooser c = new FileChooser();
            c.setTitle("Save log");
            c.setInitialFileName("portway-log.txt");
            File f = c.showSaveDialog(getScene().getWindow());
            if (f != null) {
                vm.save(f.toPath());
            }
        });
        for (Button b : List.of(copy, save)) {
            b.getStyleClass().add(Styles.BUTTON_OUTLINED);
        }
        HBox bar = new HBox(8, new Label("Level"), level, Icons.of(Feather.SEARCH), search, copy, save);
        bar.setAlignment(Pos.CENTER_LEFT);
        bar.setPadding(new Insets(10));

        ListView<Entry> lines = new ListView<>(vm.shown());
        lines.setId("logLines");
        lines.getStyleClass().addAll("log-list", Styles.DENSE);
        lines.setCellFactory(v -> new ListCell<>() {
            @Override
            protected void updateItem(Entry e, boolean empty) {
                super.updateItem(e, empty);
                getStyleClass().removeAll("log-error", "log-warn", "log-debug", "log-info");
                if (empty || e == null) {
                    setText(null);
                    return;
                }
                setText(vm.format(e));
                String style = switch (e.level()) {
                    case "ERROR" -> "log-error";
                    case "WARN" -> "log-warn";
                    case "DEBUG", "TRACE" -> "log-debug";
                    default -> "log-info";
                };
                getStyleClass().add(style);
            }
        });

        Label status = new Label();
        status.setId("logStatus");
        status.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.TEXT_MUTED);
        status.textProperty().bind(Bindings.createStringBinding(() -> vm.statusProperty().get().isEmpty()
                ? vm.shown().size() + " of " + vm.total() + " lines" : vm.statusProperty().get(), vm.statusProperty(), vm.shown()));
        Region grow = new Region();
        HBox.setHgrow(grow, Priority.ALWAYS);
        HBox foot = new HBox(status, grow);
        foot.setPadding(new Insets(6, 10, 6, 10));

        setTop(bar);
        setCenter(lines);
        setBottom(foot);

        poll = new Timeline(new KeyFrame(Duration.millis(250), e -> {
            int before = vm.shown().size();
            boolean atEnd = before == 0 || lines.getSelectionModel().isEmpty();
            vm.refresh();
            if (atEnd && vm.shown().size() != before) {
                lines.scrollTo(vm.shown().size() - 1);
            }
        }));
        poll.setCycleCount(Animation.INDEFINITE);
        vm.refresh();
        if (!vm.shown().isEmpty()) {
            lines.scrollTo(vm.shown().size() - 1);
        }
    }

    /** Shows the log in a window of its own (one per app: shown again if open); polling runs only while it shows. */
    public static Stage window(Window owner, LogView view, List<String> stylesheets) {
        Stage stage = new Stage();
        stage.setTitle("Portway log");
        stage.initOwner(owner);
        Scene scene = new Scene(view, 900, 520);
        scene.getStylesheets().addAll(stylesheets);
        scene.getAccelerators().put(new KeyCodeCombination(KeyCode.W, KeyCombination.SHORTCUT_DOWN), stage::close);
        stage.setScene(scene);
        stage.setOnShown(e -> view.poll.play());
        stage.setOnHidden(e -> view.poll.stop());
        return stage;
    }
}
