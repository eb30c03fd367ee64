package dev.portway.desktop.ui.folder;

import atlantafx.base.theme.Styles;
import dev.portway.desktop.ui.common.Icons;
import dev.portway.desktop.ui.folder.FolderShareViewModel.Field;
import dev.portway.desktop.ui.folder.FolderShareViewModel.RelayChoice;
import javafx.event.ActionEvent;
import javafx.geometry.HPos;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Dialog;
import javafx.scene.control.Label;
import javafx.scene.control.TextField;
import javafx.scene.layout.ColumnConstraints;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.stage.DirectoryChooser;
import javafx.stage.Window;
import javafx.util.StringConverter;
import org.kordamp.ikonli.feather.Feather;

import java.io.File;
import java.nio.file.Path;
import java.util.Optional;
import java.util.function.Function;

/**
 * The "Share a folder…" dialog of a {@link FolderShareViewModel}: each field with its message under it, Share (Save
 * when editing) enabled only while everything is fine. It does not close itself on Share: {@code save} does the saving
 * and whoever owns the view model closes the dialog with {@link #close()} once the profile is stored.
 */
public final class FolderShareDialog {
    private final Dialog<Void> dialog = new Dialog<>();

    /** The system's folder chooser, opening in the home folder (or in the folder already entered). */
    public static Function<Window, Optional<Path>> systemChooser(FolderShareViewModel vm) {
        return owner -> {
            DirectoryChooser c = new DirectoryChooser();
            c.setTitle("Choose the folder to share");
            File typed = new File(vm.folderProperty().get().strip());
            File home = new File(System.getProperty("user.home"));
            if (typed.isAbsolute() && typed.isDirectory()) {
                c.setInitialDirectory(typed);
            } else if (home.isDirectory()) {
                c.setInitialDirectory(home);
            }
            return Optional.ofNullable(c.showDialog(owner)).map(File::toPath);
        };
    }

    public FolderShareDialog(Window owner, FolderShareViewModel vm, Function<Window, Optional<Path>> chooser, Runnable save,
                             Runnable cancel) {
        dialog.initOwner(owner);
        dialog.setTitle(vm.isNew() ? "Share a folder" : "Edit folder share");
        dialog.setHeaderText(vm.isNew() ? "Put a folder of this computer on a public address" : vm.title());
        dialog.setGraphic(Icons.large(Feather.FOLDER));
        dialog.setResizable(true);

        GridPane grid = new GridPane();
        grid.setId("folderShareForm");
        grid.setHgap(12);
        grid.setVgap(2);
        ColumnConstraints labels = new ColumnConstraints();
        labels.setHalignment(HPos.RIGHT);
        labels.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        ColumnConstraints fields = new ColumnConstraints(260, 420, Double.MAX_VALUE);
        fields.setHgrow(Priority.ALWAYS);
        grid.getColumnConstraints().addAll(labels, fields);

        TextField folder = text("folderField", vm.folderProperty().get(), "/home/you/site");
        folder.textProperty().bindBidirectional(vm.folderProperty());
        Button choose = new Button("Choose…", Icons.of(Feather.FOLDER));
        choose.setId("chooseFolderButton");
        choose.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        choose.setOnAction(e -> chooser.apply(dialog.getDialogPane().getScene().getWindow())
                .ifPresent(p -> vm.folderProperty().set(p.toString())));
        HBox folderRow = new HBox(6, folder, choose);
        HBox.setHgrow(folder, Priority.ALWAYS);
        int row = 0;
        row = add(grid, row, "Folder", folderRow, message("folderProblem", vm, Field.FOLDER));

        CheckBox listing = new CheckBox("List the files of a folder that has no index.html");
        listing.setId("listingCheck");
        listing.selectedProperty().bindBidirectional(vm.listingProperty());
        row = add(grid, row, "", listing, null);

        CheckBox spa = new CheckBox("Single-page app: unknown paths get");
        spa.setId("spaCheck");
        spa.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        spa.selectedProperty().bindBidirectional(vm.spaProperty());
        TextField fallback = text("fallbackField", vm.fallbackProperty().get(), "index.html");
        fallback.textProperty().bindBidirectional(vm.fallbackProperty());
        fallback.disableProperty().bind(vm.spaProperty().not());
        HBox spaRow = new HBox(8, spa, fallback);
        spaRow.setAlignment(Pos.CENTER_LEFT);
        HBox.setHgrow(fallback, Priority.ALWAYS);
        row = add(grid, row, "", spaRow, message("fallbackProblem", vm, Field.FALLBACK));

        TextField name = text("shareNameField", vm.nameProperty().get(), "e.g. My site");
        name.textProperty().bindBidirectional(vm.nameProperty());
        row = add(grid, row, "Name", name, message("shareNameProblem", vm, Field.NAME));

        TextField requested = text("shareRequestedNameField", vm.requestedNameProperty().get(), "leave empty for a generated one");
        requested.textProperty().bindBidirectional(vm.requestedNameProperty());
        row = add(grid, row, "Public name", requested, message("shareRequestedNameProblem", vm, Field.REQUESTED_NAME));

        ComboBox<RelayChoice> relay = new ComboBox<>(vm.relays());
        relay.setId("shareRelayChoice");
        relay.setMaxWidth(Double.MAX_VALUE);
        relay.valueProperty().bindBidirectional(vm.relayProperty());
        relay.setConverter(new StringConverter<>() {
            @Override
            public String toString(RelayChoice r) {
                return r == null ? "" : r.label();
            }

            @Override
            public RelayChoice fromString(String s) {
                return null;
            }
        });
        add(grid, row, "Relay", relay, message("shareRelayProblem", vm, Field.RELAY));

        ButtonType shareType = new ButtonType(vm.isNew() ? "Share" : "Save", ButtonBar.ButtonData.OK_DONE);
        dialog.getDialogPane().getButtonTypes().addAll(shareType, ButtonType.CANCEL);
        dialog.getDialogPane().setContent(grid);
        dialog.getDialogPane().setMinWidth(560);
        Button share = (Button) dialog.getDialogPane().lookupButton(shareType);
        share.setId("shareFolderSave");
        share.getStyleClass().add(Styles.ACCENT);
        share.disableProperty().bind(vm.validBinding().not());
        share.addEventFilter(ActionEvent.ACTION, e -> {
            e.consume(); // stays open until the profile is saved (the owner closes it)
            save.run();
        });
        Button cancelButton = (Button) dialog.getDialogPane().lookupButton(ButtonType.CANCEL);
        cancelButton.setId("shareFolderCancel");
        dialog.setOnHidden(e -> cancel.run());
    }

    public void show() {
        dialog.show();
    }

    /** Closes the dialog (after a save, or when the owner dropped the form). */
    public void close() {
        dialog.setOnHidden(null);
        dialog.close();
    }

    private static TextField text(String id, String value, String prompt) {
        TextField t = new TextField(value);
        t.setId(id);
        t.setPromptText(prompt);
        return t;
    }

    private static Label message(String id, FolderShareViewModel vm, Field f) {
        Label m = new Label();
        m.setId(id);
        m.getStyleClass().addAll(Styles.TEXT_SMALL, Styles.DANGER);
        m.setWrapText(true);
        m.setMaxWidth(460);
        m.textProperty().bind(vm.problemProperty(f));
        m.visibleProperty().bind(vm.problemProperty(f).isNotEmpty());
        m.managedProperty().bind(m.visibleProperty());
        return m;
    }

    private static int add(GridPane grid, int row, String label, Node field, Label message) {
        Label l = new Label(label);
        l.setMinWidth(javafx.scene.layout.Region.USE_PREF_SIZE);
        grid.add(l, 0, row);
        grid.add(field, 1, row);
        GridPane.setMargin(field, new javafx.geometry.Insets(6, 0, 0, 0));
        GridPane.setMargin(l, new javafx.geometry.Insets(6, 0, 0, 0));
        if (message != null) {
            grid.add(message, 1, row + 1);
            return row + 2;
        }
        return row + 1;
    }
}
